import { rm } from "node:fs/promises";
import path from "node:path";
import { queryRows, withDatabase } from "../loaders/io/db.ts";
import { projectRoot } from "../loaders/io/paths.ts";
import { measurePair, median, runInChild, runProcess, summarise, TaskError, type Sample, type Series } from "./measure.ts";
import { formatDuration, frenchNumber, goalTarget, ratioOf, type Measure } from "./report.ts";

/** The goals of issue 13: each measure's ratio must not exceed its goal. */
export const goals = { chargement: 1.5, "plus-proche": 0.05, site: 3, "exports-tous": 30 } as const;
import { baselineFiles, type BaselineFile } from "./tasks.ts";

export interface BenchOptions {
  /** Runs of each side of a measure; the median is reported. */
  runs: number;
  /** Runs of the exports of every département (about ten minutes each here). */
  longRuns: number;
  mirror: string;
  /** Temporary folder holding every database, export and site the benchmark writes. */
  workspace: string;
  /** Measure the site build (about a minute per run for Creuse). */
  site: boolean;
  /** Also build the sites of two départements in one call (Creuse and Aisne), once. */
  multiSite: boolean;
  log: (message: string) => void;
}

/** Per-source cost of the load: timed around each source and step, and as recorded in `provenance`. */
export interface LoadProfileRow {
  name: string;
  kind: "source" | "étape";
  /** Median start from the beginning of the load (sources overlap: they load side by side). */
  startMs: number | null;
  medianMs: number;
  provenanceMs: number | null;
  rowsIn: number | null;
  bytes: number | null;
}

/** 1. The whole load against DuckDB reading the same files raw. Keeps the first run's database for the other measures. */
export async function measureLoad(o: BenchOptions): Promise<{ measure: Measure; dataDir: string; profile: LoadProfileRow[]; baseline: Awaited<ReturnType<typeof baselineFiles>> }> {
  const dataDir = path.join(o.workspace, "data");
  let baseline: { files: BaselineFile[]; excluded: { file: string; source: string; reason: string }[] } | null = null;
  let run = 0;
  const load = async () => {
    const dir = run++ === 0 ? dataDir : path.join(o.workspace, `data-${run}`);
    o.log(`  chargement complet (essai ${run})`);
    const sample = await runInChild("load", { dataDir: dir, mirror: o.mirror });
    if (dir !== dataDir) await rm(dir, { recursive: true, force: true });
    return sample;
  };
  const raw = async () => {
    baseline ??= await baselineFiles(path.join(dataDir, "sdin.duckdb"));
    o.log(`  lecture brute DuckDB de ${baseline.files.length} fichiers`);
    return runInChild("raw-read", { database: path.join(o.workspace, "brut.duckdb"), files: baseline.files });
  };
  const [loads, raws] = await measurePair(load, raw, o.runs);
  const files = baseline!;
  const ratio = ratioOf(loads, raws);
  const sources = new Set(files.files.map((f) => f.source));
  const measure: Measure = {
    id: "chargement",
    title: "1. chargement complet / lecture brute DuckDB",
    measured: { label: "runLoad de toutes les sources enregistrées + étapes après chargement (diagnostic)", series: loads },
    reference: { label: `read_csv_auto / read_json_auto des mêmes fichiers dans des tables (${files.files.length} fichiers, ${sources.size} sources)`, series: raws },
    ratio,
    goal: goals.chargement,
    target: goalTarget(ratio, goals.chargement),
    notes: [
      `fichiers de la référence : ${files.files.map((f) => `${shortName(f.file)} (${f.reader === "read_csv_auto" ? "csv" : "json"})`).join(", ")}`,
      ...(files.excluded.length ? [`exclus de la référence (lus par le chargement seulement) : ${files.excluded.map((e) => `${shortName(e.file)} — ${e.reason}`).join(" ; ")}`] : []),
      "le chargement fait en plus : empreinte sha256, contrôles, quarantaine, harmonisation COG, étapes du diagnostic ; la référence ne fait que lire."
    ]
  };
  return { measure, dataDir, profile: await loadProfile(loads, path.join(dataDir, "sdin.duckdb")), baseline: files };
}

