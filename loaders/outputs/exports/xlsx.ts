import { writeFile } from "node:fs/promises";
import { zipFiles } from "../../io/zip.ts";
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
 * The SpreadsheetML is written here rather than by a workbook library: an export has only values, and a library's
 * cell-by-cell model (a style looked up for each of the commune sheet's 60 000 cells, then a JavaScript zip) was the
 * costliest file of a département's folder after the schéma. The parts written are the ones Excel and LibreOffice
 * need (ECMA-376 part 1: workbook, sheets, shared strings, styles, relationships, content types, properties).
 */
export async function writeWorkbook(file: string, sheets: Sheet[], date = new Date()): Promise<void> {
  await writeFile(file, workbookBytes(sheets, date));
}

/** The workbook as the bytes of an XLSX file (a zip of XML parts). */
export function workbookBytes(sheets: Sheet[], date = new Date()): Buffer {
  const strings = new SharedStrings();
  const names = sheets.map((sheet) => sanitizeXlsx(sheet.name).slice(0, 31));
  const worksheets = sheets.map((sheet, i) => ({ name: `xl/worksheets/sheet${i + 1}.xml`, data: worksheetXml(sheet, strings) }));
  return zipFiles(
    [
      { name: "[Content_Types].xml", data: contentTypesXml(sheets.length) },
      { name: "_rels/.rels", data: packageRelsXml },
      { name: "docProps/core.xml", data: coreXml(date) },
      { name: "docProps/app.xml", data: appXml },
      { name: "xl/workbook.xml", data: workbookXml(names) },
      { name: "xl/_rels/workbook.xml.rels", data: workbookRelsXml(sheets.length) },
      { name: "xl/styles.xml", data: stylesXml },
      ...worksheets,
      // After the sheets: they are what fills the table.
      { name: "xl/sharedStrings.xml", data: strings.xml() }
    ],
    date
  );
}

function xlsxValue(value: Cell): string | number | boolean | null {
  if (value === null || value === undefined) return null;
  if (typeof value === "number") return Number.isFinite(value) ? roundForExport(value) : null;
  if (typeof value === "boolean") return value;
  // Through the XLSX sanitiser: valid XML in the shared strings, one line, within Excel's 32 767 characters.
  return capLength(neutraliseFormula(sanitizeXlsx(value)), SPREADSHEET_CELL_LIMIT);
}

const XML_DECLARATION = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n`;
const MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main";
const REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships";
const PACKAGE_REL_NS = "http://schemas.openxmlformats.org/package/2006/relationships";

/** Text for an XML element or a double-quoted attribute (the sanitiser has already removed what XML forbids). */
function escapeXml(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}

/** Column letters of a 0-based index: A … Z, AA … */
export function columnName(index: number): string {
  let name = "";
  for (let n = index + 1; n > 0; n = Math.floor((n - 1) / 26)) name = String.fromCharCode(65 + ((n - 1) % 26)) + name;
  return name;
}

/** Every text of the workbook once, referred to by its index from the cells (what Excel itself writes). */
class SharedStrings {
  private readonly index = new Map<string, number>();
  private readonly items: string[] = [];
  private count = 0;

  /** The index of `text`, added on first use. */
  ref(text: string): number {
    this.count++;
    let i = this.index.get(text);
    if (i === undefined) {
      i = this.items.length;
      this.index.set(text, i);
      this.items.push(`<si><t xml:space="preserve">${escapeXml(text)}</t></si>`);
    }
    return i;
  }

  xml(): string {
    return `${XML_DECLARATION}<sst xmlns="${MAIN_NS}" count="${this.count}" uniqueCount="${this.items.length}">${this.items.join("")}</sst>`;
  }
}

/** Style 1 of `stylesXml`: the header row's bold font. */
const HEADER_STYLE = 1;

function worksheetXml(sheet: Sheet, strings: SharedStrings): string {
  const letters = sheet.columns.map((_, i) => columnName(i));
  const last = columnName(Math.max(1, sheet.columns.length) - 1);
  // An unknown value is no cell at all.
  const cell = (ref: string, value: Cell): string => {
    const v = xlsxValue(value);
    if (v === null) return "";
    if (typeof v === "number") return `<c r="${ref}"><v>${v}</v></c>`;
    if (typeof v === "boolean") return `<c r="${ref}" t="b"><v>${v ? 1 : 0}</v></c>`;
    return `<c r="${ref}" t="s"><v>${strings.ref(v)}</v></c>`;
  };
  // The header is the columns' names, sanitised but not escaped as formulas (they are identifiers).
  const header = sheet.columns.map((c, i) => `<c r="${letters[i]}1" s="${HEADER_STYLE}" t="s"><v>${strings.ref(sanitizeXlsx(c))}</v></c>`).join("");
  const rows: string[] = header ? [`<row r="1">${header}</row>`] : [];
  sheet.rows.forEach((row, r) => {
    const n = r + 2;
    let cells = "";
    for (let i = 0; i < sheet.columns.length; i++) cells += cell(`${letters[i]}${n}`, row[sheet.columns[i]]);
    rows.push(`<row r="${n}">${cells}</row>`);
  });
  // As wide as the header, between 10 and 40 characters.
  const cols = sheet.columns.map((c, i) => `<col min="${i + 1}" max="${i + 1}" width="${Math.min(40, Math.max(10, c.length + 2))}" customWidth="1"/>`).join("");
  return (
    `${XML_DECLARATION}<worksheet xmlns="${MAIN_NS}" xmlns:r="${REL_NS}">` +
    `<dimension ref="A1:${last}${sheet.rows.length + 1}"/>` +
    `<sheetViews><sheetView workbookViewId="0"><pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/><selection pane="bottomLeft"/></sheetView></sheetViews>` +
    `<sheetFormatPr defaultRowHeight="15"/>` +
    (cols ? `<cols>${cols}</cols>` : "") +
    `<sheetData>${rows.join("")}</sheetData>` +
    `<autoFilter ref="A1:${last}1"/>` +
    `<pageMargins left="0.7" right="0.7" top="0.75" bottom="0.75" header="0.3" footer="0.3"/>` +
    `</worksheet>`
  );
}

function contentTypesXml(sheetCount: number): string {
  const sheets = Array.from({ length: sheetCount }, (_, i) => `<Override PartName="/xl/worksheets/sheet${i + 1}.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>`).join("");
  return (
    `${XML_DECLARATION}<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">` +
    `<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>` +
    `<Default Extension="xml" ContentType="application/xml"/>` +
    `<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>` +
    sheets +
    `<Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>` +
    `<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>` +
    `<Override PartName="/docProps/core.xml" ContentType="application/vnd.openxmlformats-package.core-properties+xml"/>` +
    `<Override PartName="/docProps/app.xml" ContentType="application/vnd.openxmlformats-officedocument.extended-properties+xml"/>` +
    `</Types>`
  );
}

