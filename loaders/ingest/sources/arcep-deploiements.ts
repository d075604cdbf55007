import { currentCodeOrQuarantine, type CogIndex } from "../cog.ts";
import { createTable, insertRows, type TableSpec } from "../../io/db.ts";
import { SourceError } from "../../io/errors.ts";
import type { Ledger } from "../../io/ledger.ts";
import type { Resource } from "../../io/resource.ts";
import type { LoadContext, OpenedResource, Source } from "../source.ts";
import { readCsv, readText, type CsvRows } from "../../io/text.ts";
import { normaliseCommuneCode, parseArcepCount } from "../../io/values.ts";
import { normaliseHeader, readXlsxSheet, sheetTable, type XlsxRecord, type XlsxTable, type XlsxWhere } from "../../io/xlsx.ts";

/**
 * Arcep, observatoire du haut et très haut débit (déploiements FttH), per commune: premises (locaux), premises
 * connectable to FttH (locaux raccordables) in the latest quarter of an edition, and the regulatory zone
 * (ZTD / AMII / AMEL / RIP). Two editions can be loaded side by side, told apart by `edition`:
 * - the current quarterly workbook (`<aaaa>t<n>-obs-hd-thd-deploiement.xlsx`, sheet "Communes"), optional;
 * - the T1 2018 edition, as CSV exports of that edition's sheets (`communes.csv` + `ftthCommunes.csv`).
 */

const SOURCE_ID = "arcep-deploiements";
/** Values of `arcep_ftth.edition`: which publication a row comes from (its quarter is in `trimestre`). */
export const EDITION_2018 = "arcep-2018t1-csv";
export const EDITION_WORKBOOK = "arcep-classeur-trimestriel";
/** Where the T1 2018 CSV exports were found (a third party's export of the official workbook's sheets). */
const EXPORT_2018 = "https://raw.githubusercontent.com/NJacq/laravel/4dbb85293913348d32bb78339c83547f1d6f0f17/storage/app/public";

/**
 * The current quarterly workbook (dataset https://www.data.gouv.fr/fr/datasets/le-marche-du-haut-et-tres-haut-debit-fixe-deploiements/).
 * Arcep publishes a new file (and URL) every quarter: update `url` and
 * `vintage` together. In a mirror it is expected under a stable name, whatever its quarter, so that
 * replacing it needs no code change; the quarter actually loaded is read from the sheet's columns.
 */
export const deploiementsWorkbookResource: Resource = {
  id: "arcep-deploiements-xlsx",
  title: "Arcep, observatoire des déploiements haut et très haut débit fixe, classeur trimestriel (feuille Communes)",
  publisher: "Arcep",
  url: "https://static.data.gouv.fr/resources/le-marche-du-haut-et-tres-haut-debit-fixe-deploiements/20251209-164140/2025t3-obs-hd-thd-deploiement-vf.xlsx",
  path: "arcep-deploiements/obs-hd-thd-deploiement.xlsx",
  vintage: "T3 2025",
  // The quarter actually loaded is read from the workbook's columns (loadWorkbook refines this date).
  referenceDate: "2025-09-30",
  urlConfirmedBy: "https://www.data.gouv.fr/fr/datasets/le-marche-du-haut-et-tres-haut-debit-fixe-deploiements/",
  datagouv: {
    dataset: "le-marche-du-haut-et-tres-haut-debit-fixe-deploiements",
    match: { file: /^\d{4}t[1-4]-obs-hd-thd-deploiement.*\.xlsx$/i, format: "xlsx" }
  },
  format: "xlsx",
  licence: "Licence Ouverte 2.0",
  optional: true
};

/** What replaces the T1 2018 edition: the current quarterly workbook (resource arcep-deploiements-xlsx). */
const REPLACEMENT_2018 =
  "classeur trimestriel AAAAtN-obs-hd-thd-deploiement.xlsx du jeu data.gouv.fr le-marche-du-haut-et-tres-haut-debit-fixe-deploiements (dans le miroir : arcep-deploiements/obs-hd-thd-deploiement.xlsx)";

/** T1 2018 edition, sheet "Communes": premises and zone flags per commune (COG 2018). */
export const deploiements2018CommunesResource: Resource = {
  id: "arcep-deploiements-2018t1-communes",
  title: "Arcep, déploiements FttH T1 2018 : informations par commune (export CSV de la feuille Communes)",
  publisher: "Arcep",
  url: `${EXPORT_2018}/communes.csv`,
  path: "arcep-deploiements-2018t1/communes.csv",
  vintage: "T1 2018",
  referenceDate: "2018-03-31",
  urlConfirmedBy: "dépôt public NJacq/laravel, commit 4dbb85293913 (export CSV des feuilles du classeur Arcep)",
  replacement: REPLACEMENT_2018,
  format: "csv",
  licence: "Licence Ouverte 2.0",
  derived: true
};

