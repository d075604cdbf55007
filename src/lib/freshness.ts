/**
 * How old a figure is: the age in whole months from the date the data describes (its reference date) to the
 * date it was loaded, the band it falls in, and the short flag shown next to a stale figure. Pure TypeScript
 * with no Node or DOM import: the pipeline (status, exports, schéma) and the site's browser code import this
 * one module, so the bands and the wording never drift apart.
 */

/** Freshness bands, as the national tool for feuilles de route labels the places it lists. */
export const freshnessBands = ["moins de 6 mois", "6 à 12 mois", "12 à 18 mois", "plus de 18 mois"] as const;
export type FreshnessBand = (typeof freshnessBands)[number];

/** A figure older than this many whole months is stale: shown with a flag, listed first in the method section. */
export const staleAfterMonths = 18;

/** Where a reader learns how to update the data (section of the site's method page and of docs/guide.md). */
export const updateAnchor = "mettre-a-jour-les-donnees";

/** The freshness of one figure or one file. */
export interface Freshness {
  /** ISO date (`2018-03-31`) the data describes. */
  date_reference: string;
  /** Whole months from the reference date to the load date. */
  age_mois: number;
  fraicheur: FreshnessBand;
  /** True when older than 18 months. */
  a_actualiser: boolean;
}

const isoDate = /^(\d{4})-(\d{2})-(\d{2})/;

function parts(date: string | Date): [number, number, number] {
  if (date instanceof Date) return [date.getUTCFullYear(), date.getUTCMonth() + 1, date.getUTCDate()];
  const m = isoDate.exec(date);
  if (!m) throw new Error(`date illisible : « ${date} » (attendu AAAA-MM-JJ)`);
  return [Number(m[1]), Number(m[2]), Number(m[3])];
}

/**
 * Whole months elapsed from `from` to `to` (a month counts once its day is reached: 2018-03-31 → 2019-09-30 is
 * 17 months); 0 when `to` is not after `from`. Dates are calendar dates (ISO strings or UTC instants).
 */
export function ageInMonths(from: string | Date, to: string | Date): number {
  const [y1, m1, d1] = parts(from);
  const [y2, m2, d2] = parts(to);
  const months = (y2 - y1) * 12 + (m2 - m1) - (d2 < d1 ? 1 : 0);
  return Math.max(0, months);
}

/** The band of an age in months: < 6, 6–11, 12–18, > 18. */
export function freshnessBand(months: number): FreshnessBand {
  if (months < 6) return "moins de 6 mois";
  if (months < 12) return "6 à 12 mois";
  if (months <= staleAfterMonths) return "12 à 18 mois";
  return "plus de 18 mois";
}

/** True when a figure of this age must be flagged. */
export function isStale(months: number): boolean {
  return months > staleAfterMonths;
}

/** The freshness of data describing `referenceDate`, loaded on `loadedAt`. */
export function freshnessOf(referenceDate: string, loadedAt: string | Date): Freshness {
  const age = ageInMonths(referenceDate, loadedAt);
  return { date_reference: referenceDate.slice(0, 10), age_mois: age, fraicheur: freshnessBand(age), a_actualiser: isStale(age) };
}

/**
 * Why the census, the legal populations and Filosofi carry the flag even in their newest edition: INSEE publishes
 * them more than two years after the year they describe. Said under the list of stale files, on the site and in
 * the schéma.
 */
export const annualStatisticsNote =
  "Le recensement, les populations légales et Filosofi paraissent plus de deux ans après l'année qu'ils décrivent : ils portent la mention dès leur parution, et elle rappelle alors qu'une nouvelle édition paraît chaque année (« sdin fetch » prend la dernière parue).";

/** The sources (ids of the load) of those statistics. */
const annualStatisticsSources = new Set(["populations", "insee-rp", "filosofi"]);

/** `annualStatisticsNote` when one of the stale files listed comes from those sources, else null. */
export function annualStatisticsNoteFor(staleFiles: readonly { source?: string | null }[]): string | null {
  return staleFiles.some((file) => annualStatisticsSources.has(file.source ?? "")) ? annualStatisticsNote : null;
}

/** « donnée de 2018, à actualiser »: the short flag shown next to a stale figure. */
export function staleFlagText(referenceDate: string): string {
  return `donnée de ${parts(referenceDate)[0]}, à actualiser`;
}

/** The flag text when the freshness is stale, else null. */
export function staleFlag(freshness: Pick<Freshness, "date_reference" | "a_actualiser"> | null | undefined): string | null {
  return freshness?.a_actualiser ? staleFlagText(freshness.date_reference) : null;
}

/**
 * Files of one data set with the same date and replacement, gathered into the first of them with their count:
 * the outlines come as one file per département, and a reader needs one line saying they are old, not a hundred.
 * Order is kept (the first file of each group stands for it).
 */
export function gatherFiles<T extends { source?: string | null; date_reference?: string | null; remplacement?: string | null }>(files: T[]): (T & { files: number })[] {
  const groups = new Map<string, T & { files: number }>();
  for (const file of files) {
    const key = [file.source ?? "", file.date_reference ?? "", file.remplacement ?? ""].join("|");
    const group = groups.get(key);
    if (group) group.files += 1;
    else groups.set(key, { ...file, files: 1 });
  }
  return [...groups.values()];
}
