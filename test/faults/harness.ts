import { expect, it } from "vitest";
import type { Ledger } from "../../loaders/io/ledger.ts";

/**
 * The fault-counting harness: every fault registers itself when it starts and is marked handled only once its
 * assertions on the outcome passed. Each fault reports the resources it read (a ledger, or provenance rows
 * of a finished load), so that the suite can add up the rows lost: rows_in − rows_loaded − rows_quarantined.
 */

/** How the pipeline answered a fault. */
export type Outcome =
  | "refused" // the run stopped, with a message naming source, file, line and column
  | "quarantined" // the bad rows were set aside with their reason, the others loaded
  | "corrected" // the value was repaired (re-padded code, swapped coordinates, secret mark → null)
  | "loaded"; // nothing to repair: the variant is read as the original

/** What one resource did with its rows. */
export interface ResourceCount {
  resource: string;
  rows_in: number;
  rows_loaded: number;
  rows_quarantined: number;
}

export interface FaultResult {
  outcome: Outcome;
  resources?: ResourceCount[];
}

interface Entry {
  area: string;
  name: string;
  outcome: Outcome | null;
  handled: boolean;
  rowsLost: number;
}

const entries: Entry[] = [];

/** A ledger as a resource count. */
export function counted(ledger: Ledger): ResourceCount {
  return { resource: `${ledger.source}/${ledger.file}`, rows_in: ledger.rowsIn, rows_loaded: ledger.rowsLoaded, rows_quarantined: ledger.rowsQuarantined };
}

/** Provenance rows (from the `provenance` table) as resource counts. */
export function fromProvenance(rows: { id: string; rows_in: number; rows_loaded: number; rows_quarantined: number }[]): ResourceCount[] {
  return rows.map((r) => ({ resource: r.id, rows_in: r.rows_in, rows_loaded: r.rows_loaded, rows_quarantined: r.rows_quarantined }));
}

/**
 * Declares one fault as a test. `run` feeds the fault to the pipeline, asserts on the outcome and returns it with
 * the resources it read; the fault counts as handled only when `run` returns and no row was lost.
 */
export function fault(area: string, name: string, run: () => Promise<FaultResult> | FaultResult, timeout?: number): void {
  it(name, async () => {
    const entry: Entry = { area, name, outcome: null, handled: false, rowsLost: 0 };
    entries.push(entry);
    const result = await run();
    entry.outcome = result.outcome;
    for (const r of result.resources ?? []) {
      const lost = r.rows_in - r.rows_loaded - r.rows_quarantined;
      entry.rowsLost += lost;
      expect(lost, `rows lost in ${r.resource}`).toBe(0);
    }
    entry.handled = true;
  }, timeout);
}

export interface Summary {
  tried: number;
  handled: number;
  rowsLost: number;
  byOutcome: Record<string, number>;
  unhandled: string[];
}

export function summary(): Summary {
  const byOutcome: Record<string, number> = {};
  for (const e of entries) if (e.outcome) byOutcome[e.outcome] = (byOutcome[e.outcome] ?? 0) + 1;
  return {
    tried: entries.length,
    handled: entries.filter((e) => e.handled).length,
    rowsLost: entries.reduce((sum, e) => sum + e.rowsLost, 0),
    byOutcome,
    unhandled: entries.filter((e) => !e.handled).map((e) => `${e.area}: ${e.name}`)
  };
}

/** The line the suite ends with. */
export function summaryLine({ tried, handled, rowsLost }: Summary): string {
  return `${tried} faults tried, ${handled} handled, ${rowsLost} rows lost`;
}
