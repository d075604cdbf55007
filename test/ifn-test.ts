import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CogIndex } from "../loaders/ingest/cog.ts";
import type { Database } from "../loaders/io/db.ts";
import { filosofi } from "../loaders/ingest/sources/filosofi.ts";
import { harmoniseIfnCommunes, ifn, parseIfnCommunes, parseIfnEpci } from "../loaders/ingest/sources/ifn.ts";
import { ledger, loadSources, queryRows } from "./helpers.ts";

const HEADER = "name,division,code,no_thd_coverage_rate,no_4g_coverage_rate,poverty_rate,older_65_rate,nscol15p_rate,total";
const cog = new CogIndex(["23149", "13055"], [["13201", "13055"], ["13202", "13055"]], [{ date: "2025-01-01", from: "23023", to: "23149", mod: "32" }]);

describe("IFN parsers", () => {
  it("rolls arrondissements up, sets Marseille's empty row aside and weights merged communes", () => {
    const text = [
      HEADER,
      "Blaudeix,city,23023,10.0,8.0,9.0,9.0,8.0,8.8",
      "Parsac-Rimondeix,city,23149,9.0,7.0,8.0,8.0,8.0,8.0",
      "Marseille,city,13055,,,,,,",
      "Marseille 1er Arrondissement,city,13201,4.0,5.0,9.8,3.4,2.8,5.0",
      "Marseille 2e Arrondissement,city,13202,2.0,5.0,9.0,3.0,3.0,4.4",
      "\"Nowhere, Ville\",city,99999,1,1,1,1,1,1",
      "Parsac-Rimondeix,city,23149,9.0,7.0,8.0,8.0,8.0,8.0",
      "Blaudeix,city,23023,11.0,8.0,9.0,9.0,8.0,8.8",
      "CC Bidon,epci,200034825,1,1,1,1,1,1"
    ].join("\n");
    const l = ledger("ifn", "ifn-city-all-variation.csv");
    const parts = parseIfnCommunes(text, l, cog);
    expect(l.quarantined.map((q) => [q.line, q.column, q.reason])).toEqual([
      [7, "code", "code commune absent du COG et de ses mouvements"],
      [8, "code", "code commune en double dans le fichier : seule la première ligne est chargée"],
      [9, "code", "code commune en double dans le fichier : seule la première ligne est chargée"],
      [10, "division", "niveau inattendu (attendu : city)"],
      [4, "code", "ligne sans aucun score : 13055 est calculée sur ses autres parties (arrondissements ou anciennes communes)"]
    ]);
    expect(l.rowsLoaded).toBe(4);
    l.check();
    const rows = harmoniseIfnCommunes(parts, new Map([["23023", 109], ["23149", 714], ["13201", 100], ["13202", 300]]));
    const parsac = rows.find((r) => r.code === "23149")!;
    expect(parsac.no_thd).toBeCloseTo((10 * 109 + 9 * 714) / 823, 12);
    expect(parsac.total).toBeCloseTo((8.8 * 109 + 8 * 714) / 823, 12);
    const marseille = rows.find((r) => r.code === "13055")!;
    expect(marseille.no_thd).toBe(2.5); // (4×100 + 2×300) / 400
    expect(Object.keys(marseille).sort()).toEqual(["code", "low_diploma", "niveau", "no_4g", "no_thd", "nom", "older_65", "poverty", "total"]);
  });

  it("reads EPCI SIRENs and refuses scores off the 1–10 scale", () => {
    const l = ledger("ifn", "ifn-epci-all-variation.csv");
    const rows = parseIfnEpci([HEADER, "CA du Grand Guéret,epci,200034825,5.75,6.7,7.68,7.12,5.82,6.62", "CC X,epci,24232010,1,1,1,1,1,1", "CC Y,epci,242320109,0,1,1,1,1,1", "Sans objet,epci,ZZZZZZZZZ,8.9,7.2,2.6,9.6,7.1,7.1"].join("\n"), l);
    expect(rows).toEqual([{ niveau: "epci", code: "200034825", nom: "CA du Grand Guéret", no_thd: 5.75, no_4g: 6.7, poverty: 7.68, older_65: 7.12, low_diploma: 5.82, total: 6.62 }]);
    expect(l.quarantined.map((q) => q.reason)).toEqual([
      "SIREN d'EPCI mal formé",
      "score hors de l'échelle 1–10",
      "« Sans objet » : regroupe les communes hors EPCI (îles mono-communales), ce n'est pas un EPCI"
    ]);
  });
});

