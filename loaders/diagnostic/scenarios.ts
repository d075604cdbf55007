import type { IndexWeights } from "../io/config.ts";
import { criteria, criterionLabels, fragilityIndex, type Criterion } from "./fragility.ts";
import { rankDescending } from "./priority.ts";
import { spearman, topChanges } from "./sensitivity.ts";

/** A commune's criterion classes, as stored in diagnostic_communes. */
export interface ClassedCommune {
  code_insee: string;
  nom: string;
  classes: Record<Criterion, number | null>;
}

/** How the top of the ranking moves under one change of weights. */
export interface ScenarioResult {
  scenario: string;
  weights: IndexWeights;
  spearman: number;
  entries: string[];
  exits: string[];
  kept: number;
}

/** Communes ordered by index under `weights` (most fragile first), ties by code. */
export function rankByIndex(communes: readonly ClassedCommune[], weights: IndexWeights): ClassedCommune[] {
  const ranks = rankDescending(communes, (c) => fragilityIndex(c.classes, weights).index, (c) => c.code_insee);
  return [...communes].filter((c) => ranks.get(c) !== null).sort((a, b) => ranks.get(a)! - ranks.get(b)!);
}

/**
 * The sensitivity report: for each criterion, the ranking with its weight doubled and with it left out,
 * compared with the ranking under the reference weights (Spearman's rho over all ranked communes, and the
 * entries and exits of the top `n`).
 */
export function sensitivityReport(communes: readonly ClassedCommune[], reference: IndexWeights, n = 20): ScenarioResult[] {
  const base = rankByIndex(communes, reference);
  const baseRank = new Map(base.map((c, i) => [c.code_insee, i + 1]));
  const results: ScenarioResult[] = [];
  for (const criterion of criteria) {
    if (communes.every((c) => c.classes[criterion] === null)) continue;
    for (const [label, factor] of [["doublé", 2], ["retiré", 0]] as const) {
      const weights = { ...reference, [criterion]: reference[criterion] * factor };
      const other = rankByIndex(communes, weights);
      const otherRank = new Map(other.map((c, i) => [c.code_insee, i + 1]));
      const common = base.filter((c) => otherRank.has(c.code_insee));
      const name = (code: string) => `${communes.find((c) => c.code_insee === code)?.nom ?? code} (${code})`;
      const change = topChanges(base.map((c) => c.code_insee), other.map((c) => c.code_insee), n);
      results.push({
        scenario: `poids « ${criterionLabels[criterion]} » ${label}`,
        weights,
        spearman: spearman(common.map((c) => baseRank.get(c.code_insee)!), common.map((c) => otherRank.get(c.code_insee)!)),
        entries: change.entries.map(name),
        exits: change.exits.map(name),
        kept: change.kept
      });
    }
  }
  return results;
}
