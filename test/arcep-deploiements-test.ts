import { mkdirSync, readdirSync, symlinkSync } from "node:fs";
import { readFile } from "node:fs/promises";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CogIndex } from "../loaders/ingest/cog.ts";
import type { Database } from "../loaders/io/db.ts";
import {
  arcepDeploiements, coverageClassAgrees, EDITION_2018, EDITION_WORKBOOK, joinFtth2018, latestQuarterColumn, mergeParts,
  parseCommunes2018, parseEngagement, parseWorkbookCommunes
} from "../loaders/ingest/sources/arcep-deploiements.ts";
import { parseCsv } from "../loaders/io/text.ts";
import { readXlsxSheet, sheetTable } from "../loaders/io/xlsx.ts";
import { ledger, loadSources, mirrorDir, queryRows, tempDir } from "./helpers.ts";
import { fixtureFile, writeDeploiementWorkbook } from "./input/arcep/make-deploiement-fixture.ts";

/** The shared mirror plus the current workbook fixture where the resource expects it (links, no copies). */
function mirrorWithWorkbook(): string {
  const dir = tempDir("sdin-mirror-");
  for (const entry of readdirSync(mirrorDir)) symlinkSync(path.join(mirrorDir, entry), path.join(dir, entry));
  mkdirSync(path.join(dir, "arcep-deploiements"));
  symlinkSync(fixtureFile, path.join(dir, "arcep-deploiements", "obs-hd-thd-deploiement.xlsx"));
  return dir;
}

/** The current communes of the fixture, and the two merged in 2025 (23023 → 23149, 02311 → 02589). */
const fixtureCog = new CogIndex(
  ["23096", "23001", "23149", "23002", "02691", "02408", "02589", "92012"],
  [],
  [
    { date: "2025-01-01", from: "23023", to: "23149", mod: "32" },
    { date: "2025-01-01", from: "02311", to: "02589", mod: "32" }
  ]
);

async function parseFixture(file = fixtureFile) {
  const where = { source: "arcep-deploiements", file: path.basename(file) };
  const table = sheetTable(await readXlsxSheet(file, "Communes", where), where, { headerContains: "Code commune" });
  const l = ledger("arcep-deploiements", where.file);
  const parsed = parseWorkbookCommunes(table, l, fixtureCog, where, EDITION_WORKBOOK);
  return { ...parsed, ledger: l, rows: mergeParts(parsed.parts) };
}

describe("cell readers", () => {
  it("takes the latest quarter whatever the column order", () => {
    expect(latestQuarterColumn(["Code commune", "T4 2024", "T1 2025", "T4 2017", "OI T3 2025"])).toEqual({ column: "T1 2025", trimestre: "2025T1" });
    expect(latestQuarterColumn(["Code commune", "Logements"])).toBeNull();
  });

  it("reads the operator and the scheme of a private commitment", () => {
    expect(parseEngagement("FRTE ")).toEqual({ zone: "AMII", operateur: "FRTE" });
    expect(parseEngagement("SFR0 (AMEL)")).toEqual({ zone: "AMEL", operateur: "SFR0" });
    expect(parseEngagement("FRTE partielle ")).toEqual({ zone: "AMII", operateur: "FRTE partielle" });
    expect(parseEngagement(" -    ")).toBeNull();
  });

  it("checks Arcep's coded coverage classes against the figures", () => {
    // 23096 Guéret, T1 2018: class 10 for 1 773 connectable of 8 262 + 722 = 8 984 premises (19.7 %).
    expect(coverageClassAgrees("10", 1773, 8984)).toBe(true);
    expect(coverageClassAgrees("25", 1773, 8984)).toBe(false);
    expect(coverageClassAgrees("0", 0, 88)).toBe(true);
    expect(coverageClassAgrees("0", 5, 88)).toBe(false);
    // 60078: 53 of 66 premises (80.3 %) classed 50, on the bound.
    expect(coverageClassAgrees("50", 53, 66)).toBe(true);
  });
});

