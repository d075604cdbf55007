import { existsSync } from "node:fs";
import { mkdir, readdir, rm, symlink, writeFile } from "node:fs/promises";
import path from "node:path";
import { readConfig } from "../loaders/io/config.ts";
import { openDatabase, queryRows, quoteIdentifier, withDatabase } from "../loaders/io/db.ts";
import { nearestBruteForce, nearestIndexed, type Nearest } from "../loaders/diagnostic/nearest.ts";
import { runExportParallel } from "../loaders/outputs/exports/parallel.ts";
import { runLoad, type PostLoadStep } from "../loaders/ingest/load.ts";
import { projectRoot } from "../loaders/io/paths.ts";
import type { Source } from "../loaders/ingest/source.ts";
import { median, runProcess } from "./measure.ts";
import { communeOrigins, mirrorPlaces, type BenchOrigins, type BenchPlaces } from "./points.ts";

/** What a task reports: the duration of its measured part only (setup excluded), and what it did. */
export interface TaskResult {
  ms: number;
  info: Record<string, unknown>;
}

/** A file of the baseline and the DuckDB table function that reads it raw. */
export interface BaselineFile {
  file: string;
  source: string;
  reader: "read_csv_auto" | "read_json_auto";
}

/**
 * The whole load, as `sdin load` runs it: every registered source, then the post-load steps. Each source
 * and step is timed on its own so the benchmark can say which one dominates.
 */
export async function loadTask({ dataDir, mirror }: { dataDir: string; mirror: string }): Promise<TaskResult> {
  // Imported here rather than at the top: the list is read when the task runs, so the benchmark always
  // measures the sources registered at that moment.
  const { sources } = await import("../loaders/ingest/sources/index.ts");
  const { postLoadSteps } = await import("../loaders/cli/steps.ts");
  const config = readConfig({ data: dataDir, mirror }, {});
  // Sources load side by side: each one's start (from the load's start) is kept with its duration.
  const timings: { name: string; kind: "source" | "étape"; ms: number; startMs: number }[] = [];
  let t0 = performance.now();
  const timedSources: Source[] = sources.map((source) => ({
    ...source,
    async load(context) {
      const start = performance.now();
      await source.load(context);
      timings.push({ name: source.id, kind: "source", ms: performance.now() - start, startMs: start - t0 });
    }
  }));
  const timedSteps: PostLoadStep[] = postLoadSteps.map((step) => async (context, stepConfig) => {
    const start = performance.now();
    await step(context, stepConfig);
    timings.push({ name: step.name || "étape", kind: "étape", ms: performance.now() - start, startMs: start - t0 });
  });
  t0 = performance.now();
  await runLoad(config, timedSources, { postLoad: timedSteps, log: () => {} });
  return { ms: performance.now() - t0, info: { database: config.paths.database, timings } };
}

/** DuckDB's own reading of the same files into tables of a new database file: the load's floor. */
export async function rawReadTask({ database, files }: { database: string; files: BaselineFile[] }): Promise<TaskResult> {
  await rm(database, { force: true });
  await rm(`${database}.wal`, { force: true });
  const t0 = performance.now();
  const db = await openDatabase(database);
  let rows = 0;
  try {
    for (const [i, { file, reader }] of files.entries()) {
      const table = quoteIdentifier(`brut_${i}`);
      await db.connection.run(`CREATE TABLE ${table} AS SELECT * FROM ${reader}($file)`, { file });
      rows += (await queryRows<{ n: number }>(db.connection, `SELECT count(*)::INTEGER AS n FROM ${table}`))[0].n;
    }
    await db.connection.run("CHECKPOINT");
  } finally {
    db.close();
  }
  return { ms: performance.now() - t0, info: { files: files.length, rows } };
}

/**
 * The files the load actually read (from the provenance table), each with the DuckDB reader that can take it
 * raw; the others are listed with the reason they are left out of the baseline.
 */
export async function baselineFiles(database: string): Promise<{ files: BaselineFile[]; excluded: { file: string; source: string; reason: string }[] }> {
  return withDatabase(database, { readOnly: true }, async ({ connection }) => {
    const opened = await queryRows<{ source: string; origin: string }>(
      connection,
      "SELECT DISTINCT source, origin FROM provenance WHERE status = 'chargé' AND origin IS NOT NULL ORDER BY source, origin"
    );
    const files: BaselineFile[] = [];
    const excluded: { file: string; source: string; reason: string }[] = [];
    for (const { source, origin } of opened) {
      const reader = /\.csv$/i.test(origin) ? "read_csv_auto" : /\.(geo)?json$/i.test(origin) ? "read_json_auto" : null;
      if (!reader) {
        excluded.push({ file: origin, source, reason: `format ${path.extname(origin) || "inconnu"} : pas de lecteur DuckDB hors ligne` });
        continue;
      }
      try {
        await connection.run(`SELECT count(*) FROM ${reader}($file)`, { file: origin });
        files.push({ file: origin, source, reader });
      } catch (error) {
        excluded.push({ file: origin, source, reason: `${reader} échoue : ${(error as Error).message.split("\n")[0]}` });
      }
    }
    return { files, excluded };
  });
}

