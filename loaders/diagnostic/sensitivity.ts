/**
 * How much a ranking depends on the weights: Spearman's rank correlation between two rankings and the
 * entries and exits of the top of the list.
 */

/** Spearman's rho between two rankings of the same items (1 = identical order), with average ranks for ties. */
export function spearman(a: readonly number[], b: readonly number[]): number {
  if (a.length !== b.length) throw new Error(`séries de longueurs différentes : ${a.length} et ${b.length}`);
  const ra = averageRanks(a);
  const rb = averageRanks(b);
  return pearson(ra, rb);
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

function pearson(x: readonly number[], y: readonly number[]): number {
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
  return sxx === 0 || syy === 0 ? NaN : sxy / Math.sqrt(sxx * syy);
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
