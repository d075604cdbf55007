import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { cp, mkdir, readdir, readFile, rm, stat, writeFile } from "node:fs/promises";
import path from "node:path";
import { isProcessAlive } from "../../io/process.ts";
import type { Config } from "../../io/config.ts";
import { hasTable, queryRows, withDatabase } from "../../io/db.ts";
import { projectRoot } from "../../io/paths.ts";
import { exportFileNames } from "./exports.ts";
import { siteEnv } from "./loader.ts";
import { nationalEnv, stageNationalSite } from "./national.ts";

export interface BuildOptions {
  /** Where to write the site (default `dist/`); with several départements, one sub-folder per code under a national page. */
  outputDir?: string;
  log?: (message: string) => void;
}

const siteRoot = path.join(projectRoot, "src");
/** Framework caches each data loader's output here and reuses it while the loader file is unchanged. */
const loaderCache = path.join(siteRoot, ".observablehq", "cache", "data");
const lockFile = path.join(siteRoot, ".observablehq", "sdin-build.lock");
/** The site of several départements has its own generated root and Framework cache (loaders/outputs/site/national.ts). */
const nationalLockFile = path.join(projectRoot, ".site-build", "sdin-build.lock");

/**
 * Builds the static site with Observable Framework. One département → `dist/` is its site, with one static fiche
 * per commune; the data loaders read the database named in the environment, and their cached outputs are
 * dropped first, since Framework would otherwise reuse the previous département's or database's JSON.
 * Several départements (or `all`) → one Framework build of a national entry page and `dist/<code>/` for each
 * département (see loaders/outputs/site/national.ts). Returns the folder of each département's pages.
 */
export async function buildSite(config: Config, { outputDir = path.join(projectRoot, "dist"), log = (m) => process.stderr.write(m + "\n") }: BuildOptions = {}): Promise<string[]> {
  const codes = await departementsToBuild(config);
  if (codes.length > 1) {
    log(`site de ${codes.length} départements → ${outputDir}`);
    await withBuildLock(nationalLockFile, () => buildNational(config, codes, outputDir, log));
    return codes.map((code) => path.join(outputDir, code));
  }
  log(`site du département ${codes[0]} → ${outputDir}`);
  await withBuildLock(lockFile, () => buildOne(config, codes[0], outputDir));
  return [outputDir];
}

async function departementsToBuild(config: Config): Promise<string[]> {
  if (!existsSync(config.paths.database)) throw new Error(`base introuvable : ${config.paths.database} ; lancez d'abord « sdin load »`);
  const present = await withDatabase(config.paths.database, { readOnly: true }, async ({ connection }) => {
    if (!(await hasTable(connection, "diagnostic_communes"))) throw new Error(`table diagnostic_communes absente de ${config.paths.database} : relancez « sdin load » (étape diagnostic comprise)`);
    const rows = await queryRows<{ code: string }>(connection, "SELECT DISTINCT code_departement AS code FROM diagnostic_communes ORDER BY code");
    return rows.map((r) => r.code);
  });
  if (config.departements.includes("all")) return present;
  for (const code of config.departements) {
    if (!present.includes(code)) throw new Error(`département ${code} absent de la base ${config.paths.database} (présents : ${present.join(", ") || "aucun"})`);
  }
  return config.departements;
}

async function buildOne(config: Config, code: string, output: string): Promise<void> {
  await rm(loaderCache, { recursive: true, force: true });
  const exportsDir = path.join(config.paths.exportsDir, code);
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    PATH: `${path.join(projectRoot, "node_modules", ".bin")}${path.delimiter}${process.env.PATH ?? ""}`,
    [siteEnv.database]: config.paths.database,
    [siteEnv.departement]: code,
    [siteEnv.thresholdKm]: String(config.thresholdKm),
    [siteEnv.weights]: JSON.stringify(config.weights),
    [siteEnv.exportsDir]: exportsDir,
    [siteEnv.output]: output
  };
  // A shell that built several départements must not turn this build into that shape (see observablehq.config.ts).
  delete env[siteEnv.departements];
  delete env[siteEnv.root];
  await run(path.join(projectRoot, "node_modules", ".bin", "observable"), ["build"], { cwd: projectRoot, env });
  await setLanguage(output);
  await copyExports(exportsDir, path.join(output, "exports"), code);
  await checkSelfContained(output);
}

