import ExcelJS from "exceljs";
import { capLength, sanitizeXlsx, SPREADSHEET_CELL_LIMIT } from "../sanitize.ts";
import { neutraliseFormula, roundForExport, type Cell } from "./cells.ts";

export interface Sheet {
  name: string;
  columns: string[];
  rows: Record<string, Cell>[];
}

/**
 * Writes a workbook: one sheet per table, a bold header row kept in view (frozen pane) with a filter, one cell per
 * known value. Text cells are neutralised against formula injection; numbers stay numbers, booleans booleans.
 *
 * exceljs (a maintained XLSX writer; SheetJS's npm release is stale), through its streaming writer: each row is
 * serialised as it is added and the parts are deflated by Node's zlib, where the in-memory workbook kept a cell
 * object (and looked up a style) for each of the commune sheet's 60 000 cells, then zipped in JavaScript: the
 * costliest file of a département's folder after the schéma.
 */
export async function writeWorkbook(file: string, sheets: Sheet[]): Promise<void> {
  const workbook = new ExcelJS.stream.xlsx.WorkbookWriter({ filename: file, useSharedStrings: true, useStyles: true });
  workbook.creator = "sdin";
  for (const sheet of sheets) {
    const ws = workbook.addWorksheet(sanitizeXlsx(sheet.name).slice(0, 31), { views: [{ state: "frozen", ySplit: 1 }] });
    ws.columns = sheet.columns.map((c) => ({ header: sanitizeXlsx(c), key: c, width: Math.min(40, Math.max(10, c.length + 2)) }));
    ws.getRow(1).font = { bold: true };
    ws.autoFilter = { from: { row: 1, column: 1 }, to: { row: 1, column: Math.max(1, sheet.columns.length) } };
    for (const row of sheet.rows) {
      const added = ws.addRow(sheet.columns.map((c) => xlsxValue(row[c])));
      added.eachCell({ includeEmpty: true }, (cell) => {
        cell.style = plainCell;
      });
      added.commit();
    }
    ws.commit();
  }
  await workbook.commit();
}

/**
 * The style of every data cell (no format of its own): one object for them all, empty cells included. exceljs gives
 * each new cell a style object of its own and, on writing it, looks the style up by serialising it, unless it has met
 * that very object before: sharing it skips that work for each of the commune sheet's cells. Empty cells (a value
 * unknown: about a quarter of the commune sheet) are written too, with their style: without them, writing the Aisne's
 * commune sheet took 124 ms instead of 97, for the same file.
 */
const plainCell: Partial<ExcelJS.Style> = {};

function xlsxValue(value: Cell): string | number | boolean | null {
  if (value === null || value === undefined) return null;
  if (typeof value === "number") return Number.isFinite(value) ? roundForExport(value) : null;
  if (typeof value === "boolean") return value;
  // Through the XLSX sanitiser: valid XML in the shared strings, one line, within Excel's 32 767 characters.
  return capLength(neutraliseFormula(sanitizeXlsx(value)), SPREADSHEET_CELL_LIMIT);
}