/** T1 2018 edition, sheet "FttH par communes": connectable premises per quarter (COG 2018). */
export const deploiements2018FtthResource: Resource = {
  id: "arcep-deploiements-2018t1-ftth-communes",
  title: "Arcep, déploiements FttH T1 2018 : locaux raccordables par commune (export CSV de la feuille FttH par communes)",
  publisher: "Arcep",
  url: `${EXPORT_2018}/ftthCommunes.csv`,
  path: "arcep-deploiements-2018t1/ftthCommunes.csv",
  vintage: "T1 2018",
  referenceDate: "2018-03-31",
  urlConfirmedBy: "dépôt public NJacq/laravel, commit 4dbb85293913 (export CSV des feuilles du classeur Arcep)",
  replacement: REPLACEMENT_2018,
  format: "csv",
  licence: "Licence Ouverte 2.0",
  derived: true
};

export const arcepFtthTable: TableSpec = {
  name: "arcep_ftth",
  columns: {
    code_insee: "VARCHAR",
    trimestre: "VARCHAR",
    locaux: "INTEGER",
    locaux_raccordables: "INTEGER",
    zone_fthd: "VARCHAR",
    operateur_engage: "VARCHAR",
    edition: "VARCHAR"
  },
  primaryKey: ["code_insee", "trimestre", "edition"]
};

/**
 * Premises per commune code as published in the T1 2018 edition (COG 2018, old codes included): the count that
 * weights the rates of communes merged since when Filosofi has no people for their old parts (see
 * `readCommuneWeights`).
 */
export const locauxCommunesAnciennesTable: TableSpec = {
  name: "locaux_communes_anciennes",
  columns: { code_ancien: "VARCHAR", locaux: "DOUBLE" },
  primaryKey: ["code_ancien"]
};

/** Regulatory FttH zone: very dense zone, private commitments (AMII, AMEL; art. L. 33-13), public initiative. */
export type ZoneFthd = "ZTD" | "AMII" | "AMEL" | "RIP";

/** One row of `arcep_ftth`. */
export interface FtthRow {
  code_insee: string;
  trimestre: string;
  locaux: number;
  locaux_raccordables: number | null;
  zone_fthd: ZoneFthd | null;
  operateur_engage: string | null;
  edition: string;
}

/** One commune of the file (possibly an old code), already keyed on the current commune. */
export interface FtthPart extends FtthRow {
  code_source: string;
}

/** A quarter column of connectable premises (`T1 2018`) and its compact form (`2018T1`). */
export interface QuarterColumn {
  column: string;
  trimestre: string;
}

/**
 * The latest quarter among columns named `T<n> <AAAA>`: each edition adds one, and their names change
 * every quarter, so they are discovered rather than listed.
 */
export function latestQuarterColumn(header: string[]): QuarterColumn | null {
  let best: { column: string; key: number; trimestre: string } | null = null;
  for (const column of header) {
    const m = /^T([1-4]) (\d{4})$/.exec(normaliseHeader(column));
    if (!m) continue;
    const key = Number(m[2]) * 10 + Number(m[1]);
    if (!best || key > best.key) best = { column, key, trimestre: `${m[2]}T${m[1]}` };
  }
  return best && { column: best.column, trimestre: best.trimestre };
}

/** The last day of a quarter (`2025T3` → `2025-09-30`): the date a quarterly edition describes. */
export function quarterEnd(trimestre: string | null | undefined): string | null {
  const m = /^(\d{4})T([1-4])$/.exec(trimestre ?? "");
  if (!m) return null;
  return `${m[1]}-${["03-31", "06-30", "09-30", "12-31"][Number(m[2]) - 1]}`;
}

/** Reads a yes/no flag as Arcep writes it (`1` / ` - `); null when the cell says something else. */
export function parseFlag(raw: string | undefined): boolean | null {
  const s = (raw ?? "").trim().toLowerCase();
  if (s === "" || s === "-" || s === "–" || s === "0" || s === "non") return false;
  if (s === "1" || s === "oui" || s === "x") return true;
  return null;
}

