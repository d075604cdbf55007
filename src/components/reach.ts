/** Distances and the population beyond reach of help, recomputed in the browser for any threshold. */

export interface Located {
  latitude: number;
  longitude: number;
}

/** Great-circle distance in km (mean Earth radius), as the pipeline computes distance_lieu_km. */
export function haversineKm(a: Located, b: Located): number {
  const rad = Math.PI / 180;
  const dLat = (b.latitude - a.latitude) * rad;
  const dLon = (b.longitude - a.longitude) * rad;
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(a.latitude * rad) * Math.cos(b.latitude * rad) * Math.sin(dLon / 2) ** 2;
  return 2 * 6371.0088 * Math.asin(Math.min(1, Math.sqrt(h)));
}

export interface CommuneReach {
  code_insee: string;
  population: number | null;
  distance_lieu_km: number | null;
}

/** True when the nearest place of help is farther than the threshold; unknown distances are not counted. */
export function isBeyondReach(commune: CommuneReach, thresholdKm: number): boolean {
  return typeof commune.distance_lieu_km === "number" && commune.distance_lieu_km > thresholdKm;
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

export interface Stop extends Located {
  id: string;
  type: "bibliothèque" | "mairie";
  nom: string;
  code_insee: string;
}

export interface PlannedStop {
  stop: Stop;
  gain: number;
  cumulee: number;
  communes: string[];
}

/**
 * Itinerant mediation plan: up to `k` stops chosen greedily (maximum coverage), each time the stop that brings
 * the most not-yet-covered population within `thresholdKm`. Demand = communes whose nearest place of help is
 * beyond the threshold, located at their representative point. Stops come out in order of gain.
 */
export function planItinerance(
  communes: (CommuneReach & { point_lat: number | null; point_lon: number | null })[],
  candidates: Stop[],
  { k = 5, thresholdKm = 10 } = {}
): PlannedStop[] {
  const demand = communes.filter((c) => isBeyondReach(c, thresholdKm) && c.point_lat !== null && c.point_lon !== null && (c.population ?? 0) > 0);
  const coverage = candidates.map((stop) =>
    demand.flatMap((c, i) => (haversineKm(stop, { latitude: c.point_lat!, longitude: c.point_lon! }) <= thresholdKm ? [i] : []))
  );
  const covered = new Set<number>();
  const used = new Set<number>();
  const plan: PlannedStop[] = [];
  let cumulee = 0;
  for (let step = 0; step < k; step++) {
    let best = -1;
    let bestGain = 0;
    coverage.forEach((list, c) => {
      if (used.has(c)) return;
      const gain = list.reduce((s, i) => s + (covered.has(i) ? 0 : demand[i].population ?? 0), 0);
      if (gain > bestGain) {
        best = c;
        bestGain = gain;
      }
    });
    if (best < 0) break;
    used.add(best);
    const newly = coverage[best].filter((i) => !covered.has(i));
    newly.forEach((i) => covered.add(i));
    cumulee += bestGain;
    plan.push({ stop: candidates[best], gain: bestGain, cumulee, communes: newly.map((i) => demand[i].code_insee) });
  }
  return plan;
}
