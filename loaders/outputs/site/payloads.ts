import type { DuckDBConnection } from "@duckdb/node-api";
import { existsSync, readdirSync, statSync } from "node:fs";
import path from "node:path";
import { hasTable, queryRows } from "../../io/db.ts";
import { regionTables } from "../exports/region.ts";
import { exportFileNames } from "./exports.ts";
import { nationalReads, readModel } from "../read-model.ts";
import { requireTables, toColumnar, type SiteSettings } from "./loader.ts";
import { communeTopology, outlineTopology, type ContourRow } from "./topology.ts";

/**
 * What each data file of a département's pages holds, computed from the database. `sdin build` computes them all
 * for each département on one connection (precompute.ts), as the archive `src/[dept]/data.zip.js` hands over.
 */
export type Payload = (connection: DuckDBConnection, settings: SiteSettings) => Promise<unknown>;

/**
 * The columns the browser recomputes the priority ranking and the itinerant plan from (src/lib/diagnostic): sent
 * unrounded, so that with the diagnostic's settings the pages find exactly the exported ranks and plan.
 */
export const exactCommuneColumns = ["distance_lieu_km", "part_eligible_thd30", "part_locaux_ftth", "point_lon", "point_lat", "population"];

/** Every commune of the département with all its diagnostic columns, by priority rank, as a compact table. */
export const communesPayload: Payload = async (connection, { departement }) => {
  const communes = await readModel(connection, departement).communes();
  const byRank = [...communes].sort((a, b) => (a.rang_priorite ?? Infinity) - (b.rang_priorite ?? Infinity) || (a.code_insee < b.code_insee ? -1 : 1));
  return toColumnar(byRank.map(({ code_departement: _d, code_region: _r, ...row }) => row), 4, exactCommuneColumns);
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
  const rows: ContourRow[] = await readModel(connection, departement).contours();
  if (rows.length === 0) return { indisponible: true, departement } satisfies MissingMap;
  return communeTopology(rows);
};

/** The EPCI with a commune in the département, as in the exports and the schéma (see the read model). */
export const epciPayload: Payload = async (connection, { departement }) => toColumnar(await readModel(connection, departement).epci());

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
export const itinerancePayload: Payload = async (connection, { departement }) => {
  const model = readModel(connection, departement);
  const plan = (await model.plan()).map(({ code_departement: _d, ...stop }) => stop);
  return { bibliotheques: await model.bibliotheques(), plan };
};

/** The places of help of the département after deduplication (diagnostic_lieux). */
export const lieuxPayload: Payload = async (connection, { departement }) => {
  const lieux = await readModel(connection, departement).lieux();
  return toColumnar(lieux.map(({ code_departement: _d, ...lieu }) => lieu), 6);
};

/** What the pages show of each indicator's source: its vintage, its freshness and whether editions are mixed. */
export const siteSourceColumns = "indicateur, libelle, source, millesime, url, date_reference, age_mois, fraicheur, a_actualiser, remplacement, melange_millesimes";

/** Every file loaded (source, vintage, URL, sha256, rows) and the quarantined rows summarised by reason. */
export async function provenancePayload(connection: DuckDBConnection): Promise<unknown> {
  // The register is the database's, not a département's: each file says which départements it feeds, and each
  // département's page keeps its own (`coversDepartement`).
  const register = nationalReads(connection, { freeze: false });
  return { fichiers: await register.provenance(), quarantaine: await register.quarantine() };
}

/**
 * The département, its région and France side by side (diagnostic_territoires), the source and vintage of each
 * indicator, the build's settings (threshold, weights) and the freshness of the data.
 */
export const territoirePayload: Payload = async (connection, settings) => {
  const dept = settings.departement;
  const model = readModel(connection, dept);
  const { codeRegion, departement, region, france } = await model.territoires();
  const territoires = [departement, region, france].filter((t) => t !== null);
  const sources = await model.sources();
  const fichiers = await model.provenance();
  const loadedAt = fichiers.map((f) => f.loaded_at).filter((d): d is string => d !== null).sort();
  return {
    departement: { code: dept, nom: departement.nom ?? dept },
    region: { code: codeRegion, nom: region?.nom ?? codeRegion },
    seuil_km: settings.thresholdKm,
    poids: settings.weights,
    genere_le: new Date().toISOString(),
    territoires,
    sources,
    fraicheur: fichiers.length ? { charge_le: loadedAt.at(-1) ?? null, fichiers: fichiers.length, absents: fichiers.filter((f) => f.status === "absent").length } : null
  };
};

/** The data files of one département's pages, by file name (`<code>/data/<name>`); provenance is shared by all. */
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

/**
 * The entry page: every département of the diagnostic (with whether it has pages here), every région (with
 * whether it has a page), the threshold and the sources of the figures.
 */
