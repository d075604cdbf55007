import { existsSync } from "node:fs";
import { cp, mkdir, readdir, readFile, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import type { Config } from "../../io/config.ts";
import { queryRows, withDatabase } from "../../io/db.ts";
import { projectRoot } from "../../io/paths.ts";
import { siteEnv, type SiteSettings } from "./loader.ts";
import type { SiteDepartement } from "./pages.ts";
import { departementPayloads, departementsTable, departementsTopology, provenancePayload } from "./payloads.ts";

/**
 * The site of several départements, built in one Framework run. Building each département as its own site
 * would take hours (one static fiche per commune, 35 000 in France, and one loader process per data file), so:
 * - the source root is generated into `.site-build/national/` from `src/`: the département pages become the
 *   parameterized pages `[dept]/…` (the same files: they import components by absolute path and read their
 *   data next to them), the fiche page becomes `[dept]/communes/fiche.md`, which reads the commune's code from
 *   `?code=` instead of the route, and `loaders/outputs/site/national/index.md` becomes the entry page;
 * - the data files of every département are computed in this process from one read-only connection (the same
 *   payloads as the Framework loaders of `src/data/`) and written as static files `<code>/data/*.json`.
 */

const stageRoot = path.join(projectRoot, ".site-build", "national");
const siteRoot = path.join(projectRoot, "src");

/** Writes the generated source root; returns the départements with their names, for the site's config. */
export async function stageNationalSite(config: Config, codes: string[], log: (message: string) => void): Promise<{ root: string; departements: SiteDepartement[] }> {
  await cleanStage();
  await copyPages();
  const departements = await writeData(config, codes, log);
  return { root: stageRoot, departements };
}

/** Empties the generated root but Framework's cache (its bundles of node_modules take a while to make). */
async function cleanStage(): Promise<void> {
  await mkdir(stageRoot, { recursive: true });
  for (const entry of await readdir(stageRoot)) {
    if (entry !== ".observablehq") await rm(path.join(stageRoot, entry), { recursive: true, force: true });
  }
  // Framework's cache of data loader outputs: none here, but never reuse one from another tree state.
  await rm(path.join(stageRoot, ".observablehq", "cache", "data"), { recursive: true, force: true });
}

const ficheParamLine = "const code = observable.params.code;";

async function copyPages(): Promise<void> {
  await cp(path.join(siteRoot, "components"), path.join(stageRoot, "components"), { recursive: true });
  // The pages import the diagnostic's rules from the core (src/lib/diagnostic), served like the components.
  await cp(path.join(siteRoot, "lib"), path.join(stageRoot, "lib"), { recursive: true });
  await writeFile(
    path.join(stageRoot, "components", "routes.ts"),
    '/** Written by loaders/outputs/site/national.ts: fiches read the commune code from `?code=`. */\nexport const ficheAddress: "page" | "query" = "query";\n'
  );
  await cp(path.join(siteRoot, "style.css"), path.join(stageRoot, "style.css"));
  await cp(path.join(projectRoot, "loaders", "outputs", "site", "national", "index.md"), path.join(stageRoot, "index.md"));
  for (const page of await markdownPages(siteRoot)) {
    let text = await readFile(path.join(siteRoot, page), "utf8");
    let target = page;
    if (page === path.join("communes", "[code].md")) {
      if (!text.includes(ficheParamLine)) throw new Error(`ligne « ${ficheParamLine} » introuvable dans src/${page} : la fiche ne peut pas lire le code de la commune dans l'adresse`);
      text = text.replace(ficheParamLine, "const code = communeCodeFromAddress(location.search);");
      target = path.join("communes", "fiche.md");
    }
    const file = path.join(stageRoot, "[dept]", target);
    await mkdir(path.dirname(file), { recursive: true });
    await writeFile(file, text);
  }
}

/** The Markdown pages of `src/` (relative paths), outside its components, data loaders and Framework's cache. */
async function markdownPages(dir: string, prefix = ""): Promise<string[]> {
  const pages: string[] = [];
  for (const entry of await readdir(path.join(dir, prefix), { withFileTypes: true })) {
    const relative = path.join(prefix, entry.name);
    if (entry.isDirectory() && !entry.name.startsWith(".") && !["components", "data", "lib"].includes(entry.name)) pages.push(...(await markdownPages(dir, relative)));
    else if (entry.isFile() && entry.name.endsWith(".md")) pages.push(relative);
  }
  return pages;
}

async function writeJson(file: string, value: unknown): Promise<number> {
  const json = JSON.stringify(value);
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, json);
  return json.length;
}

async function writeData(config: Config, codes: string[], log: (message: string) => void): Promise<SiteDepartement[]> {
  return withDatabase(config.paths.database, { readOnly: true }, async ({ connection }) => {
    const started = Date.now();
    const table = await departementsTable(connection, codes);
    const sources = await queryRows(connection, "SELECT indicateur, libelle, source, millesime, url FROM diagnostic_sources ORDER BY indicateur");
    await writeJson(path.join(stageRoot, "data", "departements.json"), { seuil_km: config.thresholdKm, departements: table, sources });
    await writeJson(path.join(stageRoot, "data", "carte-departements.json"), await departementsTopology(connection));
    await writeJson(path.join(stageRoot, "data", "provenance.json"), await provenancePayload(connection, settingsFor(config, "")));
    let bytes = 0;
    for (const code of codes) {
      const settings = settingsFor(config, code);
      for (const [name, payload] of Object.entries(departementPayloads)) {
        bytes += await writeJson(path.join(stageRoot, code, "data", name), await payload(connection, settings));
      }
    }
    log(`données de ${codes.length} départements : ${(bytes / 1024 / 1024).toFixed(1)} Mio en ${((Date.now() - started) / 1000).toFixed(1)} s`);
    const names = new Map(table.map((row) => [String(row.code), String(row.nom ?? row.code)]));
    return codes.map((code) => ({ code, nom: names.get(code) ?? code }));
  });
}

function settingsFor(config: Config, code: string): SiteSettings {
  return {
    database: config.paths.database,
    departement: code,
    thresholdKm: config.thresholdKm,
    weights: config.weights,
    exportsDir: code && existsSync(path.join(config.paths.exportsDir, code)) ? path.join(config.paths.exportsDir, code) : null
  };
}

/** The environment of the Framework build of the site of several départements (read by observablehq.config.ts). */
export function nationalEnv(root: string, departements: SiteDepartement[], output: string): Record<string, string> {
  return { [siteEnv.root]: root, [siteEnv.departements]: JSON.stringify(departements), [siteEnv.output]: output };
}
