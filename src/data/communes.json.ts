import { queryRows } from "../../loaders/db.ts";
import { requireTables, runLoader, toColumnar } from "../../loaders/site/loader.ts";

/** Every commune of the département with all its diagnostic columns, by priority rank, as a compact table. */
await runLoader("communes.json", async (connection, settings) => {
  await requireTables(connection, ["diagnostic_communes"]);
  const rows = await queryRows(
    connection,
    `SELECT * EXCLUDE (code_departement, code_region) FROM diagnostic_communes
     WHERE code_departement = $dept ORDER BY rang_priorite NULLS LAST, code_insee`,
    { dept: settings.departement }
  );
  if (rows.length === 0) throw new Error(`aucune commune du département ${settings.departement} dans diagnostic_communes`);
  return toColumnar(rows);
});
