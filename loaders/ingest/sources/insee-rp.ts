import { currentCodeOrQuarantine, sumByCode, type CogIndex } from "../cog.ts";
import { createTable, insertRows, type TableSpec } from "../../io/db.ts";
import { SourceError } from "../../io/errors.ts";
import type { Ledger } from "../../io/ledger.ts";
import type { Resource } from "../../io/resource.ts";
import type { Source } from "../source.ts";
import { parseCsv } from "../../io/text.ts";
import { normaliseCommuneCode, parseNumber } from "../../io/values.ts";
import { readTextMaybeZipped } from "../../io/zip.ts";
import { arrondissementParent } from "./filosofi.ts";

/**
 * INSEE census (recensement de la population, RP) "base-cc" commune bases. Each zip holds the commune file,
 * a `…-COM.CSV` file of the overseas collectivities (not communes: never opened) and metadata files.
 * Column names carry the census year (`P21_POP65P`, `C21_MEN`): the year is read from the header, so a new
 * vintage only needs new URLs.
 */
const RP_YEAR = "2021";
const FOLDER = `insee-rp-${RP_YEAR}`;

/** One output column: alternatives (first complete one wins), each a list of columns added up; `@` is the year. */
interface FieldSpec {
  name: string;
  from: string[][];
}

/** One census base: its zip, its table and how each column is computed. */
export interface RpBase {
  resource: Resource;
  table: TableSpec;
  /** Column whose presence gives the census year (`P@_POP`). */
  anchor: string;
  fields: FieldSpec[];
}

function rpResource(slug: string, page: string, title: string): Resource {
  const zip = `base-cc-${slug}-${RP_YEAR}_csv.zip`;
  return {
    id: `insee-rp-${slug}`,
    title: `INSEE, recensement de la population ${RP_YEAR}, base communale « ${title} »`,
    publisher: "INSEE",
    url: `https://www.insee.fr/fr/statistiques/fichier/${page}/${zip}`,
    path: `${FOLDER}/${zip}`,
    vintage: `RP ${RP_YEAR} (géographie au 1er janvier ${Number(RP_YEAR) + 3})`,
    referenceDate: `${RP_YEAR}-01-01`,
    replacement: "la base communale du recensement suivant (l'INSEE en publie une chaque année)",
    format: "zip",
    licence: "Licence Ouverte 2.0",
    optional: true
  };
}

function rpTable(name: string, fields: FieldSpec[]): TableSpec {
  const columns: TableSpec["columns"] = { code_insee: "VARCHAR", millesime: "VARCHAR" };
  for (const field of fields) columns[field.name] = "DOUBLE";
  return { name, columns, primaryKey: ["code_insee"] };
}

function base(slug: string, page: string, title: string, table: string, anchor: string, fields: FieldSpec[]): RpBase {
  return { resource: rpResource(slug, page, title), table: rpTable(table, fields), anchor, fields };
}

export const rpStructure = base("evol-struct-pop", "8201904", "Évolution et structure de la population", "rp_structure", "P@_POP", [
  { name: "pop", from: [["P@_POP"]] },
  { name: "pop_65p", from: [["P@_POP65P"]] },
  // The commune base splits 75+ into 75–89 and 90+; the IRIS base and some vintages publish 75P directly.
  { name: "pop_75p", from: [["P@_POP75P"], ["P@_POP7589", "P@_POP90P"]] },
  { name: "pop_6074", from: [["P@_POP6074"]] }
]);

export const rpDiplomes = base("diplomes-formation", "8202319", "Diplômes – formation", "rp_diplomes", "P@_NSCOL15P", [
  { name: "nscol15p", from: [["P@_NSCOL15P"]] },
  { name: "nscol15p_diplmin", from: [["P@_NSCOL15P_DIPLMIN"]] },
  { name: "nscol15p_bepc", from: [["P@_NSCOL15P_BEPC"]] },
  { name: "nscol15p_capbep", from: [["P@_NSCOL15P_CAPBEP"]] },
  { name: "nscol15p_bac", from: [["P@_NSCOL15P_BAC"]] },
  // Since RP 2017 higher education is split into bac+2, bac+3/4 and bac+5 or more.
  { name: "nscol15p_sup", from: [["P@_NSCOL15P_SUP2", "P@_NSCOL15P_SUP34", "P@_NSCOL15P_SUP5"], ["P@_NSCOL15P_SUP"]] }
]);

export const rpMenages = base("coupl-fam-men", "8205182", "Couples – familles – ménages", "rp_menages", "C@_MEN", [
  { name: "men", from: [["C@_MEN"]] },
  { name: "men_pseul", from: [["C@_MENPSEUL"]] },
  { name: "fam", from: [["C@_FAM"]] },
  { name: "fam_mono", from: [["C@_FAMMONO"]] },
  { name: "pop80p", from: [["P@_POP80P"]] },
  { name: "pop80p_pseul", from: [["P@_POP80P_PSEUL"]] }
]);

export const rpEmploi = base("emploi-pop-active", "8202916", "Emploi – population active", "rp_emploi", "P@_ACT1564", [
  { name: "act1564", from: [["P@_ACT1564"]] },
  { name: "chom1564", from: [["P@_CHOM1564"]] }
]);

