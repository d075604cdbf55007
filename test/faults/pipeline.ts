import { copyFileSync, readdirSync } from "node:fs";
import path from "node:path";
import { expect } from "vitest";
import { readConfig, type Config } from "../../loaders/io/config.ts";
import { openDatabase, queryRows } from "../../loaders/io/db.ts";
import { SourceError, type Location } from "../../loaders/io/errors.ts";
import { hashFile } from "../../loaders/io/fetch.ts";
import { runLoad, type PostLoadStep } from "../../loaders/ingest/load.ts";
import type { Source } from "../../loaders/ingest/source.ts";
import { referentiel } from "../../loaders/ingest/sources/referentiel.ts";
import { mirrorDir, mirrorLinks } from "../helpers.ts";
import { faultDir } from "./tmp.ts";
import { fromProvenance, type ResourceCount } from "./harness.ts";

/** A configuration reading `mirror`, writing into a fresh data folder (or `dataDir`). */
export function faultConfig(mirror: string, dataDir = faultDir("sdin-fault-data-")): Config {
  return readConfig({ mirror, data: dataDir, exports: faultDir("sdin-fault-exports-"), dept: "23" }, { SDIN_MIRROR_LINKS: mirrorLinks });
}

/** Loads the referential then `sources` from `mirror`; resolves with the configuration and the load log. */
export async function load(
  mirror: string,
  sources: Source[],
  { postLoad = [] as PostLoadStep[], dataDir = undefined as string | undefined, withReferentiel = true } = {}
) {
  const config = faultConfig(mirror, dataDir);
  const log: string[] = [];
  await runLoad(config, withReferentiel ? [referentiel, ...sources] : sources, { postLoad, log: (m) => log.push(m) });
  return { config, log: log.join("\n") };
}

/** Runs a read-only query on a finished database. */
export async function query<T = Record<string, unknown>>(database: string, sql: string, params?: Record<string, string | number>): Promise<T[]> {
  const db = await openDatabase(database, { readOnly: true });
  try {
    return await queryRows<T>(db.connection, sql, params);
  } finally {
    db.close();
  }
}

export interface ProvenanceRow {
  id: string;
  source: string;
  rows_in: number;
  rows_loaded: number;
  rows_quarantined: number;
}

/** Every loaded resource of a database, as counted by its ledger. */
export async function provenance(database: string): Promise<ProvenanceRow[]> {
  return query<ProvenanceRow>(database, `SELECT id, source, rows_in, rows_loaded, rows_quarantined FROM provenance WHERE status = 'chargé' ORDER BY id`);
}

export async function resourceCounts(database: string): Promise<ResourceCount[]> {
  return fromProvenance(await provenance(database));
}

export interface QuarantineRow {
  source: string;
  file: string;
  line: number | null;
  column: string | null;
  value: string | null;
  reason: string;
}

export async function quarantine(database: string, source: string): Promise<QuarantineRow[]> {
  return query<QuarantineRow>(database, `SELECT source, file, line, "column", value, reason FROM quarantine WHERE source = $source ORDER BY line, "column"`, { source });
}

// ---------------------------------------------------------------------------------------------------------
// A previous good database, and proof that a failed load left it whole

let good: Promise<{ database: string; sha256: string; communes: number }> | null = null;

/** A database built once from the shared mirror (referential only), copied into each failing run's data folder. */
export function goodDatabase() {
  good ??= (async () => {
    const { config } = await load(mirrorDir, []);
    const [{ n }] = await query<{ n: number }>(config.paths.database, `SELECT count(*)::INTEGER AS n FROM communes`);
    return { database: config.paths.database, sha256: (await hashFile(config.paths.database)).sha256, communes: n };
  })();
  return good;
}

/** A data folder that already holds the previous good database. */
export async function dataDirWithGoodDatabase(): Promise<string> {
  const dir = faultDir("sdin-fault-data-");
  copyFileSync((await goodDatabase()).database, path.join(dir, "sdin.duckdb"));
  return dir;
}

/** The database in `dataDir` is byte for byte the previous good one, opens read-only and answers a query; no half-built file is left. */
export async function expectGoodDatabaseIntact(dataDir: string): Promise<void> {
  const previous = await goodDatabase();
  const database = path.join(dataDir, "sdin.duckdb");
  expect((await hashFile(database)).sha256).toBe(previous.sha256);
  const [{ n }] = await query<{ n: number }>(database, `SELECT count(*)::INTEGER AS n FROM communes`);
  expect(n).toBe(previous.communes);
  expect(readdirSync(dataDir).filter((name) => name.includes(".building-"))).toEqual([]);
}

/** The exact tail a SourceError message carries for a location. */
export function located({ source, file, line, column }: Location): string {
  return [`source ${source}`, `fichier ${file}`, line !== undefined ? `ligne ${line}` : null, column !== undefined ? `colonne "${column}"` : null]
    .filter(Boolean)
    .join(", ");
}

/**
 * Runs a load that must fail on bad input over a data folder holding the previous good database: the error is a
 * SourceError whose message holds `problem` and ends with the exact location; the previous database is intact.
 */
export async function expectRefused(mirror: string, sources: Source[], problem: RegExp, location: Location): Promise<SourceError> {
  const dataDir = await dataDirWithGoodDatabase();
  // These faults stop a source before its first row, where the COG is not used yet: the referential is left out
  // to keep the suite fast (the CLI test in database.ts runs a whole load that fails the same way).
  const error = await load(mirror, sources, { dataDir, withReferentiel: false }).then(
    () => null,
    (e: unknown) => e
  );
  expect(error, "the load should have failed").toBeInstanceOf(SourceError);
  const message = (error as SourceError).message;
  expect(message).toMatch(problem);
  expect(message.endsWith(` — ${located(location)}`), message).toBe(true);
  await expectGoodDatabaseIntact(dataDir);
  return error as SourceError;
}
