import { classColumn, criteria as criterionKeys, criterionLabels, criterionText } from "../lib/diagnostic/index.js";
import { formatDecimal, formatInteger, formatKm, formatPercent } from "./format.js";

export { missingCriteriaText } from "../lib/diagnostic/index.js";

/** An indicator a page can map or tabulate: its column, its French label, how to read and colour it. */
export interface Indicator {
  key: string;
  label: string;
  format: (value: unknown) => string;
  /** Colour scale: classes and the index on 1–10, shares on their own extent. */
  domain?: [number, number];
  scheme: string;
}

const classe = (key: string, label: string): Indicator => ({ key, label, format: formatDecimal, domain: [1, 10], scheme: "YlOrRd" });
const part = (key: string, label: string, scheme = "YlOrRd"): Indicator => ({ key, label, format: formatPercent, scheme });

/**
 * The five criteria of the fragility index (10 = most fragile), keyed like the weights of the config: the core's
 * list and labels (src/lib/diagnostic/criteria.ts), with the column of their class.
 */
export const criteria = criterionKeys.map((weight) => ({ weight, column: classColumn(weight), label: criterionLabels[weight], text: criterionText(weight) }));

/** What the publics map offers: the index, each criterion's class, then raw rates. */
export const publicIndicators: Indicator[] = [
  classe("indice_fragilite", "Indice de fragilité numérique (1 à 10)"),
  ...criteria.map((c) => classe(c.column, `Classe : ${c.text} (1 à 10)`)),
  part("part_65_plus", "Part des 65 ans ou plus"),
  part("part_75_plus", "Part des 75 ans ou plus"),
  part("part_peu_diplomes", "Part des 15 ans ou plus peu ou pas diplômés"),
  part("part_menages_seuls", "Part des ménages d'une personne"),
  part("part_80_plus_seuls", "Part des 80 ans ou plus vivant seuls"),
  part("part_familles_mono", "Part des familles monoparentales"),
  part("taux_chomage", "Taux de chômage des 15-64 ans"),
  part("taux_pauvrete", "Taux de pauvreté (valeur de repli EPCI ou département si secret)")
];

export const connectivityIndicators: Indicator[] = [
  part("part_locaux_ftth", "Locaux raccordables à la fibre (FttH)", "Blues"),
  part("part_eligible_thd30", "Locaux éligibles à 30 Mbit/s ou plus", "Blues"),
  part("part_eligible_thd100", "Locaux éligibles à 100 Mbit/s ou plus", "Blues"),
  part("part_eligible_bhd8", "Locaux éligibles à 8 Mbit/s ou plus", "Blues")
];

export const reachIndicators: Indicator[] = [
  { key: "distance_lieu_km", label: "Distance au lieu d'aide le plus proche", format: formatKm, scheme: "Purples" },
  { key: "population_hors_portee", label: "Population hors de portée", format: formatInteger, scheme: "Purples" }
];

export function indicatorByKey(key: string): Indicator {
  const found = [...publicIndicators, ...connectivityIndicators, ...reachIndicators].find((i) => i.key === key);
  if (!found) throw new Error(`indicateur inconnu : "${key}"`);
  return found;
}
