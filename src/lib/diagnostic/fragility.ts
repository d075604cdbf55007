import { criteria, type Criterion, type Weights } from "./criteria.js";

/**
 * Turns raw values (higher = more fragile) into classes 1–10 on their own distribution: the class is
 * 1 + the decile of the value's percent rank, so ties share a class and the most fragile tenth gets 10.
 * Missing values stay missing.
 */
export function classify(values: readonly (number | null)[]): (number | null)[] {
  const known = values.filter((v): v is number => v !== null && Number.isFinite(v)).sort((a, b) => a - b);
  const n = known.length;
  if (n === 0) return values.map(() => null);
  // percent_rank(v) = (number of values strictly below v) / (n - 1)
  const below = (v: number) => {
    let lo = 0;
    let hi = n;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (known[mid] < v) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };
  return values.map((v) => {
    if (v === null || !Number.isFinite(v)) return null;
    const rank = n === 1 ? 0 : below(v) / (n - 1);
    return Math.min(10, 1 + Math.floor(rank * 10));
  });
}

/** The index of one commune and the criteria it had to leave out. */
export interface FragilityScore {
  index: number | null;
  missing: Criterion[];
}

/**
 * The weighted mean of the available criterion classes. A criterion with no data is left out of the mean
 * (and its weight with it) and reported as missing: it is never replaced by a made-up value. A criterion
 * weighted 0 counts for nothing; the index is null when no weighted class is known.
 */
export function fragilityIndex(classes: Partial<Record<Criterion, number | null>>, weights: Weights): FragilityScore {
  let sum = 0;
  let total = 0;
  const missing: Criterion[] = [];
  for (const criterion of criteria) {
    const value = classes[criterion];
    if (value === null || value === undefined || !Number.isFinite(value)) {
      missing.push(criterion);
      continue;
    }
    const weight = weights[criterion] ?? 0;
    sum += value * weight;
    total += weight;
  }
  return { index: total > 0 ? sum / total : null, missing };
}
