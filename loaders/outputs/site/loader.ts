import type { DuckDBConnection } from "@duckdb/node-api";
import { defaultWeights, type IndexWeights } from "../../io/config.ts";
import { hasTable, queryRows, withDatabase } from "../../io/db.ts";
import path from "node:path";
import { parseArgs } from "node:util";
import { strToU8, zipSync } from "fflate";

/**
 * Shared runtime of the site's Framework data loaders (`src/data/*.json.ts`). It lives here, outside `src/`, so
 * that Framework never mistakes it for a loader. `buildSite` passes the run's settings through the environment.
 */

/** What a data loader of a département knows about the build it runs in. */
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
  thresholdKm: "SDIN_SITE_SEUIL_KM",
  weights: "SDIN_SITE_POIDS",
  /** The exports root (`exports/`): a département's files are in `<root>/<code>/`. */
  exportsDir: "SDIN_SITE_EXPORTS",
  output: "SDIN_SITE_OUTPUT",
  /** The départements and régions that have pages in this site (JSON `[{code, nom}]`) and its entry page. */
  departements: "SDIN_SITE_DEPTS",
  regions: "SDIN_SITE_REGIONS",
  entry: "SDIN_SITE_ENTRY"
} as const;

/** The settings every loader of the build shares (no département: the entry and région pages read them too). */
export function readBuildSettings(env: NodeJS.ProcessEnv = process.env): Omit<SiteSettings, "departement" | "exportsDir"> & { exportsRoot: string | null } {
  const database = env[siteEnv.database];
  if (!database) throw new Error(`variable ${siteEnv.database} absente : construisez le site avec « sdin build »`);
  const thresholdKm = Number(env[siteEnv.thresholdKm] ?? 10);
  if (!Number.isFinite(thresholdKm) || thresholdKm <= 0) throw new Error(`seuil de distance invalide : "${env[siteEnv.thresholdKm]}"`);
  const weights = env[siteEnv.weights] ? (JSON.parse(env[siteEnv.weights]!) as IndexWeights) : defaultWeights;
  return { database, thresholdKm, weights, exportsRoot: env[siteEnv.exportsDir] || null };
}

/**
 * The value of a route parameter: Framework runs the loader of a parameterized route (`src/[dept]/data.zip.ts`)
 * with `--dept=23`. The value becomes part of paths and queries, so it must look like what it names.
 */
export function routeParam(name: string, pattern: RegExp, argv: string[] = process.argv): string {
  const { values } = parseArgs({ args: argv.slice(2), options: { [name]: { type: "string" } }, strict: false });
  const value = values[name];
  if (typeof value !== "string" || !pattern.test(value)) throw new Error(`paramètre --${name} invalide ou absent : "${value ?? ""}"`);
  return value;
}

/** The pattern of a département code (`01`…`95`, `2A`, `2B`, `971`…`976`). */
export const departementCode = /^(\d{2}|2A|2B|97\d)$/;

/** The settings of the loader of one département's data (its code from the route, the rest from the environment). */
export function readSiteSettings(env: NodeJS.ProcessEnv = process.env, argv: string[] = process.argv): SiteSettings {
  const { exportsRoot, ...build } = readBuildSettings(env);
  const departement = routeParam("dept", departementCode, argv);
  return { ...build, departement, exportsDir: exportsRoot ? path.join(exportsRoot, departement) : null };
}

/**
 * Runs one data loader: opens the database read-only, computes the payload, writes it to stdout once as JSON.
 * Progress and errors go to stderr; a failure exits non-zero so that the build stops with the loader's message.
 */
export async function runLoader(name: string, produce: (connection: DuckDBConnection) => Promise<unknown>, database = readBuildSettings().database): Promise<void> {
  await runOnce(name, async () => {
    const json = JSON.stringify(await withDatabase(database, { readOnly: true }, ({ connection }) => produce(connection)));
    process.stdout.write(json);
    return json.length;
  });
}

/**
 * Runs the loader of a département's data files as one ZIP archive (`src/[dept]/data.zip.ts`): Framework
 * extracts `data/communes.json` and the others from it, so a département costs one process and one connection
 * rather than one per file (101 départements × 7 files would be 707 processes).
 */
export async function runArchiveLoader<S extends { database: string }>(
  readSettings: () => S,
  files: Record<string, (connection: DuckDBConnection, settings: S) => Promise<unknown>>
): Promise<void> {
  await runOnce("data.zip", async () => {
    const settings = readSettings();
    const entries = await withDatabase(settings.database, { readOnly: true }, async ({ connection }) => {
      const out: Record<string, Uint8Array> = {};
      for (const [name, produce] of Object.entries(files)) out[name] = strToU8(JSON.stringify(await produce(connection, settings)));
      return out;
    });
    const zip = zipSync(entries, { level: 1 });
    process.stdout.write(zip);
    return zip.length;
  });
}

async function runOnce(name: string, produce: () => Promise<number>): Promise<void> {
  const started = Date.now();
  try {
    const bytes = await produce();
    process.stderr.write(`${name} : ${(bytes / 1024).toFixed(0)} Kio en ${Date.now() - started} ms\n`);
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
