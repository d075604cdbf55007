import { el } from "./dom.js";
import { staleFlag, updateAnchor } from "../lib/freshness.js";

export interface SourceRow {
  indicateur: string;
  libelle: string | null;
  source: string | null;
  millesime: string | null;
  url: string | null;
  /** Date the data describe, their age at the load, and whether they are older than 18 months. */
  date_reference?: string | null;
  age_mois?: number | null;
  a_actualiser?: boolean | null;
  /** Set when the column's communes come from different editions. */
  melange_millesimes?: string | null;
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

const computed = (key: string) => key === "indice_fragilite" || key === "score_priorite";

/** The diagnostic_sources row of an indicator column (or of the column it is derived from). */
function sourceRow(sources: SourceRow[], key: string): SourceRow | undefined {
  return sources.find((s) => s.indicateur === key) ?? sources.find((s) => s.indicateur === derivedFrom[key]);
}

/**
 * "INSEE, millésime RP 2021" for an indicator column, or a plain warning when its source is not recorded; a
 * column mixing editions says so, and stale data carry « donnée de 2018, à actualiser » unless `flag` is false
 * (sourceNote shows the flag as a link instead).
 */
export function sourceText(sources: SourceRow[], key: string, { flag = true }: { flag?: boolean } = {}): string {
  if (computed(key)) return "calcul sdin d'après les sources de chaque critère (voir Méthode et sources)";
  const row = sourceRow(sources, key);
  if (!row) return "source non renseignée";
  const stale = flag ? staleFlag({ date_reference: row.date_reference ?? "", a_actualiser: row.a_actualiser ?? false }) : null;
  return [
    row.source,
    row.millesime ? `millésime ${row.millesime}` : null,
    row.melange_millesimes ? `éditions mêlées : ${row.melange_millesimes}` : null,
    stale
  ].filter(Boolean).join(", ");
}

/** The distinct stale flags of some columns (« donnée de 2018, à actualiser »), oldest first. */
export function staleFlags(sources: SourceRow[], keys: string[]): string[] {
  const rows = keys.filter((key) => !computed(key)).map((key) => sourceRow(sources, key)).filter((r): r is SourceRow => Boolean(r?.a_actualiser && r.date_reference));
  return [...new Set(rows.sort((a, b) => a.date_reference!.localeCompare(b.date_reference!)).map((r) => staleFlag({ date_reference: r.date_reference!, a_actualiser: true })!))];
}

/**
 * The short visible flag next to a figure older than 18 months, linking to how to update it (section
 * « Mettre à jour les données » of the method page; `base` is "../" from a commune's fiche).
 */
export function staleLink(text: string, { base = "" }: { base?: string } = {}): HTMLElement {
  return el("a", { class: "stale-flag", href: `${base || "./"}methode.html#${updateAnchor}`, title: "Donnée de plus de 18 mois : comment la mettre à jour" }, text);
}

/** A small "Source : …" line under a figure, a chart or a table, with the stale flags of its data. */
export function sourceNote(sources: SourceRow[], keys: string[], { base = "" }: { base?: string } = {}): HTMLElement {
  const texts = [...new Set(keys.map((key) => sourceText(sources, key, { flag: false })))];
  const flags = staleFlags(sources, keys);
  const note = el("p", { class: "source" }, `Source${texts.length > 1 ? "s" : ""} : ${texts.join(" ; ")}.`);
  for (const flag of flags) note.append(" ", staleLink(flag, { base }));
  return note;
}
