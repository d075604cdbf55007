import { queryRows } from "../../loaders/db.ts";
import { requireTables, runLoader, toColumnar } from "../../loaders/site/loader.ts";

/** The places of help of the département after deduplication (diagnostic_lieux). */
await runLoader("lieux.json", async (connection, settings) => {
  await requireTables(connection, ["diagnostic_lieux"]);
  const rows = await queryRows(
    connection,
    `SELECT id, nom, sources, code_insee, commune, epci_siren, adresse, latitude, longitude, localisation, typologie,
            services, dispositifs, horaires, itinerance, site_web
     FROM diagnostic_lieux WHERE code_departement = $dept ORDER BY commune, nom`,
    { dept: settings.departement }
  );
  return toColumnar(rows, 6);
});
