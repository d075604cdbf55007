import type { DuckDBConnection } from "@duckdb/node-api";
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { cp, link, mkdir, readdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { isProcessAlive } from "../../io/process.ts";
import type { Config } from "../../io/config.ts";
import { hasTable, queryRows, withDatabase } from "../../io/db.ts";
import { projectRoot } from "../../io/paths.ts";
import { describeStamp, diagnosticStamp, readStamp, sameStamp } from "../exports/stamp.ts";
import { exportFileNames } from "./exports.ts";
import { checkSelfContained, fixBuiltHtml } from "./html.ts";
import { siteEnv } from "./loader.ts";
import { shapeEnv, type SiteShape, type SiteTerritory } from "./pages.ts";
import { markPrecomputed, precomputeSiteData } from "./precompute.ts";

export { checkSelfContained } from "./html.ts";

export interface BuildOptions {
  /** Where to write the site (default `dist/`). */
  outputDir?: string;
  /** Régions whose page opens the site (`["76"]`, or `["all"]`); their départements are built with them. */
  regions?: string[];
  log?: (message: string) => void;
}

const siteRoot = path.join(projectRoot, "src");
/** Framework's cache: bundles of node_modules (kept, slow to make) and data loader outputs (dropped before a build). */
const frameworkCache = path.join(siteRoot, ".observablehq", "cache");
const keptCache = new Set(["_node", "_npm", "_observablehq"]);
const lockFile = path.join(siteRoot, ".observablehq", "sdin-build.lock");

/**
 * Builds the static site with Observable Framework, one build whatever the scope (observablehq.config.ts):
 * the pages of each département (`<code>/…`), of each région that has one of them, and an entry page
 * (`index.html`: every département, or the one région or département built). Returns each département's folder.
 *
 * The build is written into a new folder beside `outputDir` and swapped in only once complete and checked, so
 * a failed or killed build leaves the previous site as it was.
 */
export async function buildSite(config: Config, { outputDir = path.join(projectRoot, "dist"), regions = [], log = (m) => process.stderr.write(m + "\n") }: BuildOptions = {}): Promise<string[]> {
  const shape = await siteShape(config, regions);
  const codes = shape.departements.map((d) => d.code);
  log(codes.length > 1 ? `site de ${codes.length} départements → ${outputDir}` : `site du département ${codes[0]} → ${outputDir}`);
  await checkExportsCurrent(config, codes);
  await withBuildLock(lockFile, () => swapIn(outputDir, (staging) => buildInto(config, shape, staging)));
  return codes.map((code) => path.join(outputDir, code));
}

/** The départements, régions and entry page of the site asked for, checked against the database. */
async function siteShape(config: Config, regions: string[]): Promise<SiteShape> {
  if (!existsSync(config.paths.database)) throw new Error(`base introuvable : ${config.paths.database} ; lancez d'abord « sdin load »`);
  return withDatabase(config.paths.database, { readOnly: true }, async ({ connection }) => {
    if (!(await hasTable(connection, "diagnostic_communes"))) throw new Error(`table diagnostic_communes absente de ${config.paths.database} : relancez « sdin load » (étape diagnostic comprise)`);
    const present = await queryRows<{ code: string; region: string }>(
      connection,
      "SELECT code_departement AS code, any_value(code_region) AS region FROM diagnostic_communes GROUP BY code_departement ORDER BY code"
    );
    const names = await territoryNames(connection);
    const presentRegions = [...new Set(present.map((d) => d.region))].sort();
    let codes: string[];
    let entry: SiteShape["entry"];
    if (regions.length) {
      const asked = regions.includes("all") ? presentRegions : regions;
      for (const code of asked) if (!presentRegions.includes(code)) throw new Error(`région ${code} absente de la base ${config.paths.database} (présentes : ${presentRegions.join(", ") || "aucune"})`);
      codes = present.filter((d) => asked.includes(d.region)).map((d) => d.code);
      entry = asked.length === 1 ? { niveau: "region", code: asked[0] } : { niveau: "france" };
    } else {
      codes = config.departements.includes("all") ? present.map((d) => d.code) : config.departements;
      for (const code of codes) {
        if (!present.some((d) => d.code === code)) throw new Error(`département ${code} absent de la base ${config.paths.database} (présents : ${present.map((d) => d.code).join(", ") || "aucun"})`);
      }
      entry = codes.length === 1 ? { niveau: "departement", code: codes[0] } : { niveau: "france" };
    }
    // A région has its page as soon as one of its départements has pages (its links lead to those only); the
    // site of one département is that département's alone.
    const regionCodes = entry.niveau === "departement" ? [] : [...new Set(present.filter((d) => codes.includes(d.code)).map((d) => d.region))].sort();
    const named = (niveau: string) => (code: string): SiteTerritory => ({ code, nom: names.get(`${niveau}:${code}`) ?? code });
    return { departements: codes.map(named("departement")), regions: regionCodes.map(named("region")), entry };
  });
}

async function territoryNames(connection: DuckDBConnection): Promise<Map<string, string>> {
  if (!(await hasTable(connection, "diagnostic_territoires"))) return new Map();
  const rows = await queryRows<{ niveau: string; code: string; nom: string }>(connection, "SELECT niveau, code, nom FROM diagnostic_territoires WHERE niveau IN ('departement', 'region')");
  return new Map(rows.map((r) => [`${r.niveau}:${r.code}`, r.nom]));
}

/**
 * Refuses export folders written from another computation of the diagnostic than the database's (other
 * threshold or weights, or an older load): the site would offer for download figures its pages contradict.
 */
async function checkExportsCurrent(config: Config, codes: string[]): Promise<void> {
  const current = await withDatabase(config.paths.database, { readOnly: true }, ({ connection }) => diagnosticStamp(connection));
  if (!current) return;
  for (const code of codes) {
    const dir = path.join(config.paths.exportsDir, code);
    if (!existsSync(dir) || !exportFileNames(code).some(({ name }) => existsSync(path.join(dir, name)))) continue;
    const stamp = await readStamp(dir);
    if (stamp && sameStamp(stamp, current)) continue;
    throw new Error(
      `exports du département ${code} périmés (${dir} : ${describeStamp(stamp)} ; base : ${describeStamp(current)}) : ` +
        `relancez « sdin export --dept ${code} » avant « sdin build », ou supprimez ce dossier`
    );
  }
}

/**
 * Runs Framework into `output` while the site's data files are computed beside it (precompute.ts: Framework spends
 * its first seconds on its own start and on the pages, and its loaders wait for the files), then fixes the HTML,
 * copies the exports and checks that nothing comes from another host.
 */
async function buildInto(config: Config, shape: SiteShape, output: string): Promise<void> {
  await clearLoaderCache();
  // Beside the staging folder (Framework empties its output folder), removed by a later build if this one is killed.
  const data = output.replace(/\.building-(\d+)$/, ".donnees-$1");
  await rm(data, { recursive: true, force: true });
  await mkdir(data, { recursive: true });
  try {
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      PATH: `${path.join(projectRoot, "node_modules", ".bin")}${path.delimiter}${process.env.PATH ?? ""}`,
      [siteEnv.output]: output,
      [siteEnv.data]: data,
      ...shapeEnv(shape)
    };
    const framework = run(path.join(projectRoot, "node_modules", ".bin", "observable"), ["build"], { cwd: projectRoot, env });
    const precomputed = precomputeSiteData(config, shape, data, { loaderCache: frameworkCache }).then(
      () => markPrecomputed(data, { ready: true }),
      async (error: unknown) => {
        // The loaders waiting for the files fail with this message, and so does the build.
        await markPrecomputed(data, { ready: false, message: error instanceof Error ? error.message : String(error) });
        throw error;
      }
    );
    const [frameworkResult, precomputeResult] = await Promise.allSettled([framework, precomputed]);
    if (precomputeResult.status === "rejected") throw precomputeResult.reason;
    if (frameworkResult.status === "rejected") throw frameworkResult.reason;
  } finally {
    await rm(data, { recursive: true, force: true });
  }
  await fixBuiltHtml(output);
  for (const { code } of shape.departements) await copyExports(path.join(config.paths.exportsDir, code), path.join(output, code, "exports"), code);
  await checkSelfContained(output);
}

