import { readFileSync } from "node:fs";
import path from "node:path";
import Papa from "papaparse";
import { describe, expect, inject, it } from "vitest";
import { diagnosticCommunesTable } from "../loaders/diagnostic/tables.ts";
import { spearman } from "../src/lib/diagnostic/index.ts";

const required = [
  "code_insee", "nom", "epci_siren", "epci_nom", "population", "part_65_plus", "part_peu_diplomes", "taux_pauvrete",
  "taux_pauvrete_source", "part_locaux_ftth", "zone_fthd", "part_eligible_thd30", "nb_lieux", "distance_lieu_km",
  "population_hors_portee", "indice_fragilite", "ifn_reference", "rang_priorite"
];

function readCsv(dept: string, file: string): Record<string, string>[] {
  const text = readFileSync(path.join(inject("exportsDir"), dept, file), "utf8");
  const parsed = Papa.parse<Record<string, string>>(text, { header: true, skipEmptyLines: true });
  expect(parsed.errors).toEqual([]);
  return parsed.data;
}

describe.each([
  ["23", 255, 115527, 10],
  ["02", 797, 523342, 20]
])("export of département %s", (dept, communes, population, epci) => {
  it("writes one row per current commune with every required column", () => {
    const rows = readCsv(dept, "communes.csv");
    expect(rows).toHaveLength(communes);
    expect(Object.keys(rows[0])).toEqual(expect.arrayContaining(required));
    expect(Object.keys(rows[0])).toEqual(Object.keys(diagnosticCommunesTable.columns));
    expect(rows.reduce((s, r) => s + Number(r.population), 0)).toBe(population);
    expect(new Set(rows.map((r) => r.epci_siren)).size).toBe(epci);
    expect(new Set(rows.map((r) => r.code_insee)).size).toBe(communes);
  });

  it("writes the EPCI, places, GeoJSON and workbook files", () => {
    expect(readCsv(dept, "epci.csv")).toHaveLength(epci);
    const geojson = JSON.parse(readFileSync(path.join(inject("exportsDir"), dept, "communes.geojson"), "utf8"));
    expect(geojson.features).toHaveLength(communes);
    const zip = readFileSync(path.join(inject("exportsDir"), dept, "communes.xlsx"));
    expect(zip.subarray(0, 2).toString()).toBe("PK");
    readCsv(dept, "lieux.csv");
  });

  it("labels every fallback poverty rate as one", () => {
    for (const row of readCsv(dept, "communes.csv")) {
      if (row.taux_pauvrete !== "") expect(["commune", "epci", "departement"]).toContain(row.taux_pauvrete_source);
    }
  });
});

describe("inputs are joined to the right communes", () => {
  // La MedNum's reference classes are computed from the same kind of census shares: our raw shares must rank
  // the Creuse communes like the reference classes do.
  it.each([
    ["part_65_plus", "older_65"],
    ["part_peu_diplomes", "low_diploma"]
  ])("%s ranks Creuse communes like the IFN class %s (Spearman > 0.8)", async (share, criterion) => {
    const { openDatabase, queryRows } = await import("../loaders/io/db.ts");
    const db = await openDatabase(inject("database"), { readOnly: true });
    try {
      const rows = await queryRows<{ mine: number; theirs: number }>(
        db.connection,
        `SELECT d.${share} AS mine, r.${criterion} AS theirs FROM diagnostic_communes d
         JOIN ifn_reference r ON r.niveau = 'commune' AND r.code = d.code_insee
         WHERE d.code_departement = '23' AND d.${share} IS NOT NULL AND r.${criterion} IS NOT NULL`
      );
      expect(rows.length).toBeGreaterThan(240);
      expect(spearman(rows.map((r) => r.mine), rows.map((r) => r.theirs))).toBeGreaterThan(0.8);
    } finally {
      db.close();
    }
  });
});

describe("sources.csv of 23", () => {
  it("gives each indicator its reference date, age and freshness band; the Arcep T1 2018 share is over 18 months old", () => {
    const rows = readCsv("23", "sources.csv");
    expect(Object.keys(rows[0])).toEqual(expect.arrayContaining(["date_reference", "age_mois", "fraicheur"]));
    const ftth = rows.find((r) => r.indicateur === "part_locaux_ftth")!;
    // The mirror holds only the T1 2018 edition of the Arcep deployments.
    expect(ftth).toMatchObject({ millesime: "T1 2018", date_reference: "2018-03-31", fraicheur: "plus de 18 mois" });
    expect(Number(ftth.age_mois)).toBeGreaterThan(18);
    for (const r of rows.filter((r) => r.date_reference !== "")) {
      const age = Number(r.age_mois);
      const band = age < 6 ? "moins de 6 mois" : age < 12 ? "6 à 12 mois" : age <= 18 ? "12 à 18 mois" : "plus de 18 mois";
      expect(r.fraicheur, r.indicateur).toBe(band);
    }
  });
});
