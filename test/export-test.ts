import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import ExcelJS from "exceljs";
import Papa from "papaparse";
import { describe, expect, inject, it } from "vitest";
import { diagnosticCommunesTable } from "../loaders/diagnostic/tables.ts";
import { listZipEntries } from "../loaders/io/zip.ts";
import { writeWorkbook } from "../loaders/outputs/exports/xlsx.ts";
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

describe("workbook writer", () => {
  it("writes typed cells, a bold frozen header with a filter, and text escaped for XML and against formulas", async () => {
    // 30 columns: the last one is AD.
    const columns = ["code", "valeur", "ok", ...Array.from({ length: 27 }, (_, i) => `x${i + 4}`)];
    const rows = [
      { code: "=1+1", valeur: 0.1 + 0.2, ok: true, x30: 7 },
      { code: "A & <B>", valeur: Infinity, ok: null },
      { code: "-3", valeur: -3, ok: false }
    ];
    const dir = mkdtempSync(path.join(tmpdir(), "sdin-xlsx-"));
    await writeWorkbook(path.join(dir, "test.xlsx"), [{ name: "Communes <test>", columns, rows }]);
    const bytes = readFileSync(path.join(dir, "test.xlsx"));
    rmSync(dir, { recursive: true });
    expect(listZipEntries(bytes, { source: "test", file: "communes.xlsx" }).map((e) => e.name)).toContain("xl/worksheets/sheet1.xml");
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load(bytes as unknown as ExcelJS.Buffer);
    const sheet = workbook.worksheets[0];
    expect(sheet.name).toBe("Communes <test>");
    expect(sheet.getCell("A1").value).toBe("code");
    expect(sheet.getCell("AD1").value).toBe("x30");
    expect(sheet.getCell("A1").font?.bold).toBe(true);
    expect(sheet.views[0]).toMatchObject({ state: "frozen", ySplit: 1 });
    expect(sheet.autoFilter).toBe("A1:AD1");
    // A formula is shown as text; 0.1 + 0.2 is rounded to 0.3; a non-finite number and null leave the cell empty.
    expect([sheet.getCell("A2").value, sheet.getCell("B2").value, sheet.getCell("C2").value, sheet.getCell("AD2").value]).toEqual(["'=1+1", 0.3, true, 7]);
    expect([sheet.getCell("A3").value, sheet.getCell("B3").value, sheet.getCell("C3").value]).toEqual(["A & <B>", null, null]);
    expect([sheet.getCell("A4").value, sheet.getCell("B4").value, sheet.getCell("C4").value]).toEqual(["'-3", -3, false]);
    expect(sheet.rowCount).toBe(4);
  });
});