/**
 * Framework reuses a loader's cached output while the loader file is unchanged; ours read the database and the
 * environment, so every output is dropped (the bundles of node_modules are kept: they depend on node_modules only).
 */
async function clearLoaderCache(): Promise<void> {
  if (!existsSync(frameworkCache)) return;
  for (const entry of await readdir(frameworkCache)) {
    if (!keptCache.has(entry)) await rm(path.join(frameworkCache, entry), { recursive: true, force: true });
  }
}

/**
 * Builds into `<output>.building-<pid>` and swaps it in: the previous site is renamed aside, the new one takes
 * its name, the previous one is deleted. A build that fails or is killed leaves the previous site untouched
 * (its leftovers are removed by the next build); the only gap is between the two renames, and a build that
 * finds the site missing with a previous one set aside puts it back first.
 */
async function swapIn(output: string, build: (staging: string) => Promise<void>): Promise<void> {
  const parent = path.dirname(output);
  const name = path.basename(output);
  await mkdir(parent, { recursive: true });
  await cleanAbandoned(parent, name, output);
  const staging = path.join(parent, `${name}.building-${process.pid}`);
  const previous = path.join(parent, `${name}.previous-${process.pid}`);
  await rm(staging, { recursive: true, force: true });
  try {
    await build(staging);
  } catch (error) {
    await rm(staging, { recursive: true, force: true });
    throw error;
  }
  const hadPrevious = existsSync(output);
  if (hadPrevious) await rename(output, previous);
  await rename(staging, output);
  if (hadPrevious) await rm(previous, { recursive: true, force: true });
}

