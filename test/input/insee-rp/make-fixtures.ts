/**
 * Writes the small RP 2021 fixture zips of this folder, shaped like INSEE's `base-cc-…-2021_csv.zip`:
 * the commune file `base-cc-<slug>-2021.CSV`, the overseas collectivities' `base-cc-<slug>-2021-COM.CSV`
 * and a `meta_…` file, `;`-separated, weighted float counts. Only a subset of the published columns is kept
 * (the real files have 100+); figures are illustrative, not INSEE's.
 * Run: `npx tsx test/input/insee-rp/make-fixtures.ts`.
 */
import { writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { strToU8, zipSync } from "fflate";

const here = path.dirname(fileURLToPath(import.meta.url));

/** Communes of the fixtures: a merged old code (23023 → 23149; 02311 → 02589), Guéret, Paris whole and two arrondissements. */
const CODES = ["23023", "23149", "23096", "02311", "02589", "75056", "75101", "75102"];
const OVERSEAS = ["97501", "97502"];

/** Deterministic pseudo-census figure for a commune and a column, with two decimals like INSEE's weighted counts. */
function figure(code: string, column: string, scale: number): number {
  let h = 0;
  for (const c of code + column) h = (h * 31 + c.charCodeAt(0)) % 9973;
  const size = code === "75056" ? 2_100_000 : code.startsWith("751") ? 16_000 : code === "23096" ? 12_900 : 300;
  return Math.round(size * scale * (0.8 + (h % 400) / 1000) * 100) / 100;
}

function format(n: number): string {
  return String(Math.round(n * 1e6) / 1e6);
}

/** One CSV: `header` then a row per code; `derive` computes each column from the code. */
function csv(header: string[], codes: string[], derive: (code: string) => Record<string, number | string>, eol = "\n"): string {
  const lines = [header.join(";")];
  for (const code of codes) {
    const values = derive(code);
    lines.push(header.map((h) => (h === "CODGEO" ? code : typeof values[h] === "number" ? format(values[h] as number) : values[h] ?? "")).join(";"));
  }
  return lines.join(eol) + eol;
}

function structure(code: string): Record<string, number> {
  const ages = { P21_POP0014: 0.14, P21_POP1529: 0.13, P21_POP3044: 0.15, P21_POP4559: 0.19, P21_POP6074: 0.21, P21_POP7589: 0.15, P21_POP90P: 0.03 };
  const row: Record<string, number> = {};
  for (const [column, share] of Object.entries(ages)) row[column] = figure(code, column, share);
  row.P21_POP = Object.values(row).reduce((a, b) => a + b, 0);
  row.P21_POP65P = row.P21_POP7589 + row.P21_POP90P + figure(code, "6574", 0.1);
  row.P21_POPH = row.P21_POP * 0.48;
  row.P21_POPF = row.P21_POP - row.P21_POPH;
  row.P15_POP = row.P21_POP * 1.03;
  return row;
}

function diplomes(code: string): Record<string, number> {
  const parts = { P21_NSCOL15P_DIPLMIN: 0.3, P21_NSCOL15P_BEPC: 0.06, P21_NSCOL15P_CAPBEP: 0.28, P21_NSCOL15P_BAC: 0.17, P21_NSCOL15P_SUP2: 0.1, P21_NSCOL15P_SUP34: 0.06, P21_NSCOL15P_SUP5: 0.03 };
  const row: Record<string, number> = {};
  for (const [column, share] of Object.entries(parts)) row[column] = figure(code, column, share * 0.8);
  row.P21_NSCOL15P = Object.values(row).reduce((a, b) => a + b, 0);
  row.P21_POP0205 = figure(code, "0205", 0.04);
  row.P21_SCOL0205 = row.P21_POP0205 * 0.98;
  return row;
}

function menages(code: string): Record<string, number> {
  const men = figure(code, "MEN", 0.48);
  const pop80p = figure(code, "POP80P", 0.08);
  return {
    C21_MEN: men, C21_MENPSEUL: men * 0.42, C21_MENSFAM: men * 0.03, C21_MENFAM: men * 0.55,
    C21_FAM: figure(code, "FAM", 0.28), C21_FAMMONO: figure(code, "FAMMONO", 0.04),
    P21_POP15P: figure(code, "POP15P", 0.86), P21_POP80P: pop80p, P21_POP80P_PSEUL: pop80p * 0.46
  };
}

function emploi(code: string): Record<string, number | string> {
  const act = figure(code, "ACT1564", 0.42);
  return { LIBGEO: NAMES[code] ?? "", P21_POP1564: figure(code, "POP1564", 0.57), P21_ACT1564: act, P21_ACTOCC1564: act * 0.87, P21_CHOM1564: act * 0.13 };
}

const NAMES: Record<string, string> = {
  "23023": "Blaudeix", "23149": "Parsac", "23096": "Guéret", "02311": "Filain",
  "02589": "Pargny-et-Filain", "75056": "Paris", "75101": "Paris 1er Arrondissement", "75102": "Paris 2e Arrondissement",
  "97501": "Miquelon-Langlade", "97502": "Saint-Pierre"
};

interface Base {
  slug: string;
  header: string[];
  derive: (code: string) => Record<string, number | string>;
  latin1?: boolean;
}

const BASES: Base[] = [
  { slug: "evol-struct-pop", derive: structure, header: ["CODGEO", "P21_POP", "P21_POP0014", "P21_POP1529", "P21_POP3044", "P21_POP4559", "P21_POP6074", "P21_POP7589", "P21_POP90P", "P21_POPH", "P21_POPF", "P21_POP65P", "P15_POP"] },
  { slug: "diplomes-formation", derive: diplomes, header: ["CODGEO", "P21_POP0205", "P21_SCOL0205", "P21_NSCOL15P", "P21_NSCOL15P_DIPLMIN", "P21_NSCOL15P_BEPC", "P21_NSCOL15P_CAPBEP", "P21_NSCOL15P_BAC", "P21_NSCOL15P_SUP2", "P21_NSCOL15P_SUP34", "P21_NSCOL15P_SUP5"] },
  { slug: "coupl-fam-men", derive: menages, header: ["CODGEO", "C21_MEN", "C21_MENPSEUL", "C21_MENSFAM", "C21_MENFAM", "C21_FAM", "C21_FAMMONO", "P21_POP15P", "P21_POP80P", "P21_POP80P_PSEUL"] },
  // ISO-8859-1, with the commune names as the spreadsheet editions carry them (LIBGEO): exercises decoding.
  { slug: "emploi-pop-active", derive: emploi, latin1: true, header: ["CODGEO", "LIBGEO", "P21_POP1564", "P21_ACT1564", "P21_ACTOCC1564", "P21_CHOM1564"] }
];

function encode(text: string, latin1: boolean): Uint8Array {
  return latin1 ? new Uint8Array(Buffer.from(text, "latin1")) : strToU8(text);
}

for (const b of BASES) {
  const name = `base-cc-${b.slug}-2021`;
  const zip = zipSync({
    [`${name}.CSV`]: encode(csv(b.header, CODES, b.derive), Boolean(b.latin1)),
    [`${name}-COM.CSV`]: encode(csv(b.header, OVERSEAS, b.derive), Boolean(b.latin1)),
    [`meta_${name}.CSV`]: encode("COD_VAR;LIB_VAR;LIB_VAR_LONG\n" + b.header.slice(1).map((h) => `${h};${h};variable ${h}`).join("\n") + "\n", Boolean(b.latin1))
  }, { level: 9, mtime: new Date("2024-06-27T00:00:00Z") });
  writeFileSync(path.join(here, `${name}_csv.zip`), zip);
  process.stderr.write(`${name}_csv.zip: ${zip.length} octets\n`);
}
