import { beforeAll, describe, expect } from "vitest";
import { populations } from "../../loaders/ingest/sources/populations.ts";
import { fault } from "./harness.ts";
import { tempMirror, mirrorText } from "./mirror.ts";
import { expectRefused, load, query, quarantine, resourceCounts, type QuarantineRow } from "./pipeline.ts";

/** Populations légales: `;`-separated, CRLF, UTF-8, 34 900 rows; one source of truth for commune populations. */
const FILE = "insee-populations-legales/donnees_communes.csv";
const NAME = "donnees_communes.csv";
const where = { source: "populations", file: NAME };
const original = mirrorText(FILE);
const ROWS = 34_900;

/** The file's lines (without their CRLF), header first. */
function lines(): string[] {
  return original.replace(/\r\n$/, "").split("\r\n");
}

/** Replaces the value of `column` on the row of commune `code`. */
function setCell(rows: string[], code: string, column: string, value: string): void {
  const header = rows[0].split(";");
  const i = rows.findIndex((l) => l.split(";")[6] === code);
  const cells = rows[i].split(";");
  cells[header.indexOf(column)] = value;
  rows[i] = cells.join(";");
}

describe("populations légales (CSV ;)", () => {
  fault("populations", "empty file", async () => {
    await expectRefused(tempMirror({ [FILE]: "" }), [populations], /^fichier vide/, { ...where, line: 1 });
    return { outcome: "refused" };
  });

  fault("populations", "HTML error page served instead of the CSV", async () => {
    const page = "<!DOCTYPE html>\n<html><head><title>503 Service Unavailable</title></head><body>Maintenance</body></html>\n";
    await expectRefused(tempMirror({ [FILE]: page }), [populations], /^page HTML reçue à la place des données/, { ...where, line: 1 });
    return { outcome: "refused" };
  });

  fault("populations", "`,` instead of `;`", async () => {
    const commas = original.replace(/;/g, ",");
    await expectRefused(tempMirror({ [FILE]: commas }), [populations], /^colonne obligatoire absente \(séparateur ";" attendu, en-tête lu : "REG,Région,DEP/, {
      ...where,
      line: 1,
      column: "COM"
    });
    return { outcome: "refused" };
  });

  fault("populations", "required column renamed in a new vintage (PMUN → PMUN2024)", async () => {
    const renamed = original.replace("COM;Commune;PMUN;", "COM;Commune;PMUN2024;");
    await expectRefused(tempMirror({ [FILE]: renamed }), [populations], /^colonne obligatoire absente \(colonne voisine trouvée : "PMUN2024" — renommée dans un nouveau millésime \?\)/, {
      ...where,
      line: 1,
      column: "PMUN"
    });
    return { outcome: "refused" };
  });

  describe("row-level faults, all in one file (BOM, CRLF, extra column, duplicates, secrets, formatted numbers, lost zeros, truncation)", () => {
    let database = "";
    let quarantined: QuarantineRow[] = [];
    const rows = lines();
    // An extra column at the end of every line (a new vintage adding a field).
    rows[0] += ";PMUN_ANCIEN";
    for (let i = 1; i < rows.length; i++) rows[i] += ";0";
    setCell(rows, "23001", "PMUN", " 1 394 "); // formatted number (Ahun, 1 394)
    setCell(rows, "23002", "PMUN", "s"); // secret population: unusable, quarantined
    setCell(rows, "23003", "PCAP", "nd"); // missing value in an optional figure
    setCell(rows, "23003", "PTOT", "-");
    setCell(rows, "23004", "PCAP", "");
    setCell(rows, "01001", "COM", "1001"); // code without its leading zero
    const gueret = rows.find((l) => l.split(";")[6] === "23096")!;
    const last = rows.pop()!;
    rows.push(gueret); // duplicated key: line 34 901
    const cells = last.split(";");
    rows.push([...cells.slice(0, 8), cells[8].slice(0, 2)].join(";")); // cut inside PMUN: line 34 902, 9 fields
    const text = "\ufeff" + rows.join("\r\n"); // BOM, CRLF, no final line end (cut)

    beforeAll(async () => {
      const { config } = await load(tempMirror({ [FILE]: text }), [populations]);
      database = config.paths.database;
      quarantined = await quarantine(database, "populations");
    });

    const population = async (code: string) =>
      (await query<{ pmun: number; pcap: number | null; ptot: number | null }>(database, `SELECT pmun, pcap, ptot FROM population_legale WHERE code_insee = $code`, { code }))[0];

    fault("populations", "BOM, CRLF and an extra column: the file loads whole", async () => {
      const counts = await resourceCounts(database);
      const own = counts.find((c) => c.resource === "insee-populations-legales")!;
      expect(own.rows_in).toBe(ROWS + 1);
      expect(own.rows_loaded).toBe(ROWS + 1 - 3);
      expect(await population("23096")).toEqual({ pmun: 12955, pcap: 629, ptot: 13584 });
      return { outcome: "loaded", resources: counts };
    });

    fault("populations", "formatted number \" 1 394 \"", async () => {
      expect((await population("23001")).pmun).toBe(1394);
      return { outcome: "corrected" };
    });

    fault("populations", "secret or missing values (s, nd, -, empty)", async () => {
      expect(quarantined).toContainEqual({ ...where, line: rowLine("23002"), column: "PMUN", value: "s", reason: "population municipale illisible" });
      expect(await population("23002")).toBeUndefined();
      expect(await population("23003")).toEqual({ pmun: 144, pcap: null, ptot: null });
      expect((await population("23004")).pcap).toBeNull();
      return { outcome: "quarantined" };
    });

    fault("populations", "INSEE code without its leading zero (1001)", async () => {
      expect(await population("01001")).toEqual({ pmun: 860, pcap: 16, ptot: 876 });
      return { outcome: "corrected" };
    });

    fault("populations", "duplicated key: a commune listed twice is not counted twice", async () => {
      expect(quarantined.filter((q) => q.line === ROWS + 1)).toEqual([
        { ...where, line: ROWS + 1, column: "COM", value: "23096", reason: expect.stringMatching(/en double/) }
      ]);
      expect((await population("23096")).pmun).toBe(12955);
      return { outcome: "quarantined" };
    });

    fault("populations", "file truncated mid-row", async () => {
      const cut = quarantined.find((q) => q.line === ROWS + 2)!;
      expect(cut).toMatchObject({ ...where, column: null, reason: "ligne tronquée ou incomplète : 9 champs au lieu de 12" });
      expect(quarantined).toHaveLength(3);
      return { outcome: "quarantined" };
    });

    /** 1-based line of a commune's row in the faulty file. */
    function rowLine(code: string): number {
      return rows.findIndex((l) => l.split(";")[6] === code) + 1;
    }
  });
});
