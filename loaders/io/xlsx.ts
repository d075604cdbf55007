import { readFile } from "node:fs/promises";
import ExcelJS from "exceljs";
import { SourceError } from "./errors.ts";
import { listZipEntries, readZipEntry } from "./zip.ts";

/**
 * Reading one sheet of a published XLSX workbook as rows of display strings, keeping the sheet's row numbers
 * so that every message and every quarantined row points at the line a spreadsheet shows.
 */

/** Where a workbook comes from, for messages. */
export interface XlsxWhere {
  source: string;
  /** File name shown in messages. */
  file: string;
}

/** One non-empty row of a sheet: its 1-based row number and its cells from column A, as text. */
export interface XlsxRow {
  line: number;
  cells: string[];
}

/** The non-empty rows of one sheet. */
export interface XlsxSheet {
  sheet: string;
  rows: XlsxRow[];
}

/** One data row below the header, as a record keyed by the header's (normalised) names. */
export interface XlsxRecord {
  line: number;
  values: Record<string, string>;
}

/** A sheet read as a table: its header row, found by searching, and the data rows below it. */
export interface XlsxTable {
  sheet: string;
  header: string[];
  headerLine: number;
  rows: XlsxRecord[];
}

export interface XlsxTableOptions {
  /**
   * What identifies the header row: a cell text (`"Code commune"`, spaces and case ignored) or a test on each cell
   * (a column whose name carries a date, found by its prefix).
   */
  headerContains: string | HeaderTest;
  /** How many rows to search for the header (title lines above it). */
  maxHeaderRows?: number;
  /** Columns that must be in the header; a missing one fails the load with its name. */
  required?: string[];
}

/** A test that recognises a header cell, and how messages name what was looked for. */
export interface HeaderTest {
  label: string;
  test: (cell: string) => boolean;
}

const ZIP_MAGIC = [0x50, 0x4b, 0x03, 0x04];

/**
 * Reads the sheet named `sheet` (case and surrounding spaces ignored) of the workbook `file`.
 * Refuses an empty file, an HTML page served in place of the workbook and a file that is not an XLSX, and
 * names the sheets present when the sheet is missing.
 */
export async function readXlsxSheet(file: string, sheet: string | null, where: XlsxWhere): Promise<XlsxSheet> {
  return parseXlsxSheet(await readFile(file), sheet, where);
}

/** `readXlsxSheet` on the workbook's bytes; `sheet` null reads the first sheet. */
export async function parseXlsxSheet(bytes: Uint8Array, sheet: string | null, where: XlsxWhere): Promise<XlsxSheet> {
  checkIsWorkbook(bytes, where);
  checkZipEntries(bytes, where);
  const workbook = new ExcelJS.Workbook();
  try {
    await workbook.xlsx.load(Buffer.from(bytes) as unknown as ExcelJS.Buffer);
  } catch (error) {
    throw new SourceError({ ...where }, `classeur XLSX illisible (${(error as Error).message})`);
  }
  const wanted = sheet?.trim().toLowerCase();
  const worksheet = wanted === undefined ? workbook.worksheets[0] : workbook.worksheets.find((w) => w.name.trim().toLowerCase() === wanted);
  if (!worksheet) {
    const present = workbook.worksheets.map((w) => `"${w.name}"`).join(", ") || "aucune";
    throw new SourceError({ ...where }, sheet === null ? "classeur sans feuille" : `feuille "${sheet}" absente du classeur (feuilles présentes : ${present})`);
  }
  const rows: XlsxRow[] = [];
  worksheet.eachRow({ includeEmpty: false }, (row, line) => {
    const cells = rowCells(row);
    if (cells.some((cell) => cell.trim() !== "")) rows.push({ line, cells });
  });
  return { sheet: worksheet.name, rows };
}

function checkIsWorkbook(bytes: Uint8Array, where: XlsxWhere): void {
  if (bytes.length === 0 || /^\s*$/.test(Buffer.from(bytes.subarray(0, 64)).toString("latin1"))) {
    throw new SourceError({ ...where, line: 1 }, "fichier vide");
  }
  if (ZIP_MAGIC.every((b, i) => bytes[i] === b)) return;
  const head = Buffer.from(bytes.subarray(0, 512)).toString("latin1");
  if (/^\s*<(!doctype html|html|\?xml[^>]*>\s*<html)/i.test(head)) {
    throw new SourceError({ ...where, line: 1 }, "page HTML reçue à la place du classeur (erreur du serveur ou lien périmé ?)");
  }
  throw new SourceError({ ...where, line: 1 }, "ce fichier n'est pas un classeur XLSX (signature ZIP absente)");
}

