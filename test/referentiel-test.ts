import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Config } from "../loaders/config.ts";
import type { Database } from "../loaders/db.ts";
import { populations } from "../loaders/sources/populations.ts";
import { readStatus } from "../loaders/status.ts";
import { loadSources, queryRows } from "./helpers.ts";

describe("referential and populations légales (mirror)", () => {
  let db: Database;
  let config: Config;
  beforeAll(async () => ({ db, config } = await loadSources([populations])));
  afterAll(() => db?.close());

  it("counts Creuse and Aisne as the COG 2026 does", async () => {
    db.close();
    const creuse = await readStatus(config.paths.database, "23");
    expect([creuse.communes, creuse.population, creuse.epci]).toEqual([255, 115527, 10]);
    const aisne = await readStatus(config.paths.database, "02");
    expect([aisne.communes, aisne.population, aisne.epci]).toEqual([797, 523342, 20]);
    for (const s of aisne.sources) expect(s.rows_in).toBe(s.rows_loaded + s.rows_quarantined);
    ({ db } = await loadSourcesReopen(config));
  });

  it("maps merged communes to the current COG", async () => {
    const rows = await queryRows<{ code_ancien: string; code_insee: string }>(
      db.connection,
      `SELECT code_ancien, code_insee FROM cog_passage WHERE code_ancien IN ('23023', '02077', '02311', '13201', '23096') ORDER BY code_ancien`
    );
    // 02077 Berzy-le-Sec became a déléguée of 02564 in 2026; 02311 merged into 02589 in 2025; 23023 into 23149.
    expect(rows).toEqual([
      { code_ancien: "02077", code_insee: "02564" },
      { code_ancien: "02311", code_insee: "02589" },
      { code_ancien: "13201", code_insee: "13055" },
      { code_ancien: "23023", code_insee: "23149" },
      { code_ancien: "23096", code_insee: "23096" }
    ]);
  });
});

async function loadSourcesReopen(config: Config) {
  const { openDatabase } = await import("../loaders/db.ts");
  return { db: await openDatabase(config.paths.database, { readOnly: true }) };
}
