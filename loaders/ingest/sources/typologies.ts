import { readFile } from "node:fs/promises";
import path from "node:path";
import type { CogIndex } from "../cog.ts";
import { currentCodeOrQuarantine } from "../cog.ts";
import { groupBy } from "../../io/group.ts";
import { createTable, insertRows, type TableSpec } from "../../io/db.ts";
import { SourceError } from "../../io/errors.ts";
import { parseGeoJsonFeatures, requireProperty } from "../../io/geo.ts";
import type { Ledger } from "../../io/ledger.ts";
import type { Resource } from "../../io/resource.ts";
import type { LoadContext, OpenedResource, Source } from "../source.ts";
import { csvTable, decodeText, parseCsv, readCsv, readText, type CsvRows, type CsvTable } from "../../io/text.ts";
import { parseXlsxSheet, sheetTable } from "../../io/xlsx.ts";
import { isZip } from "../../io/zip.ts";
import { isMissing, normaliseCommuneCode } from "../../io/values.ts";

/**
 * Territory typologies per current commune: France Ruralités Revitalisation classification, INSEE's 7-level
 * density grid, ANCT/Inrae centrality levels, and the communes hosting a QPV (quartier prioritaire).
 * Funding levers depend on them, so they belong in the commune row.
 */

/** ANCT cartography repository the derived per-commune files come from (pinned commit). */
const SUPERPOSEUR = "https://raw.githubusercontent.com/anct-carto/superposeur-V2/3f2b0c0b87604a13831a9f214988878b6a4cb67e/data";

export const frrResource: Resource = {
  id: "dgcl-frr",
  title: "DGCL, classement des communes en France Ruralités Revitalisation (FRR, FRR+) — conversion CSV du classeur officiel",
  publisher: "DGCL / ANCT (programme France Ruralités)",
  url:
    "https://www.collectivites-locales.gouv.fr/files/files/3.%20Animer%20les%20territoires/5.%20La%20coh%C3%A9sion%20territoriale%20et%20l'am%C3%A9nagement%20du%20territoire/Liste%20communes%20FRR_juillet2025.xlsx",
  path: "dgcl-france-ruralites/liste-communes-FRR-juillet2025.csv",
  vintage: "Classement au 10 juillet 2025 (COG 2025)",
  referenceDate: "2025-07-10",
  format: "csv",
  licence: "Licence Ouverte 2.0",
  // The mirror holds a CSV conversion of the official workbook made by a third party (benefriches).
  derived: true
};

export const densiteResource: Resource = {
  id: "ot-grille-densite",
  title: "Grille communale de densité à 7 niveaux (INSEE), extraite de l'Observatoire des territoires par l'ANCT",
  publisher: "INSEE, diffusé par l'ANCT (Observatoire des territoires)",
  // INSEE's own workbook (https://www.insee.fr/fr/information/6439600) has another layout (numeric DENS code):
  // this module reads the ANCT per-commune CSV, whose labels lost their numeric code.
  url: `${SUPERPOSEUR}/grilles/densite.csv`,
  path: "grilles-communales-ot/densite.csv",
  vintage: "Grille de densité (millésime non indiqué), COG 2025",
  // Vintage not stated; on the COG 2025 geography, so it describes no later than 1 January 2025.
  referenceDate: "2025-01-01",
  urlConfirmedBy: "dépôt public anct-carto/superposeur-V2, commit 3f2b0c0b8760",
  format: "csv",
  licence: "Licence Ouverte 2.0 (données INSEE)",
  derived: true
};

export const centraliteResource: Resource = {
  id: "ot-niveaux-centralite",
  title: "Niveaux de centralité des communes (ANCT / Inrae), extraits de l'Observatoire des territoires par l'ANCT",
  publisher: "ANCT / Inrae (Observatoire des territoires)",
  url: `${SUPERPOSEUR}/grilles/centralite.csv`,
  path: "grilles-communales-ot/centralite.csv",
  vintage: "Niveaux de centralité (millésime non indiqué), COG 2025",
  // Vintage not stated; on the COG 2025 geography, so it describes no later than 1 January 2025.
  referenceDate: "2025-01-01",
  urlConfirmedBy: "dépôt public anct-carto/superposeur-V2, commit 3f2b0c0b8760",
  format: "csv",
  licence: "Licence Ouverte 2.0",
  derived: true
};

export const qpvListeResource: Resource = {
  id: "anct-qpv-2024-liste",
  title: "ANCT, liste des quartiers prioritaires de la politique de la ville 2024 et de leurs communes",
  publisher: "ANCT",
  url: "https://www.data.gouv.fr/api/1/datasets/r/4c6bb7f3-97b6-4834-8a3a-f5f8b3e6735b",
  path: "qpv-2024/listeqp2024-cog2024.csv",
  vintage: "QPV 2024 (COG 2024)",
  referenceDate: "2024-01-01",
  format: "csv",
  licence: "Licence Ouverte 2.0",
  optional: true
};