/**
 * A workbook is a zip that exceljs inflates whole, with no size limit: every entry is first inflated under the zip
 * reader's limit, so that a decompression bomb or an entry escaping its folder is refused, naming the file.
 */
function checkZipEntries(bytes: Uint8Array, where: XlsxWhere): void {
  for (const entry of listZipEntries(bytes, where)) if (!entry.name.endsWith("/")) readZipEntry(bytes, entry.name, where);
}

function rowCells(row: ExcelJS.Row): string[] {
  const cells: string[] = [];
  row.eachCell({ includeEmpty: false }, (cell, column) => {
    while (cells.length < column - 1) cells.push("");
    cells[column - 1] = cellText(cell.value);
  });
  return cells;
}

/**
 * The text a cell shows, without its number format: numbers as JavaScript writes them (`8262`), text as
 * typed (`" 8 262 "`, `" - "`), formulas by their cached result, dates as ISO days. Callers parse numbers
 * with `parseNumber` / `parseArcepCount`, which accept both forms.
 */
export function cellText(value: ExcelJS.CellValue): string {
  if (value === null || value === undefined) return "";
  if (typeof value === "string") return value;
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  if (value instanceof Date) return value.toISOString().slice(0, 10);
  if ("richText" in value) return value.richText.map((part) => part.text).join("");
  if ("error" in value) return value.error;
  if ("formula" in value || "sharedFormula" in value) return value.result === undefined ? "" : cellText(value.result as ExcelJS.CellValue);
  if ("text" in value) return String(value.text);
  return "";
}

/** Header names as people read them: line breaks and repeated spaces collapsed, ends trimmed. */
export function normaliseHeader(name: string): string {
  return name.replace(/\s+/g, " ").trim();
}

/**
 * Finds the header row as the first of the first `maxRows` rows having a cell whose text is `text`
 * (after normalising spaces): publishers put a variable number of title lines above it.
 */
export function findHeaderRow(sheet: XlsxSheet, text: string | HeaderTest, where: XlsxWhere, maxRows = 30): XlsxRow {
  const header: HeaderTest =
    typeof text === "string" ? { label: text, test: (cell) => normaliseHeader(cell).toLowerCase() === normaliseHeader(text).toLowerCase() } : text;
  const candidates = sheet.rows.filter((row) => row.line <= maxRows);
  const found = candidates.find((row) => row.cells.some((cell) => header.test(cell)));
  if (!found) {
    throw new SourceError(
      { ...where, line: 1, column: header.label },
      `feuille "${sheet.sheet}" : ligne d'en-tête introuvable (aucune des ${maxRows} premières lignes n'a de cellule "${header.label}")`
    );
  }
  return found;
}

/**
 * Reads a sheet as a table: finds the header row, names the columns after it (a repeated name gets a
 * ` (2)` suffix so that no column hides another) and returns every non-empty row below it.
 * Does not touch any ledger: the caller counts each data row as read.
 */
export function sheetTable(sheet: XlsxSheet, where: XlsxWhere, options: XlsxTableOptions): XlsxTable {
  const headerRow = findHeaderRow(sheet, options.headerContains, where, options.maxHeaderRows);
  const header = uniqueNames(headerRow.cells.map(normaliseHeader));
  for (const column of options.required ?? []) {
    if (!header.includes(column)) {
      throw new SourceError({ ...where, line: headerRow.line, column }, `feuille "${sheet.sheet}" : colonne obligatoire absente`);
    }
  }
  const rows = sheet.rows
    .filter((row) => row.line > headerRow.line)
    .map(({ line, cells }) => {
      const values: Record<string, string> = {};
      header.forEach((name, i) => {
        if (name !== "") values[name] = cells[i] ?? "";
      });
      return { line, values };
    });
  return { sheet: sheet.sheet, header, headerLine: headerRow.line, rows };
}

function uniqueNames(names: string[]): string[] {
  const seen = new Map<string, number>();
  return names.map((name) => {
    if (name === "") return name;
    const count = (seen.get(name) ?? 0) + 1;
    seen.set(name, count);
    return count === 1 ? name : `${name} (${count})`;
  });
}