/**
 * Reads the "Engagements L. 33-13 (et AMEL)" cell: empty or ` - ` when no private operator committed;
 * otherwise the operator's code (`FRTE` = Orange, `SFR0` = SFR), in later editions followed by the scheme
 * (`FRTE (AMII)`, `SFR0 (AMEL)`). A commitment without a scheme named is an AMII one: AMEL calls for
 * commitments only started after the 2018 editions, which name no scheme.
 */
export function parseEngagement(raw: string | undefined): { zone: "AMII" | "AMEL"; operateur: string | null } | null {
  const s = (raw ?? "").trim();
  if (s === "" || s === "-" || s === "–" || s === "0") return null;
  const zone = /\bAMEL\b/i.test(s) ? "AMEL" : "AMII";
  const operateur = s.replace(/\([^)]*\)/g, " ").replace(/\b(AMII|AMEL)\b/gi, " ").replace(/\s+/g, " ").trim();
  return { zone, operateur: operateur === "" ? null : operateur };
}

/**
 * The zone of a commune from its flags: ZTD first (its own regime), then a private commitment, else RIP.
 * "Intentions privées hors engagement L. 33-13" (658 communes in T1 2018) is not a commitment: those
 * communes stay in the public-initiative area, where the RIP may still be built.
 */
export function zoneOf(ztd: boolean, engagement: ReturnType<typeof parseEngagement>): { zone: ZoneFthd; operateur: string | null } {
  if (ztd) return { zone: "ZTD", operateur: engagement?.operateur ?? null };
  if (engagement) return engagement;
  return { zone: "RIP", operateur: null };
}

/**
 * Combines the parts of a current commune (old communes merged since the file's COG): premises and
 * connectable premises are added up (a missing count makes the sum missing, as in `sumByCode`). The zone
 * and operator are those of the part with the most premises: a zone is not additive, and the part holding
 * most premises is the one that decides how most of the merged commune's households get the fibre.
 */
export function mergeParts(parts: FtthPart[]): FtthRow[] {
  const groups = new Map<string, FtthPart[]>();
  for (const part of parts) {
    const key = `${part.edition}|${part.trimestre}|${part.code_insee}`;
    const group = groups.get(key);
    if (group) group.push(part);
    else groups.set(key, [part]);
  }
  return [...groups.values()].map((group) => {
    const largest = group.reduce((a, b) => (b.locaux > a.locaux ? b : a));
    const raccordables = group.map((p) => p.locaux_raccordables);
    return {
      code_insee: largest.code_insee,
      trimestre: largest.trimestre,
      locaux: group.reduce((sum, p) => sum + p.locaux, 0),
      locaux_raccordables: raccordables.includes(null) ? null : (raccordables as number[]).reduce((a, b) => a + b, 0),
      zone_fthd: largest.zone_fthd,
      operateur_engage: largest.operateur_engage,
      edition: largest.edition
    };
  });
}

/** Parses a count, quarantining the row when the cell is neither a count nor Arcep's ` - ` (zero). */
function countOrQuarantine(raw: string | undefined, ledger: Ledger, line: number, column: string): number | null {
  const value = parseArcepCount(raw ?? "");
  if (value === null || Number.isNaN(value) || value < 0) {
    ledger.quarantine(line, column, raw ?? null, "nombre de locaux illisible");
    return null;
  }
  return value;
}

// ---------------------------------------------------------------------------------------------------------
// Current quarterly workbook, sheet "Communes"

/** The columns of a workbook's "Communes" sheet that the loader uses, found by name or by prefix. */
interface WorkbookColumns {
  code: string;
  quarter: QuarterColumn;
  /** "Meilleure estimation des locaux …" when present, else Logements + Établissements. */
  locaux: string[];
  ztd: string | null;
  engagement: string | null;
}

const prefixed = (header: string[], ...prefixes: string[]) =>
  header.find((name) => prefixes.some((p) => name.toLowerCase().startsWith(p.toLowerCase()))) ?? null;