export const qpvCommunesResource: Resource = {
  id: "anct-qpv-2024-communes",
  title: "Communes comptant au moins un QPV 2024 (agrégation par commune de la liste ANCT, service cartographie de l'ANCT)",
  publisher: "ANCT (service cartographie), d'après la liste officielle des QPV 2024",
  url: `${SUPERPOSEUR}/admin/centroide-4326_qpv.geojson`,
  path: "qpv-2024/centroide-4326_qpv.geojson",
  vintage: "QPV 2024 (COG 2024)",
  referenceDate: "2024-01-01",
  urlConfirmedBy: "dépôt public anct-carto/superposeur-V2, commit 3f2b0c0b8760",
  format: "geojson",
  licence: "Licence Ouverte 2.0",
  derived: true
};

export const typologiesTable: TableSpec = {
  name: "typologies",
  columns: {
    code_insee: "VARCHAR",
    frr: "VARCHAR",
    frr_classee: "BOOLEAN",
    densite_code: "INTEGER",
    densite_libelle: "VARCHAR",
    centralite: "VARCHAR"
  },
  primaryKey: ["code_insee"]
};

export const qpvTable: TableSpec = {
  name: "qpv",
  columns: { code_insee: "VARCHAR", code_qp: "VARCHAR" },
  primaryKey: ["code_insee", "code_qp"]
};

/** INSEE's codes of the density grid, from the labels the ANCT file kept (it cut `"1 - "` off each label). */
export const DENSITE_CODES: Record<string, number> = {
  "Grands centres urbains": 1,
  "Centres urbains intermédiaires": 2,
  "Ceintures urbaines": 3,
  "Petites villes": 4,
  "Bourgs ruraux": 5,
  "Rural à habitat dispersé": 6,
  "Rural à habitat très dispersé": 7
};

const FRR_NOT_CLASSIFIED = "Non classée";
const FRR_LABEL_PREFIX = "Classement FRR";

/** One value read for a commune, keyed on the current COG, with where it came from. */
interface Keyed<T> {
  code: string;
  old: string;
  line: number;
  value: T;
}

export const typologies: Source = {
  id: "typologies",
  title: "Typologies des communes (FRR, densité, centralité) et quartiers prioritaires",
  // Needs the COG index.
  after: ["referentiel"],
  resources: [frrResource, densiteResource, centraliteResource, qpvListeResource, qpvCommunesResource],
  async load(context) {
    const frr = await loadColumn(context, frrResource, readFrr);
    const densite = await loadColumn(context, densiteResource, readDensite);
    const centralite = await loadColumn(context, centraliteResource, readCentralite);
    const codes = [...new Set([...frr.keys(), ...densite.keys(), ...centralite.keys()])].sort();
    await createTable(context.connection, typologiesTable);
    await insertRows(context.connection, typologiesTable, codes.map((code) => ({
      code_insee: code,
      frr: frr.get(code) ?? null,
      frr_classee: frr.has(code) ? frr.get(code) !== FRR_NOT_CLASSIFIED : null,
      densite_code: densite.has(code) ? DENSITE_CODES[densite.get(code)!] : null,
      densite_libelle: densite.get(code) ?? null,
      centralite: centralite.get(code) ?? null
    })));
    await createTable(context.connection, qpvTable);
    await insertRows(context.connection, qpvTable, await loadQpv(context));
  }
};

type Reader<T> = (table: CsvRows, ledger: Ledger, cog: CogIndex) => Keyed<T>[];

/** Reads one CSV resource into a value per current commune; merged communes are reconciled (see `reconcile`). */
async function loadColumn<T>(context: LoadContext, resource: Resource, read: Reader<T>): Promise<Map<string, T>> {
  const opened = await context.open(resource);
  if (!opened) return new Map();
  const bytes = await readFile(opened.acquired.file);
  // Production downloads the official FRR workbook; mirrors hold its CSV conversion.
  const table = isZip(bytes)
    ? await readWorkbookTable(bytes, opened.ledger, FRR_LABEL_PREFIX)
    : readCsv(decodeText(bytes, { source: typologies.id, file: path.basename(opened.acquired.file) }).text, opened.ledger);
  return reconcile(read(table, opened.ledger, context.cog), opened.ledger);
}

/**
 * Reads the first sheet of an xlsx workbook as a CSV table, with the shared workbook reader (empty file, HTML page
 * and decompression-bomb checks): the header is the first of the top 30 rows that has a cell starting with
 * `headerPrefix` (title lines may sit above it); each non-empty row below is counted.
 */
