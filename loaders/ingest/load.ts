import { existsSync } from "node:fs";
import { mkdir, readdir, rename, rm } from "node:fs/promises";
import path from "node:path";
import { isProcessAlive } from "../io/process.ts";
import { CogIndex } from "./cog.ts";
import { describeLocation, SourceError } from "../io/errors.ts";
import type { Config } from "../io/config.ts";
import type { DuckDBConnection } from "@duckdb/node-api";
import { checkDeclaredKeys, createTable, insertRows, openDatabase, type Database, type TableSpec } from "../io/db.ts";
import { acquire, acquireOptions, MissingResourceError, RefusedFileError, type AcquiredFile } from "../io/fetch.ts";
import { Ledger, type QuarantinedRow } from "../io/ledger.ts";
import type { Resource } from "../io/resource.ts";
import { listMirrorFiles, type LoadContext, type OpenedResource, type Source } from "./source.ts";
import { ComputeThread } from "../io/worker.ts";

export const provenanceTable: TableSpec = {
  name: "provenance",
  columns: {
    id: "VARCHAR",
    source: "VARCHAR",
    title: "VARCHAR",
    publisher: "VARCHAR",
    url: "VARCHAR",
    origin: "VARCHAR",
    /** The file's name as messages, the quarantine (`quarantine.file`) and the outlines (`contours.source_file`) give it. */
    fichier: "VARCHAR",
    vintage: "VARCHAR",
    licence: "VARCHAR",
    derived: "BOOLEAN",
    status: "VARCHAR",
    sha256: "VARCHAR",
    bytes: "DOUBLE",
    rows_in: "INTEGER",
    rows_loaded: "INTEGER",
    rows_quarantined: "INTEGER",
    duration_ms: "INTEGER",
    loaded_at: "VARCHAR",
    /** ISO date the data describe (declared, or read from the file by its loader). */
    date_reference: "VARCHAR",
    /** How the file was found: `miroir`, `API data.gouv.fr`, `url figée`, `url figée (API injoignable : …)`. */
    resolution: "VARCHAR",
    /** For a data.gouv.fr resource: the URL resolved, its `last_modified` and its published checksum. */
    url_resolue: "VARCHAR",
    last_modified: "VARCHAR",
    checksum: "VARCHAR",
    /** The file that would replace this one once it is old (registry's `replacement`). */
    remplacement: "VARCHAR"
  }
};

export const quarantineTable: TableSpec = {
  name: "quarantine",
  columns: { source: "VARCHAR", file: "VARCHAR", line: "INTEGER", column: "VARCHAR", value: "VARCHAR", reason: "VARCHAR" }
};

/** A step run after every source is loaded (indicators, diagnostic tables). */
export type PostLoadStep = (context: LoadContext, config: Config) => Promise<void>;

interface Opened extends OpenedResource {
  sourceId: string;
  started: number;
  finished?: number;
  /** Order in which the file was opened in this load. */
  sequence: number;
}

/**
 * Builds the database from every source into a new file and swaps it in only when everything succeeded:
 * a failed or interrupted run leaves the previous database untouched.
 */
