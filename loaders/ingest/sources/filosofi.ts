import { listValue, type DuckDBConnection } from "@duckdb/node-api";
import { currentCodeOrQuarantine, type CogIndex } from "../cog.ts";
import { createTable, hasTable, insertRows, queryRows, type TableSpec } from "../../io/db.ts";
import { SourceError } from "../../io/errors.ts";
import { groupBy } from "../../io/group.ts";
import type { Ledger } from "../../io/ledger.ts";
import type { Resource } from "../../io/resource.ts";
import type { LoadContext, Source } from "../source.ts";
import { readCsv } from "../../io/text.ts";
import { normaliseCommuneCode, parseNumber } from "../../io/values.ts";
import { readTextMaybeZipped } from "../../io/zip.ts";

/**
 * INSEE Filosofi, base communale "revenus, pauvreté et niveau de vie" (géographie au 1er janvier 2024).
 * INSEE ships one zip holding a file per level (communes, EPCI, départements, régions…); a mirror may hold
 * the CSV files themselves. Every resource accepts either.
 */
const FILOSOFI_ZIP = "https://www.insee.fr/fr/statistiques/fichier/7756729/base-cc-filosofi-2021-geo2024_csv.zip";
const FOLDER = "insee-filosofi-2021";
const VINTAGE = "Filosofi 2021, géographie au 1er janvier 2024";

function filosofiResource(level: string, title: string, optional: boolean): Resource {
  return {
    id: `insee-filosofi-${level.toLowerCase()}`,
    title: `INSEE, Filosofi 2021 : revenus, pauvreté et niveau de vie (${title})`,
    publisher: "INSEE",
    url: FILOSOFI_ZIP,
    path: `${FOLDER}/cc_filosofi_2021_${level}.csv`,
    vintage: VINTAGE,
    referenceDate: "2021-12-31",
    replacement: "Filosofi de l'année suivante (l'INSEE en publie une édition chaque année)",
    format: "zip",
    licence: "Licence Ouverte 2.0",
    ...(optional ? { optional: true } : {})
  };
}

export const filosofiCommunesResource = filosofiResource("COM", "communes", false);

/** Levels above the commune, loaded into `filosofi_territoires` when their files are present. */
export const filosofiLevels = [
  { niveau: "epci", resource: filosofiResource("EPCI", "EPCI", true), code: /^\d{9}$/ },
  { niveau: "departement", resource: filosofiResource("DEP", "départements", true), code: /^(\d{2}|2[AB]|97\d)$/ },
  { niveau: "region", resource: filosofiResource("REG", "régions", true), code: /^\d{2}$/ }
] as const;

export const filosofiTable: TableSpec = {
  name: "filosofi",
  columns: {
    code_insee: "VARCHAR",
    millesime: "VARCHAR",
    nb_menages_fisc: "DOUBLE",
    nb_personnes_fisc: "DOUBLE",
    mediane_niveau_vie: "DOUBLE",
    taux_pauvrete: "DOUBLE"
  },
  primaryKey: ["code_insee"]
};

export const filosofiTerritoiresTable: TableSpec = {
  name: "filosofi_territoires",
  columns: { niveau: "VARCHAR", code: "VARCHAR", millesime: "VARCHAR", taux_pauvrete: "DOUBLE", mediane_niveau_vie: "DOUBLE" },
  primaryKey: ["niveau", "code"]
};

/** People in tax households per commune code as published, to weight rates of communes merged since. */
export const poidsCommunesAnciennesTable: TableSpec = {
  name: "poids_communes_anciennes",
  columns: { code_ancien: "VARCHAR", personnes: "DOUBLE" },
  primaryKey: ["code_ancien"]
};

export interface FilosofiRow {
  code_insee: string;
  millesime: string;
  nb_menages_fisc: number | null;
  nb_personnes_fisc: number | null;
  mediane_niveau_vie: number | null;
  taux_pauvrete: number | null;
}

export interface ParsedFilosofiCommunes {
  millesime: string;
  /** One row per current commune. */
  rows: FilosofiRow[];
  /** NBPERSMENFISC per code as published (old codes and arrondissements included). */
  weights: { code_ancien: string; personnes: number | null }[];
}

