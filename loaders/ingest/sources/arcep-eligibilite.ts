import { currentCodeOrQuarantine, sumByCode, type CogIndex } from "../cog.ts";
import { createTable, insertRows, type TableSpec } from "../../io/db.ts";
import { SourceError } from "../../io/errors.ts";
import type { Ledger } from "../../io/ledger.ts";
import type { Resource } from "../../io/resource.ts";
import type { Source } from "../source.ts";
import { readCsv, readText, type CsvRow, type CsvRows } from "../../io/text.ts";
import { normaliseCommuneCode, parseNumber } from "../../io/values.ts";

/**
 * Arcep "Ma connexion internet": premises (logements et locaux professionnels) per commune by the best fixed
 * speed available to them. Stored as counts of premises eligible to *at least* each speed (cumulative
 * classes), whatever the file's own layout, so that editions can be compared.
 */

const SOURCE_ID = "arcep-eligibilite";

/**
 * 2019 beta statistics (the mirrored edition): classes of the best speed, exclusive; `elig_hd8`. No longer
 * served by Arcep; the URL is the copy the mirror was taken from (Data for Good, for La MedNum's IFN).
 */
export const eligibilite2019Resource: Resource = {
  id: "arcep-ma-connexion-internet-2019",
  title: "Arcep, Ma connexion internet (bêta) : débits fixes par commune au 30 septembre 2019",
  publisher: "Arcep",
  url: "https://raw.githubusercontent.com/dataforgoodfr/batch8_mednum/62eb6929bd3606ee8503f00bf03691912968e4b4/data/raw/commune-debit-beta.csv",
  path: "arcep-ma-connexion-internet-2019/commune-debit-beta.csv",
  vintage: "30 septembre 2019 (bêta)",
  referenceDate: "2019-09-30",
  urlConfirmedBy: "dépôt public dataforgoodfr/batch8_mednum, commit 62eb6929bd36",
  replacement: "commune_debit_terrestre.csv, dernière édition de Ma connexion internet (https://www.data.gouv.fr/fr/datasets/ma-connexion-internet/ ; dans le miroir : arcep-ma-connexion-internet/commune_debit_terrestre.csv)",
  format: "csv",
  licence: "Licence Ouverte 2.0"
};

/**
 * Current statistics, terrestrial technologies only: the file that also counts satellite shows almost every
 * premise as eligible to high speeds, which says nothing about the network on the ground.
 */
export const eligibiliteTerrestreResource: Resource = {
  id: "arcep-ma-connexion-internet-terrestre",
  title: "Arcep, Ma connexion internet : débits fixes terrestres par commune (dernière édition)",
  publisher: "Arcep",
  url: "https://data.arcep.fr/fixe/maconnexioninternet/statistiques/last/commune/commune_debit_terrestre.csv",
  path: "arcep-ma-connexion-internet/commune_debit_terrestre.csv",
  vintage: "dernière édition publiée (date dans la colonne date)",
  // No referenceDate: "last" is whatever edition is online; the loader records the file's own `date` column.
  urlConfirmedBy: "https://www.data.gouv.fr/fr/datasets/ma-connexion-internet/ (fichiers sous data.arcep.fr/fixe/maconnexioninternet/statistiques/last/commune/)",
  datagouv: { dataset: "ma-connexion-internet", match: { file: /^commune_debit_terrestre\.csv$/i, format: "csv" } },
  format: "csv",
  licence: "Licence Ouverte 2.0",
  optional: true
};

export const arcepEligibiliteTable: TableSpec = {
  name: "arcep_eligibilite",
  columns: {
    code_insee: "VARCHAR",
    date: "VARCHAR",
    type: "VARCHAR",
    nbr: "INTEGER",
    inel_hd: "INTEGER",
    elig_hd05: "INTEGER",
    elig_hd3: "INTEGER",
    elig_bhd8: "INTEGER",
    elig_thd30: "INTEGER",
    elig_thd100: "INTEGER",
    elig_thd1g: "INTEGER"
  },
  primaryKey: ["code_insee", "date", "type"]
};

