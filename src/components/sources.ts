import { el } from "./dom.js";

export interface SourceRow {
  indicateur: string;
  libelle: string | null;
  source: string | null;
  millesime: string | null;
  url: string | null;
}

/**
 * Columns derived from another one carry its source: a share from its count, a criterion class from its rate,
 * the population beyond reach from the distances.
 */
const derivedFrom: Record<string, string> = {
  population_hors_portee: "distance_lieu_km",
  part_population_hors_portee: "distance_lieu_km",
  nb_communes: "population",
  classe_older_65: "part_65_plus",
  classe_low_diploma: "part_peu_diplomes",
  classe_poverty: "taux_pauvrete",
  classe_no_thd: "part_eligible_thd30",
  classe_no_4g: "ifn_reference",
  locaux_ftth: "part_locaux_ftth"
};

/** "INSEE, recensement, 2021" for an indicator column, or a plain warning when its source is not recorded. */
export function sourceText(sources: SourceRow[], key: string): string {
  if (key === "indice_fragilite" || key === "score_priorite") return "calcul sdin d'après les sources de chaque critère (voir Méthode et sources)";
  const row = sources.find((s) => s.indicateur === key) ?? sources.find((s) => s.indicateur === derivedFrom[key]);
  if (!row) return "source non renseignée";
  return [row.source, row.millesime ? `millésime ${row.millesime}` : null].filter(Boolean).join(", ");
}

/** The anchor of the sources table on the method page, where each reference is resolved. */
export const sourcesHref = "./methode.html#indicateurs-source-et-millesime";

/** `[3]`: the number of an indicator's source row, as listed (column « Réf. ») on the method page; null when unrecorded. */
export function sourceNumber(sources: SourceRow[], key: string): number | null {
  const target = key === "indice_fragilite" || key === "score_priorite" ? null : (sources.find((s) => s.indicateur === key) ?? sources.find((s) => s.indicateur === derivedFrom[key]));
  return target ? sources.indexOf(target) + 1 : null;
}

/**
 * A short source reference, `INSEE 2021 [3]`, linking to the method page where the full source sentence is
 * written once: cards and tables stay short and the same sentence is not repeated in every card.
 */
export function sourceRef(sources: SourceRow[], key: string): HTMLElement {
  const n = sourceNumber(sources, key);
  if (n === null) return el("a", { href: "./methode.html", title: sourceText(sources, key) }, key === "indice_fragilite" || key === "score_priorite" ? "calcul sdin" : "source non renseignée");
  const row = sources[n - 1];
  const producer = (row.source ?? "").split(/[,;(]/)[0].trim().slice(0, 32);
  const year = /\d{4}/.exec(row.millesime ?? "")?.[0] ?? row.millesime ?? "";
  return el("a", { href: sourcesHref, title: sourceText(sources, key) }, `${producer}${year ? ` ${year}` : ""} [${n}]`);
}

/** A small "Source : …" line under a figure, a chart or a table. */
export function sourceNote(sources: SourceRow[], keys: string[]): HTMLElement {
  const texts = [...new Set(keys.map((key) => sourceText(sources, key)))];
  return el("p", { class: "source" }, `Source${texts.length > 1 ? "s" : ""} : ${texts.join(" ; ")}.`);
}
