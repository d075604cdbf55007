// `npm run bench`: every measure as a ratio to a reference run in the same pass (median of several runs), with
// the peak memory of each side. Options: --runs N (3), --essais-longs N (1, exports of every département),
// --mirror DOSSIER, --sans-site, --plusieurs-sites, --garder.
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { cpus, loadavg, tmpdir } from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { projectRoot } from "../loaders/io/paths.ts";
import { formatDuration, formatTable, frenchNumber, measureResults, summaryLines, type Measure } from "./report.ts";
import { formatPageWeights, pageWeights } from "./page-weight.ts";
import { runInChild } from "./measure.ts";
import { formatProfile, measureExport, measureLoad, measureNearest, measureSite, type BenchOptions } from "./suite.ts";

const outputFile = path.join(projectRoot, "bench", "output", "results.json");

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      runs: { type: "string", default: "3" },
      "essais-longs": { type: "string", default: "1" },
      mirror: { type: "string" },
      "sans-site": { type: "boolean", default: false },
      "plusieurs-sites": { type: "boolean", default: false },
      garder: { type: "boolean", default: false }
    }
  });
  const runs = Number(values.runs);
  const longRuns = Number(values["essais-longs"]);
  if (!Number.isInteger(runs) || runs < 1) throw new Error(`nombre d'essais invalide : "${values.runs}"`);
  if (!Number.isInteger(longRuns) || longRuns < 1) throw new Error(`nombre d'essais longs invalide : "${values["essais-longs"]}"`);
  const mirror = path.resolve(values.mirror ?? process.env.SDIN_MIRROR ?? path.join(projectRoot, "..", "shared", "opendata"));
  const workspace = await mkdtemp(path.join(tmpdir(), "sdin-bench-"));
  const log = (m: string) => process.stderr.write(m + "\n");
  const options: BenchOptions = { runs, longRuns, mirror, workspace, site: !values["sans-site"], multiSite: values["plusieurs-sites"], log };
  const machine = { cpus: cpus().length, model: cpus()[0]?.model ?? "", node: process.version, loadAtStart: loadavg()[0] };
  log(`banc d'essai : ${runs} essai(s) par côté, miroir ${mirror}, dossier de travail ${workspace}`);
  const started = Date.now();
  try {
    // Each measure is saved as soon as it is taken: a run cut short still leaves what it measured.
    const partial = (measures: Measure[]) => savePartial({ date: new Date().toISOString(), machine, runs, mirror, partial: true, measures: measureResults(measures) });
    log("1. chargement");
    const load = await measureLoad(options);
    await partial([load.measure]);
    log("2. plus proche lieu");
    const nearest = await measureNearest(options, load.dataDir);
    await partial([load.measure, nearest]);
    log("4. exports");
    const exports = await measureExport(options, load.dataDir);
    await partial([load.measure, nearest, exports.measure]);
    log("3. site");
    const site = await measureSite(options, load.dataDir, exports.exportsDir);
    const measures: Measure[] = [load.measure, nearest, ...site.slice(0, 1), exports.measure, ...site.slice(1)];
    const weights = options.site ? await weighPages(options, load.dataDir, exports.exportsDir) : "";
    const loadAtEnd = loadavg()[0];
    process.stdout.write(
      [
        "",
        `Banc d'essai sdin — ${machine.cpus} cœurs (${machine.model}), Node ${machine.node} ; charge moyenne (1 min) ${frenchNumber(machine.loadAtStart, 1)} au début, ${frenchNumber(loadAtEnd, 1)} à la fin`,
        `Rapports = médiane mesurée / médiane de référence, ${runs} essai(s) alternés par côté, chaque essai dans son propre processus node ; mémoire max = pic RSS du plus gros processus.`,
        "",
        formatTable(measures),
        "",
        formatProfile(load.profile, load.measure.measured!.series.medianMs),
        "",
        weights,
        "",
        `Durée totale du banc d'essai : ${formatDuration(Date.now() - started)} ; résultats JSON : ${path.relative(projectRoot, outputFile)}`,
        "",
        ...summaryLines(measures),
        ""
      ].join("\n")
    );
    await mkdir(path.dirname(outputFile), { recursive: true });
    await writeFile(
      outputFile,
      JSON.stringify({ date: new Date().toISOString(), machine: { ...machine, loadAtEnd }, runs, mirror, measures: measureResults(measures), loadProfile: load.profile, baseline: load.baseline }, null, 2) + "\n"
    );
  } finally {
    if (values.garder) log(`dossier de travail conservé : ${workspace}`);
    else await rm(workspace, { recursive: true, force: true });
  }
}

async function savePartial(results: object): Promise<void> {
  await mkdir(path.dirname(outputFile), { recursive: true });
  await writeFile(outputFile, JSON.stringify(results, null, 2) + "\n");
}

/**
 * 5. What each page of the Creuse and Aisne sites transfers (target: under 1 MB of data per page for the Aisne).
 * Creuse's site is the one step 3 built; the Aisne's is built once here.
 */
async function weighPages(options: BenchOptions, dataDir: string, exportsDir: string): Promise<string> {
  options.log("5. poids des pages");
  const aisne = path.join(options.workspace, "site-02");
  try {
    const build = await runInChild("site", { dataDir, exportsDir, outputDir: aisne, departements: ["02"] });
    const parts = [`5. poids des pages (construction du site de l'Aisne : ${formatDuration(build.ms)})`];
    for (const [code, dir] of [["23", path.join(options.workspace, "site-23")], ["02", aisne]]) {
      parts.push(formatPageWeights(`  site ${code}`, await pageWeights(dir)));
    }
    return parts.join("\n");
  } catch (error) {
    return `5. poids des pages : indisponible (${error instanceof Error ? error.message : String(error)})`;
  }
}

main().catch((error) => {
  process.stderr.write(`banc d'essai interrompu : ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