/** Arrondissements municipaux of Paris, Marseille and Lyon, and the commune each belongs to. */
export function arrondissementParent(code: string): string | null {
  if (/^751(0[1-9]|1\d|20)$/.test(code)) return "75056";
  if (/^132(0[1-9]|1[0-6])$/.test(code)) return "13055";
  if (/^6938[1-9]$/.test(code)) return "69123";
  return null;
}

/** Finds the two-digit year of a Filosofi file from its median column (`MED21`), failing with the header line. */
export function filosofiYear(header: string[], ledger: Ledger, headerLine = 1): string {
  const years = header.map((name) => /^MED(\d{2})$/.exec(name)?.[1]).filter((y): y is string => Boolean(y));
  if (years.length === 0) throw new SourceError(ledger.at(headerLine, "MEDaa"), "colonne de la médiane du niveau de vie (MEDaa) introuvable dans l'en-tête");
  return years.sort().at(-1)!;
}

/**
 * Parses the commune file: re-keys every row on the current COG, sums the counts of merged communes and
 * weights their median and poverty rate by people; a merged commune with any secret part gets no rate, since
 * a partial value would pass for the whole commune. Paris, Lyon and Marseille are published both whole and
 * per arrondissement: the whole commune is kept and the arrondissements are set aside with that reason.
 */
export function parseFilosofiCommunes(text: string, ledger: Ledger, cog: CogIndex): ParsedFilosofiCommunes {
  const table = readCsv(text, ledger, { delimiter: ";", required: ["CODGEO"] });
  const yy = filosofiYear(table.header, ledger, table.headerLine);
  const columns = { menages: `NBMENFISC${yy}`, personnes: `NBPERSMENFISC${yy}`, mediane: `MED${yy}`, taux: `TP60${yy}` };
  checkColumns(table.header, Object.values(columns), ledger, table.headerLine);
  const millesime = `Filosofi 20${yy}`;
  const parts: (FilosofiRow & { line: number })[] = [];
  const weights: ParsedFilosofiCommunes["weights"] = [];
  /** Codes read so far: every code of the file once all rows are read. */
  const seen = new Set<string>();
  const keep = (line: number, published: string, code: string | null, numbers: Record<keyof typeof columns, number | null>) => {
    const parent = code ? arrondissementParent(code) : null;
    if (parent && seen.has(parent)) {
      ledger.quarantine(line, "CODGEO", published, `arrondissement municipal : la commune entière ${parent} est chargée à sa place`);
      return;
    }
    const current = currentCodeOrQuarantine(cog, code, published, ledger, line, "CODGEO");
    if (!current) return;
    parts.push({
      line, code_insee: current, millesime, nb_menages_fisc: numbers.menages, nb_personnes_fisc: numbers.personnes,
      mediane_niveau_vie: numbers.mediane, taux_pauvrete: numbers.taux
    });
    ledger.loaded();
  };
  // An arrondissement read before its whole commune is settled once every row is read (the file lists codes in
  // order, so the whole commune comes first and nothing waits).
  const waiting: Parameters<typeof keep>[] = [];
  table.forEach(({ line, values }) => {
    const code = normaliseCommuneCode(values.CODGEO);
    if (code && seen.has(code)) {
      ledger.quarantine(line, "CODGEO", values.CODGEO, "code commune en double dans le fichier : seule la première ligne est chargée");
      return;
    }
    if (code) seen.add(code);
    const numbers = readNumbers(values, columns, ledger, line);
    if (!numbers) return;
    if (code) weights.push({ code_ancien: code, personnes: numbers.personnes });
    const parent = code ? arrondissementParent(code) : null;
    if (parent && !seen.has(parent)) waiting.push([line, values.CODGEO, code, numbers]);
    else keep(line, values.CODGEO, code, numbers);
  });
  for (const args of waiting) keep(...args);
  return { millesime, rows: mergeFilosofiParts(parts), weights };
}

function checkColumns(header: string[], names: string[], ledger: Ledger, headerLine: number): void {
  for (const name of names) {
    if (!header.includes(name)) throw new SourceError(ledger.at(headerLine, name), "colonne obligatoire absente");
  }
}