/** One row of `arcep_eligibilite`: counts of premises; `elig_*` are cumulative (≥ the speed). */
export interface EligibiliteRow {
  code_insee: string;
  date: string;
  type: string;
  nbr: number;
  inel_hd: number;
  elig_hd05: number;
  elig_hd3: number;
  elig_bhd8: number;
  elig_thd30: number;
  elig_thd100: number;
  elig_thd1g: number;
}

/** Speed classes from slowest to fastest, as stored. */
export const SPEED_CLASSES = ["elig_hd05", "elig_hd3", "elig_bhd8", "elig_thd30", "elig_thd100", "elig_thd1g"] as const;
const COUNT_FIELDS = ["nbr", "inel_hd", ...SPEED_CLASSES] as const;
type CountField = (typeof COUNT_FIELDS)[number];

/**
 * How a file writes its classes. `exclusive`: each premise counted once, in the class of its best speed
 * (the 2019 beta: inel_hd + all elig_* = nbr on every one of its 35 359 rows). `cumulative`: a premise
 * eligible to 100 Mbit/s is also counted at 30, 8, 3 and 0.5 Mbit/s (current editions). `unit`: counts, or
 * shares of nbr (fraction 0–1 or percent), turned back into counts with nbr.
 */
export interface ClassLayout {
  classes: "exclusive" | "cumulative";
  unit: "count" | "fraction" | "percent";
}

/** The file's column names for the stored fields (`elig_hd8` in 2019, `elig_bhd8` since). */
function columnNames(header: string[]): Record<CountField, string> {
  const names = Object.fromEntries(COUNT_FIELDS.map((f) => [f, f])) as Record<CountField, string>;
  if (!header.includes("elig_bhd8") && header.includes("elig_hd8")) names.elig_bhd8 = "elig_hd8";
  return names;
}

/** A data row read as numbers, before its layout is known. */
interface RawCounts {
  row: CsvRow;
  values: Record<CountField, number>;
}

const isCumulative = (v: Record<CountField, number>) => SPEED_CLASSES.every((c, i) => i === 0 || v[SPEED_CLASSES[i - 1]] >= v[c]);
const partitionSum = (v: Record<CountField, number>) => v.inel_hd + SPEED_CLASSES.reduce((s, c) => s + v[c], 0);

/**
 * Finds, from the data, whether classes are counts or shares and exclusive or cumulative: the layout that
 * more rows obey wins (exclusive: classes add up to nbr; cumulative: non-increasing from the slowest class
 * to the fastest). The two hardly overlap: a cumulative row adds up to nbr only when no premise gets more
 * than 0.5 Mbit/s. On the 2019 file, all 34 926 rows with premises add up, and 6 are non-increasing. When neither layout
 * holds for at least half the rows, the file is not what this loader knows and the load fails; the rows
 * that break the winning layout are quarantined one by one.
 */
export function detectLayout(rows: RawCounts[], where: { source: string; file: string; line: number }): ClassLayout {
  const values = rows.map((r) => r.values);
  const unit = detectUnit(values);
  const counts = values.map((v) => toCounts(v, unit));
  const populated = counts.filter((v) => v.nbr > 0);
  const share = (test: (v: Record<CountField, number>) => boolean) => populated.filter(test).length / Math.max(populated.length, 1);
  const partition = share((v) => Math.abs(partitionSum(v) - v.nbr) <= tolerance(unit));
  const monotonic = share(isCumulative);
  if (Math.max(partition, monotonic) >= 0.5) return { classes: partition > monotonic ? "exclusive" : "cumulative", unit };
  throw new SourceError(
    { ...where, column: "elig_hd05" },
    `classes de débit ni cumulatives (${percent(monotonic)} des lignes) ni exclusives (${percent(partition)}) : format inconnu`
  );
}

