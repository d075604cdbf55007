/**
 * The five criteria of La MedNum's fragility index, in the order of its method, with their French labels. The
 * pipeline, the exports, the site and the schéma all name the criteria from here.
 */
export const criteria = ["no_thd", "no_4g", "older_65", "low_diploma", "poverty"] as const;
export type Criterion = (typeof criteria)[number];

/** The weight of each criterion in the index (the `poids` of the configuration). */
export type Weights = Record<Criterion, number>;

/** Every criterion weighs 1: the plain mean of the 2023 IFN commune file. */
export const defaultWeights: Weights = { no_thd: 1, no_4g: 1, older_65: 1, low_diploma: 1, poverty: 1 };

/** French labels, capitalised as in a table header; `criterionText` gives them inside a sentence. */
export const criterionLabels: Record<Criterion, string> = {
  no_thd: "Pas de très haut débit fixe (< 30 Mbit/s)",
  no_4g: "Pas de couverture 4G",
  older_65: "Part des 65 ans ou plus",
  low_diploma: "Part des peu ou pas diplômés",
  poverty: "Taux de pauvreté"
};

/** A criterion's label inside a sentence ("pas de couverture 4G"). */
export function criterionText(criterion: Criterion): string {
  const label = criterionLabels[criterion];
  return label.charAt(0).toLowerCase() + label.slice(1);
}

/** The column holding a criterion's class (1–10) in the diagnostic tables: `classe_no_thd`… */
export function classColumn(criterion: Criterion): `classe_${Criterion}` {
  return `classe_${criterion}`;
}

/** The criterion classes of a diagnostic row (`classe_*` columns); anything but a finite number is unknown. */
export function classesOf(row: Readonly<Record<string, unknown>>): Record<Criterion, number | null> {
  const classes = {} as Record<Criterion, number | null>;
  for (const criterion of criteria) {
    const value = row[classColumn(criterion)];
    classes[criterion] = typeof value === "number" && Number.isFinite(value) ? value : null;
  }
  return classes;
}

/** `no_4g|poverty` (the `criteres_manquants` column) → "pas de couverture 4G, taux de pauvreté". */
export function missingCriteriaText(value: unknown): string {
  if (typeof value !== "string" || !value) return "";
  return value
    .split("|")
    .map((key) => ((criteria as readonly string[]).includes(key) ? criterionText(key as Criterion) : key))
    .join(", ");
}
