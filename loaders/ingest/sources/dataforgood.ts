import { currentCodeOrQuarantine, type CogIndex } from "../cog.ts";
import { createTable, insertRows, type TableSpec } from "../../io/db.ts";
import { SourceError } from "../../io/errors.ts";
import type { Ledger } from "../../io/ledger.ts";
import type { Resource } from "../../io/resource.ts";
import type { Source } from "../source.ts";
import { parseCsv, readText, type CsvRow } from "../../io/text.ts";
import { normaliseCommuneCode, parseNumber } from "../../io/values.ts";
import { arrondissementParent, mergedCodes, mergeRatesByCode, readCommuneWeights, type CommuneWeights } from "./filosofi.ts";

/**
 * Indicators computed in 2020 by Data for Good volunteers for La MedNum's fragility index, from INSEE RP 2017,
 * Filosofi 2017, Pôle emploi and Arcep data. Not an official publication: every id says "derived" and the
 * resource is flagged as such, so that no figure from it passes for INSEE's.
 */
export const dataforgoodResource: Resource = {
  id: "dataforgood-ifn-2020-derive",
  title: "Data for Good, indicateurs de fragilité numérique par commune (données dérivées, non officielles)",
  publisher: "Data for Good (bénévoles), pour La MedNum",
  // The raw file, not GitHub's HTML "blob" page (which the download refuses as an HTML page).
  url: "https://raw.githubusercontent.com/dataforgoodfr/batch8_mednum/62eb6929bd3606ee8503f00bf03691912968e4b4/data/data_merge.csv",
  path: "dataforgood-ifn-2020/data_merge.csv",
  vintage: "indicateurs 2020 calculés par Data for Good d'après RP 2017, Filosofi 2017",
  referenceDate: "2017-01-01",
  urlConfirmedBy: "dépôt public dataforgoodfr/batch8_mednum, commit 62eb6929bd36",
  replacement: "bases communales du recensement INSEE (base-cc-evol-struct-pop, diplomes-formation, coupl-fam-men ; ressources insee-rp-*, dans le miroir : insee-rp-2021/)",
  format: "csv",
  licence: "aucune licence indiquée",
  derived: true
};

export const indicateursDerivesTable: TableSpec = {
  name: "indicateurs_derives",
  columns: {
    code_insee: "VARCHAR",
    tx_pauvrete: "DOUBLE",
    tx_nscol15p: "DOUBLE",
    tx_menseul: "DOUBLE",
    tx_fammono: "DOUBLE",
    tx_65etplus: "DOUBLE",
    tx_25etmoins: "DOUBLE",
    tx_demandeur_emplois: "DOUBLE",
    couverture_hd_thd: "DOUBLE"
  },
  primaryKey: ["code_insee"]
};

type Field =
  | "tx_pauvrete" | "tx_nscol15p" | "tx_menseul" | "tx_fammono" | "tx_65etplus" | "tx_25etmoins" | "tx_demandeur_emplois" | "couverture_hd_thd";

/**
 * Published column, table column and scale. Checked on the 2020 file: the `TX_*` columns are percentages
 * (0–100, e.g. TX_NSCOL15P 47.7), COUVERTURE_HD_THD a share (1.0 on every row): it is stored ×100.
 */
export const DATAFORGOOD_COLUMNS: { column: string; field: Field; scale: "percent" | "fraction" }[] = [
  { column: "TX_POVERTY", field: "tx_pauvrete", scale: "percent" },
  { column: "TX_NSCOL15P", field: "tx_nscol15p", scale: "percent" },
  { column: "TX_MENSEUL", field: "tx_menseul", scale: "percent" },
  { column: "TX_FAMMONO", field: "tx_fammono", scale: "percent" },
  { column: "TX_65ETPLUS", field: "tx_65etplus", scale: "percent" },
  { column: "TX_25ETMOINS", field: "tx_25etmoins", scale: "percent" },
  { column: "TX_DEMANDEUR_EMPLOIS", field: "tx_demandeur_emplois", scale: "percent" },
  { column: "COUVERTURE_HD_THD", field: "couverture_hd_thd", scale: "fraction" }
];

const FIELDS = DATAFORGOOD_COLUMNS.map((c) => c.field);
/** The socio-demographic rates: a row with none of them is an empty shell (see `setAsideEmptyParts`). */
const RATE_FIELDS = FIELDS.filter((f) => f !== "couverture_hd_thd");

export type IndicateursRow = { code_insee: string; code_ancien: string } & Record<Field, number | null>;

/** Reads one row's rates in percent; null (row quarantined) when a value is unreadable or off its scale. */
function readRates(values: Record<string, string>, ledger: Ledger, line: number): Record<Field, number | null> | null {
  const out = {} as Record<Field, number | null>;
  for (const { column, field, scale } of DATAFORGOOD_COLUMNS) {
    const value = parseNumber(values[column]);
    const max = scale === "percent" ? 100 : 1;
    if (value !== null && (Number.isNaN(value) || value < 0 || value > max + 1e-9)) {
      ledger.quarantine(line, column, values[column], Number.isNaN(value) ? "valeur numérique illisible" : `taux hors de l'échelle attendue (0–${max})`);
      return null;
    }
    out[field] = value === null ? null : scale === "fraction" ? value * 100 : value;
  }
  return out;
}

/**
 * The file repeats some codes (1 111 in 2020), the second copy usually holding only the poverty rate. The
 * most complete row of each code is kept (the first on a tie), the others are quarantined with that reason.
 */
