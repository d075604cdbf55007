import { renderValue } from "../sanitize.ts";

/**
 * The plain document model the schéma is built in: sections of headings, paragraphs, lists, tables, fiche fields
 * and images. The DOCX and the Markdown writers both read it, so the two files always say the same thing.
 * Every string in it is plain text (never markup): each writer escapes it for its own format.
 */

/** A run of text; `todo` marks what the council must decide ("À compléter"), shown highlighted. */
export interface Run {
  text: string;
  bold?: boolean;
  italic?: boolean;
  todo?: boolean;
}

export type Inline = string | Run;

export type Block =
  | { kind: "heading"; level: 1 | 2 | 3; text: string; pageBreakBefore?: boolean }
  | { kind: "paragraph"; runs: Inline[]; style?: "normal" | "source" | "note" | "lead" }
  | { kind: "list"; items: Inline[][]; ordered?: boolean }
  | Table
  | { kind: "fields"; entries: Field[] }
  | Figure
  | { kind: "cover"; surtitre: string; titre: string; territoire: string; mentions: Inline[][] }
  | { kind: "toc"; titre: string }
  | { kind: "pageBreak" };

export interface Table {
  kind: "table";
  caption?: string;
  headers: string[];
  rows: Inline[][];
  /** Columns holding numbers are right-aligned. */
  numeric?: boolean[];
  /** "Source : …" line printed under the table. */
  source?: string;
  /** Background colour of the first cell of each row (map legends), `#rrggbb`. */
  swatches?: (string | null)[];
  /** Relative column widths. */
  widths?: number[];
}

/** One field of a fiche action: its label and its content. */
export interface Field {
  label: string;
  content: Block[];
}

export interface Figure {
  kind: "figure";
  caption: string;
  /** Text alternative for people who cannot see the image. */
  alt: string;
  png: Uint8Array;
  svg?: string;
  width: number;
  height: number;
  /** File name of the SVG written beside the Markdown. */
  fileName: string;
  source: string;
}

export interface SchemaDocument {
  title: string;
  /** Used for the DOCX metadata. */
  subject: string;
  blocks: Block[];
}

export const A_COMPLETER = "À compléter";

/** A highlighted "À compléter" marker, optionally with a hint of what is expected. */
export function todo(hint?: string): Run {
  return { text: hint ? `${A_COMPLETER} : ${hint}` : A_COMPLETER, todo: true };
}

export function paragraph(...runs: Inline[]): Block {
  return { kind: "paragraph", runs };
}

export function sourceLine(text: string): Block {
  return { kind: "paragraph", runs: [text.startsWith("Source") ? text : `Source : ${text}`], style: "source" };
}

export function heading(level: 1 | 2 | 3, text: string, pageBreakBefore = false): Block {
  return { kind: "heading", level, text, pageBreakBefore };
}

export function list(items: Inline[][], ordered = false): Block {
  return { kind: "list", items, ordered };
}

export function inlineText(runs: Inline[]): string {
  return runs.map((run) => asRun(run).text).join("");
}

/**
 * An inline as a run. A value from the data that is neither text nor a run (a JSON object or array that reached
 * the model) is rendered on purpose, as JSON or as its items joined by " ; ", never as `[object Object]` or nothing.
 */
export function asRun(inline: Inline): Run {
  if (typeof inline === "string") return { text: inline };
  if (inline !== null && typeof inline === "object" && !Array.isArray(inline) && typeof inline.text === "string") return inline;
  return { text: renderValue(inline) ?? "" };
}
