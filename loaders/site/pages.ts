import { existsSync } from "node:fs";
import { queryRows, withDatabase } from "../db.ts";
import { siteEnv } from "./loader.ts";

/**
 * The fiche commune pages to build (`/communes/<code>`), one per commune of the département, read from the
 * database `buildSite` points to. Without it (Framework run by hand), no fiche is built and the site says so.
 */
export async function* communePagePaths(env: NodeJS.ProcessEnv = process.env): AsyncGenerator<string> {
  const database = env[siteEnv.database];
  const departement = env[siteEnv.departement];
  if (!database || !departement || !existsSync(database)) return;
  const codes = await withDatabase(database, { readOnly: true }, ({ connection }) =>
    queryRows<{ code_insee: string }>(connection, "SELECT code_insee FROM diagnostic_communes WHERE code_departement = $dept ORDER BY code_insee", { dept: departement })
  );
  for (const { code_insee } of codes) {
    // Codes come from the database: refuse anything that is not an INSEE code before it becomes a file name.
    if (!/^[0-9][0-9AB][0-9]{3}$/.test(code_insee)) throw new Error(`code INSEE invalide dans diagnostic_communes : "${code_insee}"`);
    yield `/communes/${code_insee}`;
  }
}
