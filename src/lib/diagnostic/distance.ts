/** A point on the globe (WGS84 degrees). */
export interface GeoPoint {
  lon: number;
  lat: number;
}

/** Mean Earth radius used for every distance of the diagnostic, in km. */
export const EARTH_RADIUS_KM = 6371;
const RAD = Math.PI / 180;

/** Great-circle distance in km (haversine formula, spherical Earth of radius 6 371 km). */
export function haversineKm(a: GeoPoint, b: GeoPoint): number {
  const dLat = (b.lat - a.lat) * RAD;
  const dLon = (b.lon - a.lon) * RAD;
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(a.lat * RAD) * Math.cos(b.lat * RAD) * Math.sin(dLon / 2) ** 2;
  return 2 * EARTH_RADIUS_KM * Math.asin(Math.min(1, Math.sqrt(h)));
}

/** True when the nearest place of help is farther than the threshold; an unknown distance is not beyond reach. */
export function isBeyondReach(distanceKm: number | null | undefined, thresholdKm: number): boolean {
  return typeof distanceKm === "number" && distanceKm > thresholdKm;
}
