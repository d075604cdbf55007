/**
 * French number and date formats for the schéma. Spaces are no-break spaces (U+00A0) rather than Intl's narrow
 * no-break space, which some office fonts lack: `12 345`, `23,4 %`.
 */

const NBSP = "\u00a0";

function fix(text: string): string {
  return text.replace(/[\u202f\u00a0 ]/g, NBSP);
}

const integerFormat = new Intl.NumberFormat("fr-FR", { maximumFractionDigits: 0 });

/**
 * One formatter per number of decimals, made on first use: building an `Intl.NumberFormat` costs far more than
 * formatting with it, and a schéma formats thousands of numbers.
 */
const decimalFormats = new Map<number, Intl.NumberFormat>();

function decimalFormat(digits: number): Intl.NumberFormat {
  let format = decimalFormats.get(digits);
  if (!format) decimalFormats.set(digits, (format = new Intl.NumberFormat("fr-FR", { minimumFractionDigits: digits, maximumFractionDigits: digits })));
  return format;
}

/** `115527` → `115 527`; `null` → `n.d.` (non disponible). */
export function nombre(value: number | null | undefined, digits = 0): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return "n.d.";
  if (digits === 0) return fix(integerFormat.format(Math.round(value)));
  return fix(decimalFormat(digits).format(value));
}

/** A fraction as a French percentage: `0.2341` → `23,4 %`. */
export function pourcent(fraction: number | null | undefined, digits = 1): string {
  if (fraction === null || fraction === undefined || !Number.isFinite(fraction)) return "n.d.";
  return `${nombre(fraction * 100, digits)}${NBSP}%`;
}

/** A difference of two fractions in percentage points: `+2,3 points`. */
export function points(difference: number | null | undefined): string {
  if (difference === null || difference === undefined || !Number.isFinite(difference)) return "n.d.";
  const sign = difference > 0 ? "+" : difference < 0 ? "−" : "";
  return `${sign}${nombre(Math.abs(difference) * 100, 1)}${NBSP}point${Math.abs(difference * 100) >= 2 ? "s" : ""}`;
}

export function euros(value: number | null | undefined): string {
  return value === null || value === undefined ? "n.d." : `${nombre(value)}${NBSP}€`;
}

export function kilometres(value: number | null | undefined): string {
  return value === null || value === undefined ? "n.d." : `${nombre(value, 1)}${NBSP}km`;
}

const longDate = new Intl.DateTimeFormat("fr-FR", { day: "numeric", month: "long", year: "numeric", timeZone: "UTC" });

/** `2025-11-26` → `26 novembre 2025`. */
export function dateLongue(date: Date): string {
  const text = longDate.format(date);
  return date.getUTCDate() === 1 ? text.replace(/^1 /, "1er ") : text;
}

const monthYear = new Intl.DateTimeFormat("fr-FR", { month: "long", year: "numeric", timeZone: "UTC" });

/** `2021-06-30` → `30 juin 2021`; a bare year or year-month is kept readable (`2019`, `juillet 2019`). */
export function dateCatalogue(value: string): string {
  if (/^\d{4}$/.test(value)) return value;
  const month = /^(\d{4})-(\d{2})$/.exec(value);
  if (month) return monthYear.format(new Date(`${value}-01T00:00:00Z`));
  return dateLongue(new Date(`${value}T00:00:00Z`));
}

/** `1er`, `2e`, `3e`: French ordinals for ranks. */
export function rang(n: number): string {
  return n === 1 ? "1er" : `${n}e`;
}

/** `1 commune`, `3 communes`. */
export function pluriel(n: number, singulier: string, plurielForme = `${singulier}s`): string {
  return `${nombre(n)} ${n >= 2 ? plurielForme : singulier}`;
}
