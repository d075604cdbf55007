import { readFile } from "node:fs/promises";
import path from "node:path";
import Papa from "papaparse";
import { hasTable, queryRows, withDatabase } from "../loaders/io/db.ts";
import type { GeoPoint } from "../src/lib/diagnostic/index.ts";

/** The places of the benchmark: real points of the mirror, counted per file. */
export interface BenchPlaces {
  points: GeoPoint[];
  franceServices: number;
  bibliotheques: number;
}

/** The origins of the benchmark: the representative point of every commune of the referential that has an outline. */
export interface BenchOrigins {
  points: GeoPoint[];
  /** Communes of the referential (`communes`). */
  communes: number;
  /** Communes of the referential without a point in `contours` (no outline in the mirror): left out, not invented. */
  withoutPoint: number;
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
 * One origin per commune of the referential: its representative point, computed by the load from its outline
 * (`contours.point_lon`, `point_lat`). A commune without one is counted, never replaced by an invented point.
 */
export async function communeOrigins(database: string): Promise<BenchOrigins> {
  return withDatabase(database, { readOnly: true }, async ({ connection }) => {
    const [{ n }] = await queryRows<{ n: number }>(connection, "SELECT count(*)::INTEGER AS n FROM communes");
    const points = !(await hasTable(connection, "contours")) ? [] : await queryRows<GeoPoint>(
      connection,
      `SELECT point_lon AS lon, point_lat AS lat FROM contours
       WHERE point_lon IS NOT NULL AND point_lat IS NOT NULL AND code_insee IN (SELECT code_insee FROM communes) ORDER BY code_insee`
    );
    return { points, communes: n, withoutPoint: n - points.length };
  });
}
