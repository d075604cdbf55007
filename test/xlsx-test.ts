import { writeFile } from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import ExcelJS from "exceljs";
import { SourceError } from "../loaders/io/errors.ts";
import { cellText, findHeaderRow, readXlsxSheet, sheetTable } from "../loaders/io/xlsx.ts";
import { tempDir } from "./helpers.ts";
import { fixtureCommunes, fixtureFile, writeDeploiementWorkbook } from "./input/arcep/make-deploiement-fixture.ts";

const where = { source: "test", file: "classeur.xlsx" };

describe("readXlsxSheet", () => {
  it("reads display strings with the sheet's row numbers, skipping empty rows", async () => {
    const sheet = await readXlsxSheet(fixtureFile, " communes ", where);
    expect(sheet.sheet).toBe("Communes");
    // Rows 1-2 are titles, 3-4 are empty (skipped), 5 is the header, then one row per fixture commune.
    expect(sheet.rows.map((r) => r.line)).toEqual([1, 2, 5, ...fixtureCommunes.map((_, i) => 6 + i)]);
    const gueret = sheet.rows.find((r) => r.line === 6)!;
    // Text cells keep Arcep's formatting; numeric cells come back as plain digits.
    expect(gueret.cells.slice(0, 8)).toEqual(["23096", "Guéret", "75", "23", "200034825", " - ", " 8 262 ", "722"]);
  });

  it("names the sheets present when the sheet is missing", async () => {
    const error = await readXlsxSheet(fixtureFile, "FttH par communes", where).catch((e) => e);
    expect(error).toBeInstanceOf(SourceError);
    expect(error.message).toContain(`feuille "FttH par communes" absente du classeur (feuilles présentes : "Sommaire", "Communes")`);
    expect(error.message).toContain("fichier classeur.xlsx");
  });

  it("refuses an HTML page, an empty file and a file that is not a workbook", async () => {
    const dir = tempDir();
    const cases: [string, string, string][] = [
      ["page.xlsx", "<!DOCTYPE html><html><body>Erreur 404</body></html>", "page HTML reçue à la place du classeur"],
      ["vide.xlsx", "", "fichier vide"],
      ["texte.xlsx", "Code commune;Nom\n23096;Guéret\n", "n'est pas un classeur XLSX"]
    ];
    for (const [name, content, message] of cases) {
      const file = path.join(dir, name);
      await writeFile(file, content);
      await expect(readXlsxSheet(file, "Communes", { source: "test", file: name })).rejects.toThrow(message);
    }
  });
});

describe("sheetTable", () => {
  it("finds the header below the title lines and keys rows by its names", async () => {
    const sheet = await readXlsxSheet(fixtureFile, "Communes", where);
    const table = sheetTable(sheet, where, { headerContains: "Code commune", required: ["Code commune", "T3 2025"] });
    expect(table.headerLine).toBe(5);
    expect(table.rows).toHaveLength(fixtureCommunes.length);
    expect(table.rows[0].line).toBe(6);
    expect(table.rows[0].values["Engagements L. 33-13 et AMEL"]).toBe("FRTE (AMII)");
    expect(table.rows[0].values["T3 2025"]).toBe(" 9 050 ");
    expect(table.rows[1].values["T3 2025"]).toBe("1012");
  });

  it("fails with the sheet, line and column when a required column is missing", async () => {
    const sheet = await readXlsxSheet(fixtureFile, "Communes", where);
    expect(() => sheetTable(sheet, where, { headerContains: "Code commune", required: ["Code INSEE"] })).toThrow(
      `feuille "Communes" : colonne obligatoire absente — source test, fichier classeur.xlsx, ligne 5, colonne "Code INSEE"`
    );
  });

  it("fails naming the sheet when no header row can be found", async () => {
    const file = path.join(tempDir(), "sans-entete.xlsx");
    await writeDeploiementWorkbook(file, { codeHeader: "Code INSEE" });
    const sheet = await readXlsxSheet(file, "Communes", where);
    expect(() => findHeaderRow(sheet, "Code commune", where, 10)).toThrow(
      `feuille "Communes" : ligne d'en-tête introuvable (aucune des 10 premières lignes n'a de cellule "Code commune")`
    );
  });

  it("normalises header spacing and keeps repeated names apart", async () => {
    const workbook = new ExcelJS.Workbook();
    const ws = workbook.addWorksheet("Données");
    ws.getRow(3).values = ["Code\ncommune", "Locaux", "Locaux"];
    ws.getRow(4).values = ["02691", 1, 2];
    const file = path.join(tempDir(), "doublons.xlsx");
    await workbook.xlsx.writeFile(file);
    const table = sheetTable(await readXlsxSheet(file, "Données", where), where, { headerContains: "Code commune" });
    expect(table.header).toEqual(["Code commune", "Locaux", "Locaux (2)"]);
    expect(table.rows).toEqual([{ line: 4, values: { "Code commune": "02691", Locaux: "1", "Locaux (2)": "2" } }]);
  });
});

describe("cellText", () => {
  it("reads formulas by their result, rich text by its parts, dates as days", () => {
    expect(cellText({ formula: "A1+A2", result: 8262 })).toBe("8262");
    expect(cellText({ richText: [{ text: "Saint-" }, { text: "Quentin" }] })).toBe("Saint-Quentin");
    expect(cellText(new Date(Date.UTC(2025, 8, 30)))).toBe("2025-09-30");
    expect(cellText(null)).toBe("");
  });
});
