/**
 * The shares of the diagnostic, each with the counts it is computed from. Aggregates (EPCI, département,
 * région, France) add numerators and denominators; where a commune only has a published rate (the derived
 * file), its numerator is estimated as rate × population and its denominator as its population, which makes
 * the aggregate a population-weighted mean for those communes: the documented rule for rates without counts.
 */
export interface Share {
  /** Column of the share (fraction in [0, 1]). */
  share: string;
  numerator: string;
  denominator: string;
}

export const shares: Share[] = [
  { share: "part_65_plus", numerator: "pop_65_plus", denominator: "pop_rp" },
  { share: "part_75_plus", numerator: "pop_75_plus", denominator: "pop_rp" },
  { share: "part_peu_diplomes", numerator: "peu_diplomes", denominator: "nscol15p" },
  { share: "part_menages_seuls", numerator: "menages_seuls", denominator: "menages" },
  { share: "part_80_plus_seuls", numerator: "pop_80_plus_seuls", denominator: "pop_80_plus" },
  { share: "part_familles_mono", numerator: "familles_mono", denominator: "familles" },
  { share: "taux_chomage", numerator: "chomeurs_15_64", denominator: "actifs_15_64" },
  { share: "part_locaux_ftth", numerator: "locaux_ftth", denominator: "locaux" },
  { share: "part_eligible_thd30", numerator: "locaux_eligible_thd30", denominator: "locaux_eligibilite" },
  { share: "part_eligible_bhd8", numerator: "locaux_eligible_bhd8", denominator: "locaux_eligibilite" },
  { share: "part_eligible_thd100", numerator: "locaux_eligible_thd100", denominator: "locaux_eligibilite" },
  { share: "part_eligible_thd1g", numerator: "locaux_eligible_thd1g", denominator: "locaux_eligibilite" },
  { share: "part_population_hors_portee", numerator: "population_hors_portee", denominator: "population" }
];

/** SQL of an aggregated share over a group of commune rows (alias `d`). */
export function aggregateShareSql({ share, numerator, denominator }: Share): string {
  const num = `coalesce(d.${numerator}, d.${share} * d.population)`;
  const den = `coalesce(d.${denominator}, d.population)`;
  return `sum(${num}) FILTER (WHERE d.${share} IS NOT NULL) / nullif(sum(${den}) FILTER (WHERE d.${share} IS NOT NULL), 0) AS ${share}`;
}

/** SQL of an aggregated count: the sum, or null when any commune of the group lacks the count. */
export function aggregateCountSql(column: string): string {
  return `CASE WHEN count(d.${column}) = count(*) THEN sum(d.${column}) END AS ${column}`;
}

/** Count columns summed in aggregates. */
export const countColumns = [
  "pop_rp", "pop_65_plus", "pop_75_plus", "nscol15p", "peu_diplomes", "menages", "menages_seuls", "pop_80_plus",
  "pop_80_plus_seuls", "familles", "familles_mono", "actifs_15_64", "chomeurs_15_64", "locaux", "locaux_ftth",
  "locaux_eligibilite", "locaux_eligible_thd30", "locaux_eligible_bhd8", "locaux_eligible_thd100", "locaux_eligible_thd1g"
];