/** `…/insee-cog-2026/communes.csv` → `insee-cog-2026/communes.csv`: several sources have a `communes.csv`. */
function shortName(file: string): string {
  return file.split(path.sep).slice(-2).join("/");
}

async function loadProfile(loads: Series, database: string): Promise<LoadProfileRow[]> {
  const byName = new Map<string, { kind: "source" | "étape"; ms: number[]; starts: number[] }>();
  for (const sample of loads.samples) {
    for (const t of (sample.info.timings ?? []) as { name: string; kind: "source" | "étape"; ms: number; startMs?: number }[]) {
      const entry = byName.get(t.name) ?? { kind: t.kind, ms: [], starts: [] };
      entry.ms.push(t.ms);
      if (t.startMs !== undefined) entry.starts.push(t.startMs);
      byName.set(t.name, entry);
    }
  }
  const recorded = await withDatabase(database, { readOnly: true }, ({ connection }) =>
    queryRows<{ source: string; ms: number; rows_in: number; bytes: number }>(
      connection,
      "SELECT source, max(duration_ms)::INTEGER AS ms, sum(rows_in)::INTEGER AS rows_in, sum(bytes)::DOUBLE AS bytes FROM provenance GROUP BY source"
    )
  );
  const provenance = new Map(recorded.map((r) => [r.source, r]));
  const rows: LoadProfileRow[] = [...byName].map(([name, { kind, ms, starts }]) => ({
    name, kind, medianMs: median(ms), startMs: starts.length ? median(starts) : null,
    provenanceMs: provenance.get(name)?.ms ?? null, rowsIn: provenance.get(name)?.rows_in ?? null, bytes: provenance.get(name)?.bytes ?? null
  }));
  // What follows the last step (provenance is written before it): the checkpoint and the rename.
  const lastEnd = Math.max(0, ...rows.map((r) => (r.startMs ?? 0) + r.medianMs));
  rows.push({ name: "CHECKPOINT, renommage", kind: "étape", startMs: lastEnd, medianMs: Math.max(0, loads.medianMs - lastEnd), provenanceMs: null, rowsIn: null, bytes: null });
  return rows.sort((a, b) => (a.startMs ?? 0) - (b.startMs ?? 0) || b.medianMs - a.medianMs);
}

export function formatProfile(profile: LoadProfileRow[], totalMs: number): string {
  const lines = profile.map((r) => {
    const share = totalMs > 0 ? `${frenchNumber((100 * r.medianMs) / totalMs, 0)} %` : "";
    const start = r.startMs === null ? "" : `à ${formatDuration(r.startMs)}`;
    const recorded = r.provenanceMs === null ? "" : ` (provenance.duration_ms ${formatDuration(r.provenanceMs)}, ${frenchNumber(r.rowsIn ?? 0, 0)} lignes lues, ${frenchNumber((r.bytes ?? 0) / 1e6, 1)} Mo)`;
    return `  ${r.kind === "source" ? "source" : "étape "} ${r.name.padEnd(34)} ${start.padStart(10)} ${formatDuration(r.medianMs).padStart(9)}  ${share.padStart(5)}${recorded}`;
  });
  return [
    "Profil du chargement (médiane par source et par étape : début depuis le départ du chargement, durée, part de la durée totale ;",
    "les sources se chargent deux à deux, leurs durées se recouvrent) :",
    ...lines
  ].join("\n");
}

