import type { DuckDBConnection } from "@duckdb/node-api";
import type { DedupSettings, IndexWeights } from "../io/config.ts";
import { createTable, hasTable, insertRows, queryRows, type TableSpec } from "../io/db.ts";

/** The parameters the diagnostic was computed with, kept in the database so that every reader uses the same. */
export const parametresTable: TableSpec = {
  name: "parametres_diagnostic",
  columns: { seuil_km: "DOUBLE", poids: "VARCHAR", dedoublonnage: "VARCHAR", calcule_le: "VARCHAR" }
};

export interface DiagnosticParameters {
  thresholdKm: number;
  weights: IndexWeights;
  /** The de-duplication's thresholds (`fusion`, `a_verifier`); unknown in a database loaded before they were kept. */
  dedoublonnage?: DedupSettings | null;
}

export async function writeParameters(connection: DuckDBConnection, { thresholdKm, weights, dedoublonnage }: DiagnosticParameters): Promise<void> {
  await createTable(connection, parametresTable);
  await insertRows(connection, parametresTable, [
    { seuil_km: thresholdKm, poids: JSON.stringify(weights), dedoublonnage: dedoublonnage ? JSON.stringify(dedoublonnage) : null, calcule_le: new Date().toISOString() }
  ]);
}

export async function readParameters(connection: DuckDBConnection): Promise<DiagnosticParameters | null> {
  if (!(await hasTable(connection, parametresTable.name))) return null;
  // SELECT *: a database loaded before the de-duplication's thresholds were kept has no such column.
  const [row] = await queryRows<{ seuil_km: number; poids: string; dedoublonnage?: string | null }>(connection, `SELECT * FROM parametres_diagnostic`);
  if (!row) return null;
  return {
    thresholdKm: row.seuil_km,
    weights: JSON.parse(row.poids) as IndexWeights,
    dedoublonnage: row.dedoublonnage ? (JSON.parse(row.dedoublonnage) as DedupSettings) : null
  };
}

/** True when two parameter sets would give different figures (thresholds of the de-duplication compared when both are known). */
export function sameParameters(a: DiagnosticParameters, b: DiagnosticParameters): boolean {
  const sameDedup = !a.dedoublonnage || !b.dedoublonnage || (a.dedoublonnage.fusion === b.dedoublonnage.fusion && a.dedoublonnage.a_verifier === b.dedoublonnage.a_verifier);
  return a.thresholdKm === b.thresholdKm && sameDedup && (Object.keys(a.weights) as (keyof IndexWeights)[]).every((k) => a.weights[k] === b.weights[k]);
}
