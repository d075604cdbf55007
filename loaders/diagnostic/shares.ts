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
  /** What a commune lacks when this share cannot be computed for it (« n communes sans … »). */
  input: string;
}

export const shares: Share[] = [
  { share: "part_65_plus", numerator: "pop_65_plus", denominator: "pop_rp", input: "donnée du recensement" },
  { share: "part_75_plus", numerator: "pop_75_plus", denominator: "pop_rp", input: "donnée du recensement" },
  { share: "part_peu_diplomes", numerator: "peu_diplomes", denominator: "nscol15p", input: "donnée du recensement" },
  { share: "part_menages_seuls", numerator: "menages_seuls", denominator: "menages", input: "donnée du recensement" },
  { share: "part_80_plus_seuls", numerator: "pop_80_plus_seuls", denominator: "pop_80_plus", input: "donnée du recensement" },
  { share: "part_familles_mono", numerator: "familles_mono", denominator: "familles", input: "donnée du recensement" },
  { share: "taux_chomage", numerator: "chomeurs_15_64", denominator: "actifs_15_64", input: "donnée du recensement" },
  { share: "part_locaux_ftth", numerator: "locaux_ftth", denominator: "locaux", input: "donnée de déploiement FttH (Arcep)" },
  { share: "part_eligible_thd30", numerator: "locaux_eligible_thd30", denominator: "locaux_eligibilite", input: "donnée d'éligibilité (Arcep)" },
  { share: "part_eligible_bhd8", numerator: "locaux_eligible_bhd8", denominator: "locaux_eligibilite", input: "donnée d'éligibilité (Arcep)" },
  { share: "part_eligible_thd100", numerator: "locaux_eligible_thd100", denominator: "locaux_eligibilite", input: "donnée d'éligibilité (Arcep)" },
  { share: "part_eligible_thd1g", numerator: "locaux_eligible_thd1g", denominator: "locaux_eligibilite", input: "donnée d'éligibilité (Arcep)" },
  { share: "part_population_hors_portee", numerator: "population_hors_portee", denominator: "population", input: "distance à un lieu d'aide" }
];

/**
 * SQL predicate (alias `d`): the commune lacks the input of this share. A commune with no inhabitants and no
 * value weighs nothing in the aggregate and does not count as missing.
 */
export function missingInputSql({ share, numerator }: Share): string {
  return `(d.${share} IS NULL AND d.${numerator} IS NULL AND coalesce(d.population, 1) > 0)`;
}

/**
 * SQL of an aggregated share over a group of commune rows (alias `d`): empty when any commune of the group lacks
 * the input, since a share computed on part of a territory would pass for the whole (`parts_non_calculees` says why).
 */
export function aggregateShareSql(s: Share): string {
  const { share, numerator, denominator } = s;
  const num = `coalesce(d.${numerator}, d.${share} * d.population)`;
  const den = `coalesce(d.${denominator}, d.population)`;
  return `CASE WHEN count(*) FILTER (WHERE ${missingInputSql(s)}) = 0 THEN
    sum(${num}) FILTER (WHERE d.${share} IS NOT NULL) / nullif(sum(${den}) FILTER (WHERE d.${share} IS NOT NULL), 0) END AS ${share}`;
}

/** « 1 commune sans contour », « 7 communes sans contour ». */
function communesSansSql(count: string, what: string): string {
  return `${count} || CASE WHEN ${count} = 1 THEN ' commune sans ' ELSE ' communes sans ' END || '${what.replace(/'/g, "''")}'`;
}

/**
 * SQL of `parts_non_calculees`: for each share left empty, the share and why (`part_65_plus : 42 communes sans
 * donnée du recensement`), `; `-joined, null when every share is computed. A commune without a distance because
 * it has no outline (no representative point) is named as such. A share no commune has (its source not loaded)
 * is not listed: the sources already say « non disponible ».
 */
export function withheldSharesSql(): string {
  const parts = shares.flatMap((s) => {
    const missing = missingInputSql(s);
    if (s.share !== "part_population_hors_portee") {
      const n = `count(*) FILTER (WHERE ${missing})`;
      return [`CASE WHEN ${n} > 0 AND count(d.${s.share}) > 0 THEN '${s.share} : ' || ${communesSansSql(n, s.input)} END`];
    }
    const noOutline = `count(*) FILTER (WHERE ${missing} AND d.point_lon IS NULL)`;
    const noPlace = `count(*) FILTER (WHERE ${missing} AND d.point_lon IS NOT NULL)`;
    return [`CASE WHEN ${noOutline} > 0 OR ${noPlace} > 0 THEN '${s.share} : ' || concat_ws(', ',
      CASE WHEN ${noOutline} > 0 THEN ${communesSansSql(noOutline, "contour")} END,
      CASE WHEN ${noPlace} > 0 THEN ${communesSansSql(noPlace, s.input)} END) END`];
  });
  return `nullif(concat_ws('; ', ${parts.join(",\n      ")}), '') AS parts_non_calculees`;
}

/** Population beyond reach of a group: the sum, or empty when a commune with inhabitants has no distance. */
export function aggregateBeyondReachSql(): string {
  const s = shares.find((x) => x.share === "part_population_hors_portee")!;
  return `CASE WHEN count(*) FILTER (WHERE ${missingInputSql(s)}) = 0 THEN coalesce(sum(d.population_hors_portee), 0) END AS population_hors_portee`;
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
