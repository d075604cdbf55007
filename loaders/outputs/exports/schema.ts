import type { DuckDBConnection } from "@duckdb/node-api";
import type { Config } from "../../io/config.ts";
import { writeSchema } from "../document/index.ts";
import type { DepartementReadModel } from "../read-model.ts";

/**
 * Writes the schéma's skeleton (DOCX and Markdown) and the feuille de route (JSON, CSV) for one département into its
 * export folder, from the département's read model when the export has one (the rows its files were written from).
 */
export async function writeSchemaDocuments(connection: DuckDBConnection, config: Config, code: string, dir: string, model?: DepartementReadModel): Promise<void> {
  await writeSchema(connection, code, dir, { seuilKm: config.thresholdKm, model });
}
