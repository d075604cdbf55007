import { isUtf8 } from "node:buffer";
import { readFile } from "node:fs/promises";
import path from "node:path";
import Papa from "papaparse";
import { SourceError } from "./errors.ts";
import type { Ledger } from "./ledger.ts";

/** Text decoded from a file, with the encoding that was found. */
export interface DecodedText {
  text: string;
  encoding: "utf-8" | "windows-1252";
}

/**
 * Decodes a published file: strips a BOM, reads UTF-8 when the bytes are valid UTF-8 and falls back to
 * Windows-1252 (a superset of ISO-8859-1, what INSEE's older files use) otherwise. Refuses empty files and
 * HTML pages served in place of data, naming the file.
 */
export function decodeText(bytes: Uint8Array, where: { source: string; file: string }): DecodedText {
  let body = bytes;
  const utf16 = utf16Kind(body);
  if (utf16) {
    throw new SourceError({ ...where, line: 1 }, `fichier encodé en ${utf16} (enregistré en « Unicode » par un tableur ?) : réenregistrez-le en UTF-8`);
  }
  if (body[0] === 0xef && body[1] === 0xbb && body[2] === 0xbf) body = body.subarray(3);
  if (body.length === 0 || /^\s*$/.test(Buffer.from(body.subarray(0, 64)).toString("latin1"))) {
    throw new SourceError({ ...where, line: 1 }, "fichier vide");
  }
  let text: string;
  let encoding: DecodedText["encoding"] = "utf-8";
  try {
    // Checked first (fast, no copy), then decoded by Buffer: the same text as a strict TextDecoder, in less time.
    if (!isUtf8(body)) throw new Error("pas UTF-8");
    text = Buffer.from(body.buffer, body.byteOffset, body.byteLength).toString("utf8");
  } catch {
    const lenient = new TextDecoder("utf-8").decode(body);
    // Valid multi-byte UTF-8 beside invalid bytes: two encodings in one file (files concatenated, rows edited in
    // another tool). Read as Windows-1252, every UTF-8 accented name would be silently garbled ("GuÃ©ret").
    if (/[^\x00-\x7f\ufffd]/.test(lenient)) {
      const line = lenient.slice(0, lenient.indexOf("\ufffd")).split("\n").length;
      throw new SourceError({ ...where, line }, "encodage mixte : UTF-8 et Windows-1252 dans le même fichier (premier octet non UTF-8 à cette ligne)");
    }
    text = new TextDecoder("windows-1252").decode(body);
    encoding = "windows-1252";
  }
  if (/^\s*<(!doctype html|html|\?xml[^>]*>\s*<html)/i.test(text.slice(0, 512))) {
    throw new SourceError({ ...where, line: 1 }, "page HTML reçue à la place des données (erreur du serveur ou lien périmé ?)");
  }
  return { text, encoding };
}

/**
 * UTF-16 (what spreadsheets call "Unicode text"): a byte-order mark, or text whose every other byte is 0 at the
 * start. Read as UTF-8 or Windows-1252 it would look like a renamed column or mixed encodings.
 */
function utf16Kind(bytes: Uint8Array): string | null {
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return "UTF-16 LE";
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return "UTF-16 BE";
  const sample = bytes.subarray(0, Math.min(bytes.length, 200) & ~1);
  if (sample.length < 8) return null;
  let evenZeros = 0;
  let oddZeros = 0;
  for (let i = 0; i < sample.length; i += 2) {
    if (sample[i] === 0) evenZeros++;
    if (sample[i + 1] === 0) oddZeros++;
  }
  const half = sample.length / 2;
  if (oddZeros > half * 0.8 && evenZeros === 0) return "UTF-16 LE";
  if (evenZeros > half * 0.8 && oddZeros === 0) return "UTF-16 BE";
  return null;
}

export async function readText(file: string, source: string): Promise<DecodedText> {
  return decodeText(await readFile(file), { source, file: path.basename(file) });
}

/** One data row of a CSV file, with its 1-based line number in the file. */
export interface CsvRow {
  line: number;
  values: Record<string, string>;
}

