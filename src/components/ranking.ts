import { criteria, type CriterionWeight } from "./indicators.js";

export type Weights = Record<CriterionWeight, number>;

/**
 * The fragility index under other weights: the weighted mean of the criterion classes the commune has,
 * skipping the missing ones (and their weight), as the pipeline does. Null when no weighted class is known.
 */
export function weightedIndex(commune: Record<string, unknown>, weights: Weights): number | null {
  let sum = 0;
  let total = 0;
  for (const { weight, column } of criteria) {
    const value = commune[column];
    const w = weights[weight] ?? 0;
    if (typeof value !== "number" || !Number.isFinite(value) || w <= 0) continue;
    sum += w * value;
    total += w;
  }
  return total > 0 ? sum / total : null;
}

export interface Ranked<T> {
  item: T;
  score: number | null;
  /** 1 = most fragile; ties share the best rank; communes without a score come last, unranked. */
  rank: number | null;
}

export function rankByIndex<T extends Record<string, unknown>>(communes: T[], weights: Weights): Ranked<T>[] {
  const scored = communes.map((item) => ({ item, score: weightedIndex(item, weights), rank: null as number | null }));
  scored.sort((a, b) => (b.score ?? -Infinity) - (a.score ?? -Infinity) || String(a.item.code_insee).localeCompare(String(b.item.code_insee)));
  scored.forEach((entry, i) => {
    if (entry.score === null) return;
    const previous = scored[i - 1];
    entry.rank = previous && previous.score === entry.score ? previous.rank : i + 1;
  });
  return scored;
}

/** Spearman's rank correlation between two rankings of the same items (Pearson on ranks, ties averaged). */
export function spearman(a: number[], b: number[]): number | null {
  if (a.length !== b.length || a.length < 2) return null;
  const ra = averageRanks(a);
  const rb = averageRanks(b);
  const mean = (a.length + 1) / 2;
  let cov = 0;
  let va = 0;
  let vb = 0;
  for (let i = 0; i < a.length; i++) {
    cov += (ra[i] - mean) * (rb[i] - mean);
    va += (ra[i] - mean) ** 2;
    vb += (rb[i] - mean) ** 2;
  }
  return va > 0 && vb > 0 ? cov / Math.sqrt(va * vb) : null;
}

function averageRanks(values: number[]): number[] {
  const order = values.map((v, i) => [v, i] as const).sort((x, y) => x[0] - y[0]);
  const ranks = new Array<number>(values.length);
  for (let start = 0; start < order.length; ) {
    let end = start;
    while (end + 1 < order.length && order[end + 1][0] === order[start][0]) end++;
    for (let k = start; k <= end; k++) ranks[order[k][1]] = (start + end) / 2 + 1;
    start = end + 1;
  }
  return ranks;
}

/** Which communes enter and leave the top `n` when the weights change. */
export function topChanges(before: string[], after: string[], n = 20): { entrees: string[]; sorties: string[] } {
  const a = new Set(before.slice(0, n));
  const b = new Set(after.slice(0, n));
  return { entrees: [...b].filter((code) => !a.has(code)), sorties: [...a].filter((code) => !b.has(code)) };
}
