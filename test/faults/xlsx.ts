import { writeFileSync } from "node:fs";
import path from "node:path";
import ExcelJS from "exceljs";
import { beforeAll, describe, expect } from "vitest";
import { SourceError } from "../../loaders/io/errors.ts";
import { readXlsxSheet, sheetTable } from "../../loaders/io/xlsx.ts";
import { faultDir } from "./tmp.ts";
import { fault } from "./harness.ts";
import { located } from "./pipeline.ts";

/** The XLSX reader (Arcep's quarterly workbook, DGCL's EPCI list, the FRR list): files built at runtime. */
const NAME = "obs-hd-thd-deploiement.xlsx";
const where = { source: "arcep-deploiements", file: NAME };

async function refusal(file: string, sheet = "Communes"): Promise<SourceError> {
  // Callers name the file as its resource does; here, after the file itself.
  const error = await readXlsxSheet(file, sheet, { ...where, file: path.basename(file) }).then(() => null, (e: unknown) => e);
  expect(error).toBeInstanceOf(SourceError);
  return error as SourceError;
}

describe("XLSX reader", () => {
  const dir = faultDir("sdin-fault-xlsx-");
  const file = (name: string, content: string | Uint8Array) => {
    const full = path.join(dir, name);
    writeFileSync(full, content);
    return full;
  };
  let good = "";
  let bytes = new Uint8Array();
  beforeAll(async () => {
    const workbook = new ExcelJS.Workbook();
    const sheet = workbook.addWorksheet("Communes");
    sheet.addRow(["Observatoire du haut et très haut débit : déploiements"]);
    sheet.addRow([]);
    sheet.addRow(["Source : Arcep"]);
    sheet.addRow(["Code commune", "Nom commune", "Logements"]);
    sheet.addRow(["23096", "Guéret", " 8 262 "]);
    sheet.addRow([23001, "Ahun", 1170]);
    good = path.join(dir, NAME);
    await workbook.xlsx.writeFile(good);
    bytes = new Uint8Array(await workbook.xlsx.writeBuffer());
  });

  fault("xlsx", "title lines above the header, numbers typed as text or as numbers", async () => {
    const table = sheetTable(await readXlsxSheet(good, "communes", where), where, { headerContains: "Code commune", required: ["Logements"] });
    expect(table.headerLine).toBe(4);
    expect(table.rows).toEqual([
      { line: 5, values: { "Code commune": "23096", "Nom commune": "Guéret", Logements: " 8 262 " } },
      { line: 6, values: { "Code commune": "23001", "Nom commune": "Ahun", Logements: "1170" } }
    ]);
    return { outcome: "loaded" };
  });

  fault("xlsx", "empty workbook file", async () => {
    expect((await refusal(file("empty.xlsx", ""))).message).toBe(`fichier vide — ${located({ ...where, file: "empty.xlsx", line: 1 })}`);
    return { outcome: "refused" };
  });

  fault("xlsx", "HTML error page served instead of the workbook", async () => {
    const error = await refusal(file("page.xlsx", "<!DOCTYPE html><html><body>Session expirée</body></html>"));
    expect(error.message).toBe(`page HTML reçue à la place du classeur (erreur du serveur ou lien périmé ?) — ${located({ ...where, file: "page.xlsx", line: 1 })}`);
    return { outcome: "refused" };
  });

  fault("xlsx", "a CSV saved under the workbook's name", async () => {
    const error = await refusal(file("csv.xlsx", "Code commune;Logements\n23096;8262\n"));
    expect(error.message).toBe(`ce fichier n'est pas un classeur XLSX (signature ZIP absente) — ${located({ ...where, file: "csv.xlsx", line: 1 })}`);
    return { outcome: "refused" };
  });

  fault("xlsx", "workbook truncated (download cut short)", async () => {
    const error = await refusal(file("cut.xlsx", bytes.subarray(0, bytes.length >> 1)));
    expect(error.message).toBe(`archive zip illisible (répertoire central introuvable : fichier tronqué ou pas un zip) — ${located({ ...where, file: "cut.xlsx" })}`);
    return { outcome: "refused" };
  });

  fault("xlsx", "workbook that declares far more than a sane size once expanded (a decompression bomb)", async () => {
    // The central directory of the first entry claims 600 MB: refused before exceljs inflates anything.
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const central = view.getUint32(bytes.length - 22 + 16, true);
    const bomb = bytes.slice();
    new DataView(bomb.buffer).setUint32(central + 24, 600 * 1024 * 1024, true);
    const error = await refusal(file("bomb.xlsx", bomb));
    expect(error.message).toBe(`archive zip refusée : 629145600 octets déclarés, au-delà de la limite de 524288000 octets (bombe de décompression ?) — ${located({ ...where, file: "bomb.xlsx" })}`);
    return { outcome: "refused" };
  });

  fault("xlsx", "workbook with an entry whose path escapes its folder", async () => {
    const { zipSync, unzipSync } = await import("fflate");
    const entries = unzipSync(bytes);
    const crafted = zipSync({ ...entries, "../../xl/evil.xml": new TextEncoder().encode("<x/>") });
    const error = await refusal(file("escape.xlsx", crafted));
    expect(error.message).toBe(`entrée d'archive refusée, son chemin sort du dossier : "../../xl/evil.xml" — ${located({ ...where, file: "escape.xlsx" })}`);
    return { outcome: "refused" };
  });

  fault("xlsx", "sheet renamed in a new edition", async () => {
    const error = await refusal(good, "Communes 2025"); // good is named NAME
    expect(error.message).toBe(`feuille "Communes 2025" absente du classeur (feuilles présentes : "Communes") — ${located(where)}`);
    return { outcome: "refused" };
  });

  fault("xlsx", "required column renamed, header not found", async () => {
    const sheet = await readXlsxSheet(good, "Communes", where);
    expect(() => sheetTable(sheet, where, { headerContains: "Code commune", required: ["Établissements"] })).toThrow(
      `feuille "Communes" : colonne obligatoire absente — ${located({ ...where, line: 4, column: "Établissements" })}`
    );
    expect(() => sheetTable(sheet, where, { headerContains: "Code INSEE" })).toThrow(
      `feuille "Communes" : ligne d'en-tête introuvable (aucune des 30 premières lignes n'a de cellule "Code INSEE") — ${located({ ...where, line: 1, column: "Code INSEE" })}`
    );
    return { outcome: "refused" };
  });
});
