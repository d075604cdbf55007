import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Config } from "../loaders/io/config.ts";
import { openDatabase, type Database } from "../loaders/io/db.ts";
import { populations } from "../loaders/ingest/sources/populations.ts";
import { readStatus } from "../loaders/cli/status.ts";
import { loadSources, queryRows } from "./helpers.ts";

describe("referential and populations légales (mirror)", () => {
  let config: Config;
  beforeAll(async () => {
    const loaded = await loadSources([populations]);
    loaded.db.close();
    config = loaded.config;
  });

  it("counts Creuse and Aisne as the COG 2026 does", async () => {
    const creuse = await readStatus(config.paths.database, "23");
    expect([creuse.communes, creuse.population, creuse.epci]).toEqual([255, 115527, 10]);
    const aisne = await readStatus(config.paths.database, "02");
    expect([aisne.communes, aisne.population, aisne.epci]).toEqual([797, 523342, 20]);
    for (const s of aisne.sources) expect(s.rows_in).toBe(s.rows_loaded + s.rows_quarantined);
  });

  describe("COG harmonisation", () => {
    let db: Database;
    beforeAll(async () => (db = await openDatabase(config.paths.database, { readOnly: true })));
    afterAll(() => db?.close());

    it("maps merged communes, délégués and arrondissements to the current COG", async () => {
      const rows = await queryRows<{ code_ancien: string; code_insee: string }>(
        db.connection,
        `SELECT code_ancien, code_insee FROM cog_passage WHERE code_ancien IN ('23023', '02077', '02311', '13201', '23096') ORDER BY code_ancien`
      );
      // From insee-cog-2026/mouvements-communes.csv: 02077 Berzy-le-Sec became a déléguée of 02564 on 2026-01-01,
      // 02311 Filain merged into 02589 and 23023 Blaudeix into 23149 on 2025-01-01; 13201 is an arrondissement of 13055.
      expect(rows).toEqual([
        { code_ancien: "02077", code_insee: "02564" },
        { code_ancien: "02311", code_insee: "02589" },
        { code_ancien: "13201", code_insee: "13055" },
        { code_ancien: "23023", code_insee: "23149" },
        { code_ancien: "23096", code_insee: "23096" }
      ]);
    });

    it("adds up the populations légales of the current communes", async () => {
      // donnees_communes.csv: 23096 Guéret PMUN = 12 955 (same as the referential package)
      const [gueret] = await queryRows<{ pmun: number }>(db.connection, `SELECT pmun FROM population_legale WHERE code_insee = '23096'`);
      expect(gueret.pmun).toBe(12955);
    });
  });
});
