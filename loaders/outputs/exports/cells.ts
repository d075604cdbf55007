import Papa from "papaparse";
import { capLength, sanitizeCsv, SPREADSHEET_CELL_LIMIT } from "../sanitize.ts";

/** Text a spreadsheet would run as a formula: it starts with `=`, `+`, `-`, `@`, or a tab or carriage return. */
const FORMULA_START = /^[=+\-@\t\r]/;

/**
 * Cell values as spreadsheets read them. A text cell starting with `=`, `+`, `-`, `@` (or a tab or carriage
 * return, which some spreadsheets strip first) is run as a formula by Excel and LibreOffice: such text from the
 * data (a place's name, an address) is prefixed with an apostrophe so that it is shown, never executed.
 */
export function neutraliseFormula(value: string): string {
  return FORMULA_START.test(value) ? `'${value}` : value;
}

export type Cell = string | number | boolean | null | undefined;

/** Rounds away binary noise (0.1 + 0.2) without losing meaningful digits. */
export function roundForExport(value: number): number {
  return Number.isInteger(value) ? value : Number(value.toPrecision(12));
}

/** A value as the CSV holds it: numbers rounded for export (a non-finite number is empty), text sanitised. */
function csvValue(value: Cell): Cell {
  if (typeof value === "number") return Number.isFinite(value) ? roundForExport(value) : null;
  if (value === null || value === undefined || typeof value === "boolean") return value;
  // Through the CSV sanitiser: one line per record, no control characters, structured values rendered, and room
  // left for the apostrophe of formula escaping within Excel's cell limit.
  const text = sanitizeCsv(value);
  return FORMULA_START.test(text) ? capLength(text, SPREADSHEET_CELL_LIMIT - 1) : text;
}

/**
 * A CSV document (RFC 4180, CRLF line ends), written by papaparse: fields quoted when they must be, text that a
 * spreadsheet would run as a formula prefixed with an apostrophe (papaparse's `escapeFormulae`, the same rule as
 * `neutraliseFormula`; numbers, negative ones included, are left alone).
 */
export function toCsv(columns: string[], rows: Record<string, Cell>[]): string {
  const data = rows.map((row) => columns.map((column) => csvValue(row[column])));
  return Papa.unparse({ fields: columns, data }, { newline: "\r\n", escapeFormulae: FORMULA_START }) + "\r\n";
}
