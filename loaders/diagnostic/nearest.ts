import KDBush from "kdbush";
import { around } from "geokdbush";
import { haversineKm, type GeoPoint } from "../../src/lib/diagnostic/index.ts";

/** The nearest place found for one origin: its index in the places array and the distance. */
export interface Nearest {
  index: number;
  distanceKm: number;
}

/**
 * A spatial index over places, answering "which place is nearest to this point" in great-circle distance
 * (kdbush + geokdbush: a static k-d tree with a geodesic best-first search).
 */
export class PlaceIndex {
  private readonly tree: KDBush | null;
  private readonly places: readonly GeoPoint[];

  constructor(places: readonly GeoPoint[]) {
    this.places = places;
    if (places.length === 0) {
      this.tree = null;
      return;
    }
    const tree = new KDBush(places.length);
    for (const p of places) tree.add(p.lon, p.lat);
    tree.finish();
    this.tree = tree;
  }

  nearest(origin: GeoPoint): Nearest | null {
    if (!this.tree) return null;
    const [index] = around(this.tree, origin.lon, origin.lat, 1);
    if (index === undefined) return null;
    return { index, distanceKm: haversineKm(origin, this.places[index]) };
  }

  /** Indices of the places within `km` of `origin`. */
  within(origin: GeoPoint, km: number): number[] {
    return this.tree ? around(this.tree, origin.lon, origin.lat, Infinity, km) : [];
  }
}

/** One search of `nearestOfEach`: the places searched among, and the origins searched for (indices in `points`). */
export interface NearestSearch {
  places: GeoPoint[];
  origins: number[];
}

/** What one search found for each point: the index of its nearest place (−1: not searched, or no place) and the distance. */
export interface NearestFound {
  index: Int32Array;
  km: Float64Array;
}

/**
 * For each search, the nearest of its places to each of its origins (`nearestIndexed`). Pure and on plain data:
 * the diagnostic runs it in the load's worker thread.
 */
export function nearestOfEach({ points, searches }: { points: (GeoPoint | null)[]; searches: NearestSearch[] }): NearestFound[] {
  return searches.map(({ places, origins }) => {
    const index = new Int32Array(points.length).fill(-1);
    const km = new Float64Array(points.length).fill(Number.NaN);
    nearestIndexed(origins.map((origin) => points[origin]!), places).forEach((found, i) => {
      if (found) {
        index[origins[i]] = found.index;
        km[origins[i]] = found.distanceKm;
      }
    });
    return { index, km };
  });
}

/** Nearest place of each origin, by scanning every place: the reference the index is checked and benchmarked against. */
export function nearestBruteForce(origins: readonly GeoPoint[], places: readonly GeoPoint[]): (Nearest | null)[] {
  return origins.map((origin) => {
    let best: Nearest | null = null;
    places.forEach((place, index) => {
      const distanceKm = haversineKm(origin, place);
      if (!best || distanceKm < best.distanceKm) best = { index, distanceKm };
    });
    return best;
  });
}

/** Nearest place of each origin, through the spatial index. */
export function nearestIndexed(origins: readonly GeoPoint[], places: readonly GeoPoint[]): (Nearest | null)[] {
  const index = new PlaceIndex(places);
  return origins.map((origin) => index.nearest(origin));
}
