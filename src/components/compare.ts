import { el } from "./dom.js";
import { sourceRef, type SourceRow } from "./sources.js";
import { shareOrReason } from "../lib/diagnostic/index.js";

export interface ComparedIndicator {
  key: string;
  label: string;
  format: (value: unknown) => string;
}

type Territory = Record<string, unknown> & { niveau: string; nom: string };

/** A table of indicators (rows) for each territory (columns), with a short reference to each indicator's source (resolved on the method page). */
export function comparisonTable(territories: Territory[], indicators: ComparedIndicator[], sources: SourceRow[], { caption = "", base = "" }: { caption?: string; base?: string } = {}): HTMLElement {
  return el(
    "table",
    { class: "comparaison" },
    caption ? el("caption", {}, caption) : null,
    el("thead", {}, el("tr", {}, el("th", { scope: "col" }, "Indicateur"), territories.map((t) => el("th", { scope: "col" }, t.nom)), el("th", { scope: "col" }, "Source"))),
    el(
      "tbody",
      {},
      indicators.map((indicator) =>
        el(
          "tr",
          {},
          el("th", { scope: "row" }, indicator.label),
          territories.map((t) => el("td", { class: "nombre" }, shareOrReason(t, indicator.key, (v) => indicator.format(v)))),
          el("td", { class: "source" }, sourceRef(sources, indicator.key, { base }))
        )
      )
    )
  );
}
