import { readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { createTable, insertRows, openDatabase, queryPlainRows, queryRows, type Database } from "../loaders/io/db.ts";
import { tempDir } from "./helpers.ts";

async function withValues(work: (db: Database) => Promise<void>): Promise<void> {
  const db = await openDatabase(path.join(tempDir(), "lecture.duckdb"));
  try {
    const spec = { name: "valeurs", columns: { id: "INTEGER", texte: "VARCHAR", nombre: "DOUBLE", vrai: "BOOLEAN" } } as const;
    await createTable(db.connection, spec);
    // Values JSON could get wrong: empty text and null, quotes, line breaks and non-ASCII text, -0, extreme doubles.
    const texts = ["", null, 'guillemets "x" et \\ barre', "ligne\nsuivante\tfin", "Saint-Étienne — « œuvre » 🙂", "NULL"];
    const numbers = [-0, null, 0.1 + 0.2, 5e-324, 1.7976931348623157e308, 1e21, -123456.789, 2 / 3];
    await insertRows(db.connection, spec, Array.from({ length: 3000 }, (_, i) => ({
      id: i, texte: texts[i % texts.length], nombre: numbers[i % numbers.length], vrai: i % 3 === 0 ? null : i % 2 === 0
    })));
    await work(db);
  } finally {
    db.close();
  }
}

const filesLeft = () => readdirSync(tmpdir()).filter((f) => f.startsWith(`sdin-${process.pid}-`) && f.endsWith(".json")).length;

describe("queryPlainRows", () => {
  it("reads the same rows as queryRows, in the query's order, and leaves no file behind", async () => {
    await withValues(async ({ connection }) => {
      const before = filesLeft();
      for (const sql of [
        "SELECT * FROM valeurs ORDER BY id DESC",
        "SELECT texte, nombre * 3 AS triple, id::INTEGER AS id FROM valeurs WHERE vrai ORDER BY nombre NULLS FIRST, id",
        "SELECT * FROM valeurs WHERE id < 0"
      ]) {
        const plain = await queryPlainRows(connection, sql);
        expect(plain).toStrictEqual(await queryRows(connection, sql));
      }
      const rows = await queryPlainRows<{ id: number; texte: string | null; nombre: number | null }>(connection, "SELECT id, texte, nombre FROM valeurs ORDER BY id LIMIT 8");
      expect(rows.map((r) => r.texte)).toEqual(["", null, 'guillemets "x" et \\ barre', "ligne\nsuivante\tfin", "Saint-Étienne — « œuvre » 🙂", "NULL", "", null]);
      expect(Object.is(rows[0].nombre, -0)).toBe(true);
      expect(rows[2].nombre).toBe(0.30000000000000004);
      expect(filesLeft()).toBe(before);
    });
  });

  it("falls back on queryRows for types JSON would change and for numbers it cannot carry", async () => {
    await withValues(async ({ connection }) => {
      // count(*) is a BIGINT: read as a bigint, as queryRows gives it.
      expect(await queryPlainRows(connection, "SELECT count(*) AS n FROM valeurs")).toEqual([{ n: 3000n }]);
      expect(await queryPlainRows(connection, "SELECT 'NaN'::DOUBLE AS x, 'inf'::DOUBLE AS y")).toEqual([{ x: Number.NaN, y: Infinity }]);
      expect(await queryPlainRows(connection, "SELECT texte FROM valeurs WHERE id = $id", { id: 4 })).toEqual([{ texte: "Saint-Étienne — « œuvre » 🙂" }]);
    });
  });
});