/** Removes the staging folders of dead builds, and restores a previous site a killed swap left aside. */
async function cleanAbandoned(parent: string, name: string, output: string): Promise<void> {
  const leftovers = (await readdir(parent)).flatMap((entry) => {
    const match = entry.match(/^(.*)\.(building|previous|donnees)-(\d+)$/);
    return match && match[1] === name && !isProcessAlive(Number(match[3])) ? [{ entry, kind: match[2] }] : [];
  });
  for (const { entry, kind } of leftovers) {
    const folder = path.join(parent, entry);
    if (kind === "previous" && !existsSync(output)) await rename(folder, output);
    else await rm(folder, { recursive: true, force: true });
  }
}

/**
 * Runs Framework's build. On a terminal its page-by-page log is shown as it goes; elsewhere (CI, tests, cron) it
 * is kept and printed only when the build fails, so that a log holds what matters rather than one line per page.
 */
function run(command: string, args: string[], options: { cwd: string; env: NodeJS.ProcessEnv }): Promise<void> {
  const live = Boolean(process.stderr.isTTY) || Boolean(process.env.SDIN_VERBOSE);
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { ...options, stdio: ["ignore", live ? "inherit" : "pipe", live ? "inherit" : "pipe"] });
    void noteFrameworkProcess(child.pid);
    const tail: string[] = [];
    const keep = (chunk: Buffer) => {
      tail.push(chunk.toString());
      if (tail.length > 400) tail.shift();
    };
    child.stdout?.on("data", keep);
    child.stderr?.on("data", keep);
    child.on("error", (error) => reject(new Error(`impossible de lancer ${command} : ${error.message}`)));
    child.on("exit", (status) => {
      if (status === 0) return resolve();
      if (!live) process.stderr.write(tail.join(""));
      reject(new Error(`la construction du site a échoué (observable build, code ${status})`));
    });
  });
}

async function copyExports(from: string, to: string, code: string): Promise<void> {
  if (!existsSync(from)) return;
  await mkdir(to, { recursive: true });
  for (const { name } of exportFileNames(code)) {
    if (existsSync(path.join(from, name))) await cp(path.join(from, name), path.join(to, name));
  }
}

/**
 * One build at a time per working tree: builds share Framework's cache of loader outputs. The lock names the
 * build's process and, once started, Framework's: a build killed with `kill -9` leaves Framework running as an
 * orphan, which the next build stops before it takes the cache (and the dead build's folders) over. The lock
 * file is always written whole (a temporary file linked or renamed into place), so a reader never takes a lock
 * being written for a stale one; a stale lock is moved aside before it is removed, and put back if it turns out
 * another waiter had taken the lock in between.
 */
async function withBuildLock<T>(lockFile: string, work: () => Promise<T>): Promise<T> {
  await mkdir(path.dirname(lockFile), { recursive: true });
  for (let attempt = 0; ; attempt++) {
    if (await createWhole(lockFile, String(process.pid))) break;
    const seen = await readFile(lockFile, "utf8").catch(() => null);
    if (seen === null) continue;
    const [holder, framework] = seen.split(/\s+/).map(Number);
    if (!isProcessAlive(holder)) {
      const aside = `${lockFile}.stale-${process.pid}`;
      if (await rename(lockFile, aside).then(() => true, () => false)) {
        if ((await readFile(aside, "utf8").catch(() => "")) === seen) {
          if (framework && isProcessAlive(framework)) process.kill(framework, "SIGKILL");
          await rm(aside, { force: true });
        } else {
          await link(aside, lockFile).catch(() => {});
          await rm(aside, { force: true });
        }
      }
      continue;
    }
    if (attempt > 1800) throw new Error(`une autre construction du site est en cours (processus ${holder})`);
    await new Promise((r) => setTimeout(r, 500));
  }
  try {
    return await work();
  } finally {
    await rm(lockFile, { force: true });
  }
}

/** Creates `file` holding `text`, whole, unless it exists (a temporary file hard-linked into place). */
async function createWhole(file: string, text: string): Promise<boolean> {
  const temporary = `${file}.new-${process.pid}`;
  await writeFile(temporary, text);
  try {
    await link(temporary, file);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "EEXIST") return false;
    throw error;
  } finally {
    await rm(temporary, { force: true });
  }
}

/** Records Framework's process in the lock (see withBuildLock), replacing the file whole. */
async function noteFrameworkProcess(pid: number | undefined): Promise<void> {
  if (!pid) return;
  const temporary = `${lockFile}.new-${process.pid}`;
  await writeFile(temporary, `${process.pid} ${pid}`);
  await rename(temporary, lockFile);
}
