import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { readConfig, type Config } from "../loaders/io/config.ts";
import { openDatabase, queryRows, type Database } from "../loaders/io/db.ts";
import { Ledger } from "../loaders/io/ledger.ts";
import { runLoad, type PostLoadStep } from "../loaders/ingest/load.ts";
import { projectRoot } from "../loaders/io/paths.ts";
import type { Source } from "../loaders/ingest/source.ts";
import { referentiel } from "../loaders/ingest/sources/referentiel.ts";

/** The shared open-data mirror (real public files); never copied into the repo. */
export const mirrorDir = process.env.SDIN_MIRROR ? path.resolve(process.env.SDIN_MIRROR) : path.resolve(projectRoot, "../shared/opendata");

/** Small hand-made files shaped exactly like the official ones. */
export const inputDir = path.join(projectRoot, "test", "input");

/** Test mirrors are made of links to the shared mirror and to the fixtures: the folders their files may link into. */
export const mirrorLinks = [mirrorDir, inputDir].join(path.delimiter);

export function tempDir(prefix = "sdin-test-"): string {
  return mkdtempSync(path.join(tmpdir(), prefix));
}

export function ledger(source = "test", file = "fichier.csv"): Ledger {
  return new Ledger(source, file);
}

/** A configuration whose data folder is a fresh temporary folder, reading from `mirror`. */
export function testConfig(mirror: string = mirrorDir, dept = "23"): Config {
  return readConfig({ mirror, data: tempDir(), exports: tempDir("sdin-exports-"), dept }, { SDIN_MIRROR_LINKS: mirrorLinks });
}

/**
 * Loads the referential and then `sources` from the mirror into a fresh database, and opens it read-only.
 * Close it with `db.close()`.
 */
export async function loadSources(sources: Source[], { mirror = mirrorDir, postLoad = [] as PostLoadStep[] } = {}): Promise<{ db: Database; config: Config }> {
  const config = testConfig(mirror);
  await runLoad(config, [referentiel, ...sources.filter((s) => s !== referentiel)], { postLoad, log: () => {} });
  return { db: await openDatabase(config.paths.database, { readOnly: true }), config };
}

export { queryRows };
