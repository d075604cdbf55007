import { existsSync } from "node:fs";
import { mkdir, readdir, rename, rm } from "node:fs/promises";
import path from "node:path";
import { isProcessAlive } from "../io/process.ts";
import { CogIndex } from "./cog.ts";
import { SourceError } from "../io/errors.ts";
import type { Config } from "../io/config.ts";
import { createTable, insertRows, openDatabase, type TableSpec } from "../io/db.ts";
import { acquire, MissingResourceError } from "../io/fetch.ts";
import { Ledger } from "../io/ledger.ts";
import type { Resource } from "../io/resource.ts";
import { listMirrorFiles, type LoadContext, type OpenedResource, type Source } from "./source.ts";

export const provenanceTable: TableSpec = {
  name: "provenance",
  columns: {
    id: "VARCHAR",
    source: "VARCHAR",
    title: "VARCHAR",
    publisher: "VARCHAR",
    url: "VARCHAR",
    origin: "VARCHAR",
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
    loaded_at: "VARCHAR"
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
  const db = await openDatabase(building);
  // One checkpoint at the end rather than one each time the write-ahead log passes 16 MB: the outlines alone
  // write ~50 MB, and every automatic checkpoint rewrites the tables built so far.
  await db.connection.run("SET checkpoint_threshold = '1GB'");
  const opened: Opened[] = [];
  const absent: { sourceId: string; resource: Resource }[] = [];
  try {
    let current: Source | null = null;
    const context: LoadContext = {
      connection: db.connection,
      cog: new CogIndex([], [], []),
      fromMirror: config.mirror !== null,
      log,
      listMirror: (folder, pattern) => listMirrorFiles(config.mirror, folder, pattern),
      async open(resource) {
        const sourceId = current!.id;
        const started = Date.now();
        try {
          const acquired = await acquire(resource, { mirror: config.mirror, rawDir: config.paths.rawDir });
          const name = path.basename(acquired.file);
          const entry: Opened = { acquired, ledger: new Ledger(sourceId, name), name, sourceId, started };
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
    };
    for (const source of sources) {
      current = source;
      const t0 = Date.now();
      log(`chargement : ${source.title}`);
      await source.load(context);
      for (const entry of opened) {
        if (entry.sourceId !== source.id || entry.finished !== undefined) continue;
        entry.finished = Date.now();
        // A published file with a header and no data is a truncated download or a broken export, not an empty territory.
        if (entry.ledger.rowsIn === 0) throw new SourceError(entry.ledger.at(2), "aucune ligne de données après l'en-tête (fichier tronqué ou export vide ?)");
      }
      log(`  ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    }
    await writeProvenance(context, opened, absent);
    for (const step of postLoad) await step(context, config);
    await db.connection.run("CHECKPOINT");
  } catch (error) {
    db.close();
    await rm(building, { force: true });
    await rm(`${building}.wal`, { force: true });
    throw error;
  }
  db.close();
  await rm(`${target}.wal`, { force: true });
  await rename(building, target);
}

async function writeProvenance(context: LoadContext, opened: Opened[], absent: { sourceId: string; resource: Resource }[]): Promise<void> {
  const loadedAt = new Date().toISOString();
  await createTable(context.connection, provenanceTable);
  await createTable(context.connection, quarantineTable);
  const rows = opened.map(({ acquired, ledger, sourceId, started, finished }) => {
    ledger.check();
    const r = acquired.resource;
    return {
      id: r.id, source: sourceId, title: r.title, publisher: r.publisher, url: r.url, origin: acquired.origin,
      vintage: r.vintage, licence: r.licence, derived: Boolean(r.derived), status: "chargé", sha256: acquired.sha256,
      bytes: acquired.bytes, rows_in: ledger.rowsIn, rows_loaded: ledger.rowsLoaded, rows_quarantined: ledger.rowsQuarantined,
      duration_ms: (finished ?? Date.now()) - started, loaded_at: loadedAt
    };
  });
  const missing = absent.map(({ sourceId, resource: r }) => ({
    id: r.id, source: sourceId, title: r.title, publisher: r.publisher, url: r.url, origin: null, vintage: r.vintage,
    licence: r.licence, derived: Boolean(r.derived), status: "absent", sha256: null, bytes: 0, rows_in: 0, rows_loaded: 0,
    rows_quarantined: 0, duration_ms: 0, loaded_at: loadedAt
  }));
  await insertRows(context.connection, provenanceTable, [...rows, ...missing]);
  await insertRows(context.connection, quarantineTable, opened.flatMap(({ ledger }) => ledger.quarantined));
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
