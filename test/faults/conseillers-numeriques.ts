import Papa from "papaparse";
import { beforeAll, describe, expect } from "vitest";
import { conseillersNumeriques } from "../../loaders/ingest/sources/conseillers-numeriques.ts";
import { fault } from "./harness.ts";
import { mirrorText, tempMirror, windows1252 } from "./mirror.ts";
import { expectRefused, load, query, quarantine, resourceCounts, type QuarantineRow } from "./pipeline.ts";

/**
 * Conseillers numériques: a `;` spreadsheet export whose codes lost their leading zero (`2315` for 02315).
 * Saved again from a spreadsheet it becomes Windows-1252, and codes may come out as `2315.0` or `="2315"`.
 */
const FILE = "conseillers-numeriques/20230405-3925-cnfs.csv";
const NAME = "20230405-3925-cnfs.csv";
const where = { source: "conseillers-numeriques", file: NAME };
const original = mirrorText(FILE);
const CODE = "Code commune INSEE";

describe("Conseillers numériques (codes without their leading zero)", () => {
  fault("conseillers-numeriques", "required column missing (Code commune INSEE dropped from the export)", async () => {
    const lines = original.split("\n");
    const i = lines[0].split(";").indexOf(CODE);
    const dropped = lines.map((l) => (l === "" ? l : l.split(";").filter((_, j) => j !== i).join(";"))).join("\n");
    await expectRefused(tempMirror({ [FILE]: dropped }), [conseillersNumeriques], /^colonne obligatoire absente/, { ...where, line: 1, column: CODE });
    return { outcome: "refused" };
  });

  describe("Windows-1252, codes as 4 digits, as floats, as Excel text, unreadable, truncated", () => {
    const lines = original.replace(/\n$/, "").split("\n");
    const header = lines[0].split(";");
    const c = header.indexOf(CODE);
    const set = (i: number, value: string) => {
      const cells = lines[i].split(";");
      cells[c] = value;
      lines[i] = cells.join(";");
    };
    // Lines 2 and 3 of the file: 01 (Ain) structures; re-coded in the forms spreadsheets produce.
    const ain = [1, 2].map((i) => lines[i].split(";")[c]);
    set(1, `${ain[0]}.0`);
    set(2, `="${ain[1]}"`);
    set(3, "CARPENTRAS"); // not a code
    const last = lines.length - 1;
    lines[last] = lines[last].slice(0, lines[last].indexOf(";", lines[last].indexOf(";") + 1)); // truncated: 2 fields
    const text = windows1252(lines.join("\r\n") + "\r\n");
    const raw = Papa.parse<Record<string, string>>(original, { delimiter: ";", header: true, skipEmptyLines: true }).data;
    const aisne = raw.filter((r) => r[CODE].padStart(5, "0").startsWith("02")).length;

    let database = "";
    let quarantined: QuarantineRow[] = [];
    beforeAll(async () => {
      ({ config: { paths: { database } } } = await load(tempMirror({ [FILE]: text }), [conseillersNumeriques]));
      quarantined = await quarantine(database, "conseillers-numeriques");
    });

    fault("conseillers-numeriques", "codes that lost their leading zero are re-padded (Aisne found again)", async () => {
      expect(aisne).toBe(30);
      const [{ n }] = await query<{ n: number }>(database, `SELECT count(*)::INTEGER AS n FROM lieux_aide WHERE source = 'conseillers-numeriques' AND code_insee LIKE '02%'`);
      expect(n).toBe(aisne);
      return { outcome: "corrected", resources: await resourceCounts(database) };
    });

    fault("conseillers-numeriques", "codes written 1053.0 and =\"1053\" by a spreadsheet", async () => {
      const codes = await query<{ code_insee: string }>(database, `SELECT code_insee FROM lieux_aide WHERE id IN (SELECT id FROM lieux_aide WHERE source = 'conseillers-numeriques') AND code_insee IN ($a, $b)`, {
        a: ain[0].padStart(5, "0"),
        b: ain[1].padStart(5, "0")
      });
      expect(codes.length).toBeGreaterThanOrEqual(2);
      expect(quarantined.filter((q) => q.line === 2 || q.line === 3)).toEqual([]);
      return { outcome: "corrected" };
    });

    fault("conseillers-numeriques", "Windows-1252 file: accented names and the ’ column read as published", async () => {
      const accented = [...new Set(raw.map((r) => r["Raison sociale"].trim()).filter((n) => /[^\x00-\x7f]/.test(n)))];
      expect(accented.length).toBeGreaterThan(0);
      const names = new Set((await query<{ nom: string }>(database, `SELECT nom FROM lieux_aide WHERE source = 'conseillers-numeriques'`)).map((r) => r.nom));
      expect(accented.filter((n) => !names.has(n))).toEqual([]);
      return { outcome: "loaded" };
    });

    fault("conseillers-numeriques", "unreadable commune code", async () => {
      expect(quarantined).toContainEqual({ ...where, line: 4, column: CODE, value: "CARPENTRAS", reason: "code commune mal formé" });
      return { outcome: "quarantined" };
    });

    fault("conseillers-numeriques", "file truncated mid-row", async () => {
      expect(quarantined).toContainEqual(expect.objectContaining({ ...where, line: last + 1, column: null, reason: `ligne tronquée ou incomplète : 2 champs au lieu de ${header.length}` }));
      const own = (await resourceCounts(database)).find((r) => r.resource === "anct-conseillers-numeriques-structures")!;
      expect(own.rows_in).toBe(raw.length);
      return { outcome: "quarantined", resources: [own] };
    });
  });
});