export interface CsvOptions {
  delimiter?: string;
  /** Lines before the header (titles, disclaimers). */
  skipLines?: number;
  /** Finds the header as the first line containing this column (for files with a variable number of title lines). */
  headerContains?: string;
  /** Columns that must be in the header; a missing one fails the load with its name. */
  required?: string[];
}

/** A CSV file's header, and its rows read one at a time (`forEach`). */
export interface CsvRows {
  header: string[];
  headerLine: number;
  /**
   * Reads the rows in order, handing each to `each` as soon as it is parsed: a row not kept by `each` is garbage at
   * once, rather than every row of the file staying alive until the last is read. Malformed rows are quarantined in
   * the ledger as they come. Reads the file once: a second call is an error.
   */
  forEach(each: (row: CsvRow) => void): void;
}

/** A parsed CSV: its header and the rows that have the header's shape; malformed rows are quarantined in the ledger. */
export interface CsvTable extends CsvRows {
  rows: CsvRow[];
}

/**
 * Parses RFC 4180 CSV (quoted fields may hold separators and line breaks) and keeps each row's line number.
 * Every data row is counted in the ledger as read; a row with the wrong number of fields (a truncated
 * file, a stray separator) is quarantined with its line, never dropped.
 */
export function parseCsv(text: string, ledger: Ledger, options: CsvOptions = {}): CsvTable {
  const reader = readCsv(text, ledger, options);
  const rows: CsvRow[] = [];
  reader.forEach((row) => rows.push(row));
  return csvTable(reader.header, reader.headerLine, rows);
}

/** A table of rows already read (a CSV's, a workbook sheet's), readable as `CsvRows` too. */
export function csvTable(header: string[], headerLine: number, rows: CsvRow[]): CsvTable {
  return { header, headerLine, rows, forEach: (each) => rows.forEach((row) => each(row)) };
}

/**
 * `parseCsv` without the array: the header (and the required columns) are read at once, the rows when `forEach`
 * is called. For a source that handles each row and keeps only what it derives from it: on a national load, the
 * rows of every file no longer all survive the young generation's collections (≈ 40 % less time parsing).
 */
export function readCsv(text: string, ledger: Ledger, options: CsvOptions = {}): CsvRows {
  const lineStarts = indexLines(text);
  const headerLine = findHeaderLine(text, lineStarts, options, ledger);
  const offset = lineStarts[headerLine - 1];
  const body = text.slice(offset);
  const delimiter = options.delimiter ?? guessDelimiter(body.slice(0, body.indexOf("\n") >>> 0));
  const newline = lineBreak(body);
  const [first] = Papa.parse<string[]>(body, { delimiter, newline, header: false, preview: 1 }).data;
  const header = (first ?? []).map((name) => name.replace(/^\ufeff/, "").trim());
  checkRequired(header, options.required ?? [], ledger, headerLine, delimiter);
  const makeValues = valuesMaker(header);
  let read = false;
  return {
    header,
    headerLine,
    forEach(each) {
      if (read) throw new Error(`${ledger.file} : lignes déjà lues (readCsv ne lit le fichier qu'une fois)`);
      read = true;
      // Papa hands each record over as soon as it is read, with the offset where it ends: the next one starts there.
      let start = 0;
      let isHeader = true;
      Papa.parse<string[]>(body, {
        delimiter,
        newline,
        skipEmptyLines: false,
        header: false,
        step: ({ data: record, meta }) => {
          const recordStart = start;
          start = meta.cursor;
          if (isHeader) {
            isHeader = false;
            return;
          }
          if (record.length === 1 && record[0].trim() === "") return; // blank line, not a row
          const line = lineOf(lineStarts, offset + recordStart);
          ledger.read();
          // Trailing empty fields (a separator at the end of every line) are not a shape error.
          while (record.length > header.length && record[record.length - 1] === "") record.pop();
          if (record.length !== header.length) {
            const reason = record.length < header.length ? "ligne tronquée ou incomplète" : "champs en trop";
            ledger.quarantine(line, null, record.join(delimiter), `${reason} : ${record.length} champs au lieu de ${header.length}`);
            return;
          }
          each({ line, values: makeValues(record) });
        }
      });
    }
  };
}

