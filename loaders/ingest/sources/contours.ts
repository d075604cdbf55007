import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import type { DuckDBConnection } from "@duckdb/node-api";
import { createTable, hasTable, insertRows, queryRows, quoteIdentifier, type TableSpec } from "../../io/db.ts";
import type { Resource } from "../../io/resource.ts";
import { rememberContours } from "../offre/places.ts";
import type { LoadContext, OpenedResource, Source } from "../source.ts";
import { contoursFileColumns, type OutlineFile, type OutlinesInput, type OutlinesOutput } from "./contours-geometry.ts";

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

/** The geometry's code, run in the load's worker thread. */
const geometryModule = new URL("./contours-geometry.ts", import.meta.url);

export const contours: Source = {
  id: "contours",
  title: "Contours des communes et des départements",
  // Needs the COG index and the names of communes and départements.
  after: ["referentiel"],
  resources: [etalabCommunes, etalabDepartements, departementsSimplifies],
  // The geometry's code is imported in the worker thread while the referential loads.
  prepare({ thread }) {
    thread.preload(geometryModule);
  },
  async load(context) {
    // The national files cover everything; per-département files are the fallback of a mirror without them.
    const national = await context.open(etalabCommunes);
    const communeFiles = national ? [national] : await openMirrorFiles(context, COMMUNE_FILE);
    const departementFiles = await openDepartementFiles(context);
    const opened = [...communeFiles, ...departementFiles];
    // The geometry (≈ 5 s of CPU for France) runs on another thread: the next sources load meanwhile. It writes the
    // rows to a tab-separated file, which DuckDB reads in bulk on its own threads, rather than handing 50 MB of text
    // to this thread to append value by value.
    const folder = await mkdtemp(path.join(tmpdir(), "sdin-contours-"));
    try {
      const table = path.join(folder, "contours.tsv");
      const output = await context.thread.run<OutlinesInput, OutlinesOutput>(geometryModule, "computeOutlines", {
        source: contours.id,
        table,
        communes: communeFiles.map(outlineFile),
        departements: departementFiles.map(outlineFile),
        cog: context.cog.toData(),
        communeNames: await names(context.connection, "communes", "SELECT code_insee AS code, nom FROM communes"),
        departementNames: await names(context.connection, "departements", "SELECT code_departement AS code, nom FROM departements")
      });
      output.counts.forEach((counts, i) => opened[i].ledger.absorb(counts));
      await createTable(context.connection, contoursTable);
      await insertFile(context.connection, table, output);
      rememberContours(context.session, output.outlines);
      await createTable(context.connection, contoursDepartementsTable);
      await insertRows(context.connection, contoursDepartementsTable, output.departements);
    } finally {
      await rm(folder, { recursive: true, force: true });
    }
    const missing = await communesWithoutContour(context.connection);
    if (missing.length > 0) {
      context.log(`  attention : ${missing.length} commune(s) sans contour dans les départements couverts : ${missing.slice(0, 20).join(", ")}`);
    }
  }
};

/**
 * Reads the worker's file (tab-separated, unquoted) into the `contours` table, every column typed as the table declares it and nothing
 * guessed; the row count read must be the count written.
 */
async function insertFile(connection: DuckDBConnection, file: string, output: OutlinesOutput): Promise<void> {
  const columns = contoursFileColumns.map((name) => `'${name}': '${contoursTable.columns[name]}'`).join(", ");
  // DuckDB refuses lines longer than its default of 2 MB unless told: an outline of the national file may be.
  const maxLine = Math.max(2_097_152, output.longestLine + 1024);
  const reader = await connection.runAndReadAll(
    `INSERT INTO ${quoteIdentifier(contoursTable.name)} (${contoursFileColumns.map(quoteIdentifier).join(", ")})
     SELECT * FROM read_csv($file, header = true, auto_detect = false, delim = '\t', quote = '', escape = '',
       columns = {${columns}}, max_line_size = ${maxLine})`,
    { file }
  );
  const inserted = Number(reader.getRowsJS()[0][0]);
  if (inserted !== output.rows) throw new Error(`contours : ${inserted} lignes lues dans ${file} pour ${output.rows} écrites`);
}

function outlineFile(opened: OpenedResource): OutlineFile {
  return { file: opened.acquired.file, name: opened.name };
}

/**
 * Opens every per-département file of the mirror at once (their checksums are computed side by side, rather than
 * one file after another between the other sources' work), kept in name order.
 */
async function openMirrorFiles(context: LoadContext, pattern: RegExp): Promise<OpenedResource[]> {
  const files = await context.listMirror(MIRROR_FOLDER, pattern);
  const opened = await Promise.all(files.map((mirrorPath) => context.open(departementFileResource(mirrorPath))));
  return opened.filter((file): file is OpenedResource => file !== null);
}

/**
 * Département outlines: the national Etalab file; else, in a mirror, the detailed per-département files
 * first and the simplified national file for the others.
 */
async function openDepartementFiles(context: LoadContext): Promise<OpenedResource[]> {
  const national = await context.open(etalabDepartements);
  if (national) return [national];
  const files = await openMirrorFiles(context, DEPARTEMENT_FILE);
  const simplified = await context.open(departementsSimplifies);
  return simplified ? [...files, simplified] : files;
}

/**
 * (code, name) pairs of the referential: names come from the current COG, never from the older outline files.
 * None without the referential's table (a check of the files alone): every département is then unknown.
 */
async function names(connection: DuckDBConnection, table: string, sql: string): Promise<[string, string][]> {
  if (!(await hasTable(connection, table))) return [];
  return (await queryRows<{ code: string; nom: string }>(connection, sql)).map((r) => [r.code, r.nom]);
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
