import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openDatabase, type Database } from "../loaders/io/db.ts";
import { nationalReads, quarantineReasonsPerFile } from "../loaders/outputs/read-model.ts";

// A hand-made quarantine: one file with more reasons than are listed one by one, one with a few.
describe("quarantine summary", () => {
  let db: Database;
  const many = quarantineReasonsPerFile + 5;
  beforeAll(async () => {
    db = await openDatabase(":memory:");
    await db.connection.run(`CREATE TABLE quarantine("source" VARCHAR, file VARCHAR, line INTEGER, "column" VARCHAR, "value" VARCHAR, reason VARCHAR)`);
    // Reason k of the big file has k + 1 rows (lines 1000 k + 1 …), so reasons 0 to 4 are the least frequent.
    await db.connection.run(
      `INSERT INTO quarantine SELECT 'grande', 'grand.csv', 1000 * k + i + 1, 'CODE', NULL, 'raison ' || k
       FROM range(${many}) r(k), range(${many}) s(i) WHERE i <= k`
    );
    await db.connection.run(`INSERT INTO quarantine VALUES ('petite', 'petit.csv', 7, 'COM', '1', 'code absent'), ('petite', 'petit.csv', 3, 'COM', '2', 'code absent')`);
  });
  afterAll(() => db.close());

  it("lists each file's most frequent reasons and adds up the others of that file in one row", async () => {
    const summary = await nationalReads(db.connection).quarantine();
    const big = summary.filter((q) => q.file === "grand.csv");
    expect(big).toHaveLength(quarantineReasonsPerFile + 1);
    const others = big.find((q) => q.reason.startsWith("et "))!;
    // Reasons 0 to 4 have 1 to 5 rows: 15 rows in all, the first on line 1.
    expect(others).toMatchObject({ reason: expect.stringMatching(/^et 5 autres raisons/), lignes: 15, premiere_ligne: 1, colonne: null });
    expect(big.reduce((n, q) => n + q.lignes, 0)).toBe((many * (many + 1)) / 2);
    // The small file keeps its one reason, with its first line.
    expect(summary.filter((q) => q.file === "petit.csv")).toEqual([{ source: "petite", file: "petit.csv", reason: "code absent", lignes: 2, premiere_ligne: 3, colonne: "COM" }]);
    // The reasons, most rows first, then the rows that add up the others.
    expect(summary.at(-1)).toBe(others);
    const reasons = summary.slice(0, -1).map((q) => q.lignes);
    expect(reasons).toEqual([...reasons].sort((a, b) => b - a));
  });
});