function workbookColumns(table: XlsxTable, where: XlsxWhere): WorkbookColumns {
  const at = (column: string, problem: string) =>
    new SourceError({ ...where, line: table.headerLine, column }, `feuille "${table.sheet}" : ${problem}`);
  const quarter = latestQuarterColumn(table.header);
  if (!quarter) throw at("T<n> <AAAA>", "aucune colonne trimestrielle de locaux raccordables (« T1 2025 »…)");
  const best = prefixed(table.header, "Meilleure estimation des locaux");
  const logements = prefixed(table.header, "Logements");
  const etablissements = prefixed(table.header, "Établissements", "Etablissements");
  if (!best && !(logements && etablissements)) {
    throw at("Meilleure estimation des locaux", "colonne des locaux absente (ni « Meilleure estimation des locaux … », ni « Logements » et « Établissements »)");
  }
  return {
    code: "Code commune",
    quarter,
    locaux: best ? [best] : [logements!, etablissements!],
    ztd: prefixed(table.header, "Zones très denses", "Zone très dense", "ZTD"),
    engagement: prefixed(table.header, "Engagements L. 33-13", "Engagement L. 33-13", "Engagements L.33-13")
  };
}

/**
 * Turns the "Communes" sheet of a quarterly workbook into one part per commune row, keyed on the current COG.
 * Every data row is counted in the ledger: loaded when it yields a part, otherwise quarantined with its reason.
 */
export function parseWorkbookCommunes(table: XlsxTable, ledger: Ledger, cog: CogIndex, where: XlsxWhere, edition: string): { trimestre: string; parts: FtthPart[]; zones: boolean } {
  const columns = workbookColumns(table, where);
  const parts: FtthPart[] = [];
  for (const row of table.rows) {
    ledger.read();
    const part = workbookPart(row, columns, ledger, cog, edition);
    if (!part) continue;
    parts.push(part);
    ledger.loaded();
  }
  return { trimestre: columns.quarter.trimestre, parts, zones: columns.engagement !== null };
}

function workbookPart({ line, values }: XlsxRecord, columns: WorkbookColumns, ledger: Ledger, cog: CogIndex, edition: string): FtthPart | null {
  const raw = values[columns.code];
  const code = currentCodeOrQuarantine(cog, normaliseCommuneCode(raw), raw, ledger, line, columns.code);
  if (!code) return null;
  let locaux = 0;
  for (const column of columns.locaux) {
    const n = countOrQuarantine(values[column], ledger, line, column);
    if (n === null) return null;
    locaux += n;
  }
  const raccordables = countOrQuarantine(values[columns.quarter.column], ledger, line, columns.quarter.column);
  if (raccordables === null) return null;
  const zone = workbookZone(values, columns, ledger, line);
  if (zone === undefined) return null;
  return {
    code_insee: code, code_source: raw.trim(), trimestre: columns.quarter.trimestre, locaux, locaux_raccordables: raccordables,
    zone_fthd: zone?.zone ?? null, operateur_engage: zone?.operateur ?? null, edition
  };
}

/** The zone of a workbook row; null when the sheet has no zone columns, undefined when the row was quarantined. */
function workbookZone(values: Record<string, string>, columns: WorkbookColumns, ledger: Ledger, line: number) {
  if (!columns.ztd && !columns.engagement) return null;
  const ztd = columns.ztd ? parseFlag(values[columns.ztd]) : false;
  if (ztd === null) {
    ledger.quarantine(line, columns.ztd, values[columns.ztd!], "indicateur de zone très dense illisible (attendu 1 ou -)");
    return undefined;
  }
  // Without the commitments column, a commune outside the ZTD could be AMII, AMEL or RIP: say nothing.
  if (!columns.engagement) return ztd ? { zone: "ZTD" as const, operateur: null } : null;
  return zoneOf(ztd, parseEngagement(values[columns.engagement]));
}

async function loadWorkbook(context: LoadContext): Promise<FtthRow[]> {
  const opened = await context.open(deploiementsWorkbookResource);
  if (!opened) return [];
  const where = { source: SOURCE_ID, file: opened.name };
  const sheet = await readXlsxSheet(opened.acquired.file, "Communes", where);
  const table = sheetTable(sheet, where, { headerContains: "Code commune", required: ["Code commune"] });
  const { trimestre, parts, zones } = parseWorkbookCommunes(table, opened.ledger, context.cog, where, EDITION_WORKBOOK);
  context.log(`  classeur Arcep : trimestre ${trimestre}, ${parts.length} communes`);
  opened.referenceDate = quarterEnd(trimestre) ?? undefined;
  if (!zones) context.log(`  (colonne « Engagements L. 33-13 … » introuvable dans la feuille "${table.sheet}" : zone_fthd laissée vide hors ZTD)`);
  return mergeParts(parts);
}

// ---------------------------------------------------------------------------------------------------------
// T1 2018 edition: communes.csv (premises, flags) + ftthCommunes.csv (connectable premises, coverage class)

