import type { DuckDBConnection } from "@duckdb/node-api";
import { createTable, insertRows, queryRows } from "../db.ts";
import { diagnosticSourcesTable } from "./tables.ts";

/**
 * Which source feeds each indicator, in order of preference (the first one loaded wins). Every figure the site,
 * the exports and the documents show is labelled from this table with its source and vintage.
 */
const indicatorOrigins: [indicateur: string, libelle: string, sources: string[]][] = [
  ["population", "Population municipale", ["populations", "referentiel"]],
  ["part_65_plus", "Part des 65 ans et plus", ["insee-rp", "dataforgood"]],
  ["part_75_plus", "Part des 75 ans et plus", ["insee-rp"]],
  ["part_peu_diplomes", "Part des 15 ans et plus non scolarisés sans diplôme ou avec au plus le brevet", ["insee-rp", "dataforgood"]],
  ["part_menages_seuls", "Part des ménages d'une personne", ["insee-rp", "dataforgood"]],
  ["part_80_plus_seuls", "Part des 80 ans et plus vivant seuls", ["insee-rp"]],
  ["part_familles_mono", "Part des familles monoparentales", ["insee-rp", "dataforgood"]],
  ["taux_chomage", "Taux de chômage des 15-64 ans (au sens du recensement)", ["insee-rp"]],
  ["taux_pauvrete", "Taux de pauvreté au seuil de 60 %", ["filosofi"]],
  ["part_locaux_ftth", "Part des locaux raccordables à la fibre (FttH)", ["arcep-deploiements"]],
  ["zone_fthd", "Zone réglementaire du déploiement FttH (ZTD, AMII, AMEL, RIP)", ["arcep-deploiements"]],
  ["part_eligible_thd30", "Part des locaux éligibles à 30 Mbit/s ou plus (filaire)", ["arcep-eligibilite"]],
  ["nb_lieux", "Lieux d'aide au numérique (toutes sources, dédoublonnés)", ["lieux-mediation", "france-services", "aidants-connect", "conseillers-numeriques"]],
  ["nb_france_services", "France Services", ["france-services"]],
  ["distance_lieu_km", "Distance au lieu d'aide le plus proche (à vol d'oiseau)", ["contours", "lieux-mediation", "france-services", "aidants-connect", "conseillers-numeriques"]],
  ["ifn_reference", "Indice de fragilité numérique publié par La MedNum", ["ifn"]],
  ["frr", "Classement France Ruralités Revitalisation", ["typologies"]],
  ["densite_code", "Grille communale de densité (7 niveaux)", ["typologies"]],
  ["qpv", "Commune accueillant un quartier prioritaire (QPV 2024)", ["typologies"]]
];

interface LoadedSource {
  source: string;
  title: string;
  publisher: string;
  vintage: string;
  url: string;
}

export async function buildIndicatorSources(connection: DuckDBConnection): Promise<void> {
  const loaded = await queryRows<LoadedSource>(
    connection,
    `SELECT source, title, publisher, vintage, url FROM provenance WHERE status = 'chargé' AND rows_loaded > 0 ORDER BY source, id`
  );
  const bySource = new Map<string, LoadedSource[]>();
  for (const row of loaded) bySource.set(row.source, [...(bySource.get(row.source) ?? []), row]);
  const rows = indicatorOrigins.map(([indicateur, libelle, candidates]) => {
    const used = candidates.flatMap((id) => bySource.get(id) ?? []);
    const first = candidates.map((id) => bySource.get(id)).find(Boolean)?.[0];
    const all = candidates.length > 1 && indicateur.startsWith("nb_lieux") ? used : first ? [first] : [];
    return {
      indicateur,
      libelle,
      source: all.length ? unique(all.map((s) => s.publisher)).join(", ") : "non disponible",
      millesime: all.length ? unique(all.map((s) => s.vintage)).join(" ; ") : null,
      url: all[0]?.url ?? null
    };
  });
  await createTable(connection, diagnosticSourcesTable);
  await insertRows(connection, diagnosticSourcesTable, rows);
}

function unique(values: string[]): string[] {
  return [...new Set(values)];
}
