import { readFile } from "node:fs/promises";
import path from "node:path";
import { bbox } from "@turf/turf";
import type { Feature, Geometry } from "geojson";
import type { DuckDBConnection } from "@duckdb/node-api";
import { currentCodeOrQuarantine } from "../cog.ts";
import { createTable, insertRows, queryRows, type TableSpec } from "../../io/db.ts";
import { areaKm2, dissolve, isAreal, parseGeoJsonFeatures, representativePoint, requireProperty, roundCoordinates, type Areal } from "../../io/geo.ts";
import type { Ledger } from "../../io/ledger.ts";
import { inFrance, rememberContours } from "../offre/places.ts";
import type { Resource } from "../../io/resource.ts";
import type { LoadContext, OpenedResource, Source } from "../source.ts";
import { normaliseCommuneCode, normaliseDepartementCode } from "../../io/values.ts";

/**
 * Commune and département outlines (WGS84), keyed on the current COG. Production reads Etalab's national
 * "contours administratifs" files; a mirror may instead hold one file per département (france-geojson
 * layout, COG 2018): every such file present is loaded, and communes merged since are dissolved into
 * their current commune.
 */

const ETALAB = "https://etalab-datasets.geo.data.gouv.fr/contours-administratifs/2025/geojson";
/** Commit of gregoiredavid/france-geojson the per-département mirror files come from. */
const FRANCE_GEOJSON = "https://raw.githubusercontent.com/gregoiredavid/france-geojson/5d34ee6d0140c29f785fdb047d9329f1aab58833";
const MIRROR_FOLDER = "contours-communes";
const COMMUNE_FILE = /^communes-[0-9AB]{2,3}-.+\.geojson$/;
const DEPARTEMENT_FILE = /^departement-[0-9AB]{2,3}-.+\.geojson$/;

export const etalabCommunes: Resource = {
  id: "etalab-contours-communes",
  title: "Etalab, contours administratifs des communes (généralisés à 100 m)",
  publisher: "Etalab, d'après IGN ADMIN EXPRESS",
  url: `${ETALAB}/communes-100m.geojson`,
  path: "contours-administratifs/2025/communes-100m.geojson",
  vintage: "Contours administratifs 2025 (COG 2025)",
  referenceDate: "2025-01-01",
  urlConfirmedBy: "miroir ../shared/opendata/SOURCES.md (équivalent canonique des contours 2025 d'Etalab)",
  format: "geojson",
  licence: "Licence Ouverte 2.0",
  optional: true
};

export const etalabDepartements: Resource = {
  id: "etalab-contours-departements",
  title: "Etalab, contours administratifs des départements (généralisés à 100 m)",
  publisher: "Etalab, d'après IGN ADMIN EXPRESS",
  url: `${ETALAB}/departements-100m.geojson`,
  path: "contours-administratifs/2025/departements-100m.geojson",
  vintage: "Contours administratifs 2025 (COG 2025)",
  referenceDate: "2025-01-01",
  urlConfirmedBy: "miroir ../shared/opendata/SOURCES.md (équivalent canonique des contours 2025 d'Etalab)",
  format: "geojson",
  licence: "Licence Ouverte 2.0",
  optional: true
};

export const departementsSimplifies: Resource = {
  id: "france-geojson-departements-simplifies",
  title: "Contours simplifiés des 96 départements métropolitains (france-geojson)",
  publisher: "IGN ADMIN EXPRESS-COG, simplifié par france-geojson (G. David)",
  url: `${FRANCE_GEOJSON}/departements-version-simplifiee.geojson`,
  path: `${MIRROR_FOLDER}/departements-version-simplifiee.geojson`,
  vintage: "ADMIN EXPRESS-COG 2018, simplifié à 5 %",
  referenceDate: "2018-01-01",
  urlConfirmedBy: "dépôt public gregoiredavid/france-geojson, commit 5d34ee6d0140",
  replacement: "contours administratifs Etalab de l'année (communes-100m.geojson, départements-100m.geojson)",
  format: "geojson",
  licence: "Licence Ouverte",
  derived: true,
  optional: true
};

/**
 * The resource of one per-département file found in the mirror (`contours-communes/communes-23-creuse.geojson`
 * or `departement-23-creuse.geojson`), with the france-geojson URL it was published at.
 */
