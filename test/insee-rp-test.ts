import { copyFileSync, mkdirSync, readFileSync, symlinkSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CogIndex } from "../loaders/ingest/cog.ts";
import type { Database } from "../loaders/io/db.ts";
import { SourceError } from "../loaders/io/errors.ts";
import { communeEntryPattern, inseeRp, parseRpBase, rpBases, rpDiplomes, rpEmploi, rpStructure, rpYear } from "../loaders/ingest/sources/insee-rp.ts";
import { decodeText } from "../loaders/io/text.ts";
import { readZipEntry } from "../loaders/io/zip.ts";
import { inputDir, ledger, loadSources, mirrorDir, queryRows, tempDir } from "./helpers.ts";

const fixtures = path.join(inputDir, "insee-rp");

/** The commune file of a fixture zip, decoded as the loader does. */
function communeFile(spec: (typeof rpBases)[number]) {
  const zip = new Uint8Array(readFileSync(path.join(fixtures, path.basename(spec.resource.path))));
  const entry = readZipEntry(zip, communeEntryPattern(spec), { source: "insee-rp", file: path.basename(spec.resource.path) });
  return { name: entry.name, ...decodeText(entry.bytes, { source: "insee-rp", file: entry.name }) };
}

const cog = new CogIndex(["23149", "23096", "02589", "75056"], [["75101", "75056"], ["75102", "75056"]], [
  { date: "2025-01-01", from: "23023", to: "23149", mod: "32" },
  { date: "2025-01-01", from: "02311", to: "02589", mod: "32" }
]);

describe("RP base parsers (fixtures)", () => {
  it("opens the commune file, never the overseas -COM file", () => {
    for (const spec of rpBases) expect(communeFile(spec).name).toMatch(/^base-cc-[a-z-]+-2021\.CSV$/);
  });

  it("reads the structure base: year from the header, merged communes added up, arrondissements set aside", () => {
    const l = ledger("insee-rp", "base-cc-evol-struct-pop-2021.CSV");
    const { millesime, rows } = parseRpBase(communeFile(rpStructure).text, l, cog, rpStructure);
    expect(millesime).toBe("RP 2021"); // P21_ wins over P15_POP
    const byCode = Object.fromEntries(rows.map((r) => [r.code_insee, r]));
    expect(Object.keys(byCode).sort()).toEqual(["02589", "23096", "23149", "75056"]);
    // 23149 = 23023 + 23149 (fixture lines 2 and 3): 301.59 + 306.68; 75+ = 7589 + 90P = 39.74 + 9.2 + 52.2 + 10.04.
    expect(byCode["23149"].pop).toBeCloseTo(608.27, 6);
    expect(byCode["23149"].pop_75p).toBeCloseTo(111.18, 6);
    expect(byCode["23149"].pop_65p).toBeCloseTo(170.52, 6);
    expect(byCode["23149"].pop_6074).toBeCloseTo(112.77, 6);
    expect(byCode["02589"].pop).toBeCloseTo(591.13, 6); // 291.56 (02311) + 299.57
    expect(byCode["75056"].pop).toBe(2001594); // whole Paris only, arrondissements not added again
    expect(l.quarantined.map((q) => [q.line, q.value])).toEqual([[8, "75101"], [9, "75102"]]);
    expect([l.rowsIn, l.rowsLoaded]).toEqual([8, 6]);
    l.check();
  });

  it("adds the three higher-education columns into nscol15p_sup", () => {
    const { rows } = parseRpBase(communeFile(rpDiplomes).text, ledger(), cog, rpDiplomes);
    const gueret = rows.find((r) => r.code_insee === "23096")!;
    expect(gueret.nscol15p_sup).toBeCloseTo(973.18 + 506.51 + 292.88, 6);
    expect(gueret.nscol15p_diplmin).toBe(2504.66);
  });

  it("decodes the ISO-8859-1 employment file", () => {
    const file = communeFile(rpEmploi);
    expect(file.encoding).toBe("windows-1252");
    expect(file.text).toContain("23096;Guéret;");
    const { rows } = parseRpBase(file.text, ledger(), cog, rpEmploi);
    expect(rows.find((r) => r.code_insee === "23096")).toMatchObject({ act1564: 5071.25, chom1564: 659.2625 });
  });

  it("accepts the older layouts (single SUP column, POP75P)", () => {
    const diplomes = "CODGEO;P16_NSCOL15P;P16_NSCOL15P_DIPLMIN;P16_NSCOL15P_BEPC;P16_NSCOL15P_CAPBEP;P16_NSCOL15P_BAC;P16_NSCOL15P_SUP\n23096;100;30;5;25;20;20\n";
    expect(parseRpBase(diplomes, ledger(), cog, rpDiplomes).rows[0]).toMatchObject({ millesime: "RP 2016", nscol15p_sup: 20 });
    const structure = "CODGEO;P21_POP;P21_POP6074;P21_POP75P;P21_POP65P\n23096;100;20;15;25\n";
    expect(parseRpBase(structure, ledger(), cog, rpStructure).rows[0]).toMatchObject({ pop_75p: 15 });
  });

  it("fails on a missing column or year, naming file, line and column", () => {
    const noChom = "CODGEO;P21_ACT1564\n23096;10\n";
    expect(() => parseRpBase(noChom, ledger("insee-rp", "base.CSV"), cog, rpEmploi)).toThrow(/colonne obligatoire absente.*fichier base\.CSV, ligne 1, colonne "P21_CHOM1564"/);
    expect(() => rpYear(["CODGEO", "POP"], "P@_POP", ledger("insee-rp", "base.CSV"))).toThrow(SourceError);
    expect(() => decodeText(new TextEncoder().encode("<!DOCTYPE html><html>erreur</html>"), { source: "insee-rp", file: "base.CSV" })).toThrow(/page HTML/);
  });

  it("quarantines a cell that is not a number, with its column", () => {
    const l = ledger();
    const text = "CODGEO;P21_ACT1564;P21_CHOM1564\n23096;10;1,5\n23149;abc;1\n";
    const { rows } = parseRpBase(text, l, cog, rpEmploi);
    expect(rows).toEqual([{ code_insee: "23096", millesime: "RP 2021", act1564: 10, chom1564: 1.5 }]);
    expect(l.quarantined).toMatchObject([{ line: 3, column: "P21_ACT1564", value: "abc" }]);
  });
});