const percent = (share: number) => `${(share * 100).toFixed(1).replace(".", ",")} %`;

/** Shares are recognised by their values: non-integers, or nothing above 1 where communes have many premises. */
function detectUnit(values: Record<CountField, number>[]): ClassLayout["unit"] {
  const shares = values.flatMap((v) => ["inel_hd", ...SPEED_CLASSES].map((c) => v[c as CountField]));
  const max = shares.reduce((a, b) => Math.max(a, b), 0);
  const integers = shares.every(Number.isInteger);
  if (integers && !(max <= 1 && values.some((v) => v.nbr > 1))) return "count";
  return max <= 1 ? "fraction" : "percent";
}

/** Rounding slack when counts were rebuilt from shares. */
const tolerance = (unit: ClassLayout["unit"]) => (unit === "count" ? 0 : COUNT_FIELDS.length);

function toCounts(v: Record<CountField, number>, unit: ClassLayout["unit"]): Record<CountField, number> {
  if (unit === "count") return v;
  const scale = unit === "fraction" ? v.nbr : v.nbr / 100;
  const out = { ...v };
  for (const c of ["inel_hd", ...SPEED_CLASSES] as CountField[]) out[c] = Math.round(v[c] * scale);
  return out;
}

/** Exclusive classes to "at least this speed": each class plus every faster one. */
function toCumulative(v: Record<CountField, number>): Record<CountField, number> {
  const out = { ...v };
  let faster = 0;
  for (const c of [...SPEED_CLASSES].reverse()) {
    faster += v[c];
    out[c] = faster;
  }
  return out;
}

/**
 * The row's invariant under its file's layout; a row that breaks it is quarantined rather than stored
 * (classes that contradict each other cannot be repaired). Returns the reason, or null when the row holds.
 */
function rowProblem(v: Record<CountField, number>, layout: ClassLayout): string | null {
  const slack = tolerance(layout.unit);
  if (layout.classes === "exclusive") {
    const sum = partitionSum(v);
    return Math.abs(sum - v.nbr) <= slack ? null : `classes de débit exclusives dont la somme (${sum}) diffère de nbr (${v.nbr})`;
  }
  if (!isCumulative(v)) return "classes de débit cumulatives non décroissantes (un débit plus élevé compte plus de locaux qu'un débit plus faible)";
  if (v.inel_hd + v.elig_hd05 > v.nbr + slack) return `inel_hd + elig_hd05 (${v.inel_hd + v.elig_hd05}) dépasse nbr (${v.nbr})`;
  return null;
}

/** Reads every count of a row; quarantines the row at the first unreadable one. */
function readCounts(row: CsvRow, names: Record<CountField, string>, ledger: Ledger): RawCounts | null {
  const values = {} as Record<CountField, number>;
  for (const field of COUNT_FIELDS) {
    const raw = row.values[names[field]];
    const n = parseNumber(raw);
    if (n === null || Number.isNaN(n) || n < 0) {
      ledger.quarantine(row.line, names[field], raw, "nombre de locaux illisible");
      return null;
    }
    values[field] = n;
  }
  return { row, values };
}

/**
 * Turns a parsed file into rows keyed on the current COG, counts in cumulative classes. Every data row is
 * loaded or quarantined (bad code, unreadable count, missing date, classes breaking the file's layout).
 */
