import type { DuckDBConnection } from "@duckdb/node-api";
import { existsSync, readdirSync, statSync } from "node:fs";
import path from "node:path";
import { queryRows } from "../../io/db.ts";
import { exportFileNames } from "./exports.ts";
import { hasTable, requireTables, toColumnar, type SiteSettings } from "./loader.ts";
import { communeTopology, outlineTopology, type ContourRow } from "./topology.ts";

/**
 * What each data file of a département's site holds, computed from the database. The Framework data loaders of
 * the one-département site (`src/data/*.json.ts`) run one of these each; the site of several départements calls
 * them in one process for every département (loaders/outputs/site/national.ts), reusing one connection.
 */
export type Payload = (connection: DuckDBConnection, settings: SiteSettings) => Promise<unknown>;

/** Every commune of the département with all its diagnostic columns, by priority rank, as a compact table. */
export const communesPayload: Payload = async (connection, { departement }) => {
  await requireTables(connection, ["diagnostic_communes"]);
  const rows = await queryRows(
    connection,
    `SELECT * EXCLUDE (code_departement, code_region) FROM diagnostic_communes
     WHERE code_departement = $dept ORDER BY rang_priorite NULLS LAST, code_insee`,
    { dept: departement }
  );
  if (rows.length === 0) throw new Error(`aucune commune du département ${departement} dans diagnostic_communes`);
  return toColumnar(rows);
};

/** The map of a département whose commune outlines are not in the database: pages show a note instead. */
export interface MissingMap {
  indisponible: true;
  departement: string;
}

/**
 * The communes' outlines of the département as a simplified TopoJSON (object `communes`, ids = INSEE codes), or
 * a `MissingMap` when none is loaded (the mirror holds outlines for a few départements only).
 */
export const cartePayload: Payload = async (connection, { departement }) => {
  await requireTables(connection, ["contours", "diagnostic_communes"]);
  const rows = await queryRows<ContourRow>(
    connection,
    `SELECT c.code_insee, c.nom, c.geometry FROM contours c
     JOIN diagnostic_communes d USING (code_insee)
     WHERE d.code_departement = $dept AND c.geometry IS NOT NULL ORDER BY c.code_insee`,
    { dept: departement }
  );
  if (rows.length === 0) return { indisponible: true, departement } satisfies MissingMap;
  return communeTopology(rows);
};

/** The EPCI of the département (those holding most of their population in it), by priority rank. */
export const epciPayload: Payload = async (connection, { departement }) => {
  await requireTables(connection, ["diagnostic_epci"]);
  const rows = await queryRows(
    connection,
    "SELECT * FROM diagnostic_epci WHERE code_departement = $dept ORDER BY rang_priorite NULLS LAST, epci_nom",
    { dept: departement }
  );
  return toColumnar(rows);
};

/** Which export files of the département exist (the build copies them next to the site, in exports/). */
export const exportsPayload: Payload = async (_connection, { departement, exportsDir }) => {
  const present = exportsDir && existsSync(exportsDir) ? new Set(readdirSync(exportsDir)) : new Set<string>();
  return exportFileNames(departement).map(({ name, description }) => ({
    fichier: name,
    description,
    present: present.has(name),
    octets: exportsDir && present.has(name) ? statSync(path.join(exportsDir, name)).size : null
  }));
};

/**
 * What the itinerant-mediation planner needs beyond the communes: the public libraries (candidate stops, with
 * the town halls taken from the communes' representative points) and the pipeline's default plan.
 */
export const itinerancePayload: Payload = async (connection, { departement: dept }) => {
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
};

/** The places of help of the département after deduplication (diagnostic_lieux). */
export const lieuxPayload: Payload = async (connection, { departement }) => {
  await requireTables(connection, ["diagnostic_lieux"]);
  const rows = await queryRows(
    connection,
    `SELECT id, nom, sources, code_insee, commune, epci_siren, adresse, latitude, longitude, localisation, typologie,
            services, dispositifs, horaires, itinerance, site_web
     FROM diagnostic_lieux WHERE code_departement = $dept ORDER BY commune, nom`,
    { dept: departement }
  );
  return toColumnar(rows, 6);
};

/** Every file loaded (source, vintage, URL, sha256, rows) and the quarantined rows summarised by reason. */
export const provenancePayload: Payload = async (connection) => {
  const fichiers = (await hasTable(connection, "provenance"))
    ? await queryRows(
        connection,
        `SELECT id, source, title, publisher, url, origin, vintage, licence, derived, status, sha256, bytes,
                rows_in, rows_loaded, rows_quarantined, loaded_at FROM provenance ORDER BY source, id`
      )
    : [];
  const quarantaine = (await hasTable(connection, "quarantine"))
    ? await queryRows(
        connection,
        `SELECT source, file, reason, count(*)::INTEGER AS lignes, min(line)::INTEGER AS premiere_ligne, any_value("column") AS colonne
         FROM quarantine GROUP BY source, file, reason ORDER BY lignes DESC LIMIT 200`
      )
    : [];
  return { fichiers, quarantaine };
};

/**
 * The département, its région and France side by side (diagnostic_territoires), the source and vintage of each
 * indicator, the build's settings (threshold, weights) and the freshness of the data.
 */
export const territoirePayload: Payload = async (connection, settings) => {
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
};

/** The data files of one département's pages, by file name (`data/<name>`); provenance is shared by all. */
export const departementPayloads: Record<string, Payload> = {
  "territoire.json": territoirePayload,
  "communes.json": communesPayload,
  "epci.json": epciPayload,
  "carte.json": cartePayload,
  "lieux.json": lieuxPayload,
  "itinerance.json": itinerancePayload,
  "exports.json": exportsPayload
};

/**
 * The national entry page: every département of the diagnostic (population, index, population beyond reach,
 * FttH share), whether its pages are part of this site and whether its communes' outlines are loaded.
 */
export async function departementsTable(connection: DuckDBConnection, built: string[]): Promise<Record<string, unknown>[]> {
  await requireTables(connection, ["diagnostic_territoires", "diagnostic_communes"]);
  const withOutlines = (await hasTable(connection, "contours"))
    ? "code IN (SELECT DISTINCT d.code_departement FROM contours c JOIN diagnostic_communes d USING (code_insee))"
    : "false";
  const rows = await queryRows(
    connection,
    `SELECT code, nom, nb_communes, population, indice_fragilite, population_hors_portee, part_population_hors_portee,
            part_locaux_ftth, communes_sans_contour, parts_non_calculees, ${withOutlines} AS carte_communes
     FROM diagnostic_territoires WHERE niveau = 'departement' ORDER BY code`
  );
  const site = new Set(built);
  return rows.map((row) => ({ ...row, site: site.has(String(row.code)) }));
}

/** The départements' outlines (`contours_departements`) as a TopoJSON with object `departements`, or null. */
export async function departementsTopology(connection: DuckDBConnection): Promise<unknown> {
  if (!(await hasTable(connection, "contours_departements"))) return null;
  const rows = await queryRows<ContourRow>(
    connection,
    "SELECT code_departement AS code_insee, nom, geometry FROM contours_departements WHERE geometry IS NOT NULL ORDER BY code_departement"
  );
  return rows.length ? outlineTopology(rows, "departements", { keep: 0.3 }) : null;
}
