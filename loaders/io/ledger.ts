import type { Location } from "./errors.ts";

/** One row set aside during a load, with the reason it could not be loaded. */
export interface QuarantinedRow {
  source: string;
  file: string;
  line: number | null;
  column: string | null;
  value: string | null;
  reason: string;
}

/**
 * Counts what happened to every row of one resource: each row read is either loaded or quarantined,
 * never dropped silently. `check()` enforces rows_in = rows_loaded + rows_quarantined.
 */
export class Ledger {
  readonly source: string;
  readonly file: string;
  rowsIn = 0;
  rowsLoaded = 0;
  readonly quarantined: QuarantinedRow[] = [];

  constructor(source: string, file: string) {
    this.source = source;
    this.file = file;
  }

  /** Records that `n` more rows were read from the file. */
  read(n = 1): void {
    this.rowsIn += n;
  }

  /** Records that `n` rows went into the database. */
  loaded(n = 1): void {
    this.rowsLoaded += n;
  }

  /** Sets a row aside with its reason. */
  quarantine(line: number | null, column: string | null, value: unknown, reason: string): void {
    this.quarantined.push({
      source: this.source,
      file: this.file,
      line,
      column,
      value: value === null || value === undefined ? null : String(value).slice(0, 200),
      reason
    });
  }

  /** What another ledger of the same file counted (in a worker thread): its rows and quarantined rows added to these. */
  absorb(other: { rowsIn: number; rowsLoaded: number; quarantined: readonly QuarantinedRow[] }): void {
    this.rowsIn += other.rowsIn;
    this.rowsLoaded += other.rowsLoaded;
    this.quarantined.push(...other.quarantined);
  }

  get rowsQuarantined(): number {
    return this.quarantined.length;
  }

  at(line?: number, column?: string): Location {
    return { source: this.source, file: this.file, line, column };
  }

  /** Fails when a row was lost between reading and loading. */
  check(): void {
    if (this.rowsIn !== this.rowsLoaded + this.rowsQuarantined) {
      throw new Error(
        `bilan incohérent pour ${this.source} (${this.file}) : ${this.rowsIn} lignes lues, ` +
          `${this.rowsLoaded} chargées, ${this.rowsQuarantined} en quarantaine`
      );
    }
  }
}