/** 2. Nearest place of every commune through the index, against scanning every place. */
export async function measureNearest(o: BenchOptions, dataDir: string): Promise<Measure> {
  const args = { database: path.join(dataDir, "sdin.duckdb"), mirror: o.mirror };
  const [indexed, brute] = await measurePair(
    () => (o.log("  plus proche lieu, index k-d"), runInChild("nearest", { ...args, method: "indexed" })),
    () => (o.log("  plus proche lieu, force brute"), runInChild("nearest", { ...args, method: "brute" })),
    o.runs
  );
  const info = indexed.samples[0].info as Record<string, number>;
  const same = indexed.samples.concat(brute.samples).every((s) => Math.abs((s.info.distanceSumKm as number) - info.distanceSumKm) <= 1e-6 * info.distanceSumKm);
  return {
    id: "plus-proche",
    title: "2. plus proche lieu : index / force brute",
    measured: { label: `index k-d (kdbush + geokdbush), construction comprise — temps absolu ${formatDuration(indexed.medianMs)}`, series: indexed },
    reference: { label: "force brute (haversine vers chaque lieu)", series: brute },
    ratio: ratioOf(indexed, brute),
    goal: goals["plus-proche"],
    target: goalTarget(ratioOf(indexed, brute), goals["plus-proche"]),
    notes: [
      `index : ${formatDuration(indexed.medianMs)} en temps absolu (${indexed.medianMs < 1000 ? "moins" : "plus"} d'une seconde)`,
      `origines : ${frenchNumber(info.origins, 0)} points représentatifs réels (table contours, calculés par le chargement à partir du contour) pour ${frenchNumber(info.communes, 0)} communes du référentiel${info.withoutPoint ? ` (${frenchNumber(info.withoutPoint, 0)} sans contour dans le miroir, laissées de côté)` : " : toutes"}`,
      `lieux : ${frenchNumber(info.places, 0)} points réels du miroir (${frenchNumber(info.franceServices, 0)} France Services, ${frenchNumber(info.bibliotheques, 0)} bibliothèques)`,
      same ? `mêmes distances par les deux méthodes (somme ${frenchNumber(info.distanceSumKm, 1)} km, max ${frenchNumber(info.maxDistanceKm, 1)} km)` : "ATTENTION : les deux méthodes ne trouvent pas les mêmes distances"
    ]
  };
}

/** 4. Exports of every département against Creuse alone, from the same database. */
export async function measureExport(o: BenchOptions, dataDir: string): Promise<{ measure: Measure; exportsDir: string }> {
  const exportsOne = path.join(o.workspace, "exports-23");
  const [all, one] = await measurePair(
    () => (o.log("  exports de tous les départements"), runInChild("export", { dataDir, exportsDir: path.join(o.workspace, "exports-all"), departements: ["all"] })),
    () => (o.log("  exports de la Creuse"), runInChild("export", { dataDir, exportsDir: exportsOne, departements: ["23"] })),
    o.runs,
    o.longRuns
  );
  const national = o.site ? await measureNationalSite(o, dataDir, path.join(o.workspace, "exports-all")) : null;
  await rm(path.join(o.workspace, "exports-all"), { recursive: true, force: true });
  // What bounds the ratio: the Creuse exported again and again in one process, the runs after the first timed.
  o.log("  exports de la Creuse, répétés dans un même processus");
  const warm = await runInChild("export", { dataDir, exportsDir: path.join(o.workspace, "exports-23-chaud"), departements: ["23"], repeat: WARM_REPEATS });
  await rm(path.join(o.workspace, "exports-23-chaud"), { recursive: true, force: true });
  // The same two exports as a user types them: each command's whole run, its node start and code loading included.
  const commands = await measureCommands(o, dataDir);
  const counts = await communeCounts(dataDir);
  const folders = all.samples[0].info.folders as number;
  const perDepartement = (all.medianMs * 2) / folders;
  // Cold and warm from the same process, at the same moment: the machine's speed changes from one minute to the next.
  const cold = (warm.info.runsMs as number[])[0];
  const floor = ((folders / 2) * warm.ms) / cold;
  return {
    exportsDir: exportsOne,
    measure: {
      id: "exports-tous",
      title: "4. exports : tous les départements / Creuse",
      measured: { label: `sdin export --dept all, documents compris, deux processus enfants prenant les départements dans une même file, les plus grands d'abord (${folders} dossiers, ${all.samples.length} essai(s) : --essais-longs)`, series: all },
      reference: { label: "sdin export --dept 23 (un processus)", series: one },
      ratio: ratioOf(all, one),
      goal: goals["exports-tous"],
      target: goalTarget(ratioOf(all, one), goals["exports-tous"]),
      notes: [
        `${counts.departements} départements et ${frenchNumber(counts.total, 0)} communes contre ${counts.creuse} pour la Creuse (×${frenchNumber(counts.total / counts.creuse, 0)} en communes)`,
        `par commune : ${formatDuration(all.medianMs / counts.total)} (tous) contre ${formatDuration(one.medianMs / counts.creuse)} (Creuse)`,
        `par département : ${formatDuration(perDepartement)} en moyenne dans l'export de tous (deux processus) ; la Creuse exportée ${WARM_REPEATS} fois de suite dans un même processus : ${formatDuration(cold)} la première fois, ${formatDuration(warm.ms)} ensuite (médiane : ce que coûte l'export lui-même, sans ce qu'un processus fait une fois, comme compiler le code en l'exécutant)`,
        `rapport attendu si chaque département coûtait la Creuse, sur deux cœurs parfaits : ${folders} / 2 × ${formatDuration(warm.ms)} / ${formatDuration(cold)} ≈ ${frenchNumber(floor, 1)}× ; un gain sur le travail de chaque département ne le baisse qu'en partie, la référence en profitant aussi`,
        "error" in commands
          ? `commandes sdin export : échec (${commands.error})`
          : `en commandes (node bin/sdin.js export, un essai de chaque, démarrage de node et chargement du code compris) : --dept all ${formatDuration(commands.allMs)}, --dept 23 ${formatDuration(commands.oneMs)}, soit ${frenchNumber(commands.allMs / commands.oneMs, 1)}× ; donné pour information, l'objectif porte sur le rapport ci-dessus`,
        national === null ? "sdin build --dept all : non mesuré (--sans-site)"
          : "error" in national ? `sdin build --dept all : échec (${national.error})`
          : `sdin build --dept all (site national des ${counts.departements} départements, sur ces exports, un essai) : ${formatDuration(national.ms)}, mémoire max ${frenchNumber(national.peak_mb, 0)} Mo`
      ],
      extra: { creuse_premier_ms: Math.round(cold), creuse_a_chaud_ms: Math.round(warm.ms), creuse_essais_ms: (warm.info.runsMs as number[]).map(Math.round), rapport_attendu: Math.round(floor * 10) / 10, ...("error" in commands ? {} : { commandes_ms: { tous: Math.round(commands.allMs), creuse: Math.round(commands.oneMs) } }), ...(national === null ? {} : { site_national: national }) }
    }
  };
}