export async function francePayload(connection: DuckDBConnection, { departements, regions, thresholdKm }: { departements: string[]; regions: string[]; thresholdKm: number }): Promise<unknown> {
  const table = await departementsTable(connection, departements);
  const sources = await queryRows(connection, `SELECT ${siteSourceColumns} FROM diagnostic_sources ORDER BY indicateur`);
  return { seuil_km: thresholdKm, departements: table, regions: await regionsTable(connection, regions), sources };
}

/** Every région of the diagnostic with its figures, its départements and whether it has a page in this site. */
export async function regionsTable(connection: DuckDBConnection, built: string[]): Promise<Record<string, unknown>[]> {
  const rows = await queryRows(
    connection,
    `SELECT t.code, t.nom, t.nb_communes, t.population, t.indice_fragilite, t.population_hors_portee, t.part_population_hors_portee, t.part_locaux_ftth,
            (SELECT string_agg(DISTINCT c.code_departement, ',' ORDER BY c.code_departement) FROM diagnostic_communes c WHERE c.code_region = t.code) AS departements
     FROM diagnostic_territoires t WHERE t.niveau = 'region' ORDER BY t.code`
  );
  const site = new Set(built);
  return rows.map((row) => ({ ...row, site: site.has(String(row.code)) }));
}

/** The settings of a région's data files: the région and the départements that have pages here. */
export interface RegionSettings {
  region: string;
  thresholdKm: number;
  departements: string[];
}

/**
 * A région's page: the région beside France, its départements (figures, whether they have pages here), its EPCI
 * ranked across its départements with the same priority score and tie rule as within a département, and its
 * communes' figures and representative points (the région's map draws each commune as a point over the
 * départements' outlines: 4 500 commune outlines would weigh megabytes and take seconds to simplify).
 */
export async function regionPayload(connection: DuckDBConnection, { region, thresholdKm, departements: built }: RegionSettings): Promise<unknown> {
  await requireTables(connection, ["diagnostic_territoires", "diagnostic_communes", "diagnostic_epci", "diagnostic_sources"]);
  const territoires = await queryRows(
    connection,
    "SELECT * FROM diagnostic_territoires WHERE (niveau = 'region' AND code = $region) OR niveau = 'france' ORDER BY niveau DESC",
    { region }
  );
  if (!territoires.some((t) => t.niveau === "region")) throw new Error(`région ${region} absente de diagnostic_territoires`);
  const site = new Set(built);
  // The région's tables and its EPCI ranking are those of `sdin export --region` (one rule, one place).
  const tables = await regionTables(connection, region);
  const departements = tables.departements.map((d) => ({
    code: d.code, nom: d.nom, nb_communes: d.nb_communes, population: d.population, indice_fragilite: d.indice_fragilite,
    population_hors_portee: d.population_hors_portee, part_population_hors_portee: d.part_population_hors_portee, part_locaux_ftth: d.part_locaux_ftth,
    site: site.has(String(d.code))
  }));
  const ranked = tables.epci.map((e) => ({
    rang_region: e.rang_region, epci_siren: e.epci_siren, epci_nom: e.epci_nom, nature: e.nature, code_departement: e.code_departement,
    nb_communes: e.nb_communes, population: e.population, indice_fragilite: e.indice_fragilite, population_hors_portee: e.population_hors_portee,
    part_population_hors_portee: e.part_population_hors_portee, part_locaux_ftth: e.part_locaux_ftth, score_priorite: e.score_priorite, rang_departement: e.rang_priorite
  }));
  const communes = tables.communes.map((c) => ({
    code_insee: c.code_insee, nom: c.nom, code_departement: c.code_departement, population: c.population, indice_fragilite: c.indice_fragilite,
    part_population_hors_portee: c.part_population_hors_portee, rang_priorite: c.rang_priorite, point_lon: c.point_lon, point_lat: c.point_lat
  }));
  const sources = await queryRows(connection, `SELECT ${siteSourceColumns} FROM diagnostic_sources ORDER BY indicateur`);
  return { seuil_km: thresholdKm, territoires, departements, epci: toColumnar(ranked), communes: toColumnar(communes), sources };
}

/** The départements' outlines of a région (object `departements`), or null. */
export async function regionDepartementsTopology(connection: DuckDBConnection, { region }: RegionSettings): Promise<unknown> {
  if (!(await hasTable(connection, "contours_departements"))) return null;
  const rows = await queryRows<ContourRow>(
    connection,
    `SELECT code_departement AS code_insee, nom, geometry FROM contours_departements
     WHERE geometry IS NOT NULL AND code_departement IN (SELECT DISTINCT code_departement FROM diagnostic_communes WHERE code_region = $region)
     ORDER BY code_departement`,
    { region }
  );
  return rows.length ? outlineTopology(rows, "departements", { keep: 0.3 }) : null;
}
