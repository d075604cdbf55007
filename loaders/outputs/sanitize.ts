/**
 * One sanitiser per output format, applied by every writer to every text that comes from the data (a place's
 * name, an address, opening hours), so that an output always opens:
 * - characters XML 1.0 forbids (C0 controls but tab and line ends, U+FFFE, U+FFFF, lone surrogates) are removed:
 *   one of them makes a DOCX's `document.xml` or an XLSX's shared strings invalid and the file will not load;
 * - line breaks (CR, LF, CRLF, U+2028/2029) become spaces in table cells: a lone CR splits a Markdown table row
 *   and a CSV record in many readers;
 * - a field longer than the format's limit is cut, with an ellipsis saying so (Excel holds 32 767 characters
 *   in a cell and refuses a longer one; the same limit keeps a CSV opening in Excel);
 * - structured values (JSON objects and arrays) are rendered on purpose, never as `[object Object]`.
 * Escaping for the format's own markup (Markdown, HTML, CSV quotes, formulas) stays with each writer, after this.
 */

/** Excel's limit on the characters of a cell; CSV files are opened in Excel too. */
export const SPREADSHEET_CELL_LIMIT = 32_767;
/** No hard limit in Word or Markdown; a field of the data longer than this is a broken file, not a name. */
export const DOCUMENT_FIELD_LIMIT = 32_767;
/** Same reasoning for the site's pages. */
export const HTML_FIELD_LIMIT = 32_767;

// Tab, LF and CR are allowed by XML 1.0; the rest of C0, U+FFFE/U+FFFF and unpaired surrogates are not.
const XML_FORBIDDEN = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;
const LINE_BREAKS = /\r\n|[\r\n\u2028\u2029\u0085]/g;

/** Removes the characters XML 1.0 forbids. */
export function removeXmlForbidden(text: string): string {
  return text.replace(XML_FORBIDDEN, "");
}

/** Line breaks (and tabs) as single spaces: a table cell is one line. */
export function oneLine(text: string): string {
  return text.replace(LINE_BREAKS, " ").replace(/\t/g, " ");
}

/** Cuts `text` to at most `limit` characters, the last being an ellipsis; never splits a surrogate pair. */
export function capLength(text: string, limit: number): string {
  if (text.length <= limit) return text;
  let end = limit - 1;
  if (/[\uD800-\uDBFF]/.test(text[end - 1] ?? "")) end--;
  return text.slice(0, end) + "…";
}

/**
 * A value of any type as text, on purpose: arrays as their items joined by " ; ", objects as compact JSON,
 * dates in ISO 8601; null and undefined as null.
 */
export function renderValue(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  if (typeof value === "string") return value;
  if (typeof value === "number" || typeof value === "boolean" || typeof value === "bigint") return String(value);
  if (value instanceof Date) return value.toISOString();
  if (Array.isArray(value)) return value.map(renderValue).filter((v): v is string => v !== null).join(" ; ");
  try {
    return JSON.stringify(value, (_k, v: unknown) => (typeof v === "bigint" ? String(v) : v));
  } catch {
    return String(value);
  }
}

function clean(value: unknown, limit: number, cell: boolean): string {
  const text = removeXmlForbidden(renderValue(value) ?? "");
  return capLength(cell ? oneLine(text) : text, limit);
}

/** A CSV field's text (before quoting and formula neutralisation). */
export function sanitizeCsv(value: unknown): string {
  return clean(value, SPREADSHEET_CELL_LIMIT, true);
}

/** An XLSX cell's text, before formula neutralisation (the writer caps again after it). */
export function sanitizeXlsx(value: unknown): string {
  return clean(value, SPREADSHEET_CELL_LIMIT, true);
}

/**
 * A DOCX run's text: always one line, since a line break inside `<w:t>` is no break in Word (a paragraph is)
 * and a lone CR there only confuses readers.
 */
export function sanitizeDocx(value: unknown): string {
  return clean(value, DOCUMENT_FIELD_LIMIT, true);
}

/** A Markdown text (before escaping): always one line, since a break would end a table row or a paragraph. */
export function sanitizeMarkdown(value: unknown): string {
  return clean(value, DOCUMENT_FIELD_LIMIT, true);
}

/** An HTML text node or attribute value, escaped. */
export function sanitizeHtml(value: unknown, { cell = true } = {}): string {
  return clean(value, HTML_FIELD_LIMIT, cell).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