export function departementFileResource(mirrorPath: string): Resource {
  const name = path.posix.basename(mirrorPath);
  const [, kind, code, slug] = /^(communes|departement)-([0-9AB]{2,3})-(.+)\.geojson$/.exec(name) ?? [];
  if (!kind) throw new Error(`nom de fichier de contours inattendu : ${name}`);
  return {
    // The file name, not only the code, makes the id: two files for one département stay distinct.
    id: `france-geojson-${name.replace(/\.geojson$/, "")}`,
    title: kind === "communes" ? `Contours des communes du département ${code} (france-geojson)` : `Contour du département ${code} (france-geojson)`,
    publisher: "IGN ADMIN EXPRESS-COG, simplifié par france-geojson (G. David)",
    url: `${FRANCE_GEOJSON}/departements/${code}-${slug}/${name}`,
    path: mirrorPath,
    vintage: "ADMIN EXPRESS-COG 2018, simplifié à 25 %",
    referenceDate: "2018-01-01",
    urlConfirmedBy: "dépôt public gregoiredavid/france-geojson, commit 5d34ee6d0140",
    replacement: "contours administratifs Etalab de l'année (communes-100m.geojson, départements-100m.geojson)",
    format: "geojson",
    licence: "Licence Ouverte",
    derived: true,
    optional: true
  };
}

export const contoursTable: TableSpec = {
  name: "contours",
  columns: {
    code_insee: "VARCHAR",
    nom: "VARCHAR",
    geometry: "VARCHAR",
    point_lon: "DOUBLE",
    point_lat: "DOUBLE",
    surface_km2: "DOUBLE",
    source_file: "VARCHAR"
  },
  primaryKey: ["code_insee"]
};

export const contoursDepartementsTable: TableSpec = {
  name: "contours_departements",
  columns: { code_departement: "VARCHAR", nom: "VARCHAR", geometry: "VARCHAR", source_file: "VARCHAR" },
  primaryKey: ["code_departement"]
};

type AnyFeature = Feature<Geometry | null, Record<string, unknown> | null>;

/** One usable outline read from a file, already keyed on the current commune. */
interface CommunePart {
  code: string;
  geometry: Areal;
  file: string;
}

/** Feature numbers stand for line numbers in the quarantine: say so, a GeoJSON file is often one line. */
const FEATURE_NOTE = "(ligne = numéro de l'entité GeoJSON)";

export const contours: Source = {
  id: "contours",
  title: "Contours des communes et des départements",
  resources: [etalabCommunes, etalabDepartements, departementsSimplifies],
  async load(context) {
    await loadCommunes(context);
    await loadDepartements(context);
  }
};

async function loadCommunes(context: LoadContext): Promise<void> {
  // The national file covers everything; per-département files are the fallback of a mirror without it.
  const national = await context.open(etalabCommunes);
  const files = national ? [national] : await openMirrorFiles(context, COMMUNE_FILE);
  const parts: CommunePart[] = [];
  for (const opened of files) parts.push(...(await readCommuneParts(context, opened)));
  const names = await communeNames(context.connection);
  const outlines = [...groupByCode(parts)].map(([code, group]) => communeRow(code, group, names.get(code) ?? null));
  await createTable(context.connection, contoursTable);
  await insertRows(context.connection, contoursTable, outlines.map((o) => o.row));
  rememberContours(context.connection, outlines.map((o) => ({ code_insee: o.row.code_insee, geometry: o.geometry })));
  const missing = await communesWithoutContour(context.connection);
  if (missing.length > 0) {
    context.log(`  attention : ${missing.length} commune(s) sans contour dans les départements couverts : ${missing.slice(0, 20).join(", ")}`);
  }
}

async function openMirrorFiles(context: LoadContext, pattern: RegExp): Promise<OpenedResource[]> {
  const opened: OpenedResource[] = [];
  for (const mirrorPath of await context.listMirror(MIRROR_FOLDER, pattern)) {
    const file = await context.open(departementFileResource(mirrorPath));
    if (file) opened.push(file);
  }
  return opened;
}

async function readFeatures(opened: OpenedResource, property: string): Promise<AnyFeature[]> {
  const features = parseGeoJsonFeatures(await readFile(opened.acquired.file), { source: contours.id, file: opened.name });
  requireProperty(features, property, opened.ledger);
  return features;
}

/** Reads a commune file: each feature is counted, then kept (re-keyed on the current COG) or quarantined. */
async function readCommuneParts(context: LoadContext, opened: OpenedResource): Promise<CommunePart[]> {
  const { ledger } = opened;
  const parts: CommunePart[] = [];
  (await readFeatures(opened, "code")).forEach((feature, i) => {
    ledger.read();
    const line = i + 1;
    const raw = String(feature.properties?.code ?? "");
    if (!isAreal(feature.geometry)) {
      ledger.quarantine(line, "geometry", feature.geometry?.type ?? null, `géométrie absente ou non surfacique ${FEATURE_NOTE}`);
      return;
    }
    // An outline abroad (longitude and latitude swapped, a wrong projection) would place the commune's point,
    // and every distance from it, in another continent.
    const [west, south, east, north] = bbox(feature.geometry);
    if (!inFrance(south, west) || !inFrance(north, east)) {
      ledger.quarantine(line, "geometry", `[${[west, south, east, north].map((v) => v.toFixed(3)).join(", ")}]`, `contour hors de France (longitude et latitude inversées ?) ${FEATURE_NOTE}`);
      return;
    }
    const code = currentCodeOrQuarantine(context.cog, normaliseCommuneCode(raw), raw, ledger, line, `code ${FEATURE_NOTE}`);
    if (!code) return;
    parts.push({ code, geometry: feature.geometry, file: opened.name });
    ledger.loaded(); // merged parts each reach the database, inside their current commune's outline
  });
  return parts;
}

