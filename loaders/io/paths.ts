import { fileURLToPath } from "node:url";
import path from "node:path";

/** The project's root folder (where package.json is). */
export const projectRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");

/** Every path the pipeline reads or writes, resolved once from a data folder. */
export interface Paths {
  dataDir: string;
  rawDir: string;
  database: string;
  exportsDir: string;
  configDir: string;
}

export function resolvePaths({ dataDir = path.join(projectRoot, "data"), exportsDir = path.join(projectRoot, "exports") } = {}): Paths {
  return {
    dataDir,
    rawDir: path.join(dataDir, "raw"),
    database: path.join(dataDir, "sdin.duckdb"),
    exportsDir,
    configDir: path.join(projectRoot, "data")
  };
}

/**
 * Joins `relative` under `root` and refuses any result outside it, so that a crafted file name
 * (`../../etc/passwd`, an absolute path) can neither read nor write outside the mirror or the cache.
 */
export function safeJoin(root: string, relative: string): string {
  if (relative.includes("\0")) throw new Error(`nom de fichier invalide : ${JSON.stringify(relative)}`);
  const base = path.resolve(root);
  const full = path.resolve(base, relative);
  if (full !== base && !full.startsWith(base + path.sep)) {
    throw new Error(`chemin hors du dossier ${base} refusé : ${JSON.stringify(relative)}`);
  }
  return full;
}
