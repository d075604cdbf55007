import { SourceError } from "../../io/errors.ts";
import type { Ledger } from "../../io/ledger.ts";

/**
 * Reading a JSON file that is an array of records (the shape of the territories' lists of places), with the
 * line where each record starts so that a quarantined record or a syntax error points at the right place.
 */

/**
 * Parses the JSON array. Invalid JSON, a non-array document, an empty array or a `required` key missing from
 * every record (renamed in a new version of the file?) fails the load with the file and line.
 */
export function parseRecords(text: string, ledger: Ledger, required: string[] = []): unknown[] {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new SourceError(ledger.at(errorLine(text, error as Error)), `JSON invalide (${(error as Error).message.split("\n")[0]})`);
  }
  if (!Array.isArray(json)) throw new SourceError(ledger.at(1), "tableau JSON de lieux attendu");
  if (json.length === 0) throw new SourceError(ledger.at(1), "aucun lieu dans le fichier");
  for (const key of required) {
    if (!json.some((r) => typeof r === "object" && r !== null && key in r)) {
      throw new SourceError(ledger.at(1, key), "clé obligatoire absente de tous les lieux (renommée dans une nouvelle version ?)");
    }
  }
  return json;
}

/**
 * Line of a JSON syntax error: from the position V8 gives when it gives one, else the first record of the
 * top-level array that does not parse on its own (V8's "Unexpected token" messages carry no position).
 */
function errorLine(text: string, error: Error): number {
  const position = /position (\d+)/.exec(error.message)?.[1];
  if (position !== undefined) return text.slice(0, Number(position)).split("\n").length;
  for (const span of recordSpans(text)) {
    try {
      JSON.parse(text.slice(span.start, span.end));
    } catch {
      return span.line;
    }
  }
  return 1;
}

/** Line (1-based) where each element of the top-level JSON array starts, so the quarantine points at it. */
export function recordLines(text: string): number[] {
  return recordSpans(text).map((s) => s.line);
}

/** Where each element of the top-level array starts and ends (a string-aware bracket scan, no parsing). */
function recordSpans(text: string): { line: number; start: number; end: number }[] {
  const spans: { line: number; start: number; end: number }[] = [];
  let line = 1;
  let depth = 0;
  let inString = false;
  let expectValue = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === "\n") line++;
    if (inString) {
      if (c === "\\") i++;
      else if (c === '"') inString = false;
      continue;
    }
    if (depth === 1 && expectValue && !/[\s,\]]/.test(c)) {
      spans.push({ line, start: i, end: text.length });
      expectValue = false;
    }
    if (c === '"') inString = true;
    else if (c === "[" || c === "{") {
      depth++;
      if (depth === 1) expectValue = true;
    } else if (c === "]" || c === "}") depth--;
    else if (c === "," && depth === 1) {
      expectValue = true;
      if (spans.length) spans[spans.length - 1].end = i;
    }
  }
  const last = spans[spans.length - 1];
  if (last) last.end = Math.max(last.start, text.lastIndexOf("]"));
  return spans;
}