export async function readWorkbookTable(bytes: Uint8Array, ledger: Ledger, headerPrefix: string): Promise<CsvTable> {
  const where = { source: ledger.source, file: ledger.file };
  const sheet = await parseXlsxSheet(bytes, null, where);
  const table = sheetTable(sheet, where, { headerContains: { label: `${headerPrefix}…`, test: (cell) => cell.trim().startsWith(headerPrefix) } });
  const rows: CsvTable["rows"] = table.rows.map(({ line, values }) => {
    ledger.read();
    return { line, values: Object.fromEntries(Object.entries(values).map(([name, value]) => [name, value.trim()])) };
  });
  return csvTable(table.header, table.headerLine, rows);
}

/**
 * One value per current commune. Old communes merged into one current commune usually share their
 * classification; when they do not, the value of the part that kept the code (the chef-lieu) wins, or the first
 * one read, and the differing parts are quarantined: a category cannot be added up like a count.
 */
export function reconcile<T>(rows: Keyed<T>[], ledger: Ledger): Map<string, T> {
  const result = new Map<string, T>();
  for (const [code, group] of groupBy(rows, (row) => row.code)) {
    const kept = group.find((row) => row.old === code) ?? group[0];
    result.set(code, kept.value);
    for (const row of group) {
      if (row.value === kept.value) ledger.loaded();
      else ledger.quarantine(row.line, "code", row.old, `commune fusionnée dans ${code} : valeur « ${String(row.value)} » différente de celle retenue (« ${String(kept.value)} »)`);
    }
  }
  return result;
}

/** FRR: the label column's name carries the date of the classification, so it is found by its prefix. */
export function readFrr(table: CsvRows, ledger: Ledger, cog: CogIndex): Keyed<string>[] {
  // `Code_insee` in the CSV conversion; the workbook's own spelling may differ in case and separators.
  const code = table.header.find((name) => name.toLowerCase().replace(/[^a-z]/g, "") === "codeinsee");
  if (!code) requireColumns(table, ["Code_insee"], ledger);
  const label = table.header.find((name) => name.startsWith(FRR_LABEL_PREFIX));
  if (!label) throw new SourceError(ledger.at(table.headerLine, `${FRR_LABEL_PREFIX}…`), "colonne du classement FRR absente (nom commençant par « Classement FRR » attendu)");
  return readLabels(table, ledger, cog, code!, label, (value) => (isMissing(value) ? "classement FRR vide" : null));
}

/** Density: labels without their code; an unknown label is quarantined, never guessed. */
export function readDensite(table: CsvRows, ledger: Ledger, cog: CogIndex): Keyed<string>[] {
  requireColumns(table, ["insee_com", "niveau_densite"], ledger);
  return readLabels(table, ledger, cog, "insee_com", "niveau_densite", (value) =>
    value in DENSITE_CODES ? null : "niveau de densité inconnu (7 libellés INSEE attendus)"
  );
}

/** Centrality: ` - undefined` (and an empty cell) mean "no level", loaded as null. */
export function readCentralite(table: CsvRows, ledger: Ledger, cog: CogIndex): Keyed<string | null>[] {
  requireColumns(table, ["insee_com", "niveau_centralite"], ledger);
  return readLabels<string | null>(table, ledger, cog, "insee_com", "niveau_centralite", () => null, (value) =>
    isMissing(value) || /^\s*-\s*undefined\s*$/i.test(value) ? null : value
  );
}

function readLabels<T = string>(
  table: CsvRows,
  ledger: Ledger,
  cog: CogIndex,
  codeColumn: string,
  valueColumn: string,
  problem: (value: string) => string | null,
  convert: (value: string) => T = (value) => value as T
): Keyed<T>[] {
  const rows: Keyed<T>[] = [];
  table.forEach(({ line, values }) => {
    const raw = values[codeColumn];
    const old = normaliseCommuneCode(raw);
    const value = values[valueColumn].trim();
    const issue = problem(value);
    if (issue) {
      ledger.quarantine(line, valueColumn, value, issue);
      return;
    }
    const code = currentCodeOrQuarantine(cog, old, raw, ledger, line, codeColumn);
    if (code) rows.push({ code, old: old!, line, value: convert(value) });
  });
  return rows;
}

function requireColumns(table: CsvRows, columns: string[], ledger: Ledger): void {
  for (const column of columns) {
    if (!table.header.includes(column)) throw new SourceError(ledger.at(table.headerLine, column), `colonne obligatoire absente (en-tête lu : ${table.header.join(", ")})`);
  }
}

