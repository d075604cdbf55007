import { el } from "./dom.js";

export interface SourceRow {
  indicateur: string;
  libelle: string | null;
  source: string | null;
  millesime: string | null;
  url: string | null;
}

/** "INSEE, recensement, 2021" for an indicator column, or a plain warning when its source is not recorded. */
export function sourceText(sources: SourceRow[], key: string): string {
  const row = sources.find((s) => s.indicateur === key);
  if (!row) return "source non renseignée";
  return [row.source, row.millesime ? `millésime ${row.millesime}` : null].filter(Boolean).join(", ");
}

/** A small "Source : …" line under a figure, a chart or a table. */
export function sourceNote(sources: SourceRow[], keys: string[]): HTMLElement {
  const texts = [...new Set(keys.map((key) => sourceText(sources, key)))];
  return el("p", { class: "source" }, `Source${texts.length > 1 ? "s" : ""} : ${texts.join(" ; ")}.`);
}