export const rpBases: RpBase[] = [rpStructure, rpDiplomes, rpMenages, rpEmploi];

export type RpRow = { code_insee: string; millesime: string } & Record<string, number | null | string>;

/** The census year of a base (`21`), from the most recent column matching its anchor (`P21_POP` beside `P15_POP`). */
export function rpYear(header: string[], anchor: string, ledger: Ledger, headerLine = 1): string {
  const pattern = new RegExp(`^${anchor.replace("@", "(\\d{2})")}$`);
  const years = header.map((name) => pattern.exec(name)?.[1]).filter((y): y is string => Boolean(y));
  if (years.length === 0) {
    throw new SourceError(ledger.at(headerLine, anchor.replace("@", "aa")), "colonne obligatoire absente : impossible de lire l'année du recensement dans l'en-tête");
  }
  return years.sort().at(-1)!;
}

/** For each field, the published columns to add up (first alternative present in the header). */
function resolveColumns(header: string[], fields: FieldSpec[], yy: string, ledger: Ledger, headerLine: number): Map<string, string[]> {
  const present = new Set(header);
  const resolved = new Map<string, string[]>();
  for (const field of fields) {
    const options = field.from.map((columns) => columns.map((c) => c.replace("@", yy)));
    const found = options.find((columns) => columns.every((c) => present.has(c)));
    if (!found) {
      const missing = options[0].find((c) => !present.has(c))!;
      throw new SourceError(ledger.at(headerLine, missing), "colonne obligatoire absente (renommée dans ce millésime ?)");
    }
    resolved.set(field.name, found);
  }
  return resolved;
}

/**
 * Parses one base's commune file: every row re-keyed on the current COG, counts of merged communes added up.
 * Arrondissements of Paris, Lyon and Marseille are set aside when the whole commune is also published (else
 * they are added up into it), so that no one is counted twice.
 */
export function parseRpBase(text: string, ledger: Ledger, cog: CogIndex, spec: RpBase): { millesime: string; rows: RpRow[] } {
  const table = parseCsv(text, ledger, { delimiter: ";", required: ["CODGEO"] });
  const yy = rpYear(table.header, spec.anchor, ledger, table.headerLine);
  const columns = resolveColumns(table.header, spec.fields, yy, ledger, table.headerLine);
  const millesime = `RP 20${yy}`;
  const published = new Set(table.rows.map(({ values }) => normaliseCommuneCode(values.CODGEO)));
  const seen = new Set<string>();
  const rows: RpRow[] = [];
  for (const { line, values } of table.rows) {
    const code = normaliseCommuneCode(values.CODGEO);
    if (code && seen.has(code)) {
      ledger.quarantine(line, "CODGEO", values.CODGEO, "code commune en double dans le fichier : seule la première ligne est chargée");
      continue;
    }
    if (code) seen.add(code);
    const parent = code ? arrondissementParent(code) : null;
    if (parent && published.has(parent)) {
      ledger.quarantine(line, "CODGEO", values.CODGEO, `arrondissement municipal : la commune entière ${parent} est chargée à sa place`);
      continue;
    }
    const current = currentCodeOrQuarantine(cog, code, values.CODGEO, ledger, line, "CODGEO");
    if (!current) continue;
    const counts = readCounts(values, columns, ledger, line);
    if (!counts) continue;
    rows.push({ code_insee: current, millesime, ...counts });
    ledger.loaded();
  }
  return { millesime, rows: sumByCode(rows, spec.fields.map((f) => f.name)) };
}

/** Adds up each field's columns; null when one is empty or secret, the row quarantined when one is not a number. */
function readCounts(values: Record<string, string>, columns: Map<string, string[]>, ledger: Ledger, line: number): Record<string, number | null> | null {
  const out: Record<string, number | null> = {};
  for (const [name, sources] of columns) {
    let total: number | null = 0;
    for (const column of sources) {
      const value = parseNumber(values[column]);
      if (value !== null && Number.isNaN(value)) {
        ledger.quarantine(line, column, values[column], "valeur numérique illisible");
        return null;
      }
      total = value === null || total === null ? null : total + value;
    }
    out[name] = total;
  }
  return out;
}

/** The commune file of a base zip: `base-cc-<slug>-<year>.CSV`, not the `-COM` file of the overseas collectivities nor `meta_…`. */
export function communeEntryPattern(spec: RpBase): RegExp {
  const slug = spec.resource.id.replace(/^insee-rp-/, "");
  return new RegExp(`^base-cc-${slug}-\\d{4}\\.csv$`, "i");
}

export const inseeRp: Source = {
  id: "insee-rp",
  title: "Recensement de la population : âges, diplômes, ménages, emploi (INSEE, bases communales)",
  // Needs the COG index.
  after: ["referentiel"],
  resources: rpBases.map((b) => b.resource),
  async load(context) {
    for (const spec of rpBases) {
      await createTable(context.connection, spec.table);
      const opened = await context.open(spec.resource);
      if (!opened) continue;
      const { text } = await readTextMaybeZipped(opened.acquired.file, communeEntryPattern(spec), { source: inseeRp.id });
      const { rows } = parseRpBase(text, opened.ledger, context.cog, spec);
      await insertRows(context.connection, spec.table, rows);
    }
  }
};
