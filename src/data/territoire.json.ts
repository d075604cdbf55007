import { queryRows } from "../../loaders/db.ts";
import { hasTable, requireTables, runLoader } from "../../loaders/site/loader.ts";

/**
 * The département, its région and France side by side (diagnostic_territoires), the source and vintage of each
 * indicator, the build's settings (threshold, weights) and the freshness of the data.
 */
await runLoader("territoire.json", async (connection, settings) => {
  await requireTables(connection, ["diagnostic_territoires", "diagnostic_communes", "diagnostic_sources"]);
  const dept = settings.departement;
  const [region] = await queryRows<{ code_region: string }>(
    connection,
    "SELECT code_region FROM diagnostic_communes WHERE code_departement = $dept GROUP BY code_region ORDER BY count(*) DESC LIMIT 1",
    { dept }
  );
  if (!region) throw new Error(`aucune commune du département ${dept} dans diagnostic_communes`);
  const territoires = await queryRows(
    connection,
    `SELECT * FROM diagnostic_territoires
     WHERE (niveau = 'departement' AND code = $dept) OR (niveau = 'region' AND code = $region) OR niveau = 'france'
     ORDER BY CASE niveau WHEN 'departement' THEN 0 WHEN 'region' THEN 1 ELSE 2 END`,
    { dept, region: region.code_region }
  );
  const departement = territoires.find((t) => t.niveau === "departement");
  const sources = await queryRows(connection, "SELECT indicateur, libelle, source, millesime, url FROM diagnostic_sources ORDER BY indicateur");
  const fraicheur = (await hasTable(connection, "provenance"))
    ? await queryRows(connection, "SELECT max(loaded_at) AS charge_le, count(*)::INTEGER AS fichiers, count(*) FILTER (WHERE status = 'absent')::INTEGER AS absents FROM provenance")
    : [];
  return {
    departement: { code: dept, nom: departement?.nom ?? dept },
    region: { code: region.code_region, nom: territoires.find((t) => t.niveau === "region")?.nom ?? region.code_region },
    seuil_km: settings.thresholdKm,
    poids: settings.weights,
    genere_le: new Date().toISOString(),
    territoires,
    sources,
    fraicheur: fraicheur[0] ?? null
  };
});
