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

/** A small "Source : …" line under a figure, a chart or a table. */
export function sourceNote(sources: SourceRow[], keys: string[]): HTMLElement {
  const texts = [...new Set(keys.map((key) => sourceText(sources, key)))];
  return el("p", { class: "source" }, `Source${texts.length > 1 ? "s" : ""} : ${texts.join(" ; ")}.`);
}
