import { criteria, criterionText, type Criterion, type Weights } from "./criteria.js";
import { fragilityIndex } from "./fragility.js";
import { rankDescending } from "./priority.js";

/**
 * How much a ranking depends on the weights: Spearman's rank correlation between two rankings and the
 * entries and exits of the top of the list.
 */

/**
 * Spearman's rho between two rankings of the same items (1 = identical order), with average ranks for ties;
 * null when it is undefined (fewer than two items, or one ranking puts every item at the same rank).
 */
export function spearman(a: readonly number[], b: readonly number[]): number | null {
  if (a.length !== b.length) throw new Error(`séries de longueurs différentes : ${a.length} et ${b.length}`);
  if (a.length < 2) return null;
  return pearson(averageRanks(a), averageRanks(b));
}

export function averageRanks(values: readonly number[]): number[] {
  const order = values.map((v, i) => [v, i] as const).sort((x, y) => x[0] - y[0]);
  const ranks = new Array<number>(values.length);
  for (let i = 0; i < order.length; ) {
    let j = i;
    while (j + 1 < order.length && order[j + 1][0] === order[i][0]) j++;
    const rank = (i + j) / 2 + 1;
    for (let k = i; k <= j; k++) ranks[order[k][1]] = rank;
    i = j + 1;
  }
  return ranks;
}

function pearson(x: readonly number[], y: readonly number[]): number | null {
  const n = x.length;
  const mx = x.reduce((s, v) => s + v, 0) / n;
  const my = y.reduce((s, v) => s + v, 0) / n;
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (let i = 0; i < n; i++) {
    sxy += (x[i] - mx) * (y[i] - my);
    sxx += (x[i] - mx) ** 2;
    syy += (y[i] - my) ** 2;
  }
  return sxx === 0 || syy === 0 ? null : sxy / Math.sqrt(sxx * syy);
}

/** What changes in the top `n` between a reference ranking and another (keys in rank order, best first). */
export interface TopChange {
  entries: string[];
  exits: string[];
  kept: number;
}

export function topChanges(reference: readonly string[], other: readonly string[], n = 20): TopChange {
  const before = new Set(reference.slice(0, n));
  const after = new Set(other.slice(0, n));
  return {
    entries: [...after].filter((k) => !before.has(k)),
    exits: [...before].filter((k) => !after.has(k)),
    kept: [...after].filter((k) => before.has(k)).length
  };
}

/** Two rankings compared: Spearman's rho over the items both rank, and the moves in the top `n`. */
export interface RankingComparison extends TopChange {
  spearman: number | null;
}

/** Compares two rankings given as keys in rank order (best first, ranked items only). */
export function compareRankings(reference: readonly string[], other: readonly string[], n = 20): RankingComparison {
  const otherRank = new Map(other.map((key, i) => [key, i + 1]));
  const common = reference.map((key, i) => [i + 1, otherRank.get(key)] as const).filter((pair): pair is readonly [number, number] => pair[1] !== undefined);
  return { spearman: spearman(common.map((p) => p[0]), common.map((p) => p[1])), ...topChanges(reference, other, n) };
}

/** A commune's criterion classes, as stored in diagnostic_communes. */
export interface ClassedCommune {
  code_insee: string;
  nom: string;
  classes: Record<Criterion, number | null>;
}

/** Communes ordered by index under `weights` (most fragile first), ties by code; communes without index left out. */
export function rankByIndex<T extends ClassedCommune>(communes: readonly T[], weights: Weights): T[] {
  const ranks = rankDescending(communes, (c) => fragilityIndex(c.classes, weights).index, (c) => c.code_insee);
  return [...communes].filter((c) => ranks.get(c) !== null).sort((a, b) => ranks.get(a)! - ranks.get(b)!);
}

/** How the top of the ranking moves under one change of weights. */
export interface ScenarioResult {
  scenario: string;
  weights: Weights;
  spearman: number | null;
  entries: string[];
  exits: string[];
  kept: number;
}

/**
 * The sensitivity report: for each criterion, the ranking by index with its weight doubled and with it left out,
 * compared with the ranking under the reference weights (Spearman's rho over all ranked communes, and the
 * entries and exits of the top `n`).
 */
export function sensitivityReport(communes: readonly ClassedCommune[], reference: Weights, n = 20): ScenarioResult[] {
  const base = rankByIndex(communes, reference).map((c) => c.code_insee);
  const names = new Map(communes.map((c) => [c.code_insee, c.nom]));
  const name = (code: string) => `${names.get(code) ?? code} (${code})`;
  const results: ScenarioResult[] = [];
  for (const criterion of criteria) {
    if (communes.every((c) => c.classes[criterion] === null)) continue;
    for (const [label, factor] of [["doublé", 2], ["retiré", 0]] as const) {
      const weights = { ...reference, [criterion]: reference[criterion] * factor };
      const comparison = compareRankings(base, rankByIndex(communes, weights).map((c) => c.code_insee), n);
      results.push({
        scenario: `poids « ${criterionText(criterion)} » ${label}`,
        weights,
        spearman: comparison.spearman,
        entries: comparison.entries.map(name),
        exits: comparison.exits.map(name),
        kept: comparison.kept
      });
    }
  }
  return results;
}
