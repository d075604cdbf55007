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
 * Ranks items by descending score (1 = act first); items without a score come last, unranked (null).
 * Ties are broken by the key so that the ranking is stable from one run to the next.
 */
export function rankDescending<T>(items: readonly T[], score: (item: T) => number | null, key: (item: T) => string): Map<T, number | null> {
  const scored = items.filter((item) => score(item) !== null);
  scored.sort((a, b) => score(b)! - score(a)! || key(a).localeCompare(key(b)));
  const ranks = new Map<T, number | null>(items.map((item) => [item, null]));
  scored.forEach((item, i) => ranks.set(item, i + 1));
  return ranks;
}
