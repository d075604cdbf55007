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

  const departementRows = (indicateur: string) =>
    queryRows<{ code_departement: string; millesime: string; date_reference: string; a_actualiser: boolean; melange_millesimes: string }>(
      db.connection,
      `SELECT code_departement, millesime, date_reference, a_actualiser, melange_millesimes FROM diagnostic_sources_departements WHERE indicateur = $i ORDER BY 1`,
      { i: indicateur }
    );
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
    // Each département names and is dated by the editions its own communes took: the Creuse's column is not old.
    expect(await departementRows("part_locaux_ftth")).toEqual([
      { code_departement: "02", millesime: "T1 2018", date_reference: "2018-03-31", a_actualiser: true, melange_millesimes: "2018T1 pour 1 commune" },
      { code_departement: "23", millesime: "T3 2025", date_reference: "2025-09-30", a_actualiser: false, melange_millesimes: "2025T3 pour 2 communes" }
    ]);
  });

  it("dates a département's census shares by the files its communes took, INSEE's or the derived one", async () => {
    await insertRows(db.connection, provenanceTable, [
      file("insee-rp-evol-struct-pop", "RP 2021", "2021-01-01"),
      file("dataforgood-ifn-2020-derive", "indicateurs 2020 d'après RP 2017", "2017-01-01")
    ]);
    await db.connection.run(`ALTER TABLE diagnostic_communes ADD COLUMN code_departement VARCHAR`);
    await db.connection.run(`INSERT INTO diagnostic_communes VALUES ('23096', NULL, 'insee', '23'), ('02001', NULL, 'insee', '02'), ('02002', NULL, 'derive', '02')`);
    await db.connection.run(`CREATE TABLE couverture_fichiers (id VARCHAR, code_departement VARCHAR)`);
    await buildIndicatorSources(db.connection);
    expect(await row("part_65_plus")).toMatchObject({ date_reference: "2017-01-01", melange_millesimes: "recensement INSEE pour 2 communes, fichier dérivé (RP 2017) pour 1 commune" });
    const own = await departementRows("part_65_plus");
    expect(own.map((r) => [r.code_departement, r.date_reference, r.millesime])).toEqual([
      ["02", "2017-01-01", "RP 2021 ; indicateurs 2020 d'après RP 2017"],
      ["23", "2021-01-01", "RP 2021"]
    ]);
  });

  it("keeps every edition named where a département's edition cannot be tied to a loaded file", async () => {
    // An eligibility date that no file gives as its reference date (a file holding several dates, say).
    await insertRows(db.connection, provenanceTable, [
      file("arcep-ma-connexion-internet-terrestre", "dernière édition", "2025-06-30"),
      file("arcep-ma-connexion-internet-2019", "30 septembre 2019 (bêta)", "2019-09-30")
    ]);
    await db.connection.run(`ALTER TABLE diagnostic_communes ADD COLUMN code_departement VARCHAR`);
    await db.connection.run(`INSERT INTO diagnostic_communes VALUES ('23096', NULL, NULL, '23'), ('02001', NULL, NULL, '02'), ('02002', NULL, NULL, '02')`);
    await db.connection.run(`CREATE TABLE communes (code_insee VARCHAR, code_departement VARCHAR)`);
    await db.connection.run(`INSERT INTO communes SELECT code_insee, code_departement FROM diagnostic_communes`);
    await db.connection.run(`CREATE TABLE arcep_eligibilite (code_insee VARCHAR, date VARCHAR)`);
    await db.connection.run(`INSERT INTO arcep_eligibilite VALUES ('23096', '2025-03-31'), ('02001', '2025-06-30'), ('02002', '2019-09-30')`);
    await db.connection.run(`CREATE TABLE couverture_fichiers (id VARCHAR, code_departement VARCHAR)`);
    await buildIndicatorSources(db.connection);
    expect((await departementRows("part_eligible_thd30")).map((r) => [r.code_departement, r.date_reference, r.millesime])).toEqual([
      ["02", "2019-09-30", "dernière édition ; 30 septembre 2019 (bêta)"],
      // 2025-03-31 is no file's date: both editions stay named, the older one dates the column.
      ["23", "2019-09-30", "dernière édition ; 30 septembre 2019 (bêta)"]
    ]);
  });
});
