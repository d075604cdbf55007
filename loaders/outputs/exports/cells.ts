import { capLength, sanitizeCsv, SPREADSHEET_CELL_LIMIT } from "../sanitize.ts";

/**
 * Cell values as spreadsheets read them. A text cell starting with `=`, `+`, `-`, `@` (or a tab or carriage
 * return, which some spreadsheets strip first) is run as a formula by Excel and LibreOffice: such text from the
 * data (a place's name, an address) is prefixed with an apostrophe so that it is shown, never executed.
 */
export function neutraliseFormula(value: string): string {
  return /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
}

export type Cell = string | number | boolean | null | undefined;

/** One CSV field (RFC 4180): quoted when it holds a comma, a quote or a line break; numbers with a dot. */
export function csvField(value: Cell): string {
  if (value === null || value === undefined) return "";
  if (typeof value === "number") return Number.isFinite(value) ? String(roundForExport(value)) : "";
  if (typeof value === "boolean") return value ? "true" : "false";
  // Through the CSV sanitiser: one line per record, no control characters, within Excel's cell limit.
  const text = capLength(neutraliseFormula(sanitizeCsv(value)), SPREADSHEET_CELL_LIMIT);
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** Rounds away binary noise (0.1 + 0.2) without losing meaningful digits. */
export function roundForExport(value: number): number {
  return Number.isInteger(value) ? value : Number(value.toPrecision(12));
}

/** A CSV document: header line then rows, CRLF line ends as RFC 4180 says. */
export function toCsv(columns: string[], rows: Record<string, Cell>[]): string {
  const lines = [columns.map(csvField).join(",")];
  for (const row of rows) lines.push(columns.map((c) => csvField(row[c])).join(","));
  return lines.join("\r\n") + "\r\n";
}
