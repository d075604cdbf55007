import { queryRows } from "../../loaders/db.ts";
import { hasTable, runLoader } from "../../loaders/site/loader.ts";

/**
 * What the itinerant-mediation planner needs beyond the communes: the public libraries (candidate stops, with
 * the town halls taken from the communes' representative points) and the pipeline's default plan.
 */
await runLoader("itinerance.json", async (connection, settings) => {
  const dept = settings.departement;
  const bibliotheques = (await hasTable(connection, "bibliotheques"))
    ? await queryRows(
        connection,
        `SELECT b.id, b.nom, b.code_insee, b.latitude, b.longitude FROM bibliotheques b
         JOIN diagnostic_communes d USING (code_insee)
         WHERE d.code_departement = $dept AND b.latitude IS NOT NULL AND b.longitude IS NOT NULL ORDER BY b.nom`,
        { dept }
      )
    : [];
  const plan = (await hasTable(connection, "plan_itinerance"))
    ? await queryRows(connection, "SELECT * EXCLUDE (code_departement) FROM plan_itinerance WHERE code_departement = $dept ORDER BY ordre", { dept })
    : [];
  return { bibliotheques, plan };
});
