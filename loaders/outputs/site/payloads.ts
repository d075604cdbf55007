import type { DuckDBConnection } from "@duckdb/node-api";
import { existsSync, readdirSync, statSync } from "node:fs";
import path from "node:path";
import { hasTable, queryRows } from "../../io/db.ts";
import { exportFileNames } from "./exports.ts";
import { readModel } from "../read-model.ts";
import { requireTables, toColumnar, type SiteSettings } from "./loader.ts";
import { communeTopology, outlineTopology, type ContourRow } from "./topology.ts";

/**
 * What each data file of a département's site holds, computed from the database. The Framework data loaders of
 * the one-département site (`src/data/*.json.ts`) run one of these each; the site of several départements calls
 * them in one process for every département (loaders/outputs/site/national.ts), reusing one connection.
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

/** Every file loaded (source, vintage, URL, sha256, rows) and the quarantined rows summarised by reason. */
export const provenancePayload: Payload = async (connection, { departement }) => {
  const model = readModel(connection, departement);
  return { fichiers: await model.provenance(), quarantaine: await model.quarantine() };
};

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