/** Nearest place of every origin, through the spatial index or by scanning every place. */
export async function nearestTask({ method, database, mirror }: { method: "indexed" | "brute"; database: string; mirror: string }): Promise<TaskResult> {
  const origins = await communeOrigins(database);
  const places = await mirrorPlaces(mirror);
  const t0 = performance.now();
  const found = method === "indexed" ? nearestIndexed(origins.points, places.points) : nearestBruteForce(origins.points, places.points);
  const ms = performance.now() - t0;
  return { ms, info: { ...describePoints(origins, places), ...summarise(found) } };
}

function describePoints(origins: BenchOrigins, places: BenchPlaces): Record<string, number> {
  return {
    origins: origins.points.length, communes: origins.communes, withoutPoint: origins.withoutPoint,
    places: places.points.length, franceServices: places.franceServices, bibliotheques: places.bibliotheques
  };
}

/** A fingerprint of the answers, so the orchestrator can check both methods found the same distances. */
export function summarise(found: (Nearest | null)[]): { distanceSumKm: number; maxDistanceKm: number; missing: number } {
  let distanceSumKm = 0;
  let maxDistanceKm = 0;
  let missing = 0;
  for (const n of found) {
    if (!n) missing++;
    else {
      distanceSumKm += n.distanceKm;
      maxDistanceKm = Math.max(maxDistanceKm, n.distanceKm);
    }
  }
  return { distanceSumKm, maxDistanceKm, missing };
}

/**
 * `sdin export` of the given départements (`["all"]` for every one, on both cores) from an existing database. With
 * `repeat`, the same export runs that many times in this process and the time given is the median of the runs after
 * the first (`runsMs` has them all): the first pays for what a process does once (compiling the code as it runs),
 * the others are the work of the export itself.
 */
export async function exportTask({ dataDir, exportsDir, departements, repeat = 1 }: { dataDir: string; exportsDir: string; departements: string[]; repeat?: number }): Promise<TaskResult> {
  await rm(exportsDir, { recursive: true, force: true });
  const config = readConfig({ data: dataDir, exports: exportsDir, dept: departements.join(",") }, {});
  const runsMs: number[] = [];
  for (let i = 0; i < repeat; i++) {
    const t0 = performance.now();
    await runExportParallel(config, { log: () => {} });
    runsMs.push(performance.now() - t0);
  }
  return { ms: median(runsMs.length > 1 ? runsMs.slice(1) : runsMs), info: { folders: (await readdir(exportsDir)).length, runsMs } };
}

/** `buildSite` of the given départements into `outputDir`. */
export async function siteTask({ dataDir, exportsDir, outputDir, departements }: { dataDir: string; exportsDir: string; outputDir: string; departements: string[] }): Promise<TaskResult> {
  const { buildSite } = await import("../loaders/outputs/site/build.ts");
  await rm(outputDir, { recursive: true, force: true });
  const config = readConfig({ data: dataDir, exports: exportsDir, dept: departements.join(",") }, {});
  const t0 = performance.now();
  const outputs = await buildSite(config, { outputDir, log: () => {} });
  return { ms: performance.now() - t0, info: { sites: outputs.length } };
}

/**
 * Framework's fixed cost: `observable build` of a project holding one empty page, with the same
 * `node_modules` as the site (linked, not copied).
 */
export async function emptyFrameworkTask({ dir }: { dir: string }): Promise<TaskResult> {
  await prepareEmptyFramework(dir);
  await rm(path.join(dir, "dist"), { recursive: true, force: true });
  const t0 = performance.now();
  const { code, stderr } = await runProcess(path.join(projectRoot, "node_modules", ".bin", "observable"), ["build"], dir);
  if (code !== 0) throw new Error(`observable build (page vide) a échoué, code ${code} : ${stderr.slice(-2000)}`);
  return { ms: performance.now() - t0, info: {} };
}

export async function prepareEmptyFramework(dir: string): Promise<void> {
  if (existsSync(path.join(dir, "src", "index.md"))) return;
  await mkdir(path.join(dir, "src"), { recursive: true });
  await writeFile(path.join(dir, "src", "index.md"), "# Page vide\n\nCoût fixe de Framework.\n");
  await writeFile(path.join(dir, "observablehq.config.js"), `export default {root: "src", title: "Page vide"};\n`);
  await symlink(path.join(projectRoot, "node_modules"), path.join(dir, "node_modules"), "dir");
}

/** Every task a child process can run, by name. */
export const tasks = {
  load: loadTask,
  "raw-read": rawReadTask,
  nearest: nearestTask,
  export: exportTask,
  site: siteTask,
  "framework-empty": emptyFrameworkTask
} as const;

export type TaskName = keyof typeof tasks;
