import { link, mkdir, readdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import type { DuckDBConnection } from "@duckdb/node-api";
import type { Config } from "../../io/config.ts";
import { queryRows, withDatabase } from "../../io/db.ts";
import { classesOf, sensitivityReport } from "../../../src/lib/diagnostic/index.ts";
import { diagnosticCommunesTable, diagnosticEpciTable, diagnosticLieuxTable, diagnosticTerritoiresTable, doublonsAVerifierTable, lieuxAVerifierTable } from "../../diagnostic/tables.ts";
import { safeJoin } from "../../io/paths.ts";
import { fileFailure } from "../../io/errors.ts";
import { isProcessAlive } from "../../io/process.ts";
import { nationalReads, readModel, type Contour, type NationalReads } from "../read-model.ts";
import { toCsv, type Cell } from "./cells.ts";
import { writeWorkbook } from "./xlsx.ts";
import { writeSchemaDocuments } from "./schema.ts";
import { freshnessOf } from "../../../src/lib/freshness.ts";
import { diagnosticStamp, writeStamp, type DiagnosticStamp } from "./stamp.ts";

type Row = Record<string, Cell>;

/** Every département code of the referential (for `--dept all`). */
export async function allDepartements(connection: DuckDBConnection): Promise<string[]> {
  const rows = await queryRows<{ code: string }>(connection, `SELECT code_departement AS code FROM departements ORDER BY 1`);
  return rows.map((r) => r.code);
}

/**
 * Writes every export of the configured départements into `exports/<code>/`: the commune table (CSV, XLSX),
 * EPCI and places (CSV), the département beside its région and France (territoires.csv), the possible duplicates
 * and doubtful place records to review (CSV), the communes with their boundaries (GeoJSON), the sources and
 * vintages, the sensitivity report, the itinerant plan, and the schéma's skeleton (DOCX, Markdown). Each folder is written beside its
 * final place and renamed into it, so a reader never sees half an export. `codes`, when given, replaces the configured
 * list: the départements are then exported as it hands them out (`runExportParallel`).
 */
export async function runExport(
  config: Config,
  { documents = true, threads, codes: given }: { documents?: boolean; threads?: number; codes?: AsyncIterable<string> } = {}
): Promise<void> {
  await withDatabase(config.paths.database, { readOnly: true, threads }, async ({ connection }) => {
    const known = new Set(await allDepartements(connection));
    // The configured départements, or, on several processes, the ones this process is handed as it goes.
    const codes = given ?? (config.departements.includes("all") ? [...known] : config.departements);
    // The database is open read-only for the whole run: what is the same for every département is read once.
    const national = nationalReads(connection);
    let stamp: Promise<DiagnosticStamp | null> | null = null;
    for await (const code of codes) {
      if (!known.has(code)) throw new Error(`département inconnu du référentiel : "${code}"`);
      const outDir = safeJoin(config.paths.exportsDir, code);
      try {
        await mkdir(config.paths.exportsDir, { recursive: true });
        await removeAbandonedPartials(config.paths.exportsDir);
      } catch (error) {
        throw fileFailure(error, "dossier des exports inutilisable :", config.paths.exportsDir);
      }
      await withExportLock(outDir, code, async () => {
        const partial = `${outDir}.partial-${process.pid}`;
        try {
          await rm(partial, { recursive: true, force: true });
          await mkdir(partial, { recursive: true });
          await exportDepartement(connection, config, code, partial, documents, national);
          // Which computation these files come from: the site build refuses them once the database has moved on.
          await writeStamp(partial, await (stamp ??= diagnosticStamp(connection)));
          await rm(outDir, { recursive: true, force: true });
          await rename(partial, outDir);
        } catch (error) {
          // A half-written folder must not keep a full disk full for the next try.
          await rm(partial, { recursive: true, force: true }).catch(() => {});
          throw fileFailure(error, `échec de l'export du département ${code} dans`, outDir);
        }
      });
      process.stderr.write(`exports écrits : ${outDir}\n`);
    }
  });
}

/** Removes `<code>.partial-<pid>` folders (and stale locks) left by export runs that died (their process is gone). */
export async function removeAbandonedPartials(exportsDir: string): Promise<string[]> {
  const removed: string[] = [];
  for (const name of await readdir(exportsDir)) {
    const match = /\.(partial|lock)-?(\d*)$/.exec(name);
    if (!match) continue;
    const pid = match[1] === "partial" ? Number(match[2]) : await lockOwner(path.join(exportsDir, name));
    // This process's own work (another export running in it) and live processes' work are left alone.
    if (!pid || pid === process.pid || isProcessAlive(pid)) continue;
    await rm(path.join(exportsDir, name), { recursive: true, force: true });
    removed.push(name);
  }
  return removed;
}

/**
 * Removes a lock whose owner is gone. Several waiters may find it so at once: removing it by its path would also
 * remove the lock one of them has just taken (two exports of one département then run together). So the lock is
 * moved aside (only one waiter's move succeeds) and read again: if it is no longer the dead owner's, it is put back.
 */
export async function removeStaleLock(lock: string, staleOwner: number): Promise<void> {
  const aside = `${lock}-perime-${process.pid}-${Math.random().toString(36).slice(2)}`;
  try {
    await rename(lock, aside);
  } catch (error) {
    if ((error as { code?: string }).code === "ENOENT") return;
    throw fileFailure(error, "verrou d'export abandonné impossible à retirer :", lock);
  }
  if ((await lockOwner(aside)) !== staleOwner) await link(aside, lock).catch(() => {});
  await rm(aside, { force: true });
}

async function lockOwner(file: string): Promise<number> {
  return Number((await readFile(file, "utf8").catch(() => "")).trim()) || 0;
}

/**
 * Runs `task` holding `exports/<code>.lock`: two exports of the same département would remove and rename each
 * other's folders (`ENOTEMPTY`). The second one waits, says so once, and goes on when the first is done; a lock
 * whose process is gone is taken over.
 */
export async function withExportLock<T>(outDir: string, code: string, task: () => Promise<T>, { pollMs = 250, timeoutMs = 30 * 60_000, say = (m: string): void => void process.stderr.write(m + "\n") } = {}): Promise<T> {
  const lock = `${outDir}.lock`;
  const started = Date.now();
  let told = false;
  for (;;) {
    // Written aside then linked: the lock never exists without its owner's pid in it.
    const claim = `${lock}-${process.pid}-${Math.random().toString(36).slice(2)}`;
    try {
      await writeFile(claim, String(process.pid));
      await link(claim, lock);
      await rm(claim, { force: true });
      break;
    } catch (error) {
      await rm(claim, { force: true });
      if ((error as { code?: string }).code !== "EEXIST") throw fileFailure(error, "verrou d'export impossible à poser :", lock);
      const owner = await lockOwner(lock);
      if (!owner || !isProcessAlive(owner)) {
        await removeStaleLock(lock, owner);
        continue;
      }
      if (!told) say(`export du département ${code} déjà en cours (processus ${owner}) : attente de sa fin…`);
      told = true;
      if (Date.now() - started > timeoutMs) throw new Error(`export du département ${code} toujours verrouillé par le processus ${owner} après ${Math.round(timeoutMs / 60_000)} min (${lock})`);
      await new Promise((resolve) => setTimeout(resolve, pollMs));
    }
  }
  try {
    return await task();
  } finally {
    await rm(lock, { force: true });
  }
}

async function exportDepartement(connection: DuckDBConnection, config: Config, code: string, dir: string, documents: boolean, national: NationalReads): Promise<void> {
  const model = readModel(connection, code, national);
  const communeColumns = Object.keys(diagnosticCommunesTable.columns);
  const communes = (await model.communes()) as unknown as Row[];
  const epciColumns = Object.keys(diagnosticEpciTable.columns);
  const epci = (await model.epci()) as unknown as Row[];
  const lieuxColumns = Object.keys(diagnosticLieuxTable.columns);
  const lieux = (await model.lieux()) as unknown as Row[];
  const sources = (await model.sources()) as unknown as Row[];
  const provenanceColumns = [
    "id", "source", "title", "publisher", "url", "fichier", "vintage", "date_reference", "age_mois", "fraicheur", "licence", "derived", "status", "sha256",
    "rows_in", "rows_loaded", "rows_quarantined", "resolution", "url_resolue", "last_modified", "checksum"
  ];
  const provenance = (await model.provenance()).map((row) => ({ ...row, ...fileFreshness(row.date_reference, row.loaded_at) })) as unknown as Row[];
  const plan = (await model.plan()) as unknown as Row[];
  // The département beside its région and France, each share with the reason it is withheld (parts_non_calculees).
  const { departement, region, france } = await model.territoires();
  const territoires = [departement, region, france].filter((t) => t !== null) as unknown as Row[];

  await writeFile(path.join(dir, "communes.csv"), toCsv(communeColumns, communes));
  await writeFile(path.join(dir, "epci.csv"), toCsv(epciColumns, epci));
  await writeFile(path.join(dir, "lieux.csv"), toCsv(lieuxColumns, lieux));
  await writeFile(path.join(dir, "territoires.csv"), toCsv(Object.keys(diagnosticTerritoiresTable.columns), territoires));
  await writeFile(path.join(dir, "doublons-a-verifier.csv"), toCsv(Object.keys(doublonsAVerifierTable.columns), (await model.doublons()) as unknown as Row[]));
  await writeFile(path.join(dir, "lieux-a-verifier.csv"), toCsv(Object.keys(lieuxAVerifierTable.columns), (await model.lieuxAVerifier()) as unknown as Row[]));
  await writeFile(path.join(dir, "sources.csv"), toCsv(sourcesColumns, sources));
  await writeFile(path.join(dir, "plan-itinerance.csv"), toCsv(["ordre", "type_arret", "nom", "code_insee", "latitude", "longitude", "population_gagnee", "population_cumulee"], plan));
  const sensitivity = sensitivityRows(communes, config);
  await writeFile(path.join(dir, "sensibilite.csv"), toCsv(["scenario", "spearman", "communes_maintenues_top20", "entrees_top20", "sorties_top20"], sensitivity));
  await writeWorkbook(path.join(dir, "communes.xlsx"), [
    { name: "Communes", columns: communeColumns, rows: communes },
    { name: "EPCI", columns: epciColumns, rows: epci },
    { name: "Lieux", columns: lieuxColumns, rows: lieux },
    { name: "Sources", columns: sourcesColumns, rows: sources },
    { name: "Provenance", columns: provenanceColumns, rows: provenance }
  ]);
  await writeFile(path.join(dir, "communes.geojson"), communesGeoJson(communes, await model.contours()));
  // The schéma reads the same rows as the files above: from the same model, so they are read and converted once.
  if (documents) await writeSchemaDocuments(connection, config, code, dir, model);
}

/** `sources.csv`: each indicator's source and vintage, how old its data are, and whether editions are mixed. */
const sourcesColumns = ["indicateur", "libelle", "source", "millesime", "url", "date_reference", "age_mois", "fraicheur", "melange_millesimes"];

/** Age and band of one loaded file, counted to its load. */
function fileFreshness(dateReference: unknown, loadedAt: unknown): { age_mois: number | null; fraicheur: string | null } {
  if (typeof dateReference !== "string" || typeof loadedAt !== "string") return { age_mois: null, fraicheur: null };
  const { age_mois, fraicheur } = freshnessOf(dateReference, loadedAt);
  return { age_mois, fraicheur };
}

/** The sensitivity report of one département's ranking, as CSV rows. */
function sensitivityRows(communes: Row[], config: Config): Row[] {
  const classed = communes.map((c) => ({
    code_insee: String(c.code_insee),
    nom: String(c.nom),
    classes: classesOf(c)
  }));
  return sensitivityReport(classed, config.weights).map((r) => ({
    scenario: r.scenario,
    spearman: r.spearman,
    communes_maintenues_top20: r.kept,
    entrees_top20: r.entries.join(" ; "),
    sorties_top20: r.exits.join(" ; ")
  }));
}

/** A FeatureCollection of the communes with their diagnostic columns; a commune without boundary keeps a null geometry. */
function communesGeoJson(communes: Row[], contours: Contour[]): string {
  const geometries = new Map(contours.map((c) => [c.code_insee, c.geometry]));
  const features = communes.map((properties) => {
    const geometry = geometries.get(String(properties.code_insee));
    return `{"type":"Feature","properties":${JSON.stringify(properties)},"geometry":${geometry ?? "null"}}`;
  });
  return `{"type":"FeatureCollection","features":[\n${features.join(",\n")}\n]}\n`;
}
