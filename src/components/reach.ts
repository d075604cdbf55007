import { isBeyondReach as beyond } from "../lib/diagnostic/index.js";

/** The population beyond reach of help, recomputed in the browser for any threshold (the rule is the core's). */

export interface CommuneReach {
  code_insee: string;
  population: number | null;
  distance_lieu_km: number | null;
}

/** True when the nearest place of help is farther than the threshold; unknown distances are not counted. */
export function isBeyondReach(commune: CommuneReach, thresholdKm: number): boolean {
  return beyond(commune.distance_lieu_km, thresholdKm);
}

/** Population and communes beyond `thresholdKm` of the nearest place of help, and the share of the population. */
export function populationBeyondReach(communes: CommuneReach[], thresholdKm: number): { population: number; communes: number; part: number | null; inconnues: number } {
  let population = 0;
  let total = 0;
  let count = 0;
  let inconnues = 0;
  for (const commune of communes) {
    const pop = commune.population ?? 0;
    total += pop;
    if (commune.distance_lieu_km === null || commune.distance_lieu_km === undefined) inconnues++;
    else if (isBeyondReach(commune, thresholdKm)) {
      population += pop;
      count++;
    }
  }
  return { population, communes: count, part: total > 0 ? population / total : null, inconnues };
}
