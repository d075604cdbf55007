import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import type { DuckDBConnection } from "@duckdb/node-api";

const schemaModule = new URL("../schema/index.ts", import.meta.url);

/** Writes the schéma's skeleton (DOCX and Markdown) with the document writer of loaders/schema/. */
export async function writeSchemaIfAvailable(connection: DuckDBConnection, code: string, dir: string): Promise<void> {
  if (!existsSync(fileURLToPath(schemaModule))) return;
  const { writeSchema } = (await import(schemaModule.href)) as {
    writeSchema: (connection: DuckDBConnection, code: string, dir: string) => Promise<unknown>;
  };
  await writeSchema(connection, code, dir);
}