export async function runLoad(
  config: Config,
  sources: Source[],
  { postLoad = [], log = (m: string) => process.stderr.write(m + "\n") }: { postLoad?: PostLoadStep[]; log?: (m: string) => void } = {}
): Promise<void> {
  const target = config.paths.database;
  await mkdir(path.dirname(target), { recursive: true });
  await removeAbandonedBuilds(target);
  const building = `${target}.building-${process.pid}`;
  await rm(building, { force: true });
  await rm(`${building}.wal`, { force: true });
  // One DuckDB thread: each query runs on the thread that asked for it. The load keeps both cores busy with its own
  // threads (this one, the worker thread, a query per connection); DuckDB's helper thread only competed with them:
  // on ten alternated loads of France, 1.1 s shorter (median; faster in eight) and ≈ 2.5 s less processor time.
  const db = await openDatabase(building, { threads: 1 });
  // One checkpoint at the end rather than one each time the write-ahead log passes 16 MB: the outlines alone
  // write ~50 MB, and every automatic checkpoint rewrites the tables built so far.
  await db.connection.run("SET checkpoint_threshold = '1GB'");
  // Text is written as dictionaries or as it is, not FSST- or zstd-compressed: that final checkpoint takes ≈ 0.3 s
  // less (of ≈ 1 s, measured on France), for a file ≈ 8 % larger (95 MB instead of 89) that reads as fast.
  await db.connection.run("SET disabled_compression_methods = 'fsst,dict_fsst,zstd'");
  const opened: Opened[] = [];
  const absent: { sourceId: string; resource: Resource }[] = [];
  // What every source's context shares: the COG index the referential builds, and the session key.
  const shared = { cog: new CogIndex([], [], []), session: {} };
  // The outlines' geometry (young objects by the million: a larger young generation) and the nearest places.
  const thread = new ComputeThread({ youngGenerationMb: 64 });
  let requested = 0;
  const contextFor = (sourceId: string, connection: DuckDBConnection): LoadContext => ({
    connection,
    connect: () => db.connect(),
    get cog() {
      return shared.cog;
    },
    set cog(cog: CogIndex) {
      shared.cog = cog;
    },
    session: shared.session,
    thread,
    fromMirror: config.mirror !== null,
    log,
    listMirror: (folder, pattern) => listMirrorFiles(config.mirror, folder, pattern),
    async open(resource) {
      const started = Date.now();
      // Numbered when asked for, not when found: files opened side by side keep the order they were asked in.
      const sequence = requested++;
      try {
        const acquired = await acquire(resource, acquireOptions(config));
        const name = path.basename(acquired.file);
        const entry: Opened = { acquired, ledger: new Ledger(sourceId, name), name, sourceId, started, sequence };
        opened.push(entry);
        return entry;
      } catch (error) {
        if (error instanceof MissingResourceError && resource.optional) {
          absent.push({ sourceId, resource });
          log(`  (absent du miroir, ignoré) ${resource.title}`);
          return null;
        }
        throw error;
      }
    }
  });
  for (const source of sources) source.prepare?.({ thread });
  try {
    await loadSources(sources, db, contextFor, opened, log);
    const context = contextFor("étapes après chargement", db.connection);
    // Sources ran side by side: provenance lists their files in the sources' order, then each source's own order.
    const order = new Map(sources.map((s, i) => [s.id, i]));
    opened.sort((a, b) => order.get(a.sourceId)! - order.get(b.sourceId)! || a.sequence - b.sequence);
    absent.sort((a, b) => order.get(a.sourceId)! - order.get(b.sourceId)!);
    await writeProvenance(context, opened, absent);
    for (const step of postLoad) await step(context, config);
    await checkDeclaredKeys(db.connection);
    await db.connection.run("CHECKPOINT");
    for (const line of quarantineSummary(opened.map((o) => o.ledger))) log(line);
  } catch (error) {
    db.close();
    await rm(building, { force: true });
    await rm(`${building}.wal`, { force: true });
    throw error;
  } finally {
    thread.close();
  }
  db.close();
  await rm(`${target}.wal`, { force: true });
  await rename(building, target);
}

/**
 * Sources loading at the same time: two, one whose heavy work runs in a worker thread (the outlines) and one using
 * this thread; more would only interleave on this thread and hold more files in memory at once.
 */
const SOURCES_AT_ONCE = 2;

/** A counting semaphore: `await take()` waits for a free place and returns the function that frees it. */
function semaphore(places: number): () => Promise<() => void> {
  let free = places;
  const waiting: (() => void)[] = [];
  const release = () => {
    const next = waiting.shift();
    if (next) next();
    else free++;
  };
  return async () => {
    if (free > 0) free--;
    else await new Promise<void>((resolve) => waiting.push(resolve));
    let released = false;
    return () => {
      if (!released) release();
      released = true;
    };
  };
}

/**
 * Loads every source, each as soon as the sources it needs (`after`) are loaded, beside the others running then
 * (each on its own connection; the outlines' geometry runs in a worker thread, so the sources that do not need it
 * use this thread meanwhile). On a failure no further source starts; the ones running finish, then the failure of
 * the first source in the list's order is thrown, named after its source and file.
 */
async function loadSources(
  sources: Source[],
  db: Database,
  contextFor: (sourceId: string, connection: DuckDBConnection) => LoadContext,
  opened: Opened[],
  log: (m: string) => void
): Promise<void> {
  const done = new Map<string, Promise<void>>();
  const failures = new Map<number, unknown>();
  const slot = semaphore(SOURCES_AT_ONCE);
  sources.forEach((source, index) => {
    // Declared needs all earlier in this run: wait for them. Otherwise (no declaration, or a run of a few sources
    // that leaves a need out or puts it later), wait for every source before this one, as a plain list would.
    const earlier = sources.slice(0, index).map((s) => s.id);
    const declared = source.after?.every((id) => earlier.includes(id)) ? source.after : earlier;
    const needs = declared.map((id) => done.get(id));
    done.set(source.id, (async () => {
      await Promise.all(needs);
      const release = await slot();
      if (failures.size > 0) return release();
      const t0 = Date.now();
      log(`chargement : ${source.title}`);
      try {
        await source.load(contextFor(source.id, await db.connect()));
        for (const entry of opened) {
          if (entry.sourceId !== source.id || entry.finished !== undefined) continue;
          entry.finished = Date.now();
          // A published file with a header and no data is a truncated download or a broken export, not an empty territory.
          if (entry.ledger.rowsIn === 0) throw new SourceError(entry.ledger.at(2), "aucune ligne de données après l'en-tête (fichier tronqué ou export vide ?)");
        }
        log(`  ${source.id} : ${((Date.now() - t0) / 1000).toFixed(1)} s`);
      } catch (error) {
        failures.set(index, namedFailure(error, source, opened.filter((o) => o.sourceId === source.id).at(-1)));
      } finally {
        release();
      }
    })());
  });
  await Promise.all(done.values());
  if (failures.size > 0) throw failures.get(Math.min(...failures.keys()));
}

