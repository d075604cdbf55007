import { readFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CogIndex } from "../loaders/ingest/cog.ts";
import type { Database } from "../loaders/io/db.ts";
import { SourceError } from "../loaders/io/errors.ts";
import ExcelJS from "exceljs";
import { parseQpvListe, readDensite, readFrr, readWorkbookTable, reconcile, splitCommuneCell, typologies } from "../loaders/ingest/sources/typologies.ts";
import { decodeText, parseCsv } from "../loaders/io/text.ts";
import { inputDir, ledger, loadSources, queryRows } from "./helpers.ts";

describe("typologies and QPV from the mirror", () => {
  let db: Database;
  beforeAll(async () => ({ db } = await loadSources([typologies])));
  afterAll(() => db?.close());

  const counts = (sql: string) => queryRows<{ k: string | number | boolean; n: number }>(db.connection, sql);

  it("classifies every Creuse commune in FRR", async () => {
    // SOURCES.md, checked with `grep '^23' liste-communes-FRR-juillet2025.csv | cut -d';' -f4 | sort | uniq -c`.
    expect(await counts(`SELECT frr AS k, count(*)::INTEGER AS n FROM typologies WHERE code_insee LIKE '23%' GROUP BY 1 ORDER BY 1`)).toEqual([
      { k: "FRR socle", n: 76 },
      { k: "FRR+", n: 179 }
    ]);
    expect(await counts(`SELECT frr_classee AS k, count(*)::INTEGER AS n FROM typologies WHERE code_insee LIKE '23%' GROUP BY 1`)).toEqual([{ k: true, n: 255 }]);
    // Aisne: FRR+ 274, socle 272, bénéficiaire 26 are classified; 225 "Non classée" are not.
    expect(await counts(`SELECT frr_classee AS k, count(*)::INTEGER AS n FROM typologies WHERE code_insee LIKE '02%' GROUP BY 1 ORDER BY 1`)).toEqual([
      { k: false, n: 225 },
      { k: true, n: 572 }
    ]);
  });

  it("maps density labels back to INSEE's codes", async () => {
    // SOURCES.md (grep '^23' densite.csv): très dispersé 199, dispersé 44, bourgs ruraux 11, centre urbain intermédiaire 1.
    expect(await counts(`SELECT densite_code AS k, count(*)::INTEGER AS n FROM typologies WHERE code_insee LIKE '23%' GROUP BY 1 ORDER BY 1`)).toEqual([
      { k: 2, n: 1 },
      { k: 5, n: 11 },
      { k: 6, n: 44 },
      { k: 7, n: 199 }
    ]);
    const [gueret] = await queryRows(db.connection, `SELECT densite_code, densite_libelle, centralite FROM typologies WHERE code_insee = '23096'`);
    expect(gueret).toEqual({ densite_code: 2, densite_libelle: "Centres urbains intermédiaires", centralite: "Centre majeur d'équipements et de services" });
  });

  it("reads centrality levels and keeps ' - undefined' as a loaded null", async () => {
    // SOURCES.md: 23 → non centre 208, local 34, intermédiaire 10, structurant 2, majeur 1.
    expect(await counts(`SELECT centralite AS k, count(*)::INTEGER AS n FROM typologies WHERE code_insee LIKE '23%' GROUP BY 1 ORDER BY 2 DESC`)).toEqual([
      { k: "Communes non centre", n: 208 },
      { k: "Centre local d'équipements et de services", n: 34 },
      { k: "Centre intermédiaire d'équipements et de services", n: 10 },
      { k: "Centre structurant d'équipements et de services", n: 2 },
      { k: "Centre majeur d'équipements et de services", n: 1 }
    ]);
    // 129 rows read " - undefined" nationally (`grep -c undefined centralite.csv`).
    const [{ n }] = await counts(`SELECT NULL AS k, count(*)::INTEGER AS n FROM typologies WHERE centralite IS NULL AND densite_code IS NOT NULL`);
    expect(n).toBe(129);
  });

  it("lists the communes hosting a QPV", async () => {
    expect(await queryRows(db.connection, `SELECT code_insee, code_qp FROM qpv WHERE code_insee LIKE '23%'`)).toEqual([{ code_insee: "23096", code_qp: "QN02301M" }]);
    // SOURCES.md: Aisne → 10 communes, 17 QPV; QN00201M Europe spans 02571 Omissy and 02691 Saint-Quentin (18 pairs).
    const [aisne] = await queryRows(
      db.connection,
      `SELECT count(DISTINCT code_insee)::INTEGER AS communes, count(DISTINCT code_qp)::INTEGER AS qpv, count(*)::INTEGER AS pairs FROM qpv WHERE code_insee LIKE '02%'`
    );
    expect(aisne).toEqual({ communes: 10, qpv: 17, pairs: 18 });
    expect(await queryRows(db.connection, `SELECT code_insee FROM qpv WHERE code_qp = 'QN00201M' ORDER BY 1`)).toEqual([{ code_insee: "02571" }, { code_insee: "02691" }]);
    // Nationally 1 684 commune–QPV pairs and 1 493 distinct QPV (SOURCES.md).
    const [all] = await queryRows(db.connection, `SELECT count(*)::INTEGER AS pairs, count(DISTINCT code_qp)::INTEGER AS qpv FROM qpv`);
    expect(all).toEqual({ pairs: 1684, qpv: 1493 });
  });

  it("accounts for every row", async () => {
    const rows = await queryRows<{ id: string; status: string; rows_in: number; rows_loaded: number; rows_quarantined: number }>(
      db.connection,
      `SELECT id, status, rows_in, rows_loaded, rows_quarantined FROM provenance WHERE source = 'typologies' ORDER BY id`
    );
    // 34 875 communes of COG 2025 in each grid and in the FRR list, 824 features in the QPV file (SOURCES.md);
    // the official QPV list is absent from the mirror.
    expect(rows).toEqual([
      { id: "anct-qpv-2024-communes", status: "chargé", rows_in: 824, rows_loaded: 824, rows_quarantined: 0 },
      { id: "anct-qpv-2024-liste", status: "absent", rows_in: 0, rows_loaded: 0, rows_quarantined: 0 },
      { id: "dgcl-frr", status: "chargé", rows_in: 34875, rows_loaded: 34875, rows_quarantined: 0 },
      { id: "ot-grille-densite", status: "chargé", rows_in: 34875, rows_loaded: 34875, rows_quarantined: 0 },
      { id: "ot-niveaux-centralite", status: "chargé", rows_in: 34875, rows_loaded: 34875, rows_quarantined: 0 }
    ]);
  });
});

