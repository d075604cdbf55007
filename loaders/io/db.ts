import { DuckDBInstance, type DuckDBConnection, type DuckDBValue } from "@duckdb/node-api";

export type ColumnType = "VARCHAR" | "DOUBLE" | "INTEGER" | "BOOLEAN";

/** A table the pipeline writes: its name and typed columns, in order. */
export interface TableSpec {
  name: string;
  columns: Record<string, ColumnType>;
  /** Columns whose combination must be unique (checked by DuckDB). */
  primaryKey?: string[];
}

export type Row = Record<string, string | number | boolean | null>;

/** An open database: one instance per process, its connections, closed together. */
export interface Database {
  connection: DuckDBConnection;
  /** Another connection to the same database (for work running beside the first one's), closed with it. */
  connect(): Promise<DuckDBConnection>;
  close(): void;
}

/**
 * Opens a database file. `threads` caps DuckDB's own worker threads (its default is one per core): a process that
 * shares the machine's cores with others doing the same work (`sdin export` on two processes) asks for one.
 */
export async function openDatabase(file: string, { readOnly = false, threads }: { readOnly?: boolean; threads?: number } = {}): Promise<Database> {
  const instance = await DuckDBInstance.create(file, { ...(readOnly ? { access_mode: "READ_ONLY" } : {}), ...(threads ? { threads: String(threads) } : {}) });
  const connection = await instance.connect();
  const others: DuckDBConnection[] = [];
  return {
    connection,
    async connect() {
      const other = await instance.connect();
      others.push(other);
      return other;
    },
    close() {
      for (const other of others) other.closeSync();
      connection.closeSync();
      instance.closeSync();
    }
  };
}

/** Opens a database, runs `work`, and closes it even when `work` fails. */
export async function withDatabase<T>(file: string, options: { readOnly?: boolean; threads?: number }, work: (db: Database) => Promise<T>): Promise<T> {
  const db = await openDatabase(file, options);
  try {
    return await work(db);
  } finally {
    db.close();
  }
}

export function quoteIdentifier(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

export async function createTable(connection: DuckDBConnection, spec: TableSpec): Promise<void> {
  const columns = Object.entries(spec.columns).map(([name, type]) => `${quoteIdentifier(name)} ${type}`);
  if (spec.primaryKey) columns.push(`PRIMARY KEY (${spec.primaryKey.map(quoteIdentifier).join(", ")})`);
  await connection.run(`CREATE OR REPLACE TABLE ${quoteIdentifier(spec.name)} (${columns.join(", ")})`);
}

/** Appends rows to a table created from `spec`; a value of the wrong type fails with the column's name. */
export async function insertRows(connection: DuckDBConnection, spec: TableSpec, rows: Iterable<object>): Promise<number> {
  const appender = await connection.createAppender(spec.name);
  const columns = Object.entries(spec.columns);
  let count = 0;
  try {
    for (const row of rows) {
      for (const [name, type] of columns) {
        const value = (row as Row)[name];
        if (value === null || value === undefined || (typeof value === "number" && Number.isNaN(value))) appender.appendNull();
        else if (type === "VARCHAR") appender.appendVarchar(String(value));
        else if (type === "DOUBLE") appender.appendDouble(expectNumber(spec, name, value));
        else if (type === "INTEGER") appender.appendInteger(expectInteger(spec, name, value));
        else appender.appendBoolean(Boolean(value));
      }
      appender.endRow();
      count++;
    }
    appender.flushSync();
  } finally {
    appender.closeSync();
  }
  return count;
}

/** An INTEGER cell: DuckDB's own error (`number out of int32 range`) would name neither the table nor the value. */
function expectInteger(spec: TableSpec, column: string, value: unknown): number {
  const n = Math.round(expectNumber(spec, column, value));
  if (n < -2_147_483_648 || n > 2_147_483_647) throw new Error(`valeur ${value} hors de l'intervalle des entiers pour ${spec.name}.${column}`);
  return n;
}

function expectNumber(spec: TableSpec, column: string, value: unknown): number {
  if (typeof value !== "number") throw new Error(`valeur non numérique ${JSON.stringify(value)} pour ${spec.name}.${column}`);
  return value;
}

/** Runs a query and returns plain JS objects (cast BIGINTs in SQL: `count(*)::INTEGER`). */
export async function queryRows<T = Record<string, unknown>>(
  connection: DuckDBConnection,
  sql: string,
  params?: Record<string, DuckDBValue>
): Promise<T[]> {
  const reader = await connection.runAndReadAll(sql, params);
  return reader.getRowObjectsJS() as T[];
}

/**
 * Names of the tables (and views) the database holds. Sources and steps land at different times, so readers ask
 * before they read an optional table; this is the one place that knows how to ask.
 */
export async function tableNames(connection: DuckDBConnection): Promise<Set<string>> {
  const rows = await queryRows<{ name: string }>(connection, "SELECT table_name AS name FROM information_schema.tables");
  return new Set(rows.map((r) => r.name));
}

/** True when the database holds `table`. */
export async function hasTable(connection: DuckDBConnection, table: string): Promise<boolean> {
  const rows = await queryRows<{ n: number }>(connection, "SELECT count(*)::INTEGER AS n FROM information_schema.tables WHERE table_name = $table", { table });
  return rows[0].n > 0;
}
