/** Helpers to read the site's JSON files. */

/** A table sent as `{columns, rows}` by the data loaders (see loaders/outputs/site/loader.ts). */
export interface Columnar {
  columns: string[];
  rows: unknown[][];
}

export function fromColumnar<T = Record<string, unknown>>({ columns, rows }: Columnar): T[] {
  return rows.map((row) => Object.fromEntries(columns.map((column, i) => [column, row[i]])) as T);
}

/**
 * The fiche of a commune, relative to a page of the département (`prefix` "") or inside communes/ ("../"): one
 * fiche page per département reads the commune's code from the address.
 */
export function communeHref(code: string, prefix = ""): string {
  return `${prefix}communes/fiche.html?code=${encodeURIComponent(code)}`;
}

/** The code of the commune a fiche shows when the fiche reads it from the address (`?code=23096`). */
export function communeCodeFromAddress(search: string): string | null {
  const code = new URLSearchParams(search).get("code");
  return code && /^[0-9][0-9AB][0-9]{3}$/.test(code) ? code : null;
}

export function splitList(value: unknown): string[] {
  return typeof value === "string" && value ? value.split("|").map((s) => s.trim()).filter(Boolean) : [];
}