const COMMUNES_2018_COLUMNS = ["Code commune", "Logements", "Établissements", "Zones très denses", "Engagements L. 33-13"];

/** A row of the 2018 `communes.csv` that passed its checks, before the connectable premises are joined. */
interface Commune2018 {
  line: number;
  code_insee: string;
  locaux: number;
  zone: ZoneFthd;
  operateur: string | null;
}

/** Parses `communes.csv` (T1 2018): premises = logements + établissements, zone from the flags. */
export function parseCommunes2018(rows: Pick<CsvRows, "forEach">, ledger: Ledger, cog: CogIndex): Map<string, Commune2018> {
  const communes = new Map<string, Commune2018>();
  rows.forEach(({ line, values }) => {
    const raw = values["Code commune"];
    const source = normaliseCommuneCode(raw);
    const code = currentCodeOrQuarantine(cog, source, raw, ledger, line, "Code commune");
    if (!code) return;
    if (communes.has(source!)) {
      ledger.quarantine(line, "Code commune", raw, `commune en double (déjà ligne ${communes.get(source!)!.line})`);
      return;
    }
    const logements = countOrQuarantine(values["Logements"], ledger, line, "Logements");
    const etablissements = logements === null ? null : countOrQuarantine(values["Établissements"], ledger, line, "Établissements");
    if (logements === null || etablissements === null) return;
    const ztd = parseFlag(values["Zones très denses"]);
    if (ztd === null) {
      ledger.quarantine(line, "Zones très denses", values["Zones très denses"], "indicateur de zone très dense illisible (attendu 1 ou -)");
      return;
    }
    const { zone, operateur } = zoneOf(ztd, parseEngagement(values["Engagements L. 33-13"]));
    communes.set(source!, { line, code_insee: code, locaux: logements + etablissements, zone, operateur });
  });
  return communes;
}

/**
 * Arcep's coverage class in `ftthCommunes.csv` (`Champ` = `Catégorie`): the lower bound, in percent, of the
 * share of premises connectable (0; ]0–10]; ]10–25[; [25–50[; [50–80[; ≥ 80). Its legend is only in the
 * original workbook; these bounds were established by comparing every class with the share computed from
 * the same file (35 361 communes, none outside its class by more than half a point).
 */
const COVERAGE_CLASSES: Record<string, [number, number]> = {
  "0": [0, 0], "5": [0, 10], "10": [10, 25], "25": [25, 50], "50": [50, 80], "80": [80, Infinity]
};

/** Rounding at the class bounds: Arcep classed 53 of 66 premises (80.3 %) in the 50–80 class. */
const CLASS_TOLERANCE = 0.5;

/** True when a coverage class agrees with connectable premises and premises. */
export function coverageClassAgrees(category: string, raccordables: number, locaux: number): boolean {
  const bounds = COVERAGE_CLASSES[category.trim()];
  if (!bounds) return false;
  if (category.trim() === "0") return raccordables === 0;
  if (raccordables === 0 || locaux === 0) return false;
  const share = (raccordables / locaux) * 100;
  return share > bounds[0] - CLASS_TOLERANCE && share <= bounds[1] + CLASS_TOLERANCE;
}

/**
 * Joins `ftthCommunes.csv` (two rows per commune) onto the parsed communes and settles both ledgers:
 * - a `Locaux Raccordables` row is loaded when its latest quarter is read and its commune was kept;
 * - a `Catégorie` row holds no new information (a coded class of raccordables / locaux, both stored): it is
 *   checked against the stored figures and counted as loaded when it agrees, quarantined when it does not,
 *   so that an inconsistent edition shows in the quarantine instead of being silently trusted;
 * - a commune row whose connectable premises never arrive is still loaded, with locaux_raccordables null.
 */
