import { readFileSync } from "node:fs";
import path from "node:path";
import Papa from "papaparse";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { readConfig } from "../../loaders/io/config.ts";
import { openDatabase, queryRows, type Database } from "../../loaders/io/db.ts";
import { runExport } from "../../loaders/outputs/exports/index.ts";
import { runRegionExport } from "../../loaders/outputs/exports/region.ts";
import { departementsTable } from "../../loaders/outputs/site/payloads.ts";
import { shareOrReason } from "../../src/lib/diagnostic/index.ts";
import { mirrorDir, tempDir } from "../helpers.ts";

// Issue 10 §5 and issue 15 §1 (export) and §3, on the suite's database (every département of the mirror):
// each expectation is recomputed from the raw tables, the exported counts or the COG files.

let db: Database;
beforeAll(async () => {
  db = await openDatabase(inject("database"), { readOnly: true });
});
afterAll(() => db?.close());

function readCsv(file: string): Record<string, string>[] {
  const parsed = Papa.parse<Record<string, string>>(readFileSync(file, "utf8"), { header: true, skipEmptyLines: true });
  expect(parsed.errors).toEqual([]);
  return parsed.data;
}

const exportConfig = (dept: string) => readConfig({ data: inject("dataDir"), exports: tempDir("sdin-defects-"), dept }, {});

describe("distances to a kind of place not loaded around the commune", () => {
  it("leaves distance_mediation_km empty, with the kind named, wherever no mediation place is loaded in the département", async () => {
    const covered = new Set(
      (await queryRows<{ code: string }>(
        db.connection,
        `SELECT DISTINCT code_departement AS code FROM diagnostic_lieux
         WHERE code_departement IS NOT NULL AND (sources LIKE '%lieux-mediation%' OR sources LIKE '%territoire-%')`
      )).map((r) => r.code)
    );
    expect(covered.has("82")).toBe(false);
    expect(covered.has("64")).toBe(false);
    const rows = await queryRows<{ code_insee: string; code_departement: string; d: number | null; flag: string | null; located: boolean }>(
      db.connection,
      `SELECT code_insee, code_departement, distance_mediation_km AS d, offre_non_couverte AS flag, point_lon IS NOT NULL AS located FROM diagnostic_communes`
    );
    const in82 = rows.filter((r) => r.code_departement === "82");
    expect(in82.length).toBeGreaterThan(190);
    for (const r of in82) expect(r, r.code_insee).toMatchObject({ d: null, flag: expect.stringContaining("lieux-mediation") });
    for (const r of rows) {
      if (!covered.has(r.code_departement)) expect(r.d, r.code_insee).toBeNull();
      else if (r.located) expect(r.d, r.code_insee).not.toBeNull();
    }
  });
});

