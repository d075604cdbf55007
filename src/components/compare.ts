import { el } from "./dom.js";
import { sourceText, type SourceRow } from "./sources.js";
import { shareOrReason } from "../lib/diagnostic/index.js";

export interface ComparedIndicator {
  key: string;
  label: string;
  format: (value: unknown) => string;
}

type Territory = Record<string, unknown> & { niveau: string; nom: string };

/** A table of indicators (rows) for each territory (columns), with each indicator's source and vintage. */
export function comparisonTable(territories: Territory[], indicators: ComparedIndicator[], sources: SourceRow[], { caption = "" } = {}): HTMLElement {
  return el(
    "table",
    { class: "comparaison" },
    caption ? el("caption", {}, caption) : null,
    el("thead", {}, el("tr", {}, el("th", { scope: "col" }, "Indicateur"), territories.map((t) => el("th", { scope: "col" }, t.nom)), el("th", { scope: "col" }, "Source et millésime"))),
    el(
      "tbody",
      {},
      indicators.map((indicator) =>
        el(
          "tr",
          {},
          el("th", { scope: "row" }, indicator.label),
          territories.map((t) => el("td", { class: "nombre" }, shareOrReason(t, indicator.key, (v) => indicator.format(v)))),
          el("td", { class: "source" }, sourceText(sources, indicator.key))
        )
      )
    )
  );
}
