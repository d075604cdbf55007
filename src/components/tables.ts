import * as Inputs from "@observablehq/inputs";
import { communeHref } from "./data.js";
import { el } from "./dom.js";

export interface Column {
  key: string;
  label: string;
  format?: (value: unknown) => string;
}

/**
 * A sortable table of communes whose name links to the fiche. Cells are text (the formats return strings),
 * rows are not selectable (no unlabelled checkboxes).
 */
export function communeTable(communes: Record<string, unknown>[], columns: Column[], { sort = undefined as string | undefined, prefix = "", rows = 15 } = {}) {
  return scrollable(Inputs.table(communes, {
    columns: ["nom", "code_insee", ...columns.map((c) => c.key)],
    header: { nom: "Commune", code_insee: "Code INSEE", ...Object.fromEntries(columns.map((c) => [c.key, c.label])) },
    format: {
      nom: (nom: unknown, i: number, data: Record<string, unknown>[]) => el("a", { href: communeHref(String(data[i].code_insee), prefix) }, String(nom)),
      ...Object.fromEntries(columns.filter((c) => c.format).map((c) => [c.key, c.format]))
    },
    align: Object.fromEntries(columns.filter((c) => c.format).map((c) => [c.key, "right"])),
    sort,
    // Sorted columns read from the most fragile down; without one, the order given is kept.
    reverse: sort !== undefined,
    select: false,
    rows,
    layout: "auto"
  }), "Table des communes");
}

/** Any table of records with French headers and text formats. */
export function recordTable(records: Record<string, unknown>[], columns: Column[], { sort = undefined as string | undefined, reverse = false, rows = 15, label = "Table" } = {}) {
  return scrollable(Inputs.table(records, {
    columns: columns.map((c) => c.key),
    header: Object.fromEntries(columns.map((c) => [c.key, c.label])),
    format: Object.fromEntries(columns.filter((c) => c.format).map((c) => [c.key, c.format])),
    sort,
    reverse,
    select: false,
    rows,
    layout: "auto"
  }), label);
}

/** A table scrolls inside its box: keyboard users must be able to focus it to scroll it. */
function scrollable<T extends HTMLElement>(table: T, label: string): T {
  table.tabIndex = 0;
  table.setAttribute("role", "region");
  table.setAttribute("aria-label", label);
  return table;
}

/** The result count of a search box, in French. */
export function resultCount(n: number): string {
  return `${n.toLocaleString("fr-FR")} résultat${n > 1 ? "s" : ""}`;
}