describe("insee-rp source through a temporary mirror", () => {
  let db: Database;
  beforeAll(async () => {
    const mirror = tempDir("sdin-rp-mirror-");
    symlinkSync(path.join(mirrorDir, "insee-cog-2026"), path.join(mirror, "insee-cog-2026"));
    mkdirSync(path.join(mirror, "insee-rp-2021"));
    for (const spec of rpBases) copyFileSync(path.join(fixtures, path.basename(spec.resource.path)), path.join(mirror, spec.resource.path));
    ({ db } = await loadSources([inseeRp], { mirror }));
  });
  afterAll(() => db?.close());

  it("loads the four tables on the current COG", async () => {
    const counts = await queryRows(db.connection, `
      SELECT (SELECT count(*) FROM rp_structure)::INTEGER AS s, (SELECT count(*) FROM rp_diplomes)::INTEGER AS d,
             (SELECT count(*) FROM rp_menages)::INTEGER AS m, (SELECT count(*) FROM rp_emploi)::INTEGER AS e`);
    expect(counts).toEqual([{ s: 4, d: 4, m: 4, e: 4 }]);
    const [menages] = await queryRows<{ men: number; pseul: number; millesime: string }>(
      db.connection,
      `SELECT men, pop80p_pseul AS pseul, millesime FROM rp_menages WHERE code_insee = '23149'`
    );
    // Blaudeix (23023, déléguée of Parsac since 2025) + Parsac: 167.18 + 158.11 households, 9.2092 + 8.832 aged 80+ alone.
    expect(menages.millesime).toBe("RP 2021");
    expect(menages.men).toBeCloseTo(325.29, 6);
    expect(menages.pseul).toBeCloseTo(18.0412, 6);
  });

  it("accounts for every row of each commune file and nothing from the -COM file", async () => {
    const rows = await queryRows<{ id: string; rows_in: number; rows_loaded: number; rows_quarantined: number }>(
      db.connection,
      `SELECT id, rows_in, rows_loaded, rows_quarantined FROM provenance WHERE source = 'insee-rp' ORDER BY id`
    );
    expect(rows.map((r) => r.id)).toEqual(["insee-rp-coupl-fam-men", "insee-rp-diplomes-formation", "insee-rp-emploi-pop-active", "insee-rp-evol-struct-pop"]);
    // 8 commune rows each (97501/97502 of the -COM file would make 10); Paris's two arrondissements quarantined.
    for (const r of rows) expect([r.rows_in, r.rows_loaded, r.rows_quarantined]).toEqual([8, 6, 2]);
  });
});

describe("insee-rp source without its files", () => {
  it("records the four bases as absent and still creates empty tables", async () => {
    const { db } = await loadSources([inseeRp]);
    try {
      const absent = await queryRows<{ n: number }>(db.connection, `SELECT count(*)::INTEGER AS n FROM provenance WHERE source = 'insee-rp' AND status = 'absent'`);
      expect(absent[0].n).toBe(4);
      const [empty] = await queryRows<{ n: number }>(db.connection, `SELECT count(*)::INTEGER AS n FROM rp_structure`);
      expect(empty.n).toBe(0);
    } finally {
      db.close();
    }
  });
});