describe("the official QPV list and its pitfalls (hand-made fixture)", () => {
  const file = path.join(inputDir, "territoire/qpv-2024/listeqp2024-cog2024.csv");
  const cog = new CogIndex(["02571", "02691", "23096", "02173", "75056"], [["75117", "75056"], ["75118", "75056"]], []);

  it("splits multi-commune cells, unwraps Excel formulas and re-pads 4-digit codes", () => {
    const l = ledger("typologies", "listeqp2024-cog2024.csv");
    const { text } = decodeText(readFileSync(file), { source: "typologies", file: "listeqp2024-cog2024.csv" });
    const pairs = parseQpvListe(text, l, cog);
    expect(pairs).toEqual([
      { code_insee: "02571", code_qp: "QN00201M" },
      { code_insee: "02691", code_qp: "QN00201M" },
      { code_insee: "02691", code_qp: "QN00202M" },
      { code_insee: "23096", code_qp: "QN02301M" },
      { code_insee: "02173", code_qp: "QN00209M" },
      // 75117 and 75118 both fold into Paris: the loader then keeps the pair once.
      { code_insee: "75056", code_qp: "QN07501M" },
      { code_insee: "75056", code_qp: "QN07501M" }
    ]);
    // 7 rows: 5 loaded, the unknown commune 02999 (line 7) and the malformed code XX00200 (line 8) quarantined.
    expect([l.rowsIn, l.rowsLoaded]).toEqual([7, 5]);
    expect(l.quarantined.map((q) => [q.line, q.column, q.value])).toEqual([
      [7, "insee_com", "02999"],
      [8, "code_qp", "XX00200"]
    ]);
    l.check();
  });

  it("reads a cell as written in the raw file", () => {
    expect(splitCommuneCell('="02571; 02691"')).toEqual(["02571", "02691"]);
    expect(splitCommuneCell("2173")).toEqual(["2173"]);
    expect(splitCommuneCell(" ")).toEqual([]);
  });

  it("accepts Corsican QPV codes", () => {
    // 2A004 Ajaccio hosts QN02A02M and QN02A03N (centroide-4326_qpv.geojson); a commune of the Aisne is 02xxx.
    const l = ledger("typologies", "liste.csv");
    const corse = new CogIndex(["2A004"], [], []);
    const text = "code_qp;insee_com\nQN02A02M;2A004\nQN02A03N;2A004\n";
    expect(parseQpvListe(text, l, corse).map((p) => p.code_qp)).toEqual(["QN02A02M", "QN02A03N"]);
  });
});

