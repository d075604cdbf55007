/**
 * Builds `2025t3-obs-hd-thd-deploiement.xlsx`, a small workbook shaped like Arcep's quarterly
 * `<aaaa>t<n>-obs-hd-thd-deploiement-vf.xlsx` (which is not in the mirror): a summary sheet, then the
 * "Communes" sheet with title lines above the header, the header on row 5, one column of connectable
 * premises per quarter from T4 2017, counts written sometimes as numbers and sometimes as formatted text
 * (`" 9 050 "`, `" - "`). The layout follows what public code reading the real file relies on (header found
 * by "Code commune", "Meilleure estimation des locaux T<n> <AAAA>", "Engagements L. 33-13 et AMEL" holding
 * `operator (scheme)`, `T<n> <AAAA>` columns); the figures are invented.
 *
 * Run: `npx tsx test/input/arcep/make-deploiement-fixture.ts`
 */
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import ExcelJS from "exceljs";

type Cell = string | number;

/** One commune of the fixture: fixed columns, then the latest two quarters (earlier ones are derived). */
export interface FixtureCommune {
  code: string;
  nom: string;
  region: string;
  departement: string;
  logements: Cell;
  etablissements: Cell;
  meilleureEstimation: Cell;
  ztd: Cell;
  engagement: Cell;
  oi: string;
  t2: Cell;
  t3: Cell;
}

export const fixtureCommunes: FixtureCommune[] = [
  { code: "23096", nom: "Guéret", region: "75", departement: "23", logements: " 8 262 ", etablissements: 722, meilleureEstimation: " 9 120 ", ztd: " - ", engagement: "FRTE (AMII)", oi: "FRTE", t2: 8990, t3: " 9 050 " },
  { code: "23001", nom: "Ahun", region: "75", departement: "23", logements: 962, etablissements: 49, meilleureEstimation: 1040, ztd: " - ", engagement: " - ", oi: "NATH", t2: 1001, t3: 1012 },
  { code: "23149", nom: "Parsac-Rimondeix", region: "75", departement: "23", logements: 512, etablissements: 19, meilleureEstimation: 600, ztd: " - ", engagement: " - ", oi: "NATH", t2: 520, t3: 540 },
  // Merged into 23149 on 2025-01-01: a file lagging the COG still lists it.
  { code: "23023", nom: "Blaudeix", region: "75", departement: "23", logements: 85, etablissements: 3, meilleureEstimation: 95, ztd: " - ", engagement: " - ", oi: "", t2: " - ", t3: " - " },
  { code: "02691", nom: "Saint-Quentin", region: "32", departement: "02", logements: " 31 804 ", etablissements: " 2 950 ", meilleureEstimation: " 36 500 ", ztd: " - ", engagement: "SFR0 (AMII)", oi: "SFR0", t2: 35620, t3: " 35 800 " },
  { code: "02408", nom: "Laon", region: "32", departement: "02", logements: 15400, etablissements: 1650, meilleureEstimation: 17200, ztd: " - ", engagement: "SFR0 (AMEL)", oi: "SFR0", t2: 16800, t3: 16950 },
  // 02311 merged into 02589 on 2025-01-01; the larger part (02589, RIP) decides the merged commune's zone.
  { code: "02311", nom: "Pargny-Filain", region: "32", departement: "02", logements: 110, etablissements: 5, meilleureEstimation: 120, ztd: " - ", engagement: "FRTE (AMII)", oi: "FRTE", t2: 100, t3: 110 },
  { code: "02589", nom: "Pargny-Filain", region: "32", departement: "02", logements: 280, etablissements: 12, meilleureEstimation: 300, ztd: " - ", engagement: " - ", oi: "THDA", t2: 250, t3: 280 },
  { code: "92012", nom: "Boulogne-Billancourt", region: "11", departement: "92", logements: 66100, etablissements: 9400, meilleureEstimation: 72000, ztd: " 1 ", engagement: " - ", oi: "", t2: 71200, t3: 71500 },
  // Not a commune code: quarantined.
  { code: "23999", nom: "Inconnue", region: "75", departement: "23", logements: 10, etablissements: 0, meilleureEstimation: 10, ztd: " - ", engagement: " - ", oi: "", t2: 0, t3: 0 },
  // Unreadable count in the latest quarter: quarantined.
  { code: "23002", nom: "Ajain", region: "75", departement: "23", logements: 523, etablissements: 15, meilleureEstimation: 560, ztd: " - ", engagement: "FRTE (AMII)", oi: "FRTE", t2: 410, t3: "n.c." }
];

/** Quarters from T4 2017 (first column Arcep publishes) to T3 2025. */
export function quarters(): string[] {
  const out = ["T4 2017"];
  for (let year = 2018; year <= 2025; year++) for (let q = 1; q <= 4; q++) if (year < 2025 || q <= 3) out.push(`T${q} ${year}`);
  return out;
}

export interface FixtureOptions {
  /** Name of the commune sheet (to test a missing sheet). */
  sheetName?: string;
  /** Drop the best-estimate column (older editions: locaux = logements + établissements). */
  withoutBestEstimate?: boolean;
  /** Replace the header cell "Code commune" (to test a header that cannot be found). */
  codeHeader?: string;
}

/** Builds the workbook in memory. */
export function buildDeploiementWorkbook(options: FixtureOptions = {}): ExcelJS.Workbook {
  const workbook = new ExcelJS.Workbook();
  const summary = workbook.addWorksheet("Sommaire");
  summary.addRow(["Observatoire des déploiements haut et très haut débit fixe — T3 2025"]);
  summary.addRow(["Onglets : Communes, Départements, Régions"]);
  const sheet = workbook.addWorksheet(options.sheetName ?? "Communes");
  const q = quarters();
  const fixed = [
    options.codeHeader ?? "Code commune", "Nom commune", "Code région", "Code département", "Siren EPCI", "EPCI AMII",
    "Logements", "Établissements", ...(options.withoutBestEstimate ? [] : ["Meilleure estimation des locaux T3 2025", "Source retenue T3 2025"]),
    "Zones très denses", "Engagements L. 33-13 et AMEL", "Intentions privées hors engagement L. 33-13", "OI T3 2025",
    "Commune rurale", "Commune de montagne"
  ];
  sheet.getCell("A1").value = "Réseaux en fibre optique jusqu'à l'abonné (FttH)";
  sheet.getCell("A2").value = "Informations à l'échelle de la commune — locaux raccordables en fin de trimestre";
  sheet.getRow(5).values = [...fixed, ...q];
  fixtureCommunes.forEach((c, i) => {
    const best = options.withoutBestEstimate ? [] : [c.meilleureEstimation, "IPE"];
    const series = q.slice(0, -2).map(() => " - ");
    sheet.getRow(6 + i).values = [
      c.code, c.nom, c.region, c.departement, "200034825", " - ", c.logements, c.etablissements, ...best,
      c.ztd, c.engagement, " - ", c.oi, " 1 ", " - ", ...series, c.t2, c.t3
    ];
  });
  return workbook;
}

/** Writes the workbook to `file`. */
export async function writeDeploiementWorkbook(file: string, options: FixtureOptions = {}): Promise<void> {
  await buildDeploiementWorkbook(options).xlsx.writeFile(file);
}

export const fixtureFile = path.join(path.dirname(fileURLToPath(import.meta.url)), "2025t3-obs-hd-thd-deploiement.xlsx");

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  await writeDeploiementWorkbook(fixtureFile);
  process.stderr.write(`écrit : ${fixtureFile}\n`);
}