/** The row's numbers, or null (row quarantined) when a cell is neither a number nor a secrecy mark. */
function readNumbers<K extends string>(values: Record<string, string>, columns: Record<K, string>, ledger: Ledger, line: number): Record<K, number | null> | null {
  const out = {} as Record<K, number | null>;
  for (const [key, column] of Object.entries(columns) as [K, string][]) {
    const value = parseNumber(values[column]);
    if (value !== null && Number.isNaN(value)) {
      ledger.quarantine(line, column, values[column], "valeur numérique illisible");
      return null;
    }
    out[key] = value;
  }
  return out;
}

/** Adds up counts and weights the median and the rate by people for communes merged since the file's geography. */
export function mergeFilosofiParts(parts: FilosofiRow[]): FilosofiRow[] {
  const groups = groupBy(parts, (p) => p.code_insee);
  return [...groups.values()].map((group) => {
    const strip = ({ code_insee, millesime, nb_menages_fisc, nb_personnes_fisc, mediane_niveau_vie, taux_pauvrete }: FilosofiRow): FilosofiRow =>
      ({ code_insee, millesime, nb_menages_fisc, nb_personnes_fisc, mediane_niveau_vie, taux_pauvrete });
    if (group.length === 1) return strip(group[0]);
    const weight = (row: FilosofiRow) => row.nb_personnes_fisc;
    return {
      ...strip(group[0]),
      nb_menages_fisc: sumOrNull(group.map((r) => r.nb_menages_fisc)),
      nb_personnes_fisc: sumOrNull(group.map((r) => r.nb_personnes_fisc)),
      // A weighted mean of medians is not the median of the merged commune, but the closest figure the
      // published data allow; INSEE's own later vintages recompute it on the new geography.
      mediane_niveau_vie: weightedOrNull(group, (r) => r.mediane_niveau_vie, weight),
      taux_pauvrete: weightedOrNull(group, (r) => r.taux_pauvrete, weight)
    };
  });
}

function sumOrNull(values: (number | null)[]): number | null {
  return values.some((v) => v === null) ? null : values.reduce<number>((a, b) => a + b!, 0);
}

/** Weighted mean, null when any part's value or weight is missing (a partial value would pass for the whole). */
function weightedOrNull<T>(rows: T[], value: (row: T) => number | null, weight: (row: T) => number | null): number | null {
  let sum = 0;
  let total = 0;
  for (const row of rows) {
    const v = value(row);
    const w = weight(row);
    if (v === null || w === null || !(w > 0)) return null;
    sum += v * w;
    total += w;
  }
  return total > 0 ? sum / total : null;
}

/** One row of a level above the commune. */
export interface FilosofiTerritoireRow {
  niveau: string;
  code: string;
  millesime: string;
  taux_pauvrete: number | null;
  mediane_niveau_vie: number | null;
}

/** Parses an EPCI, département or région file: codes are kept as published, a malformed one is quarantined. */
export function parseFilosofiTerritoires(text: string, ledger: Ledger, niveau: string, codeShape: RegExp): FilosofiTerritoireRow[] {
  const table = readCsv(text, ledger, { delimiter: ";", required: ["CODGEO"] });
  const yy = filosofiYear(table.header, ledger, table.headerLine);
  const columns = { mediane: `MED${yy}`, taux: `TP60${yy}` };
  checkColumns(table.header, Object.values(columns), ledger, table.headerLine);
  const rows: FilosofiTerritoireRow[] = [];
  table.forEach(({ line, values }) => {
    const code = values.CODGEO.trim();
    if (!codeShape.test(code)) {
      ledger.quarantine(line, "CODGEO", values.CODGEO, `code ${niveau} mal formé`);
      return;
    }
    const numbers = readNumbers(values, columns, ledger, line);
    if (!numbers) return;
    rows.push({ niveau, code, millesime: `Filosofi 20${yy}`, taux_pauvrete: numbers.taux, mediane_niveau_vie: numbers.mediane });
    ledger.loaded();
  });
  return rows;
}