/** The official one-row-per-QPV list when it is there; else the per-commune file derived from it. */
async function loadQpv(context: LoadContext): Promise<{ code_insee: string; code_qp: string }[]> {
  const liste = await context.open(qpvListeResource);
  if (liste) {
    const { text } = await readText(liste.acquired.file, typologies.id);
    return uniquePairs(parseQpvListe(text, liste.ledger, context.cog));
  }
  const communes = await context.open(qpvCommunesResource);
  return communes ? uniquePairs(await readQpvCommunes(communes, context.cog)) : [];
}

/** Code of a QPV: `QN`, the département (`023`, `02A`, `971`), a number and a letter (`QN02301M`, `QN02A02M`). */
const QP_CODE = /^QN[0-9][0-9AB][0-9A-Z]{2,5}$/;

/**
 * Parses the official QPV list (`;`, BOM, trailing empty columns). Its `insee_com` cell may be wrapped as an
 * Excel formula (`="02691"`), have lost its leading zero (`2691`), or name several communes (`02571; 02691`).
 * A row yields one pair per commune; a row with any unusable commune is quarantined whole, so that a QPV is
 * never half-attached without a trace.
 */
export function parseQpvListe(text: string, ledger: Ledger, cog: CogIndex): { code_insee: string; code_qp: string }[] {
  const table = parseCsv(text, ledger, { delimiter: ";", required: ["code_qp", "insee_com"] });
  const pairs: { code_insee: string; code_qp: string }[] = [];
  for (const { line, values } of table.rows) {
    const codeQp = values.code_qp.replace(/^="?|"$/g, "").trim().toUpperCase();
    if (!QP_CODE.test(codeQp)) {
      ledger.quarantine(line, "code_qp", values.code_qp, "code de quartier prioritaire mal formé");
      continue;
    }
    const communes = splitCommuneCell(values.insee_com).map((raw) => ({ raw, code: toCurrent(cog, raw) }));
    const bad = communes.find((c) => c.code === null);
    if (communes.length === 0 || bad) {
      ledger.quarantine(line, "insee_com", values.insee_com, bad ? `code commune inconnu ou mal formé : « ${bad.raw} »` : "aucune commune");
      continue;
    }
    for (const { code } of communes) pairs.push({ code_insee: code!, code_qp: codeQp });
    ledger.loaded();
  }
  return pairs;
}

/** `="02571; 02691"` → [`02571`, `02691`]. */
export function splitCommuneCell(raw: string): string[] {
  return raw.replace(/^\s*="?|"\s*$/g, "").split(/\s*[;,]\s*/).map((s) => s.trim()).filter(Boolean);
}

function toCurrent(cog: CogIndex, raw: string): string | null {
  const code = normaliseCommuneCode(raw);
  return code === null ? null : cog.toCurrent(code);
}

/**
 * Reads the derived per-commune file: one Point per commune, `code_qp` holds the commune's QPV joined with
 * `", "` (split it), `lib_qp` their names (not split: names contain commas), `lib_com` is unreliable (unused).
 */
async function readQpvCommunes(opened: OpenedResource, cog: CogIndex): Promise<{ code_insee: string; code_qp: string }[]> {
  const { ledger } = opened;
  const features = parseGeoJsonFeatures(await readFile(opened.acquired.file), { source: typologies.id, file: opened.name });
  requireProperty(features, "insee_com", ledger);
  requireProperty(features, "code_qp", ledger);
  const pairs: { code_insee: string; code_qp: string }[] = [];
  features.forEach((feature, i) => {
    ledger.read();
    const line = i + 1; // feature number, a GeoJSON file has no meaningful lines
    const raw = String(feature.properties?.insee_com ?? "");
    const codes = String(feature.properties?.code_qp ?? "").split(", ").map((c) => c.trim());
    const badQp = codes.find((c) => !QP_CODE.test(c));
    if (badQp !== undefined) {
      ledger.quarantine(line, "code_qp (entité GeoJSON n°)", feature.properties?.code_qp, `code de quartier prioritaire mal formé : « ${badQp} »`);
      return;
    }
    const code = currentCodeOrQuarantine(cog, normaliseCommuneCode(raw), raw, ledger, line, "insee_com (entité GeoJSON n°)");
    if (!code) return;
    for (const codeQp of codes) pairs.push({ code_insee: code, code_qp: codeQp });
    ledger.loaded();
  });
  return pairs;
}

/** The same commune–QPV pair can arrive twice (arrondissements folded into their commune). */
function uniquePairs(pairs: { code_insee: string; code_qp: string }[]): { code_insee: string; code_qp: string }[] {
  const seen = new Map(pairs.map((p) => [`${p.code_insee} ${p.code_qp}`, p]));
  return [...seen.values()].sort((a, b) => a.code_insee.localeCompare(b.code_insee) || a.code_qp.localeCompare(b.code_qp));
}