async function buildNational(config: Config, codes: string[], output: string, log: (message: string) => void): Promise<void> {
  const started = Date.now();
  const { root, departements } = await stageNationalSite(config, codes, log);
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    PATH: `${path.join(projectRoot, "node_modules", ".bin")}${path.delimiter}${process.env.PATH ?? ""}`,
    ...nationalEnv(root, departements, output)
  };
  // The one-département settings must not leak into this build (the config would take the other shape).
  for (const name of [siteEnv.database, siteEnv.departement, siteEnv.exportsDir]) delete env[name];
  await run(path.join(projectRoot, "node_modules", ".bin", "observable"), ["build"], { cwd: projectRoot, env });
  await setLanguage(output);
  for (const code of codes) await copyExports(path.join(config.paths.exportsDir, code), path.join(output, code, "exports"), code);
  await checkSelfContained(output);
  log(`site de ${codes.length} départements construit en ${((Date.now() - started) / 1000).toFixed(0)} s`);
}

/**
 * Runs Framework's build. On a terminal its page-by-page log is shown as it goes; elsewhere (CI, tests, cron) it
 * is kept and printed only when the build fails, so that a log holds what matters rather than one line per page.
 */
function run(command: string, args: string[], options: { cwd: string; env: NodeJS.ProcessEnv }): Promise<void> {
  const live = Boolean(process.stderr.isTTY) || Boolean(process.env.SDIN_VERBOSE);
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { ...options, stdio: ["ignore", live ? "inherit" : "pipe", live ? "inherit" : "pipe"] });
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

async function* htmlFiles(dir: string): AsyncGenerator<string> {
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const file = path.join(dir, entry.name);
    if (entry.isDirectory()) yield* htmlFiles(file);
    else if (entry.name.endsWith(".html")) yield file;
  }
}

/**
 * Framework writes `<html>` with no language (screen readers need `lang="fr"`), a few words in English and a
 * label inside the sidebar's list: fixed in the built pages.
 */
async function setLanguage(output: string): Promise<void> {
  for await (const file of htmlFiles(output)) {
    const text = await readFile(file, "utf8");
    const french = text
      .replace("<html>", '<html lang="fr">')
      .replace('title="Toggle sidebar"', 'title="Afficher ou masquer le menu" aria-label="Afficher ou masquer le menu"')
      // A list may only hold list items: the sidebar's close button goes just before it.
      .replace(/<ol>(\s*)(<label id="observablehq-sidebar-close"[^>]*><\/label>)/, "$2$1<ol>");
    if (french !== text) await writeFile(file, french);
  }
}

async function copyExports(from: string, to: string, code: string): Promise<void> {
  if (!existsSync(from)) return;
  await mkdir(to, { recursive: true });
  for (const { name } of exportFileNames(code)) {
    if (existsSync(path.join(from, name))) await cp(path.join(from, name), path.join(to, name));
  }
}

/** Hosts whose presence would mean the site depends on the internet (fonts, npm CDNs). */
const externalHosts = /\b(?:cdn\.[a-z.]+|jsdelivr|unpkg|googleapis|gstatic)\b/i;

/** Fails when a built text file references a CDN: the site must work on an intranet with no internet access. */
export async function checkSelfContained(output: string): Promise<void> {
  async function* textFiles(dir: string): AsyncGenerator<string> {
    for (const entry of await readdir(dir, { withFileTypes: true })) {
      const file = path.join(dir, entry.name);
      if (entry.isDirectory()) yield* textFiles(file);
      else if (/\.(html|js|css|json)$/.test(entry.name) && !file.includes(`${path.sep}exports${path.sep}`)) yield file;
    }
  }
  for await (const file of textFiles(output)) {
    if ((await stat(file)).size > 20_000_000) continue;
    const match = (await readFile(file, "utf8")).match(externalHosts);
    if (match) throw new Error(`le site construit fait référence à un hôte externe (« ${match[0]} ») dans ${path.relative(output, file)}`);
  }
}

/** One build at a time per working tree and root: builds share Framework's cache of loader outputs. */
async function withBuildLock<T>(lockFile: string, work: () => Promise<T>): Promise<T> {
  await mkdir(path.dirname(lockFile), { recursive: true });
  for (let attempt = 0; ; attempt++) {
    try {
      await writeFile(lockFile, String(process.pid), { flag: "wx" });
      break;
    } catch {
      const holder = Number(await readFile(lockFile, "utf8").catch(() => "0"));
      if (!holder || !isProcessAlive(holder)) {
        await rm(lockFile, { force: true });
        continue;
      }
      if (attempt > 600) throw new Error(`une autre construction du site est en cours (processus ${holder})`);
      await new Promise((r) => setTimeout(r, 1000));
    }
  }
  try {
    return await work();
  } finally {
    await rm(lockFile, { force: true });
  }
}
