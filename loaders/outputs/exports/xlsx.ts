import ExcelJS from "exceljs";
import { capLength, sanitizeXlsx, SPREADSHEET_CELL_LIMIT } from "../sanitize.ts";
import { neutraliseFormula, roundForExport, type Cell } from "./cells.ts";

export interface Sheet {
  name: string;
  columns: string[];
  rows: Record<string, Cell>[];
}

/**
 * Writes a workbook (exceljs: a maintained XLSX writer with streaming support; SheetJS's npm release is stale).
 * Text cells are neutralised against formula injection; numbers stay numbers.
 */
export async function writeWorkbook(file: string, sheets: Sheet[]): Promise<void> {
  const workbook = new ExcelJS.Workbook();
  workbook.creator = "sdin";
  for (const sheet of sheets) {
    const ws = workbook.addWorksheet(sanitizeXlsx(sheet.name).slice(0, 31), { views: [{ state: "frozen", ySplit: 1 }] });
    ws.columns = sheet.columns.map((c) => ({ header: sanitizeXlsx(c), key: c, width: Math.min(40, Math.max(10, c.length + 2)) }));
    ws.getRow(1).font = { bold: true };
    for (const row of sheet.rows) ws.addRow(sheet.columns.map((c) => xlsxValue(row[c])));
    ws.autoFilter = { from: { row: 1, column: 1 }, to: { row: 1, column: Math.max(1, sheet.columns.length) } };
  }
  await workbook.xlsx.writeFile(file);
}

function xlsxValue(value: Cell): string | number | boolean | null {
  if (value === null || value === undefined) return null;
  if (typeof value === "number") return Number.isFinite(value) ? roundForExport(value) : null;
  if (typeof value === "boolean") return value;
  // Through the XLSX sanitiser: valid XML in the shared strings, one line, within Excel's 32 767 characters.
  return capLength(neutraliseFormula(sanitizeXlsx(value)), SPREADSHEET_CELL_LIMIT);
}
