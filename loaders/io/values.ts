/**
 * Reading values as French open data writes them.
 */

/** Markers of a value that is secret, not available or not applicable. */
const MISSING = new Set(["", "s", "nd", "n.d.", "na", "nan", "-", "–", "null", "secret", "x"]);

/** True when a cell says "no value" in one of the ways publishers write it. */
export function isMissing(raw: string | null | undefined): boolean {
  return raw === null || raw === undefined || MISSING.has(raw.trim().toLowerCase());
}

/**
 * Parses a number written the French way or the English way: `" 8 262 "`, `"1 234,5"`, `"0.25"`, `"8724.0"`.
 * Returns null for a missing or secret marker, NaN for text that is not a number (the caller quarantines it).
 */
export function parseNumber(raw: string | null | undefined): number | null {
  if (isMissing(raw)) return null;
  let s = raw!.trim().replace(/[\s\u00a0\u202f]/g, "");
  if (/^-?\d+,\d+$/.test(s)) s = s.replace(",", ".");
  else if (/^-?\d{1,3}(\.\d{3})+,\d+$/.test(s)) s = s.replace(/\./g, "").replace(",", ".");
  if (!/^[-+]?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?$/i.test(s)) return NaN;
  return Number(s);
}

/**
 * Arcep's formatted counts: `" - "` means zero (no premises), spaces group thousands.
 */
export function parseArcepCount(raw: string | null | undefined): number | null {
  if (raw !== null && raw !== undefined && /^\s*[-–]\s*$/.test(raw)) return 0;
  return parseNumber(raw);
}

/** An INSEE commune code as it is written: five digits, or 2A / 2B and three digits. */
const COMMUNE_CODE = /^(\d{5}|2[AB]\d{3})$/;

/**
 * Normalises an INSEE commune code: re-pads codes that lost their leading zero in a spreadsheet
 * (`2315` → `02315`), keeps Corsican codes (`2A004`). Returns null when the text cannot be a code.
 */
export function normaliseCommuneCode(raw: string | null | undefined): string | null {
  if (raw === null || raw === undefined) return null;
  // Most codes arrive as they should be: nothing to trim, pad or unquote (one test instead of five).
  if (COMMUNE_CODE.test(raw)) return raw;
  let s = raw.trim().toUpperCase().replace(/^="?|"$/g, "");
  if (/^\d+\.0$/.test(s)) s = s.slice(0, -2);
  if (/^\d{4}$/.test(s)) s = "0" + s;
  if (COMMUNE_CODE.test(s)) return s;
  return null;
}

/** Normalises a département code: `2` → `02`, `2A`, `971`. */
export function normaliseDepartementCode(raw: string | null | undefined): string | null {
  if (raw === null || raw === undefined) return null;
  let s = raw.trim().toUpperCase();
  if (/^\d\.0$|^\d{2}\.0$/.test(s)) s = s.replace(/\.0$/, "");
  if (/^\d$/.test(s)) s = "0" + s;
  return /^(\d{2}|2[AB]|97\d)$/.test(s) ? s : null;
}

/** Département of a commune code (`97411` → `974`, `2A004` → `2A`). */
export function departementOf(code: string): string {
  return code.startsWith("97") ? code.slice(0, 3) : code.slice(0, 2);
}

/** The largest count a DuckDB INTEGER column holds. */
export const MAX_COUNT = 2_147_483_647;

/** A count read from a cell: its value (null when the cell says "no value"), or why it is not a plausible count. */
export type CountReading = { value: number | null; problem?: undefined } | { value?: undefined; problem: string };

/**
 * Reads a count of people or places: a non-negative integer, spaces grouping thousands (`" 1 394 "`), a
 * spreadsheet's `"8724.0"` accepted. A decimal (`"144.7"`), a dot that may group thousands (`"1.394"`), a
 * negative or an out-of-range number is not rounded into a wrong figure: the reading says what is wrong,
 * and the caller quarantines the row with that reason.
 */
export function parseCount(raw: string | null | undefined, max = MAX_COUNT): CountReading {
  const n = parseNumber(raw);
  if (n === null) return { value: null };
  if (Number.isNaN(n)) return { problem: "effectif illisible (nombre attendu)" };
  if (n < 0) return { problem: "effectif négatif" };
  if (!Number.isInteger(n)) return { problem: "effectif non entier (décimale ou point séparateur de milliers ambigu)" };
  if (n > max) return { problem: `effectif hors limites (plus de ${max.toLocaleString("fr-FR")})` };
  return { value: n };
}
