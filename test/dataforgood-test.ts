import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CogIndex } from "../loaders/ingest/cog.ts";
import type { Database } from "../loaders/io/db.ts";
import { dataforgood, dataforgoodResource, harmoniseDataforgood, parseDataforgood } from "../loaders/ingest/sources/dataforgood.ts";
import { filosofi } from "../loaders/ingest/sources/filosofi.ts";
import { ledger, loadSources, queryRows } from "./helpers.ts";

const HEADER = ",CODE_INSEE,TX_POVERTY,TX_NSCOL15P,TX_MENSEUL,TX_FAMMONO,TX_65ETPLUS,TX_25ETMOINS,TX_DEMANDEUR_EMPLOIS,COUVERTURE_HD_THD";
const cog = new CogIndex(["23149", "23065", "23096", "75056"], [["75101", "75056"]], [
  { date: "2025-01-01", from: "23023", to: "23149", mod: "32" },
  { date: "2017-01-01", from: "23126", to: "23065", mod: "32" }
]);

describe("parseDataforgood", () => {
  const text = [
    HEADER,
    "0,23023,,60,40,0,30,10,,1.0",
    "1,23149,,40,20,10,30,10,,1.0",
    "2,23096,35.5,52,51,9,27,14,,1.0",
    "3,23096,35.5,,,,,,,1.0",
    "4,23065,,70,37,7,35,8,,1.0",
    "5,23126,,,,,,,,1.0",
    "6,75056,,21,51,8,19,15,,1.0",
    "7,75101,,17,56,7,20,13,,1.0",
    "8,23149,,140,20,10,30,10,,1.0"
  ].join("\n");

  it("keeps the most complete of duplicated codes and quarantines the rest with reasons", () => {
    const l = ledger("dataforgood-ifn-derive", "data_merge.csv");
    const rows = parseDataforgood(text, l, cog);
    expect(l.quarantined.map((q) => [q.line, q.column, q.reason])).toEqual([
      [5, "CODE_INSEE", "code commune en double : la ligne 4, plus complète, est chargée"],
      [10, "CODE_INSEE", "code commune en double : la ligne 3, plus complète, est chargée"],
      [9, "CODE_INSEE", "arrondissement municipal : la commune entière 75056 est chargée à sa place"],
      [7, "CODE_INSEE", "aucun taux renseigné pour cette ancienne commune : 23065 est calculée sur ses autres parties"]
    ]);
    expect(rows.find((r) => r.code_ancien === "23096")).toMatchObject({ tx_pauvrete: 35.5, tx_nscol15p: 52, couverture_hd_thd: 100 });
    expect(l.rowsLoaded).toBe(5);
    l.check();
  });

  it("weights merged communes by people, equally without weights, and ignores empty shells", () => {
    const rows = parseDataforgood(text, ledger(), cog);
    const weighted = harmoniseDataforgood(rows, new Map([["23023", 100], ["23149", 300]]));
    const at = (list: Record<string, unknown>[], code: string) => list.find((r) => r.code_insee === code)!;
    expect(at(weighted, "23149").tx_nscol15p).toBe(45); // (60×100 + 40×300) / 400
    expect(at(harmoniseDataforgood(rows, null), "23149").tx_nscol15p).toBe(50); // equal weights
    // 23126 had no rates left (already merged in 2017): 23065 keeps its own instead of becoming missing.
    expect(at(weighted, "23065").tx_nscol15p).toBe(70);
    expect(weighted).toHaveLength(4);
    expect(Object.keys(weighted[0])).not.toContain("code_ancien");
  });

  it("quarantines a rate off its scale", () => {
    const l = ledger();
    parseDataforgood([HEADER, "0,23096,,52,51,9,27,14,,1.5"].join("\n"), l, cog);
    expect(l.quarantined).toMatchObject([{ column: "COUVERTURE_HD_THD", reason: "taux hors de l'échelle attendue (0–1)" }]);
  });
});

describe("dataforgood source on the mirror", () => {
  let db: Database;
  beforeAll(async () => ({ db } = await loadSources([filosofi, dataforgood])));
  afterAll(() => db?.close());

  it("is flagged as derived in the provenance", async () => {
    const [p] = await queryRows<{ id: string; derived: boolean; rows_in: number; rows_loaded: number; rows_quarantined: number }>(
      db.connection,
      `SELECT id, derived, rows_in, rows_loaded, rows_quarantined FROM provenance WHERE source = $source`,
      { source: dataforgood.id }
    );
    expect(dataforgood.id).toMatch(/deriv/);
    expect(p).toMatchObject({ id: dataforgoodResource.id, derived: true, rows_in: 36393 });
    expect(p.rows_in).toBe(p.rows_loaded + p.rows_quarantined);
  });

  it("covers every current Creuse and Aisne commune, in percent", async () => {
    const rows = await queryRows<{ d: string; n: number; p: number; max_thd: number }>(
      db.connection,
      `SELECT substr(code_insee, 1, 2) AS d, count(*)::INTEGER AS n, count(tx_pauvrete)::INTEGER AS p, max(couverture_hd_thd) AS max_thd
       FROM indicateurs_derives WHERE substr(code_insee, 1, 2) IN ('23', '02') GROUP BY ALL ORDER BY d`
    );
    // SOURCES.md: TX_POVERTY known for 7 of 258 Creuse rows (one is 23096's duplicate) and 43 of 813 Aisne rows;
    // duplicates removed, Creuse keeps 6 communes with a rate, Aisne 34.
    expect(rows).toEqual([
      { d: "02", n: 797, p: 34, max_thd: 100 },
      { d: "23", n: 255, p: 6, max_thd: 100 }
    ]);
  });

  it("weights Blaudeix and Parsac by their Filosofi people", async () => {
    const [parsac] = await queryRows<{ tx: number }>(db.connection, `SELECT tx_nscol15p AS tx FROM indicateurs_derives WHERE code_insee = '23149'`);
    // data_merge.csv: 23023 → 59.13978494623656, 23149 → 60.066555740432605; Filosofi people 109 and 714.
    expect(parsac.tx).toBeCloseTo((59.13978494623656 * 109 + 60.066555740432605 * 714) / 823, 9);
    const [gueret] = await queryRows<{ tx: number }>(db.connection, `SELECT tx_pauvrete AS tx FROM indicateurs_derives WHERE code_insee = '23096'`);
    expect(gueret.tx).toBe(35.61992485759302);
  });
});