export function joinFtth2018(
  communes: Map<string, Commune2018>,
  ftthRows: Pick<CsvRows, "forEach">,
  quarter: QuarterColumn,
  communesLedger: Ledger,
  ftthLedger: Ledger,
  edition: string
): FtthPart[] {
  const raccordables = new Map<string, number>();
  const categories: { line: number; code: string; value: string }[] = [];
  ftthRows.forEach(({ line, values }) => {
    const code = normaliseCommuneCode(values["Code commune"]);
    const champ = values["Champ"].trim();
    if (!code || !communes.has(code)) {
      ftthLedger.quarantine(line, "Code commune", values["Code commune"], "commune absente de communes.csv ou écartée (voir sa quarantaine)");
    } else if (champ === "Locaux Raccordables") {
      if (raccordables.has(code)) ftthLedger.quarantine(line, "Code commune", values["Code commune"], "ligne Locaux Raccordables en double");
      else {
        const n = countOrQuarantine(values[quarter.column], ftthLedger, line, quarter.column);
        if (n !== null) raccordables.set(code, n);
      }
    } else if (champ === "Catégorie") categories.push({ line, code, value: values[quarter.column] });
    else ftthLedger.quarantine(line, "Champ", champ, "champ inconnu (attendu Locaux Raccordables ou Catégorie)");
  });
  ftthLedger.loaded(raccordables.size);
  for (const { line, code, value } of categories) checkCategory(line, code, value, communes, raccordables, ftthLedger, quarter.column);
  communesLedger.loaded(communes.size);
  return [...communes.entries()].map(([source, c]) => ({
    code_insee: c.code_insee, code_source: source, trimestre: quarter.trimestre, locaux: c.locaux,
    locaux_raccordables: raccordables.get(source) ?? null, zone_fthd: c.zone, operateur_engage: c.operateur, edition
  }));
}

function checkCategory(line: number, code: string, value: string, communes: Map<string, Commune2018>, raccordables: Map<string, number>, ledger: Ledger, column: string): void {
  const racc = raccordables.get(code);
  if (racc === undefined) {
    ledger.quarantine(line, column, value, "classe de couverture sans locaux raccordables lisibles pour la commune");
    return;
  }
  const locaux = communes.get(code)!.locaux;
  if (coverageClassAgrees(value, racc, locaux)) ledger.loaded();
  else {
    const share = locaux > 0 ? ` (${((racc / locaux) * 100).toFixed(1).replace(".", ",")} % des locaux raccordables)` : "";
    ledger.quarantine(line, column, value, `classe de couverture incohérente avec locaux raccordables / locaux${share}`);
  }
}

async function readCsvTable(opened: OpenedResource, required: string[]) {
  const { text } = await readText(opened.acquired.file, SOURCE_ID);
  return readCsv(text, opened.ledger, { delimiter: ",", headerContains: "Code commune", required });
}

async function load2018(context: LoadContext): Promise<{ rows: FtthRow[]; parts: FtthPart[] }> {
  const communesFile = await context.open(deploiements2018CommunesResource);
  const ftthFile = await context.open(deploiements2018FtthResource);
  if (!communesFile || !ftthFile) return { rows: [], parts: [] };
  const communesTable = await readCsvTable(communesFile, COMMUNES_2018_COLUMNS);
  const ftthTable = await readCsvTable(ftthFile, ["Code commune", "Champ"]);
  const quarter = latestQuarterColumn(ftthTable.header);
  if (!quarter) {
    throw new SourceError(ftthFile.ledger.at(ftthTable.headerLine, "T<n> <AAAA>"), "aucune colonne trimestrielle de locaux raccordables (« T1 2018 »…)");
  }
  const communes = parseCommunes2018(communesTable, communesFile.ledger, context.cog);
  const parts = joinFtth2018(communes, ftthTable, quarter, communesFile.ledger, ftthFile.ledger, EDITION_2018);
  return { rows: mergeParts(parts), parts };
}

/** Premises per published code (the first row of a code wins; codes as the COG writes them). */
export function premisesByPublishedCode(parts: FtthPart[]): { code_ancien: string; locaux: number }[] {
  const byCode = new Map<string, number>();
  for (const p of parts) {
    const code = normaliseCommuneCode(p.code_source);
    if (code && !byCode.has(code)) byCode.set(code, p.locaux);
  }
  return [...byCode].map(([code_ancien, locaux]) => ({ code_ancien, locaux }));
}

/** Arcep FttH deployments per commune, T1 2018 edition and current workbook. */
export const arcepDeploiements: Source = {
  id: SOURCE_ID,
  title: "Déploiements FttH et zones réglementaires par commune (Arcep)",
  // Needs the COG index.
  after: ["referentiel"],
  resources: [deploiements2018CommunesResource, deploiements2018FtthResource, deploiementsWorkbookResource],
  async load(context) {
    const edition2018 = await load2018(context);
    const rows = [...edition2018.rows, ...(await loadWorkbook(context))];
    await createTable(context.connection, arcepFtthTable);
    await insertRows(context.connection, arcepFtthTable, rows);
    await createTable(context.connection, locauxCommunesAnciennesTable);
    await insertRows(context.connection, locauxCommunesAnciennesTable, premisesByPublishedCode(edition2018.parts));
  }
};
