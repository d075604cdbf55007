import type { Ledger } from "../io/ledger.ts";

/** One change of the COG: an old code replaced by a current one. */
export interface CogMove {
  date: string;
  from: string;
  to: string;
  /** INSEE event code (`31` fusion simple, `32` commune nouvelle, `41` change of département…). */
  mod: string;
}

/** A `CogIndex` as plain arrays (see `toData`). */
export interface CogData {
  current: string[];
  parent: [string, string][];
  successor: [string, string][];
}

/**
 * Maps commune codes of any vintage to the current COG: current communes map to themselves, communes
 * déléguées / associées and arrondissements municipaux to their parent, merged communes follow the chain of
 * INSEE's movements to today's commune.
 */
export class CogIndex {
  private readonly current: Set<string>;
  private readonly parent = new Map<string, string>();
  private readonly successor = new Map<string, string>();

  constructor(currentCodes: Iterable<string>, parents: Iterable<[string, string]>, moves: CogMove[]) {
    this.current = new Set(currentCodes);
    for (const [child, parent] of parents) this.parent.set(child, parent);
    const ordered = [...moves].sort((a, b) => a.date.localeCompare(b.date));
    for (const move of ordered) if (move.from !== move.to) this.successor.set(move.from, move.to);
  }

  /** The index as plain data (to hand to a worker thread); `CogIndex.fromData` makes the same index again. */
  toData(): CogData {
    return { current: [...this.current], parent: [...this.parent], successor: [...this.successor] };
  }

  static fromData(data: CogData): CogIndex {
    const index = new CogIndex(data.current, data.parent, []);
    for (const [from, to] of data.successor) index.successor.set(from, to);
    return index;
  }

  isCurrent(code: string): boolean {
    return this.current.has(code);
  }

  /** The current commune that now holds `code`'s territory, or null when no mapping is known. */
  toCurrent(code: string): string | null {
    let c = code;
    for (let step = 0; step < 20; step++) {
      if (this.current.has(c)) return c;
      const next = this.parent.get(c) ?? this.successor.get(c);
      if (!next || next === c) return null;
      c = next;
    }
    return null;
  }

  /** Every (old code → current code) pair the index knows, for the `cog_passage` table. */
  *pairs(): Generator<[string, string]> {
    const codes = new Set([...this.current, ...this.parent.keys(), ...this.successor.keys()]);
    for (const code of codes) {
      const to = this.toCurrent(code);
      if (to) yield [code, to];
    }
  }
}

/**
 * Maps a row's commune code to the current COG, quarantining the row (with its line, column and value)
 * when the code is malformed or unknown.
 */
export function currentCodeOrQuarantine(
  cog: CogIndex,
  code: string | null,
  raw: string,
  ledger: Ledger,
  line: number,
  column: string
): string | null {
  if (code === null) {
    ledger.quarantine(line, column, raw, "code commune mal formé");
    return null;
  }
  const current = cog.toCurrent(code);
  if (current === null) ledger.quarantine(line, column, raw, "code commune absent du COG et de ses mouvements");
  return current;
}

/**
 * Adds up the numeric fields of rows that land on the same current commune (merged communes): counts are
 * additive. A null in any part makes the sum null: a partial total would pass for the whole commune.
 */
export function sumByCode<T extends { code_insee: string }>(rows: T[], fields: (keyof T)[]): T[] {
  const byCode = new Map<string, T>();
  for (const row of rows) {
    const existing = byCode.get(row.code_insee);
    if (!existing) {
      byCode.set(row.code_insee, { ...row });
      continue;
    }
    for (const field of fields) {
      const a = existing[field] as unknown as number | null;
      const b = row[field] as unknown as number | null;
      (existing[field] as unknown) = a === null || b === null ? null : a + b;
    }
  }
  return [...byCode.values()];
}

/**
 * Combines rates of rows that land on the same current commune, weighted by `weight` (population or
 * households) when only rates are published. Parts whose rate is missing are left out, and so is their weight.
 */
export function weightedMeanByCode<T extends { code_insee: string }>(rows: T[], fields: (keyof T)[], weight: (row: T) => number): T[] {
  const groups = new Map<string, T[]>();
  for (const row of rows) groups.set(row.code_insee, [...(groups.get(row.code_insee) ?? []), row]);
  return [...groups.values()].map((group) => {
    if (group.length === 1) return group[0];
    const merged = { ...group[0] };
    for (const field of fields) {
      let sum = 0;
      let total = 0;
      for (const row of group) {
        const value = row[field] as unknown as number | null;
        if (value === null || value === undefined || Number.isNaN(value)) continue;
        const w = Math.max(weight(row), 0) || 1;
        sum += value * w;
        total += w;
      }
      (merged[field] as unknown) = total > 0 ? sum / total : null;
    }
    return merged;
  });
}
