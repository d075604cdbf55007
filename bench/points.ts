import { readFile } from "node:fs/promises";
import path from "node:path";
import Papa from "papaparse";
import { hasTable, queryRows, withDatabase } from "../loaders/io/db.ts";
import type { GeoPoint } from "../src/lib/diagnostic/index.ts";

/** Metropolitan France with Corsica (WGS84 degrees): where the pseudo-random origins are drawn. */
export const franceBoundingBox = { west: -5.14, east: 9.56, south: 41.33, north: 51.09 };

/** The places of the benchmark: real points of the mirror, counted per file. */
export interface BenchPlaces {
  points: GeoPoint[];
  franceServices: number;
  bibliotheques: number;
}

/** The origins of the benchmark: one per commune of the referential, real where the database has a point. */
export interface BenchOrigins {
  points: GeoPoint[];
  /** Commune representative points read from the `contours` table. */
  real: number;
  /** Seeded pseudo-random points inside `franceBoundingBox`. */
  random: number;
  seed: number;
}

const franceServicesFile = "france-services/liste-fs-20240801.csv";
const bibliothequesFile = "bibliotheques/adresses-des-bibliotheques-publiques.csv";

/**
 * Reads the places straight from the mirror (France Services `latitude`/`longitude`, libraries'
 * `coordonnees_finales` "lat,lon"), so the benchmark does not depend on which sources are registered.
 */
export async function mirrorPlaces(mirror: string): Promise<BenchPlaces> {
  const franceServices = await csvPoints(path.join(mirror, franceServicesFile), ",", (r) => point(r.latitude, r.longitude));
  const bibliotheques = await csvPoints(path.join(mirror, bibliothequesFile), ";", (r) => {
    const [lat, lon] = (r.coordonnees_finales ?? "").split(",");
    return point(lat, lon);
  });
  return { points: [...franceServices, ...bibliotheques], franceServices: franceServices.length, bibliotheques: bibliotheques.length };
}

async function csvPoints(file: string, delimiter: string, toPoint: (row: Record<string, string>) => GeoPoint | null): Promise<GeoPoint[]> {
  const text = (await readFile(file, "utf8")).replace(/^\ufeff/, "");
  const { data } = Papa.parse<Record<string, string>>(text, { header: true, delimiter, skipEmptyLines: true });
  return data.map(toPoint).filter((p): p is GeoPoint => p !== null);
}

function point(lat: string | undefined, lon: string | undefined): GeoPoint | null {
  const la = Number((lat ?? "").trim().replace(",", "."));
  const lo = Number((lon ?? "").trim().replace(",", "."));
  if (!lat?.trim() || !lon?.trim() || !Number.isFinite(la) || !Number.isFinite(lo) || Math.abs(la) > 90 || Math.abs(lo) > 180) return null;
  return { lat: la, lon: lo };
}

/**
 * One origin per commune of the referential (`count` of `communes`): the representative points of the
 * `contours` table where it has them, then seeded pseudo-random points inside France's bounding box.
 */
export async function communeOrigins(database: string, { seed = 20260101, count }: { seed?: number; count?: number } = {}): Promise<BenchOrigins> {
  const { total, real } = await withDatabase(database, { readOnly: true }, async ({ connection }) => {
    const [{ n }] = await queryRows<{ n: number }>(connection, "SELECT count(*)::INTEGER AS n FROM communes");
    const points = !(await hasTable(connection, "contours")) ? [] : await queryRows<GeoPoint>(
      connection,
      `SELECT point_lon AS lon, point_lat AS lat FROM contours
       WHERE point_lon IS NOT NULL AND point_lat IS NOT NULL AND code_insee IN (SELECT code_insee FROM communes) ORDER BY code_insee`
    );
    return { total: n, real: points };
  });
  return completeOrigins(real, count ?? total, seed);
}

/** `real` points first (at most `count`), then pseudo-random points up to `count`. */
export function completeOrigins(real: GeoPoint[], count: number, seed: number): BenchOrigins {
  const points = real.slice(0, count);
  const random = randomPoints(count - points.length, seed);
  return { points: [...points, ...random], real: points.length, random: random.length, seed };
}

/** Pseudo-random points inside France's bounding box, the same for the same seed. */
export function randomPoints(count: number, seed: number): GeoPoint[] {
  const next = mulberry32(seed);
  const { west, east, south, north } = franceBoundingBox;
  return Array.from({ length: count }, () => ({ lon: west + next() * (east - west), lat: south + next() * (north - south) }));
}

/** A small seeded generator (Mulberry32): enough for benchmark inputs, not for anything else. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
