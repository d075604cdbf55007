import type { DuckDBConnection } from "@duckdb/node-api";
import { defaultWeights, type IndexWeights } from "../../io/config.ts";
import { hasTable, queryRows, withDatabase } from "../../io/db.ts";

/**
 * Shared runtime of the site's Framework data loaders (`src/data/*.json.ts`). It lives here, outside `src/`, so
 * that Framework never mistakes it for a loader. `buildSite` passes the run's settings through the environment.
 */

/** What a data loader knows about the build it runs in. */
export interface SiteSettings {
  database: string;
  departement: string;
  thresholdKm: number;
  weights: IndexWeights;
  /** Folder holding the export files of this département (`exports/<code>/`), which may not exist. */
  exportsDir: string | null;
}

/** Environment variables set by `buildSite` for the data loaders and the site's config. */
export const siteEnv = {
  database: "SDIN_SITE_DATABASE",
  departement: "SDIN_SITE_DEPT",
  thresholdKm: "SDIN_SITE_SEUIL_KM",
  weights: "SDIN_SITE_POIDS",
  exportsDir: "SDIN_SITE_EXPORTS",
  output: "SDIN_SITE_OUTPUT",
  /** Site of several départements: the generated source root and the départements (JSON `[{code, nom}]`). */
  root: "SDIN_SITE_ROOT",
  departements: "SDIN_SITE_DEPTS"
} as const;

export function readSiteSettings(env: NodeJS.ProcessEnv = process.env): SiteSettings {
  const database = env[siteEnv.database];
  const departement = env[siteEnv.departement];
  if (!database || !departement) {
    throw new Error(`variables ${siteEnv.database} et ${siteEnv.departement} absentes : construisez le site avec « sdin build --dept CODE »`);
  }
  const thresholdKm = Number(env[siteEnv.thresholdKm] ?? 10);
  if (!Number.isFinite(thresholdKm) || thresholdKm <= 0) throw new Error(`seuil de distance invalide : "${env[siteEnv.thresholdKm]}"`);
  const weights = env[siteEnv.weights] ? (JSON.parse(env[siteEnv.weights]!) as IndexWeights) : defaultWeights;
  return { database, departement, thresholdKm, weights, exportsDir: env[siteEnv.exportsDir] || null };
}

/**
 * Runs one data loader: opens the database read-only, computes the payload, writes it to stdout once as JSON.
 * Progress and errors go to stderr; a failure exits non-zero so that the build stops with the loader's message.
 */
export async function runLoader(name: string, produce: (connection: DuckDBConnection, settings: SiteSettings) => Promise<unknown>): Promise<void> {
  const started = Date.now();
  try {
    const settings = readSiteSettings();
    const payload = await withDatabase(settings.database, { readOnly: true }, ({ connection }) => produce(connection, settings));
    const json = JSON.stringify(payload);
    process.stdout.write(json);
    process.stderr.write(`${name} : ${(json.length / 1024).toFixed(0)} Kio en ${Date.now() - started} ms (département ${settings.departement})\n`);
  } catch (error) {
    process.stderr.write(`${name} : ${(error as Error).message}\n`);
    process.exitCode = 1;
  }
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
