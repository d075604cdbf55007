import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { cp, mkdir, readdir, readFile, rm, stat, writeFile } from "node:fs/promises";
import path from "node:path";
import type { Config } from "../config.ts";
import { queryRows, withDatabase } from "../db.ts";
import { projectRoot } from "../paths.ts";
import { exportFileNames } from "./exports.ts";
import { siteEnv } from "./loader.ts";

export interface BuildOptions {
  /** Where to write the site (default `dist/`); with several départements, one sub-folder per code. */
  outputDir?: string;
  log?: (message: string) => void;
}

const siteRoot = path.join(projectRoot, "src");
/** Framework caches each data loader's output here and reuses it while the loader file is unchanged. */
const loaderCache = path.join(siteRoot, ".observablehq", "cache", "data");
const lockFile = path.join(siteRoot, ".observablehq", "sdin-build.lock");

/**
 * Builds the static site of each configured département with Observable Framework. The data loaders read the
 * database named in the environment; their cached outputs are dropped first, since Framework would otherwise
 * reuse the previous département's or database's JSON. One département → `dist/`; several → `dist/<code>/`.
 */
export async function buildSite(config: Config, { outputDir = path.join(projectRoot, "dist"), log = (m) => process.stderr.write(m + "\n") }: BuildOptions = {}): Promise<string[]> {
  const codes = await departementsToBuild(config);
  const outputs: string[] = [];
  await withBuildLock(async () => {
    for (const code of codes) {
      const output = codes.length === 1 ? outputDir : path.join(outputDir, code);
      log(`site du département ${code} → ${output}`);
      await buildOne(config, code, output);
      outputs.push(output);
    }
  });
  if (codes.length > 1) await writeIndex(outputDir, codes);
  return outputs;
}

async function departementsToBuild(config: Config): Promise<string[]> {
  if (!existsSync(config.paths.database)) throw new Error(`base introuvable : ${config.paths.database} ; lancez d'abord « sdin load »`);
  const present = await withDatabase(config.paths.database, { readOnly: true }, async ({ connection }) => {
    const [{ n }] = await queryRows<{ n: number }>(connection, "SELECT count(*)::INTEGER AS n FROM duckdb_tables() WHERE table_name = 'diagnostic_communes'");
    if (n === 0) throw new Error(`table diagnostic_communes absente de ${config.paths.database} : relancez « sdin load » (étape diagnostic comprise)`);
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
  const env = {
    ...process.env,
    PATH: `${path.join(projectRoot, "node_modules", ".bin")}${path.delimiter}${process.env.PATH ?? ""}`,
    [siteEnv.database]: config.paths.database,
    [siteEnv.departement]: code,
    [siteEnv.thresholdKm]: String(config.thresholdKm),
    [siteEnv.weights]: JSON.stringify(config.weights),
    [siteEnv.exportsDir]: exportsDir,
    [siteEnv.output]: output
  };
  await run(path.join(projectRoot, "node_modules", ".bin", "observable"), ["build"], { cwd: projectRoot, env });
  await setLanguage(output);
  await copyExports(exportsDir, path.join(output, "exports"), code);
  await checkSelfContained(output);
}

function run(command: string, args: string[], options: { cwd: string; env: NodeJS.ProcessEnv }): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { ...options, stdio: ["ignore", "inherit", "inherit"] });
    child.on("error", (error) => reject(new Error(`impossible de lancer ${command} : ${error.message}`)));
    child.on("exit", (status) => (status === 0 ? resolve() : reject(new Error(`la construction du site a échoué (observable build, code ${status})`))));
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

async function writeIndex(outputDir: string, codes: string[]): Promise<void> {
  const links = codes.map((code) => `<li><a href="./${code}/index.html">Département ${code}</a></li>`).join("\n");
  await writeFile(
    path.join(outputDir, "index.html"),
    `<!DOCTYPE html>\n<html lang="fr"><head><meta charset="utf-8"><title>Diagnostics d'inclusion numérique</title></head>\n<body><h1>Diagnostics d'inclusion numérique</h1><ul>\n${links}\n</ul></body></html>\n`
  );
}

/** One build at a time per working tree: builds share Framework's cache of loader outputs. */
async function withBuildLock<T>(work: () => Promise<T>): Promise<T> {
  await mkdir(path.dirname(lockFile), { recursive: true });
  for (let attempt = 0; ; attempt++) {
    try {
      await writeFile(lockFile, String(process.pid), { flag: "wx" });
      break;
    } catch {
      const holder = Number(await readFile(lockFile, "utf8").catch(() => "0"));
      if (!holder || !isAlive(holder)) {
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

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
