import type { DiagnosticData, Indicators } from "./data.ts";
import { staleFlagOf } from "./freshness.ts";
import { kilometres, nombre, pourcent } from "./format.ts";
import { shareOrReason, withheldReason } from "../../../src/lib/diagnostic/index.ts";

/** How each indicator is named and written in the schéma. */
export interface IndicatorMeta {
  libelle: string;
  format: "pourcent" | "nombre" | "km" | "indice";
}

export const indicatorMeta: Record<string, IndicatorMeta> = {
  population: { libelle: "Population municipale", format: "nombre" },
  pop_65_plus: { libelle: "Personnes de 65 ans et plus", format: "nombre" },
  part_65_plus: { libelle: "Part des 65 ans et plus", format: "pourcent" },
  part_75_plus: { libelle: "Part des 75 ans et plus", format: "pourcent" },
  part_peu_diplomes: { libelle: "Part des 15 ans et plus non scolarisés sans diplôme ou avec au plus le brevet", format: "pourcent" },
  part_menages_seuls: { libelle: "Part des ménages d'une personne", format: "pourcent" },
  part_80_plus_seuls: { libelle: "Part des 80 ans et plus vivant seuls", format: "pourcent" },
  part_familles_mono: { libelle: "Part des familles monoparentales", format: "pourcent" },
  taux_chomage: { libelle: "Taux de chômage des 15-64 ans (recensement)", format: "pourcent" },
  taux_pauvrete: { libelle: "Taux de pauvreté (seuil à 60 % du niveau de vie médian)", format: "pourcent" },
  part_locaux_ftth: { libelle: "Part des locaux raccordables à la fibre (FttH)", format: "pourcent" },
  part_locaux_ftth_rip: { libelle: "Part des locaux raccordables à la fibre dans la zone RIP", format: "pourcent" },
  part_eligible_thd30: { libelle: "Part des locaux éligibles à 30 Mbit/s ou plus (réseaux filaires)", format: "pourcent" },
  nb_lieux: { libelle: "Lieux d'aide au numérique", format: "nombre" },
  population_hors_portee: { libelle: "Habitants au-delà du seuil de distance d'un lieu d'aide", format: "nombre" },
  part_population_hors_portee: { libelle: "Part de la population au-delà du seuil de distance d'un lieu d'aide", format: "pourcent" },
  indice_fragilite: { libelle: "Indice de fragilité numérique (1 à 10)", format: "indice" },
  distance_lieu_km: { libelle: "Distance au lieu d'aide le plus proche", format: "km" }
};

export function libelle(indicator: string): string {
  return indicatorMeta[indicator]?.libelle ?? indicator;
}

/** The label inside a sentence: first letter lowered, acronyms kept (`part des locaux raccordables à la fibre (FttH)`). */
export function libelleMinuscule(indicator: string): string {
  return lowerFirst(libelle(indicator));
}

export function lowerFirst(text: string): string {
  return text.charAt(0).toLowerCase() + text.slice(1);
}

export function formatValue(indicator: string, value: number | null | undefined): string {
  const format = indicatorMeta[indicator]?.format ?? "nombre";
  if (format === "pourcent") return pourcent(value);
  if (format === "km") return kilometres(value);
  if (format === "indice") return nombre(value, 1);
  return nombre(value);
}

/** Counts share the source of their rate (diagnostic_sources lists the rates). */
const sourceAliases: Record<string, string> = {
  pop_65_plus: "part_65_plus",
  peu_diplomes: "part_peu_diplomes",
  familles_mono: "part_familles_mono",
  part_locaux_ftth_rip: "part_locaux_ftth"
};

/** Indicators computed by the diagnostic from several sources: named by their method, inputs listed once at the top. */
const computedFrom: Record<string, string> = {
  population_hors_portee: "calcul du diagnostic : distance au lieu d'aide le plus proche et population légale (sources détaillées en tête de document)",
  part_population_hors_portee: "calcul du diagnostic : distance au lieu d'aide le plus proche et population légale (sources détaillées en tête de document)",
  indice_fragilite: "calcul du diagnostic selon la méthode de l'indice de fragilité numérique de La MedNum (sources détaillées en tête de document)"
};

function ownSource(data: DiagnosticData, indicator: string): string | null {
  const key = sourceAliases[indicator] ?? indicator;
  const row = data.sources.get(key);
  if (!row || !row.source) return null;
  const vintage = row.millesime ?? "";
  const named = vintage && !row.source.includes(vintage) ? `${row.source}, ${vintage}` : row.source;
  // A column mixing editions says so; data older than 18 months carry their flag next to the figure.
  const mixed = row.melange_millesimes ? `, éditions mêlées : ${row.melange_millesimes}` : "";
  const flag = staleFlagOf(data, key);
  return `${named}${mixed}${flag ? ` — ${flag}` : ""}`;
}

/** `INSEE, 2021`: the source and vintage of an indicator, from diagnostic_sources. */
export function sourceOf(data: DiagnosticData, indicator: string): string {
  const own = ownSource(data, indicator);
  if (own) return own;
  if (computedFrom[indicator]) return computedFrom[indicator];
  return `source non renseignée pour « ${indicator} »`;
}

/** The distinct sources of several indicators, joined: `INSEE, RP 2021 ; Arcep 2024T2`. */
export function sourcesOf(data: DiagnosticData, indicators: string[]): string {
  return [...new Set(indicators.map((i) => sourceOf(data, i)))].join(" ; ");
}

/**
 * An aggregate's figure as the schéma prints it: the value, or « non calculée (7 communes sans contour) » when the
 * share was withheld because some communes lack its input (`parts_non_calculees`).
 */
export function formatAggregate(row: Partial<Indicators> | null | undefined, indicator: string): string {
  return shareOrReason(row as Record<string, unknown> | null | undefined, indicator, (v) => formatValue(indicator, v));
}

/** True when the aggregate withheld this share (it is empty for a reason, not for want of a source). */
export function isWithheld(row: Partial<Indicators> | null | undefined, indicator: string): boolean {
  return withheldReason(row as { parts_non_calculees?: unknown } | null | undefined, indicator) !== null;
}

export function value(row: Partial<Indicators> | null | undefined, indicator: string): number | null {
  const v = (row as Record<string, unknown> | null | undefined)?.[indicator];
  return typeof v === "number" && Number.isFinite(v) ? v : null;
}