/**
 * Builds the `values` object of each row of a table with `header`: a function made once per table that returns an
 * object literal with the header's names (the technique of d3-dsv's object converter), so that V8 allocates each
 * row's object in one step with a shape shared by every row, rather than growing it one property at a time. Names
 * are written as JSON string literals (any text from a file is a valid key, never code); a repeated name keeps its
 * last column, as assigning them in order did; `__proto__` is a computed key, an own property like any other.
 */
function valuesMaker(header: string[]): (record: string[]) => Record<string, string> {
  const last = new Map(header.map((name, j) => [name, j]));
  const properties = [...last].map(([name, j]) => `${name === "__proto__" ? `[${JSON.stringify(name)}]` : JSON.stringify(name)}: r[${j}]`);
  return new Function("r", `return { ${properties.join(", ")} };`) as (record: string[]) => Record<string, string>;
}

/**
 * The file's line break, found as Papa Parse finds it when not told (in its first megabyte, quoted text left out:
 * `\n` when there is no `\r` or a `\n` comes first, else `\r\n` when at least half the `\r` are followed by `\n`,
 * else `\r`), once per file rather than once for the header and once for the rows (≈ 10 ms per megabyte).
 */
function lineBreak(body: string): "\n" | "\r\n" | "\r" {
  const sample = body.slice(0, 1024 * 1024).replace(/"[^]*?"/g, "");
  const r = sample.split("\r");
  const n = sample.indexOf("\n");
  if (r.length === 1 || (n !== -1 && n < r[0].length)) return "\n";
  let withN = 0;
  for (const part of r) if (part[0] === "\n") withN++;
  return withN >= r.length / 2 ? "\r\n" : "\r";
}

function indexLines(text: string): number[] {
  const starts = [0];
  for (let i = text.indexOf("\n"); i !== -1; i = text.indexOf("\n", i + 1)) starts.push(i + 1);
  return starts;
}

function lineOf(lineStarts: number[], position: number): number {
  let lo = 0;
  let hi = lineStarts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (lineStarts[mid] <= position) lo = mid;
    else hi = mid - 1;
  }
  return lo + 1;
}

function findHeaderLine(text: string, lineStarts: number[], options: CsvOptions, ledger: Ledger): number {
  if (options.headerContains) {
    const limit = Math.min(lineStarts.length, 50);
    for (let i = 0; i < limit; i++) {
      const line = text.slice(lineStarts[i], lineStarts[i + 1] ?? text.length);
      if (line.includes(options.headerContains)) return i + 1;
    }
    throw new SourceError(ledger.at(1, options.headerContains), `ligne d'en-tête introuvable (aucune des ${limit} premières lignes ne contient "${options.headerContains}")`);
  }
  return (options.skipLines ?? 0) + 1;
}

function guessDelimiter(headerLine: string): string {
  const counts = [";", ",", "\t", "|"].map((d) => [d, headerLine.split(d).length] as const);
  counts.sort((a, b) => b[1] - a[1]);
  return counts[0][0];
}

function checkRequired(header: string[], required: string[], ledger: Ledger, headerLine: number, delimiter: string): void {
  for (const column of required) {
    if (header.includes(column)) continue;
    // A one-column header is a wrong separator, whatever that one "column" resembles.
    const near = header.length > 1 ? header.find((name) => similar(name, column)) : undefined;
    const hint = header.length === 1 ? ` (séparateur "${delimiter}" attendu, en-tête lu : "${header[0].slice(0, 80)}")` : near ? ` (colonne voisine trouvée : "${near}" — renommée dans un nouveau millésime ?)` : "";
    throw new SourceError(ledger.at(headerLine, column), `colonne obligatoire absente${hint}`);
  }
}

function similar(a: string, b: string): boolean {
  const norm = (s: string) => s.toLowerCase().replace(/[^a-z0-9]/g, "");
  const x = norm(a);
  const y = norm(b);
  return x !== "" && (x.includes(y) || y.includes(x) || x.replace(/\d+/g, "") === y.replace(/\d+/g, ""));
}
