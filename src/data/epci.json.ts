import { queryRows } from "../../loaders/db.ts";
import { requireTables, runLoader, toColumnar } from "../../loaders/site/loader.ts";

/** The EPCI of the département (those holding most of their population in it), by priority rank. */
await runLoader("epci.json", async (connection, settings) => {
  await requireTables(connection, ["diagnostic_epci"]);
  const rows = await queryRows(
    connection,
    "SELECT * FROM diagnostic_epci WHERE code_departement = $dept ORDER BY rang_priorite NULLS LAST, epci_nom",
    { dept: settings.departement }
  );
  return toColumnar(rows);
});
