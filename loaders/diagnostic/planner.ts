import { haversineKm, type GeoPoint } from "./nearest.ts";

/** A place that can host a two-hour session of itinerant mediation (a library, a town hall). */
export interface CandidateStop extends GeoPoint {
  id: string;
  kind: "bibliotheque" | "mairie";
  nom: string;
  code_insee: string;
}

/** A commune whose population is beyond reach of help today. */
export interface Demand extends GeoPoint {
  code_insee: string;
  /** Population to bring within reach (the commune's population beyond reach). */
  weight: number;
}

export interface PlannedStop {
  stop: CandidateStop;
  /** Population brought within reach by this stop, beyond what earlier stops already covered. */
  gain: number;
  cumulative: number;
  /** Communes this stop brings within reach. */
  covers: string[];
}

/**
 * Chooses up to `k` stops for an itinerant mediator so as to bring the most population within `thresholdKm`
 * (greedy maximum coverage: each step takes the stop that covers the most population not yet covered; this
 * is within 1 − 1/e of the best possible choice and is what a planner can explain in a sentence).
 * Stops are returned in order of gain; the search stops early when no stop adds anyone.
 */
export function planItinerantStops(candidates: readonly CandidateStop[], demands: readonly Demand[], k: number, thresholdKm: number): PlannedStop[] {
  const coverage = candidates.map((stop) => demands.map((d, i) => (haversineKm(stop, d) <= thresholdKm ? i : -1)).filter((i) => i >= 0));
  const covered = new Set<number>();
  const plan: PlannedStop[] = [];
  let cumulative = 0;
  const used = new Set<number>();
  for (let step = 0; step < k; step++) {
    let best = -1;
    let bestGain = 0;
    coverage.forEach((list, c) => {
      if (used.has(c)) return;
      const gain = list.reduce((s, i) => s + (covered.has(i) ? 0 : demands[i].weight), 0);
      if (gain > bestGain || (gain === bestGain && gain > 0 && best >= 0 && candidates[c].id < candidates[best].id)) {
        best = c;
        bestGain = gain;
      }
    });
    if (best < 0 || bestGain <= 0) break;
    used.add(best);
    const newly = coverage[best].filter((i) => !covered.has(i));
    newly.forEach((i) => covered.add(i));
    cumulative += bestGain;
    plan.push({ stop: candidates[best], gain: bestGain, cumulative, covers: newly.map((i) => demands[i].code_insee) });
  }
  return plan;
}
