import { queryRows } from "../../loaders/db.ts";
import { requireTables, runLoader } from "../../loaders/site/loader.ts";
import { communeTopology, type ContourRow } from "../../loaders/site/topology.ts";

/** The communes' outlines of the département as a simplified TopoJSON (object `communes`, ids = INSEE codes). */
await runLoader("carte.json", async (connection, settings) => {
  await requireTables(connection, ["contours", "diagnostic_communes"]);
  const rows = await queryRows<ContourRow>(
    connection,
    `SELECT c.code_insee, c.nom, c.geometry FROM contours c
     JOIN diagnostic_communes d USING (code_insee)
     WHERE d.code_departement = $dept AND c.geometry IS NOT NULL ORDER BY c.code_insee`,
    { dept: settings.departement }
  );
  if (rows.length === 0) throw new Error(`aucun contour de commune pour le département ${settings.departement}`);
  return communeTopology(rows);
});