async function writeProvenance(context: LoadContext, opened: Opened[], absent: { sourceId: string; resource: Resource }[]): Promise<void> {
  const loadedAt = new Date().toISOString();
  await createTable(context.connection, provenanceTable);
  await createTable(context.connection, quarantineTable);
  const rows = opened.map((entry) => {
    const { acquired, ledger, sourceId, started, finished } = entry;
    ledger.check();
    const r = acquired.resource;
    return {
      id: r.id, source: sourceId, title: r.title, publisher: r.publisher, url: r.url, origin: acquired.origin, fichier: entry.name,
      vintage: r.vintage, licence: r.licence, derived: Boolean(r.derived), status: "chargé", sha256: acquired.sha256,
      bytes: acquired.bytes, rows_in: ledger.rowsIn, rows_loaded: ledger.rowsLoaded, rows_quarantined: ledger.rowsQuarantined,
      duration_ms: (finished ?? Date.now()) - started, loaded_at: loadedAt,
      date_reference: entry.referenceDate ?? r.referenceDate ?? null, ...resolutionColumns(acquired), remplacement: r.replacement ?? null
    };
  });
  const missing = absent.map(({ sourceId, resource: r }) => ({
    id: r.id, source: sourceId, title: r.title, publisher: r.publisher, url: r.url, origin: null, fichier: null, vintage: r.vintage,
    licence: r.licence, derived: Boolean(r.derived), status: "absent", sha256: null, bytes: 0, rows_in: 0, rows_loaded: 0,
    rows_quarantined: 0, duration_ms: 0, loaded_at: loadedAt, date_reference: r.referenceDate ?? null, resolution: null,
    url_resolue: null, last_modified: null, checksum: null, remplacement: r.replacement ?? null
  }));
  await insertRows(context.connection, provenanceTable, [...rows, ...missing]);
  await insertRows(context.connection, quarantineTable, opened.flatMap(({ ledger }) => ledger.quarantined));
}

/**
 * A failure that names nothing (`number out of int32 range`, `Maximum call stack size exceeded`, `EISDIR`) said
 * again with the source and the file it was reading; a SourceError already names them and is kept as it is.
 */
function namedFailure(error: unknown, source: Source, last: Opened | undefined): unknown {
  if (error instanceof SourceError || error instanceof RefusedFileError || error instanceof MissingResourceError || !(error instanceof Error)) return error;
  if (last && error.message.includes(last.acquired.file)) return error;
  const where = last ? describeLocation({ source: source.id, file: last.name }) : `source ${source.id}`;
  const problem = error instanceof RangeError && /call stack/i.test(error.message) ? "structure imbriquée trop profondément pour être lue" : error.message;
  return new Error(`${problem} — ${where}`, { cause: error });
}

/**
 * One line per source that set rows aside: how many, and the most frequent reason (reasons that differ only by
 * a number, such as "déjà ligne 12", are counted together), so that no quarantine goes unnoticed in a long log.
 */
export function quarantineSummary(ledgers: Ledger[]): string[] {
  const bySource = new Map<string, QuarantinedRow[]>();
  for (const ledger of ledgers) {
    if (ledger.quarantined.length === 0) continue;
    bySource.set(ledger.source, [...(bySource.get(ledger.source) ?? []), ...ledger.quarantined]);
  }
  return [...bySource].map(([source, rows]) => {
    const groups = new Map<string, { example: string; n: number }>();
    for (const { reason } of rows) {
      const key = reason.replace(/\d+/g, "#");
      const group = groups.get(key) ?? { example: reason, n: 0 };
      group.n++;
      groups.set(key, group);
    }
    const top = [...groups.values()].sort((a, b) => b.n - a.n)[0];
    const lines = rows.length === 1 ? "1 ligne" : `${rows.length.toLocaleString("fr-FR")} lignes`;
    return `quarantaine : ${source} — ${lines} ; motif le plus fréquent (${top.n}) : ${top.example}`;
  });
}

/** The provenance columns saying where a file was found (a mirror, the packaged file, data.gouv.fr's API). */
function resolutionColumns(acquired: AcquiredFile) {
  const resolution = acquired.resolution;
  return {
    resolution: resolution?.method ?? (acquired.resource.local ? "paquet npm" : "miroir"),
    url_resolue: resolution?.url ?? null,
    last_modified: resolution?.last_modified ?? null,
    checksum: resolution?.checksum ? `${resolution.checksum.type}:${resolution.checksum.value}` : null
  };
}

/** Deletes half-built databases left by runs that were killed (their process no longer exists). */
async function removeAbandonedBuilds(target: string): Promise<void> {
  const dir = path.dirname(target);
  const prefix = `${path.basename(target)}.building-`;
  if (!existsSync(dir)) return;
  for (const name of await readdir(dir)) {
    if (!name.startsWith(prefix)) continue;
    const pid = Number(name.slice(prefix.length).replace(/\.wal$/, ""));
    if (pid && pid !== process.pid && !isProcessAlive(pid)) await rm(path.join(dir, name), { force: true });
  }
}