function groupByCode(parts: CommunePart[]): Map<string, CommunePart[]> {
  const groups = new Map<string, CommunePart[]>();
  for (const part of parts) groups.set(part.code, [...(groups.get(part.code) ?? []), part]);
  return groups;
}

/** One `contours` row (and the geometry its text encodes): merged communes dissolved, coordinates rounded, point and area computed on what is stored. */
function communeRow(code: string, group: CommunePart[], nom: string | null) {
  const geometry = roundCoordinates(dissolve(group.map((p) => p.geometry)));
  const [point_lon, point_lat] = representativePoint(geometry);
  const row = {
    code_insee: code,
    nom,
    geometry: JSON.stringify(geometry),
    point_lon,
    point_lat,
    surface_km2: Math.round(areaKm2(geometry) * 1000) / 1000,
    source_file: [...new Set(group.map((p) => p.file))].join(", ")
  };
  return { row, geometry };
}

/** Names come from the referential (current COG), never from the outline file (older vintage). */
async function communeNames(connection: DuckDBConnection): Promise<Map<string, string>> {
  const rows = await queryRows<{ code_insee: string; nom: string }>(connection, `SELECT code_insee, nom FROM communes`);
  return new Map(rows.map((r) => [r.code_insee, r.nom]));
}

/**
 * Current communes of every département that has at least one outline, but no outline themselves
 * (a commune created since the outlines' vintage, a file cut short). Empty when nothing is lost.
 */
export async function communesWithoutContour(connection: DuckDBConnection): Promise<string[]> {
  const rows = await queryRows<{ code_insee: string }>(
    connection,
    `SELECT c.code_insee FROM communes c
     WHERE c.code_departement IN (SELECT DISTINCT k.code_departement FROM contours t JOIN communes k USING (code_insee))
       AND c.code_insee NOT IN (SELECT code_insee FROM contours)
     ORDER BY c.code_insee`
  );
  return rows.map((r) => r.code_insee);
}

/**
 * Département outlines: the national Etalab file; else, in a mirror, the detailed per-département files
 * first and the simplified national file for the others.
 */
async function loadDepartements(context: LoadContext): Promise<void> {
  const national = await context.open(etalabDepartements);
  const files = national ? [national] : await openMirrorFiles(context, DEPARTEMENT_FILE);
  if (!national) {
    const simplified = await context.open(departementsSimplifies);
    if (simplified) files.push(simplified);
  }
  const names = new Map(
    (await queryRows<{ code_departement: string; nom: string }>(context.connection, `SELECT code_departement, nom FROM departements`)).map((r) => [r.code_departement, r.nom])
  );
  const rows = new Map<string, { code_departement: string; nom: string; geometry: string; source_file: string }>();
  for (const opened of files) {
    (await readFeatures(opened, "code")).forEach((feature, i) => readDepartement(feature, i + 1, opened, names, rows));
  }
  await createTable(context.connection, contoursDepartementsTable);
  await insertRows(context.connection, contoursDepartementsTable, rows.values());
}

function readDepartement(
  feature: AnyFeature,
  line: number,
  { ledger, name: file }: OpenedResource,
  names: Map<string, string>,
  rows: Map<string, { code_departement: string; nom: string; geometry: string; source_file: string }>
): void {
  ledger.read();
  const raw = String(feature.properties?.code ?? "");
  const code = normaliseDepartementCode(raw);
  if (!isAreal(feature.geometry)) return quarantine(ledger, line, "geometry", feature.geometry?.type ?? null, "géométrie absente ou non surfacique");
  if (!code || !names.has(code)) return quarantine(ledger, line, "code", raw, "code de département absent du référentiel");
  const kept = rows.get(code);
  if (kept) return quarantine(ledger, line, "code", raw, `département déjà couvert par un contour plus précis (${kept.source_file})`);
  rows.set(code, { code_departement: code, nom: names.get(code)!, geometry: JSON.stringify(roundCoordinates(feature.geometry)), source_file: file });
  ledger.loaded();
}

function quarantine(ledger: Ledger, line: number, column: string, value: unknown, reason: string): void {
  ledger.quarantine(line, `${column} ${FEATURE_NOTE}`, value, reason);
}