describe("EPCI and territory shares are computed on all their communes, or left empty with the reason", () => {
  it("gives every EPCI of exports/64/epci.csv part_population_hors_portee = population_hors_portee / population", async () => {
    const config = exportConfig("64");
    await runExport(config, { documents: false });
    const epci = readCsv(path.join(config.paths.exportsDir, "64", "epci.csv"));
    expect(epci.length).toBeGreaterThan(5);
    const adour = epci.find((e) => e.epci_nom.includes("Adour Madiran"));
    expect(adour, "CC Adour Madiran crosses into 64").toBeDefined();
    for (const e of epci) {
      if (e.population_hors_portee === "") {
        expect(e.part_population_hors_portee, e.epci_nom).toBe("");
        expect(e.parts_non_calculees, e.epci_nom).toContain("part_population_hors_portee : ");
      } else {
        expect(Number(e.part_population_hors_portee), e.epci_nom).toBeCloseTo(Number(e.population_hors_portee) / Number(e.population), 10);
      }
    }
    const territoires = readCsv(path.join(config.paths.exportsDir, "64", "territoires.csv"));
    expect(territoires.map((t) => `${t.niveau}:${t.code}`)).toEqual(["departement:64", "region:75", "france:FR"]);
    for (const t of territoires) {
      if (t.population_hors_portee === "") expect(t.parts_non_calculees, t.nom).toContain("part_population_hors_portee : ");
      else expect(Number(t.part_population_hors_portee), t.nom).toBeCloseTo(Number(t.population_hors_portee) / Number(t.population), 10);
    }
    // The EPCI's population is the sum of all its communes, whatever their département.
    const [sum] = await queryRows<{ pop: number }>(db.connection, `SELECT sum(population)::INTEGER AS pop FROM communes WHERE epci_siren = $s`, { s: adour!.epci_siren });
    expect(Number(adour!.population)).toBe(sum.pop);
  });

  it("shows Calvados with no share beyond reach where its count is empty, and says how many communes lack an outline", async () => {
    const [missing] = await queryRows<{ n: number }>(
      db.connection,
      `SELECT count(*)::INTEGER AS n FROM diagnostic_communes WHERE code_departement = '14' AND point_lon IS NULL AND population > 0`
    );
    const [calvados] = await queryRows<{ population_hors_portee: number | null; part_population_hors_portee: number | null; communes_sans_contour: number; parts_non_calculees: string | null }>(
      db.connection,
      `SELECT population_hors_portee, part_population_hors_portee, communes_sans_contour, parts_non_calculees FROM diagnostic_territoires WHERE niveau = 'departement' AND code = '14'`
    );
    expect(missing.n).toBeGreaterThan(0);
    expect(calvados.population_hors_portee).toBeNull();
    expect(calvados.part_population_hors_portee).toBeNull();
    expect(calvados.communes_sans_contour).toBe(missing.n);
    expect(calvados.parts_non_calculees).toContain(`part_population_hors_portee : ${missing.n} commune${missing.n > 1 ? "s" : ""} sans contour`);
    // The national page's table reads departementsTable and prints the share with shareOrReason.
    const national = (await departementsTable(db.connection, [])).find((r) => r.code === "14")!;
    expect(national.part_population_hors_portee).toBeNull();
    expect(shareOrReason(national, "part_population_hors_portee", (v) => String(v))).toBe(
      `non calculée (${missing.n} commune${missing.n > 1 ? "s" : ""} sans contour)`
    );
    // The same rule at every level: no aggregate row shows a share with its count empty.
    const shown = await queryRows<{ niveau: string; code: string }>(
      db.connection,
      `SELECT niveau, code FROM diagnostic_territoires WHERE population_hors_portee IS NULL AND part_population_hors_portee IS NOT NULL
       UNION ALL SELECT 'epci', epci_siren FROM diagnostic_epci WHERE population_hors_portee IS NULL AND part_population_hors_portee IS NOT NULL`
    );
    expect(shown).toEqual([]);
  });

  it("names the poverty rates estimated from published communes in diagnostic_sources", async () => {
    const [{ n }] = await queryRows<{ n: number }>(db.connection, `SELECT count(*)::INTEGER AS n FROM diagnostic_epci WHERE taux_pauvrete_source = 'estimation communes publiées'`);
    const sources = await queryRows<{ indicateur: string; libelle: string; source: string }>(db.connection, `SELECT indicateur, libelle, source FROM diagnostic_sources WHERE indicateur LIKE 'taux_pauvrete%'`);
    if (n > 0) {
      expect(sources.find((s) => s.indicateur === "taux_pauvrete_estimation")?.source).toMatch(/^estimation sdin d'après /);
      expect(sources.find((s) => s.indicateur === "taux_pauvrete")?.libelle).toContain("estimation");
    } else {
      expect(sources.map((s) => s.indicateur)).toEqual(["taux_pauvrete"]);
    }
  });
});

describe("rates of a commune merged since 2017", () => {
  it("weights Lacq's old parts by their premises of 2018 when Filosofi 2021 no longer knows them", async () => {
    // Lacq (64300) absorbed Urdès (64541) on 1 January 2024 (COG mouvements); the rates are those of the raw file,
    // the premises logements + établissements of arcep-deploiements-2018t1/communes.csv (343 + 59, 121 + 4).
    const raw = Papa.parse<Record<string, string>>(readFileSync(path.join(mirrorDir, "dataforgood-ifn-2020", "data_merge.csv"), "utf8"), { header: true, skipEmptyLines: true }).data;
    const rate = (code: string) => Number(raw.find((r) => r.CODE_INSEE === code)!.TX_65ETPLUS);
    const premises = await queryRows<{ code_ancien: string; locaux: number }>(
      db.connection,
      `SELECT code_ancien, locaux FROM locaux_communes_anciennes WHERE code_ancien IN ('64300', '64541') ORDER BY 1`
    );
    expect(premises).toEqual([{ code_ancien: "64300", locaux: 343 + 59 }, { code_ancien: "64541", locaux: 121 + 4 }]);
    const [people] = await queryRows<{ n: number }>(db.connection, `SELECT count(*)::INTEGER AS n FROM poids_communes_anciennes WHERE code_ancien = '64541'`);
    expect(people.n).toBe(0);
    const [lacq] = await queryRows<{ tx: number }>(db.connection, `SELECT tx_65etplus AS tx FROM indicateurs_derives WHERE code_insee = '64300'`);
    expect(lacq.tx).toBeCloseTo((rate("64300") * 402 + rate("64541") * 125) / 527, 9);
  });
});

describe("sdin export --region", () => {
  it("writes Occitanie's départements, all their communes and its EPCI ranked 1..N across the région", async () => {
    const config = exportConfig("23");
    await runRegionExport(config, ["76"]);
    const dir = path.join(config.paths.exportsDir, "region-76");
    const cog = (file: string) => Papa.parse<Record<string, string>>(readFileSync(path.join(mirrorDir, "insee-cog-2026", file), "utf8"), { header: true, skipEmptyLines: true }).data;
    const expectedDeps = cog("departements.csv").filter((d) => d.REG === "76").map((d) => d.DEP).sort();
    expect(expectedDeps).toHaveLength(13);
    const departements = readCsv(path.join(dir, "departements.csv"));
    expect(departements.map((d) => d.code)).toEqual(expectedDeps);
    const expectedCommunes = cog("communes.csv").filter((c) => c.TYPECOM === "COM" && expectedDeps.includes(c.DEP)).length;
    const communes = readCsv(path.join(dir, "communes.csv"));
    expect(communes).toHaveLength(expectedCommunes);
    expect(departements.reduce((s, d) => s + Number(d.nb_communes), 0)).toBe(expectedCommunes);
    const epci = readCsv(path.join(dir, "epci.csv"));
    const ranks = epci.map((e) => e.rang_region).filter((r) => r !== "").map(Number);
    expect(ranks).toEqual(ranks.map((_, i) => i + 1));
    expect(ranks.length).toBe(epci.length);
    for (let i = 1; i < epci.length; i++) expect(Number(epci[i - 1].score_priorite)).toBeGreaterThanOrEqual(Number(epci[i].score_priorite));
    const note = readFileSync(path.join(dir, "priorites-regionales-76.md"), "utf8");
    expect(note).toContain("Priorités régionales : Occitanie");
    expect(note).toContain(epci[0].epci_nom);
    expect(readFileSync(path.join(dir, "priorites-regionales-76.docx")).subarray(0, 2).toString()).toBe("PK");
  });
});
