import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openDatabase, type Database } from "../loaders/io/db.ts";
import { insertLieuxAide, prepareLieuxAide, type LieuAide } from "../loaders/ingest/offre/places.ts";
import { aidantsConnect } from "../loaders/ingest/sources/aidants-connect.ts";
import { bibliotheques } from "../loaders/ingest/sources/bibliotheques.ts";
import { conseillersNumeriques } from "../loaders/ingest/sources/conseillers-numeriques.ts";
import { franceServices } from "../loaders/ingest/sources/france-services.ts";
import { lieuxMediation } from "../loaders/ingest/sources/lieux-mediation.ts";
import { territoires } from "../loaders/ingest/sources/territoires.ts";
import { loadSources, queryRows } from "./helpers.ts";
import { creuseOutlines } from "./offre-helpers.ts";

interface Provenance {
  id: string;
  status: string;
  rows_in: number;
  rows_loaded: number;
  rows_quarantined: number;
}

/** Rows of `lieux_aide` per source in one département, joined on the current commune. */
async function countByDepartement(db: Database, dep: string): Promise<Record<string, number>> {
  const rows = await queryRows<{ source: string; n: number }>(
    db.connection,
    `SELECT l.source, count(*)::INTEGER AS n FROM lieux_aide l JOIN communes c USING (code_insee)
     WHERE c.code_departement = $dep GROUP BY l.source ORDER BY l.source`,
    { dep }
  );
  return Object.fromEntries(rows.map((r) => [r.source, r.n]));
}

describe("offer sources on the mirror", () => {
  let db: Database;
  let provenance: Map<string, Provenance>;
  beforeAll(async () => {
    ({ db } = await loadSources([creuseOutlines, lieuxMediation, territoires, franceServices, aidantsConnect, conseillersNumeriques, bibliotheques]));
    const rows = await queryRows<Provenance>(db.connection, `SELECT id, status, rows_in, rows_loaded, rows_quarantined FROM provenance`);
    provenance = new Map(rows.map((r) => [r.id, r]));
  });
  afterAll(() => db?.close());

  it("counts the places of the Creuse and the Aisne per source", async () => {
    // France services: SOURCES.md (23: 21, 02: 35). Conseillers numériques: SOURCES.md after re-padding (23: 6, 02: 30).
    // Aidants Connect: 61 active rows coded 23 + La Courtine and Saint-Vaury placed by name (63); 60 coded 02 +
    // Tergnier and Neuilly-Saint-Front by name (62) — counted with a separate Python script over the COG 2026 names.
    // Lieux de médiation: the 91 records of the Creuse's own list, all inside a Creuse outline (see below).
    expect(await countByDepartement(db, "23")).toEqual({
      "aidants-connect": 63, "conseillers-numeriques": 6, "france-services": 21, "territoire-la-creuse": 91
    });
    expect(await countByDepartement(db, "02")).toEqual({ "aidants-connect": 62, "conseillers-numeriques": 30, "france-services": 35 });
  });

  it("accounts for every row read", () => {
    for (const p of provenance.values()) expect(p.rows_in).toBe(p.rows_loaded + p.rows_quarantined);
    // 2 845 records (SOURCES.md); the 2 of Saint-Martin (97801, a collectivité d'outre-mer) are outside the referential.
    expect(provenance.get("anct-france-services")).toMatchObject({ rows_in: 2845, rows_quarantined: 2 });
    // 2 889 rows; 3 are Saint-Martin's (97801), every other code maps to a current commune (Paris/Lyon/Marseille
    // arrondissements and merged communes via the COG).
    expect(provenance.get("anct-conseillers-numeriques-structures")).toMatchObject({ rows_in: 2889, rows_quarantined: 3 });
    expect(provenance.get("aidants-connect-structures")?.rows_in).toBe(5227);
    expect(provenance.get("territoire-la-creuse")).toMatchObject({ rows_in: 91, rows_loaded: 91, rows_quarantined: 0 });
    expect(provenance.get("cartographie-nationale-lieux-mediation")?.status).toBe("absent");
  });

  it("quarantines the 46 inactive Aidants Connect structures with their reason", async () => {
    const [row] = await queryRows<{ n: number }>(
      db.connection,
      `SELECT count(*)::INTEGER AS n FROM quarantine WHERE source = 'aidants-connect' AND reason = 'structure inactive'`
    );
    expect(row.n).toBe(46); // 5 227 − 5 181 active (SOURCES.md)
  });

  it("places the Creuse records in the commune whose outline holds their point", async () => {
    const rows = await queryRows<{ id: string; code_insee: string; localisation: string }>(
      db.connection,
      `SELECT id, code_insee, localisation FROM lieux_aide WHERE id IN ('territoire-la-creuse:1', 'territoire-la-creuse:75', 'territoire-la-creuse:90') ORDER BY id`
    );
    // Record 1 "Chéniers - Leila Boubekeur" says "Dun Le Palestel" in its commune field, but its point
    // (46.351667, 1.827164) is in Chéniers (23062, COG); 75 is in Guéret (23096); 90 "0 Pontarion" in Pontarion (23155).
    expect(rows).toEqual([
      { id: "territoire-la-creuse:1", code_insee: "23062", localisation: "point" },
      { id: "territoire-la-creuse:75", code_insee: "23096", localisation: "point" },
      { id: "territoire-la-creuse:90", code_insee: "23155", localisation: "point" }
    ]);
  });

  it("keeps the public libraries of the Creuse and the Aisne", async () => {
    const rows = await queryRows<{ dep: string; n: number; sans_point: number }>(
      db.connection,
      `SELECT c.code_departement AS dep, count(*)::INTEGER AS n, count(*) FILTER (WHERE b.latitude IS NULL)::INTEGER AS sans_point
       FROM bibliotheques b JOIN communes c USING (code_insee) WHERE c.code_departement IN ('23', '02') GROUP BY dep ORDER BY dep`
    );
    // SOURCES.md: 23 has 104 rows, all open to the public; 02 has 126, 2 of them "Adresse administrative".
    expect(rows).toEqual([{ dep: "02", n: 124, sans_point: 0 }, { dep: "23", n: 104, sans_point: 0 }]);
    // 15 779 rows: 298 administrative addresses are quarantined, plus the codes outside the referential.
    expect(provenance.get("culture-adresses-bibliotheques")?.rows_in).toBe(15779);
  });
});

describe("lieux_aide shared by four sources", () => {
  it("is created when absent and re-loading a source replaces only its rows", async () => {
    const db = await openDatabase(":memory:");
    try {
      const row = (id: string, source: LieuAide["source"]): LieuAide => ({
        id, source, nom: id, code_insee: "23096", adresse: null, latitude: null, longitude: null, localisation: "commune",
        typologie: null, services: null, publics: null, dispositifs: null, horaires: null, itinerance: null, site_web: null,
        date_maj: null, cle_dedoublonnage: `nom:${id}:23096`
      });
      await prepareLieuxAide(db.connection, "france-services");
      await insertLieuxAide(db.connection, [row("fs-1", "france-services"), row("fs-2", "france-services")]);
      await prepareLieuxAide(db.connection, "aidants-connect");
      await insertLieuxAide(db.connection, [row("ac-1", "aidants-connect")]);
      await prepareLieuxAide(db.connection, "france-services"); // second run of France services
      await insertLieuxAide(db.connection, [row("fs-3", "france-services")]);
      const ids = await queryRows<{ id: string }>(db.connection, `SELECT id FROM lieux_aide ORDER BY id`);
      expect(ids.map((r) => r.id)).toEqual(["ac-1", "fs-3"]);
    } finally {
      db.close();
    }
  });
});