describe("ifn source on the mirror", () => {
  let db: Database;
  beforeAll(async () => ({ db } = await loadSources([filosofi, ifn])));
  afterAll(() => db?.close());

  it("gives every current Creuse and Aisne commune a row", async () => {
    const rows = await queryRows<{ d: string; communes: number; with_ifn: number }>(
      db.connection,
      `SELECT c.code_departement AS d, count(*)::INTEGER AS communes, count(i.code)::INTEGER AS with_ifn
       FROM communes c LEFT JOIN ifn_reference i ON i.niveau = 'commune' AND i.code = c.code_insee
       WHERE c.code_departement IN ('23', '02') GROUP BY ALL ORDER BY d`
    );
    expect(rows).toEqual([
      { d: "02", communes: 797, with_ifn: 797 },
      { d: "23", communes: 255, with_ifn: 255 }
    ]);
  });

  it("weights Blaudeix into Parsac and rolls Paris up from its arrondissements", async () => {
    const rows = await queryRows<{ code: string; nom: string; no_thd: number; total: number }>(
      db.connection,
      `SELECT code, nom, no_thd, total FROM ifn_reference WHERE niveau = 'commune' AND code IN ('23149', '75056', '13055') ORDER BY code`
    );
    // Mirror: 23023 (10.0 … 8.8) and 23149 (9.0 … 8.0), Filosofi people 109 and 714.
    expect(rows[2].code).toBe("75056");
    expect(rows[1].no_thd).toBeCloseTo(9.132442284325638, 9);
    expect(rows[1].total).toBeCloseTo(8.10595382746051, 9);
    // Paris: the 20 arrondissement totals weighted by their NBPERSMENFISC21 (computed with a short script on both files).
    expect(rows[2].total).toBeCloseTo(3.399231617472528, 9);
    expect(rows[2].nom).toBe("Paris");
    expect(rows[0].total).not.toBeNull(); // Marseille: its empty whole-commune row was set aside
    const [names] = await queryRows<{ n: number }>(
      db.connection,
      `SELECT count(*)::INTEGER AS n FROM ifn_reference i JOIN communes c ON c.code_insee = i.code WHERE i.niveau = 'commune' AND i.nom <> c.nom`
    );
    expect(names.n).toBe(0);
  });

  it("loads the EPCI file and balances every row", async () => {
    const [epci] = await queryRows<{ n: number; gueret: number }>(
      db.connection,
      `SELECT count(*)::INTEGER AS n, max(total) FILTER (WHERE code = '200034825') AS gueret FROM ifn_reference WHERE niveau = 'epci'`
    );
    // 1 255 EPCI rows minus "Sans objet" (ZZZZZZZZZ); CA du Grand Guéret's total as published.
    expect(epci).toEqual({ n: 1254, gueret: 6.6161514898356995 });
    const reasons = await queryRows<{ reason: string; n: number }>(
      db.connection,
      `SELECT reason, count(*)::INTEGER AS n FROM quarantine WHERE source = 'ifn' GROUP BY ALL ORDER BY reason`
    );
    // Marseille's empty whole-commune row, the six uninhabited Meuse villages (55039, 55050, 55139, 55189, 55239, 55307), ZZZZZZZZZ.
    expect(reasons.map((r) => [r.reason.slice(0, 30), r.n])).toEqual([
      ["ligne sans aucun score : 13055", 1],
      ["tous les scores valent 0 : com", 6],
      ["« Sans objet » : regroupe les ", 1]
    ]);
    const ledgers = await queryRows<{ rows_in: number; rows_loaded: number; rows_quarantined: number }>(
      db.connection,
      `SELECT rows_in, rows_loaded, rows_quarantined FROM provenance WHERE source = 'ifn' ORDER BY id`
    );
    expect(ledgers.map((r) => r.rows_in)).toEqual([35008, 1255]);
    for (const r of ledgers) expect(r.rows_in).toBe(r.rows_loaded + r.rows_quarantined);
  });
});
