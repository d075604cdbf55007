import path from "node:path";
import { Command } from "commander";
import { acquire, acquireOptions, MissingResourceError } from "../io/fetch.ts";
import { readConfig, type ConfigOptions } from "../io/config.ts";
import { runLoad } from "../ingest/load.ts";
import { sources, sourcesFor } from "../ingest/sources/index.ts";
import { formatStatus, readStatus } from "./status.ts";
import { postLoadSteps } from "./steps.ts";
import { runExportParallel } from "../outputs/exports/parallel.ts";
import { runRegionExport } from "../outputs/exports/region.ts";
import { regionCode } from "../outputs/site/loader.ts";
import { buildCommand, ensureDatabase, withDatabaseParameters } from "./ensure.ts";

/**
 * The `sdin` command line. Messages are in French; a failure prints one sentence and exits non-zero.
 */
const program = new Command();
program
  .name("sdin")
  .description("Diagnostic départemental d'inclusion numérique à partir des données ouvertes")
  .option("--mirror <dossier>", "copie locale des fichiers officiels (sinon SDIN_MIRROR, sinon téléchargement)")
  .option("--data <dossier>", "dossier de la base et du cache (défaut : data/, ou SDIN_DATA)")
  .option("--exports <dossier>", "dossier des exports (défaut : exports/, ou SDIN_EXPORTS)")
  .showHelpAfterError();

/** `"76"`, `"76,84"`, `"all"` → région codes. */
function parseRegions(value: string): string[] {
  const codes = value.split(/[,\s]+/).filter(Boolean).map((code) => code.toLowerCase());
  for (const code of codes) if (code !== "all" && !regionCode.test(code)) throw new Error(`code de région invalide : "${code}"`);
  return codes;
}

/** Commander accumulator of a repeatable option. */
const collect = (value: string, previous: string[]) => [...previous, value];

const configOf = (command: Command) => readConfig(command.optsWithGlobals() as ConfigOptions);

program
  .command("fetch")
  .description("télécharge les fichiers officiels dans data/raw/ (rien à faire avec un miroir)")
  .action(async (_options, command: Command) => {
    const config = configOf(command);
    for (const source of sources) {
      for (const resource of source.resources) {
        try {
          const file = await acquire(resource, acquireOptions(config));
          const resolution = file.resolution ? `  (${file.resolution.method}${file.resolution.last_modified ? `, publié le ${file.resolution.last_modified}` : ""})` : "";
          process.stderr.write(`ok  ${resource.id}  ${file.sha256.slice(0, 12)}  ${file.origin}${resolution}\n`);
        } catch (error) {
          if (error instanceof MissingResourceError && resource.optional) process.stderr.write(`--  ${resource.id} (absent, facultatif)\n`);
          else throw error;
        }
      }
    }
  });

program
  .command("load")
  .description("construit data/sdin.duckdb à partir de toutes les sources (tout ou rien)")
  .option("--seuil <km>", "distance au-delà de laquelle une commune est hors de portée d'un lieu d'aide")
  .option("--poids <liste>", "pondération de l'indice, ex. no_thd=1,older_65=2")
  .option("--lieux <fichier>", "liste de lieux d'un territoire (JSON, tableau d'enregistrements), répétable", collect, [])
  .option("--correspondance <fichier>", "correspondance de ses colonnes avec le standard (<nom>.config.json), une par --lieux", collect, [])
  .action(async (options, command: Command) => {
    const config = readConfig({
      ...(command.optsWithGlobals() as ConfigOptions),
      threshold: options.seuil,
      weights: options.poids,
      lieux: options.lieux,
      correspondance: options.correspondance
    });
    await runLoad(config, sourcesFor(config), { postLoad: postLoadSteps });
    process.stderr.write(`base écrite : ${config.paths.database}\n`);
  });

program
  .command("status")
  .description("résume la base pour un département")
  .option("--dept <code>", "code du département", "23")
  .option("--json", "sortie JSON")
  .action(async (options, command: Command) => {
    const config = configOf(command);
    const status = await readStatus(config.paths.database, config.departements[0] ?? "23");
    process.stdout.write(options.json ? JSON.stringify(status, null, 2) + "\n" : formatStatus(status) + "\n");
  });

program
  .command("export")
  .description("écrit les fichiers d'un ou plusieurs départements dans exports/<code>/ (ou d'une région avec --region) (CSV, XLSX, GeoJSON, schéma DOCX et Markdown)")
  .option("--dept <codes>", "code(s) du département, séparés par des virgules, ou all", "23")
  .option("--region <codes>", "code(s) de région, séparés par des virgules, ou all : écrit exports/region-<code>/ (départements, EPCI classés dans la région, communes, note « priorités régionales »)")
  .option("--sans-documents", "n'écrit pas le schéma DOCX/Markdown (tables seulement, plus rapide)")
  .action(async (options, command: Command) => {
    const config = readConfig({ ...(command.optsWithGlobals() as ConfigOptions), dept: options.dept });
    await ensureDatabase(config);
    // Commander names the flag `sansDocuments` (only `--no-…` flags set `documents: false`).
    const documents = !options.sansDocuments;
    if (options.region) {
      await runRegionExport(await withDatabaseParameters(config), parseRegions(String(options.region)), { documents });
      if (command.getOptionValueSource("dept") !== "cli") return;
    }
    await runExportParallel(await withDatabaseParameters(config), { documents });
  });

program
  .command("build")
  .description("construit le site statique du diagnostic dans dist/")
  .option("--dept <codes>", "code(s) du département, séparés par des virgules, ou all", "23")
  .option("--region <codes>", "code(s) de région (le site s'ouvre sur la région et comprend ses départements), ou all")
  .option("--sortie <dossier>", "dossier du site (défaut : dist/)")
  .action(async (options, command: Command) => {
    const config = readConfig({ ...(command.optsWithGlobals() as ConfigOptions), dept: options.dept });
    await buildCommand(config, { regions: options.region ? parseRegions(options.region) : [], outputDir: options.sortie ? path.resolve(options.sortie) : undefined });
  });

program
  .command("sources")
  .description("liste les sources (URL officielle, millésime, licence) au format Markdown")
  .option("--readme <fichier>", "met à jour la table des sources de ce fichier (README.md)")
  .action(async (options) => {
    const { sourcesMarkdown, withSourcesTable } = await import("./sources-doc.ts");
    const table = sourcesMarkdown(sources);
    if (!options.readme) return void process.stdout.write(table);
    const { readFile, writeFile } = await import("node:fs/promises");
    await writeFile(options.readme, withSourcesTable(await readFile(options.readme, "utf8"), table));
  });

try {
  await program.parseAsync(process.argv);
} catch (error) {
  process.stderr.write(`sdin : ${(error as Error).message}\n`);
  if (process.env.SDIN_DEBUG) process.stderr.write(`${(error as Error).stack}\n`);
  process.exitCode = 1;
}