function keepMostComplete(rows: CsvRow[], ledger: Ledger): CsvRow[] {
  const filled = (row: CsvRow) => DATAFORGOOD_COLUMNS.filter(({ column }) => (row.values[column] ?? "").trim() !== "").length;
  const best = new Map<string, CsvRow>();
  for (const row of rows) {
    const code = row.values.CODE_INSEE.trim();
    const kept = best.get(code);
    if (!kept || filled(row) > filled(kept)) best.set(code, row);
  }
  const keep = new Set(best.values());
  for (const row of rows) {
    if (keep.has(row)) continue;
    const kept = best.get(row.values.CODE_INSEE.trim())!;
    ledger.quarantine(row.line, "CODE_INSEE", row.values.CODE_INSEE, `code commune en double : la ligne ${kept.line}, plus complète, est chargée`);
  }
  return rows.filter((row) => keep.has(row));
}

/**
 * Parses the file into one row per published code (not yet merged): duplicates and, when the whole commune is
 * present, Paris/Lyon/Marseille arrondissements are quarantined with their reason.
 */
export function parseDataforgood(text: string, ledger: Ledger, cog: CogIndex): IndicateursRow[] {
  const table = parseCsv(text, ledger, { delimiter: ",", required: ["CODE_INSEE", ...DATAFORGOOD_COLUMNS.map((c) => c.column)] });
  const published = new Set(table.rows.map(({ values }) => normaliseCommuneCode(values.CODE_INSEE)));
  const rows: (IndicateursRow & { line: number })[] = [];
  for (const { line, values } of keepMostComplete(table.rows, ledger)) {
    const code = normaliseCommuneCode(values.CODE_INSEE);
    const parent = code ? arrondissementParent(code) : null;
    if (parent && published.has(parent)) {
      ledger.quarantine(line, "CODE_INSEE", values.CODE_INSEE, `arrondissement municipal : la commune entière ${parent} est chargée à sa place`);
      continue;
    }
    const current = currentCodeOrQuarantine(cog, code, values.CODE_INSEE, ledger, line, "CODE_INSEE");
    if (!current) continue;
    const rates = readRates(values, ledger, line);
    if (!rates) continue;
    rows.push({ line, code_insee: current, code_ancien: code!, ...rates });
  }
  const kept = setAsideEmptyParts(rows, ledger);
  checkScale(kept, ledger);
  return kept;
}

/** A percentage column whose every value is ≤ 1 has most likely switched to shares: the file changed, stop. */
function checkScale(rows: IndicateursRow[], ledger: Ledger): void {
  for (const { column, field, scale } of DATAFORGOOD_COLUMNS) {
    if (scale !== "percent") continue;
    const values = rows.map((r) => r[field]).filter((v): v is number => v !== null);
    if (values.length >= 50 && values.every((v) => v <= 1)) {
      throw new SourceError(ledger.at(1, column), "les taux semblent publiés entre 0 et 1 et non en pourcentage : échelle du fichier changée ?");
    }
  }
}

/**
 * Sets aside, from communes merged since, the parts that carry none of the socio-demographic rates: such a code
 * had already disappeared in the file's geography (RP 2017), so it holds no people, and keeping it would make
 * the whole commune's rates missing. Every other row is loaded.
 */
function setAsideEmptyParts(rows: (IndicateursRow & { line: number })[], ledger: Ledger): IndicateursRow[] {
  const isEmpty = (row: IndicateursRow) => RATE_FIELDS.every((f) => row[f] === null);
  const withData = new Set(rows.filter((r) => !isEmpty(r)).map((r) => r.code_insee));
  const kept: IndicateursRow[] = [];
  for (const { line, ...row } of rows) {
    if (isEmpty(row) && withData.has(row.code_insee)) {
      ledger.quarantine(line, "CODE_INSEE", row.code_ancien, `aucun taux renseigné pour cette ancienne commune : ${row.code_insee} est calculée sur ses autres parties`);
      continue;
    }
    kept.push(row);
    ledger.loaded();
  }
  return kept;
}

/**
 * Rates of communes merged since are weighted by the best count that knows every part (people in Filosofi,
 * else premises in the Arcep 2018 edition; see `mergeRatesByCode`), otherwise equally: the file publishes no count.
 */
export function harmoniseDataforgood(rows: IndicateursRow[], weights: Map<string, number> | CommuneWeights | null): Record<string, unknown>[] {
  return mergeRatesByCode(rows, FIELDS, weights).map(({ code_ancien: _, ...row }) => row);
}

export const dataforgood: Source = {
  id: "dataforgood-ifn-derive",
  title: "Indicateurs de fragilité numérique dérivés (Data for Good, 2020, non officiels)",
  // Merged communes are weighted by the persons (Filosofi) or premises (Arcep 2018) of their parts.
  after: ["referentiel", "filosofi", "arcep-deploiements"],
  resources: [dataforgoodResource],
  async load(context) {
    await createTable(context.connection, indicateursDerivesTable);
    const opened = await context.open(dataforgoodResource);
    if (!opened) return;
    const { text } = await readText(opened.acquired.file, dataforgood.id);
    const rows = parseDataforgood(text, opened.ledger, context.cog);
    const weights = await readCommuneWeights(context.connection, mergedCodes(rows));
    if (!weights) context.log("  ni personnes (Filosofi) ni locaux (Arcep 2018) par ancienne commune : communes fusionnées pondérées à parts égales");
    await insertRows(context.connection, indicateursDerivesTable, harmoniseDataforgood(rows, weights));
  }
};