export function parseEligibilite(table: CsvRows, ledger: Ledger, cog: CogIndex, file: string): { rows: EligibiliteRow[]; layout: ClassLayout | null } {
  const names = columnNames(table.header);
  const read: RawCounts[] = [];
  table.forEach((row) => {
    const code = currentCodeOrQuarantine(cog, normaliseCommuneCode(row.values.code_insee), row.values.code_insee, ledger, row.line, "code_insee");
    if (!code) return;
    if (!/^\d{4}-\d{2}-\d{2}$/.test(row.values.date.trim())) {
      ledger.quarantine(row.line, "date", row.values.date, "date illisible (attendu AAAA-MM-JJ)");
      return;
    }
    const counts = readCounts(row, names, ledger);
    if (counts) read.push({ row: { ...row, values: { ...row.values, code_insee: code } }, values: counts.values });
  });
  if (read.length === 0) return { rows: [], layout: null };
  const layout = detectLayout(read, { source: ledger.source, file, line: table.headerLine });
  const rows: EligibiliteRow[] = [];
  for (const { row, values } of read) {
    const counts = toCounts(values, layout.unit);
    const problem = rowProblem(counts, layout);
    if (problem) {
      ledger.quarantine(row.line, names.elig_hd05, SPEED_CLASSES.map((c) => counts[c]).join(";"), problem);
      continue;
    }
    const cumulative = layout.classes === "exclusive" ? toCumulative(counts) : counts;
    rows.push({ code_insee: row.values.code_insee, date: row.values.date.trim(), type: row.values.type.trim(), ...cumulative });
    ledger.loaded();
  }
  return { rows, layout };
}

/** Adds up merged communes within each (date, type): counts are additive, cumulative classes stay cumulative. */
export function mergeEligibilite(rows: EligibiliteRow[]): EligibiliteRow[] {
  const groups = new Map<string, EligibiliteRow[]>();
  for (const row of rows) {
    const key = `${row.date}|${row.type}`;
    const group = groups.get(key);
    if (group) group.push(row);
    else groups.set(key, [row]);
  }
  return [...groups.values()].flatMap((group) => sumByCode(group, [...COUNT_FIELDS]));
}

const REQUIRED = ["code_insee", "nbr", "type", "inel_hd", "elig_hd05", "elig_hd3", "elig_thd30", "elig_thd100", "elig_thd1g", "date"];

async function loadResource(context: Parameters<Source["load"]>[0], resource: Resource): Promise<EligibiliteRow[]> {
  const opened = await context.open(resource);
  if (!opened) return [];
  const { text } = await readText(opened.acquired.file, SOURCE_ID);
  // The 2019 beta starts with a disclaimer line: the header is found, not assumed on line 1.
  const table = readCsv(text, opened.ledger, { delimiter: ";", headerContains: "code_insee", required: REQUIRED });
  if (!table.header.includes("elig_bhd8") && !table.header.includes("elig_hd8")) {
    throw new SourceError(opened.ledger.at(table.headerLine, "elig_bhd8"), "colonne obligatoire absente (ni elig_bhd8, ni elig_hd8)");
  }
  const { rows, layout } = parseEligibilite(table, opened.ledger, context.cog, opened.name);
  // The newest `date` of the file is the date it describes (the "last" edition has no date in its name).
  opened.referenceDate = rows.reduce<string | undefined>((newest, r) => (newest === undefined || r.date > newest ? r.date : newest), undefined);
  if (layout) context.log(`  ${opened.name} : classes ${layout.classes === "exclusive" ? "exclusives (converties en cumulées)" : "cumulées"}, ${layout.unit === "count" ? "en nombres" : "en parts (converties en nombres)"}`);
  return rows;
}

/** Arcep "Ma connexion internet", fixed speeds by commune: 2019 beta and current terrestrial edition. */
export const arcepEligibilite: Source = {
  id: SOURCE_ID,
  title: "Éligibilité aux débits fixes par commune (Arcep, Ma connexion internet)",
  // Needs the COG index.
  after: ["referentiel"],
  resources: [eligibilite2019Resource, eligibiliteTerrestreResource],
  async load(context) {
    const rows = [...(await loadResource(context, eligibilite2019Resource)), ...(await loadResource(context, eligibiliteTerrestreResource))];
    await createTable(context.connection, arcepEligibiliteTable);
    await insertRows(context.connection, arcepEligibiliteTable, mergeEligibilite(rows));
  }
};