describe("current quarterly workbook (fixture)", () => {
  it("reads the latest quarter, premises, zones and operators, and merges old communes", async () => {
    const { trimestre, rows, ledger: l } = await parseFixture();
    expect(trimestre).toBe("2025T3");
    const byCode = Object.fromEntries(rows.map((r) => [r.code_insee, r]));
    expect(byCode["23096"]).toEqual({
      code_insee: "23096", trimestre: "2025T3", locaux: 9120, locaux_raccordables: 9050, zone_fthd: "AMII", operateur_engage: "FRTE", edition: EDITION_WORKBOOK
    });
    // 23149 (600 premises, 540 connectable) + 23023 (95, " - " = 0).
    expect([byCode["23149"].locaux, byCode["23149"].locaux_raccordables, byCode["23149"].zone_fthd]).toEqual([695, 540, "RIP"]);
    // 02589 (300, RIP) + 02311 (120, FRTE AMII): the larger part's zone wins, counts add up.
    expect(byCode["02589"]).toMatchObject({ locaux: 420, locaux_raccordables: 390, zone_fthd: "RIP", operateur_engage: null });
    expect(byCode["02408"]).toMatchObject({ zone_fthd: "AMEL", operateur_engage: "SFR0", locaux_raccordables: 16950 });
    expect(byCode["02691"]).toMatchObject({ zone_fthd: "AMII", operateur_engage: "SFR0", locaux: 36500, locaux_raccordables: 35800 });
    expect(byCode["92012"]).toMatchObject({ zone_fthd: "ZTD", operateur_engage: null });
    expect(Object.keys(byCode).sort()).toEqual(["02408", "02589", "02691", "23001", "23096", "23149", "92012"]);
    // 11 rows: 9 loaded (two of them merged into others), 23999 (unknown code) and 23002 ("n.c.") quarantined.
    expect([l.rowsIn, l.rowsLoaded, l.rowsQuarantined]).toEqual([11, 9, 2]);
    expect(l.quarantined.map((q) => [q.line, q.column, q.value])).toEqual([[15, "Code commune", "23999"], [16, "T3 2025", "n.c."]]);
  });

  it("falls back to logements + établissements without a best-estimate column", async () => {
    const file = path.join(tempDir(), "2019t4-obs-hd-thd-deploiement.xlsx");
    await writeDeploiementWorkbook(file, { withoutBestEstimate: true });
    const { rows } = await parseFixture(file);
    // 23096: " 8 262 " + 722.
    expect(rows.find((r) => r.code_insee === "23096")!.locaux).toBe(8984);
  });

  it("fails on a sheet without quarter columns, naming sheet, line and column", async () => {
    const where = { source: "arcep-deploiements", file: "x.xlsx" };
    const sheet = await readXlsxSheet(fixtureFile, "Communes", where);
    const header = sheet.rows.find((r) => r.line === 5)!;
    header.cells = header.cells.map((c) => c.replace(/^T(\d) (\d{4})$/, "$2-T$1"));
    const table = sheetTable(sheet, where, { headerContains: "Code commune" });
    expect(() => parseWorkbookCommunes(table, ledger(), fixtureCog, where, EDITION_WORKBOOK)).toThrow(
      /feuille "Communes" : aucune colonne trimestrielle .* ligne 5, colonne "T<n> <AAAA>"/
    );
  });
});

describe("T1 2018 exports (hand-made excerpt shaped like communes.csv / ftthCommunes.csv)", () => {
  const title = "Réseaux en fibre optique jusqu'à l'abonné (FttH),,,,\nInformations à l'échelle de la commune,,,,\n,,,,\n,,,,\n";
  const communesCsv =
    title +
    "Code commune,Nom commune,Code région,Code département,Siren EPCI,Logements,Établissements,Zones très denses,Engagements L. 33-13,Intentions privées hors engagement L. 33-13,Commune rurale,Commune de montagne,OI 2018 T1\n" +
    "23096,Guéret,75,23,200034825, 8\u00a0262    , 722    , -    ,FRTE , -    , -    , -    ,FRTE\n" +
    "23149,Parsac-Rimondeix,75,23,200067544, 512    , 19    , -    , -    , -    , 1    , -    ,\n" +
    "23023,Blaudeix,75,23,200067544, 85    , 3    , -    , -    , -    , 1    , -    ,\n" +
    "23001,Ahun,75,23,200067189, 962    , 49    , oui ?    , -    , -    , 1    , -    ,\n";
  const ftthCsv =
    title +
    "Code commune,Champ,T3 2017,T4 2017,T1 2018\n" +
    "23096,Locaux Raccordables,1738,1773,1773\n23096,Catégorie,10,10,10\n" +
    "23149,Locaux Raccordables,0,0,0\n23149,Catégorie,0,0,5\n" +
    "23023,Locaux Raccordables,0,0,0\n23023,Catégorie,0,0,0\n" +
    "23001,Locaux Raccordables,0,0,0\n23001,Catégorie,0,0,0\n";

  it("joins both files, checks the coverage class and balances both ledgers", () => {
    const communesLedger = ledger("arcep-deploiements", "communes.csv");
    const ftthLedger = ledger("arcep-deploiements", "ftthCommunes.csv");
    const communes = parseCommunes2018(parseCsv(communesCsv, communesLedger, { headerContains: "Code commune" }).rows, communesLedger, fixtureCog);
    const ftth = parseCsv(ftthCsv, ftthLedger, { headerContains: "Code commune" });
    const parts = joinFtth2018(communes, ftth.rows, latestQuarterColumn(ftth.header)!, communesLedger, ftthLedger, EDITION_2018);
    expect(mergeParts(parts)).toEqual([
      { code_insee: "23096", trimestre: "2018T1", locaux: 8984, locaux_raccordables: 1773, zone_fthd: "AMII", operateur_engage: "FRTE", edition: EDITION_2018 },
      { code_insee: "23149", trimestre: "2018T1", locaux: 619, locaux_raccordables: 0, zone_fthd: "RIP", operateur_engage: null, edition: EDITION_2018 }
    ]);
    // communes.csv: 4 rows, Ahun's ZTD flag is unreadable (line 9).
    expect([communesLedger.rowsIn, communesLedger.rowsLoaded, communesLedger.quarantined.map((q) => [q.line, q.column])]).toEqual([4, 3, [[9, "Zones très denses"]]]);
    // ftthCommunes.csv: 8 rows; Ahun's two rows follow its commune; 23149's class 5 contradicts 0 connectable (line 9).
    expect([ftthLedger.rowsIn, ftthLedger.rowsLoaded]).toEqual([8, 5]);
    expect(ftthLedger.quarantined.map((q) => [q.line, q.reason])).toEqual([
      [12, "commune absente de communes.csv ou écartée (voir sa quarantaine)"],
      [13, "commune absente de communes.csv ou écartée (voir sa quarantaine)"],
      [9, "classe de couverture incohérente avec locaux raccordables / locaux (0,0 % des locaux raccordables)"]
    ]);
  });
});

