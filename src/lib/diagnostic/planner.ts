import { haversineKm, isBeyondReach, type GeoPoint } from "./distance.js";

/** Kinds of stop of the itinerant planner, as stored in `plan_itinerance.type_arret`, and their French labels. */
export const stopKindLabels = { bibliotheque: "bibliothèque", mairie: "mairie" } as const;
export type StopKind = keyof typeof stopKindLabels;

/** A place that can host a two-hour session of itinerant mediation (a library, a town hall). */
export interface CandidateStop extends GeoPoint {
  id: string;
  kind: StopKind;
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

/** A public library with coordinates. */
export interface LibraryRow {
  id: string;
  nom: string;
  code_insee: string;
  latitude: number;
  longitude: number;
}

/** What the planner reads of a commune: its population, distance to help and representative point. */
export interface CommuneReachRow {
  code_insee: string;
  nom: string;
  population: number | null;
  distance_lieu_km: number | null;
  point_lon: number | null;
  point_lat: number | null;
}

const located = (c: CommuneReachRow): c is CommuneReachRow & { point_lon: number; point_lat: number } =>
  typeof c.point_lon === "number" && typeof c.point_lat === "number";

/**
 * Candidate stops: the libraries and the town halls of the communes (a town hall is placed at its commune's
 * representative point: the loaded sources do not locate town halls).
 */
export function candidateStops(libraries: readonly LibraryRow[], communes: readonly CommuneReachRow[]): CandidateStop[] {
  return [
    ...libraries.map((b): CandidateStop => ({ id: `bibliotheque:${b.id}`, kind: "bibliotheque", nom: b.nom, code_insee: b.code_insee, lon: b.longitude, lat: b.latitude })),
    ...communes.filter(located).map((c): CandidateStop => ({ id: `mairie:${c.code_insee}`, kind: "mairie", nom: `Mairie de ${c.nom}`, code_insee: c.code_insee, lon: c.point_lon, lat: c.point_lat }))
  ];
}

/** The demand: communes with inhabitants beyond `thresholdKm` of the nearest place of help, at their representative point. */
export function demandsBeyondReach(communes: readonly CommuneReachRow[], thresholdKm: number): Demand[] {
  return communes
    .filter((c) => located(c) && isBeyondReach(c.distance_lieu_km, thresholdKm) && (c.population ?? 0) > 0)
    .map((c) => ({ code_insee: c.code_insee, lon: c.point_lon!, lat: c.point_lat!, weight: c.population! }));
}

/**
 * Chooses up to `k` stops for an itinerant mediator so as to bring the most population within `thresholdKm`
 * (greedy maximum coverage: each step takes the stop that covers the most population not yet covered; this
 * is within 1 − 1/e of the best possible choice and is what a planner can explain in a sentence). Between stops
 * of equal gain, the smaller id wins, whatever the order of the candidates. Stops are returned in order of gain;
 * the search stops early when no stop adds anyone.
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
