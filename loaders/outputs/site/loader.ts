import type { DuckDBConnection } from "@duckdb/node-api";
import type { IndexWeights } from "../../io/config.ts";
import { hasTable, queryRows } from "../../io/db.ts";
import { strToU8, zipSync } from "fflate";
import { dataEnv, departementCode, regionCode } from "./precomputed.mjs";

/**
 * What the site's data files are made of, and the settings `buildSite` passes to the build through the
 * environment. The files are computed by `buildSite` before Framework runs (precompute.ts); the data loaders of
 * `src/` only hand them over (precomputed.mjs). It lives here, outside `src/`, so that Framework never mistakes it
 * for a loader.
 */

/** What the data files of a département are computed with (precompute.ts). */
export interface SiteSettings {
  departement: string;
  thresholdKm: number;
  weights: IndexWeights;
  /** Folder holding the export files of this département (`exports/<code>/`), which may not exist. */
  exportsDir: string | null;
}

/** Environment variables set by `buildSite` for the site's config and its data loaders. */
export const siteEnv = {
  output: "SDIN_SITE_OUTPUT",
  /** The départements and régions that have pages in this site (JSON `[{code, nom}]`) and its entry page. */
  departements: "SDIN_SITE_DEPTS",
  regions: "SDIN_SITE_REGIONS",
  entry: "SDIN_SITE_ENTRY",
  /** The folder of the data files computed before the build, which the loaders hand over (precompute.ts). */
  data: dataEnv
} as const;

export { departementCode, regionCode };

/** The JSON text of one data file, as the pages read it. */
export async function jsonFile(produce: () => Promise<unknown>): Promise<Uint8Array> {
  return strToU8(JSON.stringify(await produce()));
}

/**
 * The data files of a département (or a région) as one ZIP archive: Framework extracts `data/communes.json` and the
 * others from it, so that a parameterized route costs one loader run rather than one per file.
 */
export async function archiveFile<S>(connection: DuckDBConnection, settings: S, files: Record<string, (connection: DuckDBConnection, settings: S) => Promise<unknown>>): Promise<Uint8Array> {
  const entries: Record<string, Uint8Array> = {};
  for (const [name, produce] of Object.entries(files)) entries[name] = strToU8(JSON.stringify(await produce(connection, settings)));
  return zipSync(entries, { level: 1 });
}

/** Fails with the name of the missing table and how to produce it. */
export async function requireTables(connection: DuckDBConnection, tables: string[]): Promise<void> {
  for (const table of tables) {
    if (!(await hasTable(connection, table))) {
      throw new Error(`table ${table} absente de la base : relancez « sdin load » (étape diagnostic comprise)`);
    }
  }
}

/**
 * Rounds to `digits` significant digits, so that the JSON sent to the browser stays small — but never rounds a
 * count: integers are kept exact, and a large weighted count is rounded to the unit (a population of 12 955 must
 * not become 12 960 on the page).
 */
export function roundSignificant(value: number, digits = 4): number {
  if (value === 0 || !Number.isFinite(value) || Number.isInteger(value)) return value;
  if (Math.abs(value) >= 10 ** digits) return Math.round(value);
  return Number(value.toPrecision(digits));
}

/** A table as `{columns, rows}` (values only: about a third of the size of an array of objects). */
export interface Columnar {
  columns: string[];
  rows: unknown[][];
}

/** `exact` names the columns sent unrounded (inputs the browser recomputes a published figure from). */
export function toColumnar(records: readonly object[], digits = 4, exact: readonly string[] = []): Columnar {
  const columns = records.length ? Object.keys(records[0]) : [];
  const keep = new Set(exact);
  const rows = records.map((record) => columns.map((column) => compactValue((record as Record<string, unknown>)[column], keep.has(column) ? Infinity : digits)));
  return { columns, rows };
}

function compactValue(value: unknown, digits: number): unknown {
  if (typeof value === "number") return digits === Infinity ? value : roundSignificant(value, digits);
  if (typeof value === "bigint") return Number(value);
  return value ?? null;
}
