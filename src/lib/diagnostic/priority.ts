import { classesOf, type Weights } from "./criteria.js";
import { fragilityIndex } from "./fragility.js";

/**
 * Where to act first. The priority score combines three things a council can act on, each scaled to [0, 1]:
 * - fragility: the index (1–10) rescaled as (index − 1) / 9, weight 0.5;
 * - distance to help: distance to the nearest place over twice the threshold, capped at 1, weight 0.3
 *   (a commune at the threshold scores 0.5, one at twice the threshold or more scores 1);
 * - lack of very-high-speed access: the share of premises not eligible to 30 Mbit/s (or, failing that, not
 *   connectable to FttH), weight 0.2.
 * A missing component is left out and the remaining weights are rescaled, as for the index.
 */
export const priorityWeights = { fragility: 0.5, distance: 0.3, connectivity: 0.2 } as const;

export interface PriorityInputs {
  index: number | null;
  distanceKm: number | null;
  /** Share of premises without very-high-speed access, in [0, 1]. */
  noThdShare: number | null;
}

/** The share of premises without very-high-speed access: not eligible to 30 Mbit/s, or failing that not connectable to FttH. */
export function noThdShare(partEligibleThd30: number | null | undefined, partLocauxFtth: number | null | undefined): number | null {
  if (typeof partEligibleThd30 === "number") return 1 - partEligibleThd30;
  if (typeof partLocauxFtth === "number") return 1 - partLocauxFtth;
  return null;
}

export function priorityScore({ index, distanceKm, noThdShare }: PriorityInputs, thresholdKm: number): number | null {
  const parts: [number | null, number][] = [
    [index === null ? null : (index - 1) / 9, priorityWeights.fragility],
    [distanceKm === null ? null : Math.min(1, distanceKm / (2 * thresholdKm)), priorityWeights.distance],
    [noThdShare === null ? null : Math.min(1, Math.max(0, noThdShare)), priorityWeights.connectivity]
  ];
  let sum = 0;
  let total = 0;
  for (const [value, weight] of parts) {
    if (value === null || !Number.isFinite(value)) continue;
    sum += value * weight;
    total += weight;
  }
  return total > 0 ? sum / total : null;
}

/**
 * THE ranking rule of the diagnostic: by descending score (1 = act first); items without a score come last,
 * unranked (null). Ties are broken by the key, so that every rank is held by one item and the ranking is the same
 * from one run to the next (the exports' `rang_priorite` and the site's table follow this rule).
 */
export function rankDescending<T>(items: readonly T[], score: (item: T) => number | null, key: (item: T) => string): Map<T, number | null> {
  // Each score once: the sort compares n log n times, and a score may be a whole index computation.
  const scores = new Map<T, number>();
  for (const item of items) {
    const s = score(item);
    if (s !== null) scores.set(item, s);
  }
  const scored = items.filter((item) => scores.has(item));
  scored.sort((a, b) => scores.get(b)! - scores.get(a)! || key(a).localeCompare(key(b)));
  const ranks = new Map<T, number | null>(items.map((item) => [item, null]));
  scored.forEach((item, i) => ranks.set(item, i + 1));
  return ranks;
}

/** What a commune row needs for its priority: its classes (`classe_*`), its distance to help and its connectivity. */
export interface PriorityRow {
  code_insee: string;
  distance_lieu_km?: number | null;
  part_eligible_thd30?: number | null;
  part_locaux_ftth?: number | null;
  [column: string]: unknown;
}

/** A commune's place in a ranking. */
export interface Ranked<T> {
  item: T;
  /** Fragility index under the weights. */
  index: number | null;
  /** Priority score under the weights and threshold. */
  score: number | null;
  /** 1 = act first; null when the commune has no score. */
  rank: number | null;
}

/**
 * The communes of a département ranked by priority under `weights` and `thresholdKm`, best first (unranked last):
 * what the pipeline writes as `indice_fragilite`, `score_priorite` and `rang_priorite`, recomputed from the classes
 * so that a reader can change the weights.
 */
export function rankCommunes<T extends PriorityRow>(communes: readonly T[], weights: Weights, thresholdKm: number): Ranked<T>[] {
  const entries = communes.map((item) => {
    const { index } = fragilityIndex(classesOf(item), weights);
    const score = priorityScore({ index, distanceKm: item.distance_lieu_km ?? null, noThdShare: noThdShare(item.part_eligible_thd30, item.part_locaux_ftth) }, thresholdKm);
    return { item, index, score, rank: null as number | null };
  });
  const ranks = rankDescending(entries, (e) => e.score, (e) => e.item.code_insee);
  for (const entry of entries) entry.rank = ranks.get(entry) ?? null;
  return entries.sort((a, b) => (a.rank ?? Infinity) - (b.rank ?? Infinity) || a.item.code_insee.localeCompare(b.item.code_insee));
}
