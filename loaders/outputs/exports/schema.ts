import type { DuckDBConnection } from "@duckdb/node-api";
import type { Config } from "../../io/config.ts";
import { writeSchema } from "../document/index.ts";

/** Writes the schéma's skeleton (DOCX and Markdown) and the feuille de route (JSON, CSV) for one département into its export folder. */
export async function writeSchemaDocuments(connection: DuckDBConnection, config: Config, code: string, dir: string): Promise<void> {
  await writeSchema(connection, code, dir, { seuilKm: config.thresholdKm });
}