describe("typology parsers", () => {
  const cog = new CogIndex(["23096", "23149"], [], [{ date: "2025-01-01", from: "23023", to: "23149", mod: "32" }]);

  it("quarantines an unknown density label and keeps the row count", () => {
    const l = ledger("typologies", "densite.csv");
    const text = "insee_com,lib_com,niveau_densite\n23096,Guéret,Centres urbains intermédiaires\n23149,Glénic,Rural très très dispersé\n";
    const rows = readDensite(parseCsv(text, l), l, cog);
    expect(rows.map((r) => [r.code, r.value])).toEqual([["23096", "Centres urbains intermédiaires"]]);
    expect(l.quarantined.map((q) => [q.line, q.value])).toEqual([[3, "Rural très très dispersé"]]);
  });

  it("finds the FRR label column by its prefix and fails when it is gone", () => {
    const l = ledger("typologies", "frr.csv");
    const text = "Code_insee;Departement;Commune;Classement FRR et FRR+ au 1er janvier 2027;\r\n23096;23;Guéret;FRR socle;\r\n";
    expect(readFrr(parseCsv(text, l), l, cog).map((r) => r.value)).toEqual(["FRR socle"]);
    const renamed = "Code_insee;Departement;Commune;Zonage 2027;\r\n23096;23;Guéret;FRR socle;\r\n";
    const l2 = ledger("typologies", "frr.csv");
    expect(() => readFrr(parseCsv(renamed, l2), l2, cog)).toThrow(SourceError);
    expect(() => readFrr(parseCsv(renamed, l2), l2, cog)).toThrow(/colonne "Classement FRR…"/);
  });

  it("keeps the chef-lieu's value when merged communes disagree, and quarantines the other", () => {
    const l = ledger("typologies", "frr.csv");
    l.read(3);
    const merged = reconcile(
      [
        { code: "23149", old: "23023", line: 2, value: "FRR+" },
        { code: "23149", old: "23149", line: 3, value: "FRR socle" },
        { code: "23096", old: "23096", line: 4, value: "FRR socle" }
      ],
      l
    );
    expect([...merged]).toEqual([["23149", "FRR socle"], ["23096", "FRR socle"]]);
    expect(l.quarantined.map((q) => [q.line, q.value])).toEqual([[2, "23023"]]);
    l.check();
  });

  it("reads the official FRR workbook, title lines and numeric codes included", async () => {
    // Hand-built workbook shaped like the DGCL one: a title, a blank line, then the header on row 3.
    const workbook = new ExcelJS.Workbook();
    const sheet = workbook.addWorksheet("Communes FRR");
    sheet.addRow(["Liste des communes classées FRR au 10 juillet 2025"]);
    sheet.addRow([]);
    sheet.addRow(["Code INSEE", "Département", "Commune", "Classement FRR et FRR+ au 10 juillet 2025"]);
    sheet.addRow(["23096", "23", "Guéret", "FRR socle"]);
    sheet.addRow([2173, "02", "Chauny", "Non classée"]); // a code stored as a number lost its leading zero
    const frrCog = new CogIndex(["23096", "02173"], [], []);
    const bytes = new Uint8Array(await workbook.xlsx.writeBuffer());
    const l = ledger("typologies", "Liste communes FRR_juillet2025.xlsx");
    const table = await readWorkbookTable(bytes, l, "Classement FRR");
    expect(table.headerLine).toBe(3);
    expect(readFrr(table, l, frrCog).map((r) => [r.code, r.line, r.value])).toEqual([["23096", 4, "FRR socle"], ["02173", 5, "Non classée"]]);
    expect(l.rowsIn).toBe(2);
  });
});