/** Exports of the Creuse in a row in one process, for its cost without the process's one-time work (all but the first timed). */
const WARM_REPEATS = 6;

/** `node bin/sdin.js export` of every département, then of the Creuse, once each: the wall time of each command. */
async function measureCommands(o: BenchOptions, dataDir: string): Promise<{ allMs: number; oneMs: number } | { error: string }> {
  const run = async (dept: string): Promise<number> => {
    o.log(`  commande sdin export --dept ${dept}`);
    const exportsDir = path.join(o.workspace, `exports-commande-${dept}`);
    const t0 = performance.now();
    const { code, stderr } = await runProcess(process.execPath, [path.join(projectRoot, "bin", "sdin.js"), "--data", dataDir, "--exports", exportsDir, "export", "--dept", dept], projectRoot);
    if (code !== 0) throw new Error(`sdin export --dept ${dept} : code ${code} : ${stderr.trim().split("\n").pop()}`);
    const ms = performance.now() - t0;
    await rm(exportsDir, { recursive: true, force: true });
    return ms;
  };
  try {
    return { allMs: await run("all"), oneMs: await run("23") };
  } catch (error) {
    return { error: error instanceof Error ? error.message : String(error) };
  }
}

/** `sdin build --dept all` once, on the exports of every département: its time and the peak of its largest process. */
async function measureNationalSite(o: BenchOptions, dataDir: string, exportsDir: string): Promise<{ ms: number; peak_mb: number } | { error: string }> {
  o.log("  site national (sdin build --dept all)");
  try {
    const sample = await runInChild("site", { dataDir, exportsDir, outputDir: path.join(o.workspace, "site-national"), departements: ["all"] });
    await rm(path.join(o.workspace, "site-national"), { recursive: true, force: true });
    return { ms: sample.ms, peak_mb: Math.round(sample.maxRssKb / 1024) };
  } catch (error) {
    return { error: error instanceof Error ? error.message : String(error) };
  }
}

async function communeCounts(dataDir: string): Promise<{ total: number; creuse: number; departements: number }> {
  return withDatabase(path.join(dataDir, "sdin.duckdb"), { readOnly: true }, async ({ connection }) => {
    const [row] = await queryRows<{ total: number; creuse: number; departements: number }>(
      connection,
      `SELECT count(*)::INTEGER AS total, count(*) FILTER (WHERE code_departement = '23')::INTEGER AS creuse,
              count(DISTINCT code_departement)::INTEGER AS departements FROM communes`
    );
    return row;
  });
}

