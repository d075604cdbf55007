import { existsSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { checkDeclaredKeys, createTable, insertRows, openDatabase, queryRows, type TableSpec } from "../loaders/io/db.ts";
import { runLoad } from "../loaders/ingest/load.ts";
import type { Source } from "../loaders/ingest/source.ts";
import { tempDir, testConfig } from "./helpers.ts";

const arcep: TableSpec = {
  name: "essai_arcep",
  columns: { code_insee: "VARCHAR", trimestre: "VARCHAR", locaux: "INTEGER" },
  primaryKey: ["code_insee", "trimestre"]
};
const free: TableSpec = { name: "essai_libre", columns: { code_insee: "VARCHAR" } };

async function withTables(rows: object[], work: (check: () => Promise<void>) => Promise<void>): Promise<void> {
  const db = await openDatabase(path.join(tempDir(), "cles.duckdb"));
  try {
    await createTable(db.connection, arcep);
    await createTable(db.connection, free);
    await insertRows(db.connection, arcep, rows);
    // A table without a declared key may repeat anything.
    await insertRows(db.connection, free, [{ code_insee: "23096" }, { code_insee: "23096" }]);
    await work(() => checkDeclaredKeys(db.connection));
  } finally {
    db.close();
  }
}

describe("declared keys", () => {
  it("are written in the table's comment, not as a DuckDB index", async () => {
    await withTables([{ code_insee: "23096", trimestre: "2025T3", locaux: 10 }], async (check) => {
      await expect(check()).resolves.toBeUndefined();
    });
    const db = await openDatabase(path.join(tempDir(), "cles.duckdb"));
    try {
      await createTable(db.connection, arcep);
      const [table] = await queryRows<{ comment: string }>(db.connection, "SELECT comment FROM duckdb_tables() WHERE table_name = 'essai_arcep'");
      expect(table.comment).toBe("Clé : code_insee, trimestre (unique et toujours renseignée, vérifiée à la fin du chargement)");
      expect(await queryRows(db.connection, "SELECT * FROM duckdb_constraints() WHERE table_name = 'essai_arcep' AND constraint_type = 'PRIMARY KEY'")).toEqual([]);
    } finally {
      db.close();
    }
  });

  it("refuse a repeated key, naming the table, the key and its values", async () => {
    const rows = [
      { code_insee: "23096", trimestre: "2025T3", locaux: 10 },
      { code_insee: "23096", trimestre: "2025T2", locaux: 9 },
      { code_insee: "23096", trimestre: "2025T3", locaux: 11 }
    ];
    await withTables(rows, async (check) => {
      await expect(check()).rejects.toThrow("table essai_arcep : clé (code_insee, trimestre) répétée ou vide — (23096, 2025T3) : 2 lignes");
    });
  });

  it("refuse an empty key column, as a PRIMARY KEY would", async () => {
    await withTables([{ code_insee: "23096", trimestre: null, locaux: 10 }], async (check) => {
      await expect(check()).rejects.toThrow("table essai_arcep : clé (code_insee, trimestre) répétée ou vide — (23096, vide) : 1 ligne");
    });
  });

  it("fail the load before the database is written, leaving the previous one in place", async () => {
    const config = testConfig();
    const good: Source = {
      id: "essai",
      title: "essai",
      resources: [],
      async load(context) {
        await createTable(context.connection, arcep);
        await insertRows(context.connection, arcep, [{ code_insee: "23096", trimestre: "2025T3", locaux: 10 }]);
      }
    };
    await runLoad(config, [good], { log: () => {} });
    expect(existsSync(config.paths.database)).toBe(true);
    const twice: Source = {
      ...good,
      async load(context) {
        await good.load(context);
        // Appended again by a second call: each call alone is clean, the table is not.
        await insertRows(context.connection, arcep, [{ code_insee: "23096", trimestre: "2025T3", locaux: 12 }]);
      }
    };
    await expect(runLoad(config, [twice], { log: () => {} })).rejects.toThrow("table essai_arcep : clé (code_insee, trimestre) répétée ou vide — (23096, 2025T3) : 2 lignes");
    const db = await openDatabase(config.paths.database, { readOnly: true });
    try {
      expect(await queryRows(db.connection, "SELECT locaux FROM essai_arcep")).toEqual([{ locaux: 10 }]);
    } finally {
      db.close();
    }
  });
});
