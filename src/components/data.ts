/** Helpers to read the site's JSON files. */

/** A table sent as `{columns, rows}` by the data loaders (see loaders/site/loader.ts). */
export interface Columnar {
  columns: string[];
  rows: unknown[][];
}

export function fromColumnar<T = Record<string, unknown>>({ columns, rows }: Columnar): T[] {
  return rows.map((row) => Object.fromEntries(columns.map((column, i) => [column, row[i]])) as T);
}

/** The fiche of a commune, relative to a page at the site's root (`prefix` "" ) or inside communes/ ("../"). */
export function communeHref(code: string, prefix = ""): string {
  return `${prefix}communes/${encodeURIComponent(code)}.html`;
}

export function splitList(value: unknown): string[] {
  return typeof value === "string" && value ? value.split("|").map((s) => s.trim()).filter(Boolean) : [];
}