/**
 * 3. The site of Creuse against Framework's fixed cost; and, on request, two départements against one.
 * `exportsDir` is the exports root (the site copies `<exportsDir>/<code>/` into itself).
 */
export async function measureSite(o: BenchOptions, dataDir: string, exportsDir: string): Promise<Measure[]> {
  const empty = () => (o.log("  page vide Framework"), runInChild("framework-empty", { dir: path.join(o.workspace, "framework-vide") }));
  const site = (departements: string[]) => () => (
    o.log(`  site ${departements.join(", ")}`),
    runInChild("site", { dataDir, exportsDir, outputDir: path.join(o.workspace, `site-${departements.join("-")}`), departements })
  );
  const title = "3. site de la Creuse / page vide Framework";
  if (!o.site) return [{ id: "site", title, measured: null, reference: null, ratio: null, goal: goals.site, unavailable: "non demandée (--sans-site)", notes: [] }];
  let first: Sample;
  try {
    first = await site(["23"])();
  } catch (error) {
    const emptySeries = await measureAlone(empty, o.runs);
    return [{ id: "site", title, measured: null, reference: { label: "observable build d'un projet à une page vide (mêmes node_modules)", series: emptySeries }, ratio: null, goal: goals.site, unavailable: siteFailure(error), notes: [] }];
  }
  const [sites, empties] = await measurePair(async () => first, empty, 1);
  const [moreSites, moreEmpties] = o.runs > 1 ? await measurePair(site(["23"]), empty, o.runs - 1) : [null, null];
  const siteSeries = summarise([...sites.samples, ...(moreSites?.samples ?? [])]);
  const emptySeries = summarise([...empties.samples, ...(moreEmpties?.samples ?? [])]);
  const counts = await communeCounts(dataDir);
  const perCommune = (siteSeries.medianMs - emptySeries.medianMs) / counts.creuse;
  const measures: Measure[] = [{
    id: "site",
    title,
    measured: { label: "buildSite --dept 23 (observable build du site, pages communes comprises)", series: siteSeries },
    reference: { label: "observable build d'un projet à une page vide (mêmes node_modules)", series: emptySeries },
    ratio: ratioOf(siteSeries, emptySeries),
    goal: goals.site,
    target: goalTarget(ratioOf(siteSeries, emptySeries), goals.site),
    notes: [
      `coût propre au site : ${formatDuration(siteSeries.medianMs - emptySeries.medianMs)}, soit ${formatDuration(perCommune)} par commune de la Creuse (${counts.creuse})`,
      `le site de tous les départements (sdin build --dept all) est mesuré avec les exports (mesure 4)`
    ]
  }];
  if (o.multiSite) measures.push(await measureTwoSites(o, site(["23", "02"]), siteSeries));
  return measures;
}

async function measureTwoSites(o: BenchOptions, build: () => Promise<Sample>, one: Series): Promise<Measure> {
  const title = "4 bis. site : Creuse + Aisne / Creuse";
  try {
    const two = summarise([await build()]);
    return { id: "site-plusieurs", title, measured: { label: "buildSite --dept 23,02 (un essai)", series: two }, reference: { label: "buildSite --dept 23", series: one }, ratio: ratioOf(two, one), notes: [] };
  } catch (error) {
    return { id: "site-plusieurs", title, measured: null, reference: null, ratio: null, unavailable: siteFailure(error), notes: [] };
  }
}

async function measureAlone(task: () => Promise<Sample>, runs: number): Promise<Series> {
  const samples: Sample[] = [];
  for (let i = 0; i < runs; i++) samples.push(await task());
  return summarise(samples);
}

function siteFailure(error: unknown): string {
  const text = error instanceof TaskError ? `${error.message}\n${error.stderr}` : String(error);
  if (/pas encore disponible/.test(text)) return "buildSite n'est pas encore disponible (loaders/outputs/site/build.ts)";
  return `la construction du site échoue : ${error instanceof Error ? error.message : text}`;
}