export const filosofi: Source = {
  id: "filosofi",
  title: "Revenus et pauvreté des ménages (INSEE, Filosofi)",
  // Needs the COG index.
  after: ["referentiel"],
  resources: [filosofiCommunesResource, ...filosofiLevels.map((l) => l.resource)],
  async load(context) {
    await createTable(context.connection, filosofiTable);
    await createTable(context.connection, poidsCommunesAnciennesTable);
    await createTable(context.connection, filosofiTerritoiresTable);
    const communes = await context.open(filosofiCommunesResource);
    if (communes) {
      const { text } = await readTextMaybeZipped(communes.acquired.file, "cc_filosofi_2021_COM.csv", { source: filosofi.id });
      const parsed = parseFilosofiCommunes(text, communes.ledger, context.cog);
      await insertRows(context.connection, filosofiTable, parsed.rows);
      await insertRows(context.connection, poidsCommunesAnciennesTable, parsed.weights);
    }
    for (const level of filosofiLevels) await loadLevel(context, level);
  }
};

async function loadLevel(context: LoadContext, level: (typeof filosofiLevels)[number]): Promise<void> {
  const opened = await context.open(level.resource);
  if (!opened) return;
  const entry = level.resource.path.slice(level.resource.path.lastIndexOf("/") + 1);
  const { text } = await readTextMaybeZipped(opened.acquired.file, entry, { source: filosofi.id });
  await insertRows(context.connection, filosofiTerritoiresTable, parseFilosofiTerritoires(text, opened.ledger, level.niveau, level.code));
}

/** Counts per published commune code that can weight the parts of a merged commune, best first. */
export type CommuneWeights = Map<string, number>[];

/**
 * The counts that weight the rates of communes merged since, best first: people in tax households per code as
 * Filosofi publishes it (`poids_communes_anciennes`), then premises per code in the Arcep T1 2018 edition
 * (`locaux_communes_anciennes`, COG 2018: it still lists most communes merged since 2017). Null when neither
 * table was built: callers then fall back to equal weights. Only the `codes` asked for are read (`mergedCodes`).
 */
export async function readCommuneWeights(connection: DuckDBConnection, codes: readonly string[]): Promise<CommuneWeights | null> {
  const tables = [
    { table: "poids_communes_anciennes", count: "personnes" },
    { table: "locaux_communes_anciennes", count: "locaux" }
  ];
  const out: CommuneWeights = [];
  for (const { table, count } of tables) {
    if (!(await hasTable(connection, table))) continue;
    const rows =
      codes.length === 0
        ? []
        : await queryRows<{ code_ancien: string; n: number | null }>(
            connection,
            `SELECT code_ancien, ${count} AS n FROM ${table} WHERE code_ancien IN (SELECT unnest($codes::VARCHAR[]))`,
            { codes: listValue([...codes]) }
          );
    const weights = new Map<string, number>();
    for (const { code_ancien, n } of rows) if (n !== null && n > 0) weights.set(code_ancien, n);
    out.push(weights);
  }
  return out.length ? out : null;
}

/**
 * The published codes whose figures are combined with others' (`mergeRatesByCode`: parts landing on one current
 * commune): the only ones a weight is looked up for, so the only ones `readCommuneWeights` needs to read.
 */
export function mergedCodes(rows: readonly { code_insee: string; code_ancien: string }[]): string[] {
  const parts = new Map<string, number>();
  for (const { code_insee } of rows) parts.set(code_insee, (parts.get(code_insee) ?? 0) + 1);
  return rows.filter(({ code_insee }) => parts.get(code_insee)! > 1).map(({ code_ancien }) => code_ancien);
}

/**
 * Combines the rates (or scores) of parts that land on one current commune, weighted by the best count that
 * knows every part: people in Filosofi, else premises (Arcep 2018), else, and when no weights are given,
 * equally. A mix of known and guessed weights would be worse than a count of another kind. A missing value in
 * any part makes the combined value missing. `weights` is one map or a list of maps, best first.
 */
export function mergeRatesByCode<T extends { code_insee: string; code_ancien: string }>(
  rows: T[],
  fields: (keyof T)[],
  weights: Map<string, number> | CommuneWeights | null
): T[] {
  const candidates = weights === null ? [] : Array.isArray(weights) ? weights : [weights];
  return [...groupBy(rows, (r) => r.code_insee).values()].map((group) => {
    if (group.length === 1) return group[0];
    const known = candidates.find((w) => group.every((r) => w.has(r.code_ancien)));
    const weight = (r: T) => (known ? known.get(r.code_ancien)! : 1);
    const merged = { ...group[0] };
    for (const field of fields) {
      (merged[field] as unknown) = weightedOrNull(group, (r) => r[field] as unknown as number | null, weight);
    }
    return merged;
  });
}
