import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { buildIndicatorSources } from "../../loaders/diagnostic/sources.ts";
import { createTable, insertRows, openDatabase, queryRows, type Database } from "../../loaders/io/db.ts";
import { provenanceTable } from "../../loaders/ingest/load.ts";

/**
 * diagnostic_sources on a hand-made database: which edition an indicator is labelled with, how old its data are,
 * and whether a column mixes editions across communes (Arcep T3 2025 for some communes, T1 2018 for others).
 */
const loadedAt = "2026-12-01T10:00:00.000Z";
function file(id: string, vintage: string, dateReference: string, extra: Record<string, unknown> = {}) {
  return {
    id, source: "test", title: id, publisher: id.startsWith("arcep") ? "Arcep" : "INSEE", url: `https://example.org/${id}`, origin: null,
    vintage, licence: "Licence Ouverte 2.0", derived: false, status: "chargé", sha256: null, bytes: 0, rows_in: 1, rows_loaded: 1,
    rows_quarantined: 0, duration_ms: 0, loaded_at: loadedAt, date_reference: dateReference, resolution: "miroir", url_resolue: null,
    last_modified: null, checksum: null, remplacement: null, ...extra
  };
}

describe("diagnostic_sources freshness", () => {
  let db: Database;
  beforeEach(async () => {
    db = await openDatabase(":memory:");
    await createTable(db.connection, provenanceTable);
    await db.connection.run(`CREATE TABLE diagnostic_communes (code_insee VARCHAR, ftth_trimestre VARCHAR, source_publics VARCHAR)`);
    // No poverty estimate in these tests (the tables the poverty label reads).
    await db.connection.run(`CREATE TABLE diagnostic_epci (taux_pauvrete_source VARCHAR)`);
    await db.connection.run(`CREATE TABLE diagnostic_territoires (taux_pauvrete_source VARCHAR)`);
  });
  afterEach(() => db.close());

  const row = async (indicateur: string) =>
    (await queryRows<Record<string, unknown>>(db.connection, `SELECT * FROM diagnostic_sources WHERE indicateur = $i`, { i: indicateur }))[0];

  it("labels a column with the newest edition when every commune takes it", async () => {
    await insertRows(db.connection, provenanceTable, [
      file("arcep-deploiements-xlsx", "T3 2025", "2025-09-30"),
      file("arcep-deploiements-2018t1-ftth-communes", "T1 2018", "2018-03-31", { remplacement: "classeur trimestriel" })
    ]);
    await db.connection.run(`INSERT INTO diagnostic_communes VALUES ('23096', '2025T3', NULL), ('23001', '2025T3', NULL)`);
    await buildIndicatorSources(db.connection);
    // 2025-09-30 → 2026-12-01: 14 whole months.
    expect(await row("part_locaux_ftth")).toMatchObject({
      source: "Arcep", millesime: "T3 2025", date_reference: "2025-09-30", age_mois: 14, fraicheur: "12 à 18 mois", a_actualiser: false,
      remplacement: null, melange_millesimes: null
    });
  });

  it("names both editions, dates the column by the older one and says how many communes each gave", async () => {
    await insertRows(db.connection, provenanceTable, [
      file("arcep-deploiements-xlsx", "T3 2025", "2025-09-30"),
      file("arcep-deploiements-2018t1-ftth-communes", "T1 2018", "2018-03-31", { remplacement: "classeur trimestriel" })
    ]);
    await db.connection.run(`INSERT INTO diagnostic_communes VALUES ('23096', '2025T3', NULL), ('23001', '2025T3', NULL), ('23002', '2018T1', NULL)`);
    await buildIndicatorSources(db.connection);
    // 2018-03-31 → 2026-12-01: 8 × 12 + 9 − 1 = 104 months.
    expect(await row("part_locaux_ftth")).toMatchObject({
      millesime: "T3 2025 ; T1 2018", date_reference: "2018-03-31", age_mois: 104, fraicheur: "plus de 18 mois", a_actualiser: true,
      remplacement: "classeur trimestriel", melange_millesimes: "2025T3 pour 2 communes, 2018T1 pour 1 commune"
    });
  });

  it("keeps the old edition alone, flagged, when it is the only one loaded", async () => {
    await insertRows(db.connection, provenanceTable, [file("arcep-deploiements-2018t1-ftth-communes", "T1 2018", "2018-03-31")]);
    await db.connection.run(`INSERT INTO diagnostic_communes VALUES ('23096', '2018T1', NULL)`);
    await buildIndicatorSources(db.connection);
    expect(await row("part_locaux_ftth")).toMatchObject({ millesime: "T1 2018", fraicheur: "plus de 18 mois", melange_millesimes: null });
  });

  it("says for each département how many of its own communes each edition gave", async () => {
    await insertRows(db.connection, provenanceTable, [
      file("arcep-deploiements-xlsx", "T3 2025", "2025-09-30"),
      file("arcep-deploiements-2018t1-ftth-communes", "T1 2018", "2018-03-31", { remplacement: "classeur trimestriel" })
    ]);
    await db.connection.run(`ALTER TABLE diagnostic_communes ADD COLUMN code_departement VARCHAR`);
    await db.connection.run(`INSERT INTO diagnostic_communes VALUES ('23096', '2025T3', NULL, '23'), ('23001', '2025T3', NULL, '23'), ('02001', '2018T1', NULL, '02')`);
    // The load's coverage of files of partial scope: none here, every file is national.
    await db.connection.run(`CREATE TABLE couverture_fichiers (id VARCHAR, code_departement VARCHAR)`);
    await buildIndicatorSources(db.connection);
    expect((await row("part_locaux_ftth")).melange_millesimes).toBe("2025T3 pour 2 communes, 2018T1 pour 1 commune");
    const own = await queryRows<{ code_departement: string; millesime: string; date_reference: string; melange_millesimes: string }>(
      db.connection,
      `SELECT code_departement, millesime, date_reference, melange_millesimes FROM diagnostic_sources_departements WHERE indicateur = 'part_locaux_ftth' ORDER BY 1`
    );
    // Both editions stay named and the column is dated by the older one: which edition a row used is said by the split.
    expect(own).toEqual([
      { code_departement: "02", millesime: "T3 2025 ; T1 2018", date_reference: "2018-03-31", melange_millesimes: "2018T1 pour 1 commune" },
      { code_departement: "23", millesime: "T3 2025 ; T1 2018", date_reference: "2018-03-31", melange_millesimes: "2025T3 pour 2 communes" }
    ]);
  });
});