const packageRelsXml =
  `${XML_DECLARATION}<Relationships xmlns="${PACKAGE_REL_NS}">` +
  `<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>` +
  `<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties" Target="docProps/core.xml"/>` +
  `<Relationship Id="rId3" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/extended-properties" Target="docProps/app.xml"/>` +
  `</Relationships>`;

function coreXml(date: Date): string {
  const when = date.toISOString().replace(/\.\d{3}Z$/, "Z");
  return (
    `${XML_DECLARATION}<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">` +
    `<dc:creator>sdin</dc:creator>` +
    `<dcterms:created xsi:type="dcterms:W3CDTF">${when}</dcterms:created>` +
    `<dcterms:modified xsi:type="dcterms:W3CDTF">${when}</dcterms:modified>` +
    `</cp:coreProperties>`
  );
}

const appXml = `${XML_DECLARATION}<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties"><Application>sdin</Application></Properties>`;

function workbookXml(names: string[]): string {
  const sheets = names.map((name, i) => `<sheet name="${escapeXml(name)}" sheetId="${i + 1}" r:id="rId${i + 1}"/>`).join("");
  return `${XML_DECLARATION}<workbook xmlns="${MAIN_NS}" xmlns:r="${REL_NS}"><bookViews><workbookView/></bookViews><sheets>${sheets}</sheets></workbook>`;
}

function workbookRelsXml(sheetCount: number): string {
  const sheets = Array.from({ length: sheetCount }, (_, i) => `<Relationship Id="rId${i + 1}" Type="${REL_NS}/worksheet" Target="worksheets/sheet${i + 1}.xml"/>`).join("");
  return (
    `${XML_DECLARATION}<Relationships xmlns="${PACKAGE_REL_NS}">${sheets}` +
    `<Relationship Id="rId${sheetCount + 1}" Type="${REL_NS}/styles" Target="styles.xml"/>` +
    `<Relationship Id="rId${sheetCount + 2}" Type="${REL_NS}/sharedStrings" Target="sharedStrings.xml"/>` +
    `</Relationships>`
  );
}

/** Two cell formats: 0 the default (Calibri 11), 1 the same in bold (the header row). */
const stylesXml =
  `${XML_DECLARATION}<styleSheet xmlns="${MAIN_NS}">` +
  `<fonts count="2"><font><sz val="11"/><name val="Calibri"/><family val="2"/></font><font><b/><sz val="11"/><name val="Calibri"/><family val="2"/></font></fonts>` +
  `<fills count="2"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill></fills>` +
  `<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>` +
  `<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>` +
  `<cellXfs count="2"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/><xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/></cellXfs>` +
  `<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>` +
  `</styleSheet>`;
