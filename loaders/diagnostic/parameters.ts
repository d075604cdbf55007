import type { DuckDBConnection } from "@duckdb/node-api";
import type { IndexWeights } from "../io/config.ts";
import { createTable, hasTable, insertRows, queryRows, type TableSpec } from "../io/db.ts";

/** The parameters the diagnostic was computed with, kept in the database so that every reader uses the same. */
export const parametresTable: TableSpec = {
  name: "parametres_diagnostic",
  columns: { seuil_km: "DOUBLE", poids: "VARCHAR", calcule_le: "VARCHAR" }
};

export interface DiagnosticParameters {
  thresholdKm: number;
  weights: IndexWeights;
}

export async function writeParameters(connection: DuckDBConnection, { thresholdKm, weights }: DiagnosticParameters): Promise<void> {
  await createTable(connection, parametresTable);
  await insertRows(connection, parametresTable, [{ seuil_km: thresholdKm, poids: JSON.stringify(weights), calcule_le: new Date().toISOString() }]);
}

export async function readParameters(connection: DuckDBConnection): Promise<DiagnosticParameters | null> {
  if (!(await hasTable(connection, parametresTable.name))) return null;
  const [row] = await queryRows<{ seuil_km: number; poids: string }>(connection, `SELECT seuil_km, poids FROM parametres_diagnostic`);
  return row ? { thresholdKm: row.seuil_km, weights: JSON.parse(row.poids) as IndexWeights } : null;
}

/** True when two parameter sets would give different figures. */
export function sameParameters(a: DiagnosticParameters, b: DiagnosticParameters): boolean {
  return a.thresholdKm === b.thresholdKm && (Object.keys(a.weights) as (keyof IndexWeights)[]).every((k) => a.weights[k] === b.weights[k]);
}
