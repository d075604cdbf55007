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