describe("arcep_ftth loaded from the mirror (T1 2018) and the workbook fixture", () => {
  let db: Database;
  beforeAll(async () => ({ db } = await loadSources([arcepDeploiements], { mirror: mirrorWithWorkbook() })));
  afterAll(() => db?.close());

  const q = <T>(sql: string) => queryRows<T>(db.connection, sql);

  it("matches the published Creuse total of connectable premises, T1 2018", async () => {
    const [{ total, communes }] = await q<{ total: number; communes: number }>(
      `SELECT sum(locaux_raccordables)::INTEGER AS total, count(*)::INTEGER AS communes FROM arcep_ftth f
       JOIN communes c USING (code_insee) WHERE c.code_departement = '23' AND f.edition = '${EDITION_2018}'`
    );
    // ftthDepartements.csv publishes 1 773 for département 23 in T1 2018 (checked below from the file itself).
    const text = await readFile(path.join(mirrorDir, "arcep-deploiements-2018t1/ftthDepartements.csv"), "utf8");
    const table = parseCsv(text, ledger(), { delimiter: ",", headerContains: "Code département" });
    const published = table.rows.find((r) => r.values["Code département"] === "23" && r.values.Champ === "Locaux Raccordables")!;
    expect(Number(published.values["T1 2018"])).toBe(1773);
    expect(total).toBe(1773);
    // 258 communes in the 2018 file, 255 in COG 2026 (23023 → 23149, 23121 → 23109, 23126 → 23189).
    expect(communes).toBe(255);
  });

  it("matches the published Aisne total and keeps every Creuse premise", async () => {
    const rows = await q<{ dep: string; locaux: number; racc: number }>(
      `SELECT c.code_departement AS dep, sum(locaux)::INTEGER AS locaux, sum(locaux_raccordables)::INTEGER AS racc
       FROM arcep_ftth f JOIN communes c USING (code_insee) WHERE f.edition = '${EDITION_2018}' AND c.code_departement IN ('02', '23')
       GROUP BY 1 ORDER BY 1`
    );
    // Aisne: ftthDepartements.csv "02,Locaux Raccordables,…,65809". Premises: sum of Logements + Établissements
    // over the rows of communes.csv starting with 02 (274 834; departements.csv says 261 764 + 13 066 = 274 830)
    // and with 23 (91 267), computed with a script over the file.
    expect(rows).toEqual([
      { dep: "02", locaux: 274834, racc: 65809 },
      { dep: "23", locaux: 91267, racc: 1773 }
    ]);
  });

  it("reads communes by hand from the files", async () => {
    const rows = await q<Record<string, unknown>>(
      `SELECT code_insee, trimestre, locaux, locaux_raccordables, zone_fthd, operateur_engage FROM arcep_ftth
       WHERE edition = '${EDITION_2018}' AND code_insee IN ('23096', '23149', '23109', '02691', '02564', '02018') ORDER BY code_insee`
    );
    expect(rows).toEqual([
      // 02018 Anizy-le-Grand = 02018 (947 + 47) + 02301 (130 + 7) + 02434 (117 + 5), none connectable.
      { code_insee: "02018", trimestre: "2018T1", locaux: 1253, locaux_raccordables: 0, zone_fthd: "RIP", operateur_engage: null },
      // 02564 = Noyant-et-Aconin (204 + 7, 218 connectable) + 02077 Berzy-le-Sec (182 + 4, 35 connectable).
      { code_insee: "02564", trimestre: "2018T1", locaux: 397, locaux_raccordables: 253, zone_fthd: "RIP", operateur_engage: null },
      // Saint-Quentin: " 29 928 " + " 1 631 ", 10 069 connectable, FRTE under L. 33-13.
      { code_insee: "02691", trimestre: "2018T1", locaux: 31559, locaux_raccordables: 10069, zone_fthd: "AMII", operateur_engage: "FRTE" },
      // Guéret: " 8 262 " (non-breaking space) + 722, 1 773 connectable, FRTE.
      { code_insee: "23096", trimestre: "2018T1", locaux: 8984, locaux_raccordables: 1773, zone_fthd: "AMII", operateur_engage: "FRTE" },
      // Linard-Malval = Linard (137 + 4) + Malval (39 + " - ").
      { code_insee: "23109", trimestre: "2018T1", locaux: 180, locaux_raccordables: 0, zone_fthd: "RIP", operateur_engage: null },
      // Parsac-Rimondeix (512 + 19) + Blaudeix (85 + 3).
      { code_insee: "23149", trimestre: "2018T1", locaux: 619, locaux_raccordables: 0, zone_fthd: "RIP", operateur_engage: null }
    ]);
  });

  it("counts zones as the 2018 flags say", async () => {
    const zones = await q<{ zone_fthd: string; n: number }>(
      `SELECT zone_fthd, count(*)::INTEGER AS n FROM arcep_ftth f JOIN communes c USING (code_insee)
       WHERE f.edition = '${EDITION_2018}' AND c.code_departement = '23' GROUP BY 1 ORDER BY 1`
    );
    // communes.csv, Creuse: 19 rows with "FRTE " under L. 33-13, none in ZTD; none of the 19 was merged since.
    expect(zones).toEqual([{ zone_fthd: "AMII", n: 19 }, { zone_fthd: "RIP", n: 236 }]);
  });

  it("keeps both editions side by side", async () => {
    const rows = await q<{ edition: string; trimestre: string; n: number }>(
      `SELECT edition, trimestre, count(*)::INTEGER AS n FROM arcep_ftth GROUP BY 1, 2 ORDER BY 1`
    );
    expect(rows.map((r) => [r.edition, r.trimestre])).toEqual([[EDITION_2018, "2018T1"], [EDITION_WORKBOOK, "2025T3"]]);
    expect(rows[1].n).toBe(7);
  });

  it("dates each edition by the data it holds: the workbook by its latest quarter column", async () => {
    const rows = await q<{ id: string; date_reference: string; remplacement: string | null }>(
      `SELECT id, date_reference, remplacement FROM provenance WHERE source = 'arcep-deploiements' ORDER BY id`
    );
    // The fixture's latest quarter column is "T3 2025": the quarter ends on 30 September.
    expect(rows.map((r) => [r.id, r.date_reference])).toEqual([
      ["arcep-deploiements-2018t1-communes", "2018-03-31"],
      ["arcep-deploiements-2018t1-ftth-communes", "2018-03-31"],
      ["arcep-deploiements-xlsx", "2025-09-30"]
    ]);
    expect(rows[0].remplacement).toMatch(/^classeur trimestriel AAAAtN-obs-hd-thd-deploiement\.xlsx/);
    expect(rows[2].remplacement).toBeNull();
  });

  it("balances every file's ledger", async () => {
    const rows = await q<{ id: string; status: string; rows_in: number; rows_loaded: number; rows_quarantined: number }>(
      `SELECT id, status, rows_in, rows_loaded, rows_quarantined FROM provenance WHERE source = 'arcep-deploiements' ORDER BY id`
    );
    // communes.csv: 35 361 rows; 4 are overseas collectivities outside the départements' COG (975 ×2, 977, 978:
    // `cut -c1-3 | sort | uniq -c`). ftthCommunes.csv: 2 rows for each, so 8 quarantined. Every Catégorie row agrees
    // with its figures, so none is quarantined for that.
    expect(rows).toEqual([
      { id: "arcep-deploiements-2018t1-communes", status: "chargé", rows_in: 35361, rows_loaded: 35357, rows_quarantined: 4 },
      { id: "arcep-deploiements-2018t1-ftth-communes", status: "chargé", rows_in: 70722, rows_loaded: 70714, rows_quarantined: 8 },
      { id: "arcep-deploiements-xlsx", status: "chargé", rows_in: 11, rows_loaded: 9, rows_quarantined: 2 }
    ]);
  });
});
