import type { DuckDBConnection } from "@duckdb/node-api";
import { existsSync } from "node:fs";
import { readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { queryRows } from "../../io/db.ts";

/**
 * Which computation of the diagnostic an export folder was written from: the parameters stored in the database
 * (`parametres_diagnostic`: threshold, weights, when it was computed). `sdin export` writes it beside the files;
 * `sdin build` refuses to ship exports whose stamp is not the database's (a `load --seuil 25` after an export
 * would otherwise put the old figures for download next to pages showing the new ones).
 */
export interface DiagnosticStamp {
  seuil_km: number;
  poids: string;
  calcule_le: string;
}

/** The file holding an export folder's stamp. */
export const stampFile = "diagnostic.json";

/** The database's stamp, or null when it records no parameters (a database built before they were stored). */
export async function diagnosticStamp(connection: DuckDBConnection): Promise<DiagnosticStamp | null> {
  const [present] = await queryRows<{ n: number }>(connection, "SELECT count(*)::INTEGER AS n FROM duckdb_tables() WHERE table_name = 'parametres_diagnostic'");
  if (present.n === 0) return null;
  const [row] = await queryRows<DiagnosticStamp>(connection, "SELECT seuil_km, poids, calcule_le FROM parametres_diagnostic ORDER BY calcule_le DESC LIMIT 1");
  return row ?? null;
}

export async function writeStamp(dir: string, stamp: DiagnosticStamp | null): Promise<void> {
  if (stamp) await writeFile(path.join(dir, stampFile), JSON.stringify(stamp, null, 2) + "\n");
}

/** The stamp of an export folder, or null when it has none (written before stamps, or by hand). */
export async function readStamp(dir: string): Promise<DiagnosticStamp | null> {
  const file = path.join(dir, stampFile);
  if (!existsSync(file)) return null;
  try {
    return JSON.parse(await readFile(file, "utf8")) as DiagnosticStamp;
  } catch {
    return null;
  }
}

export function sameStamp(a: DiagnosticStamp, b: DiagnosticStamp): boolean {
  return a.seuil_km === b.seuil_km && a.poids === b.poids && a.calcule_le === b.calcule_le;
}

/** The stamp in words, for a message: « seuil 10 km, calcul du 2026-12-01T14:00:00Z ». */
export function describeStamp(stamp: DiagnosticStamp | null): string {
  return stamp ? `seuil ${stamp.seuil_km} km, poids ${stamp.poids}, calcul du ${stamp.calcule_le}` : "sans empreinte du calcul";
}
