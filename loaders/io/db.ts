import { readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { DuckDBInstance, DuckDBTypeId, type DuckDBConnection, type DuckDBValue } from "@duckdb/node-api";

export type ColumnType = "VARCHAR" | "DOUBLE" | "INTEGER" | "BOOLEAN";

/** A table the pipeline writes: its name and typed columns, in order. */
export interface TableSpec {
  name: string;
  columns: Record<string, ColumnType>;
  /**
   * Columns whose combination identifies a row: declared in the table's comment (`declareKey`) and checked once,
   * for every table, before the database is written (`checkDeclaredKeys`).
   */
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
  await connection.run(`CREATE OR REPLACE TABLE ${quoteIdentifier(spec.name)} (${columns.join(", ")})`);
  await declareKey(connection, spec);
}

const KEY_COMMENT = "Clé : ";
const KEY_COMMENT_END = " (unique et toujours renseignée, vérifiée à la fin du chargement)";

/**
 * Declares a table's key in its comment, where anyone opening the database reads it (`duckdb_tables()`, or a
 * client's table properties), rather than as a DuckDB PRIMARY KEY: DuckDB would index the key at every insert
 * (≈ 25 ms per 35,000 communes, ≈ 0.6 s of a national load on its main thread) for a database that is written
 * once and then only read. `checkDeclaredKeys` holds every declared key to what a PRIMARY KEY would.
 */
export async function declareKey(connection: DuckDBConnection, spec: TableSpec): Promise<void> {
  if (!spec.primaryKey) return;
  const comment = `${KEY_COMMENT}${spec.primaryKey.join(", ")}${KEY_COMMENT_END}`;
  await connection.run(`COMMENT ON TABLE ${quoteIdentifier(spec.name)} IS '${comment.replace(/'/g, "''")}'`);
}

/**
 * Fails, naming the table, the key and up to three of its values, when a declared key (`declareKey`) is repeated or
 * empty in any table of the database: what a PRIMARY KEY would have refused, found before the database is written.
 */
export async function checkDeclaredKeys(connection: DuckDBConnection): Promise<void> {
  const tables = await queryRows<{ name: string; comment: string }>(
    connection,
    `SELECT table_name AS name, comment FROM duckdb_tables() WHERE NOT temporary AND starts_with(comment, $prefix) ORDER BY table_name`,
    { prefix: KEY_COMMENT }
  );
  const keys = tables.map(({ name, comment }) => ({ name, key: comment.slice(KEY_COMMENT.length, comment.indexOf(KEY_COMMENT_END)).split(", ") }));
  if (keys.length === 0) return;
  // One statement for every table (DuckDB spreads it over its threads); the rows at fault are looked for only then.
  const counts = await queryRows<{ i: number; repeated: number; empty: number }>(
    connection,
    keys
      .map(({ name, key }, i) => `SELECT ${i} AS i, (count(*) - count(DISTINCT (${key.map(quoteIdentifier).join(", ")})))::INTEGER AS repeated,
         count(*) FILTER (${key.map((c) => `${quoteIdentifier(c)} IS NULL`).join(" OR ")})::INTEGER AS empty FROM ${quoteIdentifier(name)}`)
      .join(" UNION ALL ")
  );
  const first = counts.filter((c) => c.repeated > 0 || c.empty > 0).sort((a, b) => a.i - b.i)[0];
  if (first) {
    const { name, key } = keys[first.i];
    const columns = key.map(quoteIdentifier).join(", ");
    const bad = await queryRows<{ value: string; n: number }>(
      connection,
      `SELECT concat_ws(', ', ${key.map((c) => `coalesce(CAST(${quoteIdentifier(c)} AS VARCHAR), 'vide')`).join(", ")}) AS value, count(*)::INTEGER AS n
       FROM ${quoteIdentifier(name)} GROUP BY ${columns}
       HAVING count(*) > 1 OR ${key.map((c) => `${quoteIdentifier(c)} IS NULL`).join(" OR ")}
       ORDER BY value LIMIT 3`
    );
    const listed = bad.map((b) => `(${b.value}) : ${b.n} ligne${b.n > 1 ? "s" : ""}`).join(" ; ");
    throw new Error(`table ${name} : clé (${key.join(", ")}) répétée ou vide — ${listed}`);
  }
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
 * `queryRows` for large reads whose columns are all text, numbers (INTEGER, DOUBLE) or booleans: DuckDB writes the
 * rows as one JSON file, in the query's order, on the connection's thread, and this thread only parses it. For
 * 35,000 communes that is about half of this thread's time (`queryRows` converts value by value), and what DuckDB
 * does meanwhile runs on the other core. JSON numbers read back as the same doubles, so the rows are equal to
 * `queryRows`'s; a query with another type (BIGINT, DATE…), or a non-finite number, which JSON cannot carry, is
 * read by `queryRows` instead.
 */
export async function queryPlainRows<T = Record<string, unknown>>(
  connection: DuckDBConnection,
  sql: string,
  params?: Record<string, DuckDBValue>
): Promise<T[]> {
  // The statement is prepared only to learn the types of its columns.
  const prepared = await connection.prepare(sql);
  let plain: boolean;
  try {
    plain = Array.from({ length: prepared.columnCount }, (_, i) => prepared.columnTypeId(i)).every((type) => PLAIN_TYPES.has(type));
  } finally {
    prepared.destroySync();
  }
  if (!plain) return queryRows<T>(connection, sql, params);
  const file = path.join(tmpdir(), `sdin-${process.pid}-${jsonFiles++}.json`);
  try {
    await connection.run(`COPY (${sql}) TO '${file.replace(/'/g, "''")}' (FORMAT json, ARRAY true)`, params);
    const text = await readFile(file, "utf8");
    try {
      return JSON.parse(text) as T[];
    } catch (error) {
      // DuckDB writes NaN and Infinity as bare words, which JSON does not have.
      if (error instanceof SyntaxError) return queryRows<T>(connection, sql, params);
      throw error;
    }
  } finally {
    await rm(file, { force: true });
  }
}

const PLAIN_TYPES = new Set<DuckDBTypeId>([DuckDBTypeId.VARCHAR, DuckDBTypeId.DOUBLE, DuckDBTypeId.INTEGER, DuckDBTypeId.BOOLEAN]);

let jsonFiles = 0;

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
