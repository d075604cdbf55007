import { beforeAll, describe, expect } from "vitest";
import { populations } from "../../loaders/ingest/sources/populations.ts";
import { createRequire } from "node:module";
import { fault } from "./harness.ts";
import { tempMirror, mirrorText } from "./mirror.ts";
import { SourceError } from "../../loaders/io/errors.ts";
import { dataDirWithGoodDatabase, expectGoodDatabaseIntact, expectRefused, load, located, query, quarantine, resourceCounts, type QuarantineRow } from "./pipeline.ts";

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

  describe("row-level faults, all in one file (BOM, CRLF, extra column, duplicates, missing optional figures, formatted numbers, lost zeros)", () => {
    let database = "";
    let quarantined: QuarantineRow[] = [];
    const rows = lines();
    // An extra column at the end of every line (a new vintage adding a field).
    rows[0] += ";PMUN_ANCIEN";
    for (let i = 1; i < rows.length; i++) rows[i] += ";0";
    setCell(rows, "23001", "PMUN", " 1 394 "); // formatted number (Ahun, 1 394)
    setCell(rows, "23003", "PCAP", "nd"); // missing value in an optional figure
    setCell(rows, "23003", "PTOT", "-");
    setCell(rows, "23004", "PCAP", "");
    setCell(rows, "01001", "COM", "1001"); // code without its leading zero
    const gueret = rows.find((l) => l.split(";")[6] === "23096")!;
    rows.push(gueret); // duplicated key, same figures: line 34 902
    const text = "\ufeff" + rows.join("\r\n"); // BOM, CRLF, no final line end
    let log = "";

    beforeAll(async () => {
      const run = await load(tempMirror({ [FILE]: text }), [populations]);
      database = run.config.paths.database;
      log = run.log;
      quarantined = await quarantine(database, "populations");
    });

    const population = async (code: string) =>
      (await query<{ pmun: number; pcap: number | null; ptot: number | null }>(database, `SELECT pmun, pcap, ptot FROM population_legale WHERE code_insee = $code`, { code }))[0];

    fault("populations", "BOM, CRLF and an extra column: the file loads whole", async () => {
      const counts = await resourceCounts(database);
      const own = counts.find((c) => c.resource === "insee-populations-legales")!;
      expect(own.rows_in).toBe(ROWS + 1);
      expect(own.rows_loaded).toBe(ROWS);
      expect(await population("23096")).toEqual({ pmun: 12955, pcap: 629, ptot: 13584 });
      return { outcome: "loaded", resources: counts };
    });

    fault("populations", "formatted number \" 1 394 \"", async () => {
      expect((await population("23001")).pmun).toBe(1394);
      return { outcome: "corrected" };
    });

    fault("populations", "missing values in optional figures (nd, -, empty)", async () => {
      expect(await population("23003")).toEqual({ pmun: 144, pcap: null, ptot: null });
      expect((await population("23004")).pcap).toBeNull();
      return { outcome: "corrected" };
    });

    fault("populations", "INSEE code without its leading zero (1001)", async () => {
      expect(await population("01001")).toEqual({ pmun: 860, pcap: 16, ptot: 876 });
      return { outcome: "corrected" };
    });

    fault("populations", "duplicated key: a commune listed twice is not counted twice", async () => {
      expect(quarantined.filter((q) => q.line === ROWS + 2)).toEqual([
        { ...where, line: ROWS + 2, column: "COM", value: "23096", reason: expect.stringMatching(/en double/) }
      ]);
      expect((await population("23096")).pmun).toBe(12955);
      return { outcome: "quarantined" };
    });

    fault("populations", "the load ends with one line per source that quarantined rows: count and most frequent reason", async () => {
      expect(quarantined).toHaveLength(1);
      expect(log).toContain("quarantaine : populations — 1 ligne ; motif le plus fréquent (1) : code commune en double dans le fichier (déjà ligne 7714)");
      // The referential sets aside the overseas collectivities (975, 977, 978, 98x) of the package's communes,
      // départements and régions files: counted here from those files.
      const data = (name: string) => createRequire(import.meta.url)(`@etalab/decoupage-administratif/data/${name}`) as { code: string; departement?: string; zone?: string }[];
      const overseas = (code: string) => /^(975|977|978|98)/.test(code);
      const outside =
        data("communes.json").filter((c) => overseas(c.departement!)).length + data("departements.json").filter((d) => overseas(d.code)).length + data("regions.json").filter((r) => r.zone === "com").length;
      expect(log).toMatch(new RegExp(`^quarantaine : referentiel — ${outside} lignes ; motif le plus fréquent \\(${outside}\\) : collectivité d'outre-mer hors du champ départemental$`, "m"));
      return { outcome: "quarantined" };
    });

  });

  fault("populations", "a key twice with different figures (Guéret 99 999 before the real row): the load stops naming both lines", async () => {
    const rows = lines();
    const real = rows.findIndex((l) => l.split(";")[6] === "23096");
    const fake = rows[real].replace(";12955;629;13584", ";99999;629;100628");
    rows.splice(real, 0, fake); // the fake row first: line 7714, the real one line 7715
    await expectRefused(
      tempMirror({ [FILE]: rows.join("\r\n") + "\r\n" }),
      [populations],
      /^code commune 23096 en double avec des effectifs différents : ligne 7714 \(PMUN 99999, PCAP 629, PTOT 100628\) et ligne 7715 \(PMUN 12955, PCAP 629, PTOT 13584\)/,
      { ...where, line: 7715, column: "COM" }
    );
    return { outcome: "refused" };
  });

  describe("implausible counts, a missing commune and a truncated last row: each row quarantined with its reason, the load refused", () => {
    const rows = lines();
    setCell(rows, "23001", "PMUN", "1.394"); // a dot grouping thousands, or a decimal: never read as 1
    setCell(rows, "23002", "PMUN", "s"); // secret: unusable
    setCell(rows, "23003", "PMUN", "144.7"); // a decimal: never rounded to 145
    setCell(rows, "23004", "PTOT", "99999999999"); // beyond any INTEGER
    setCell(rows, "23096", "PMUN", "-12955"); // negative
    rows.splice(rows.findIndex((l) => l.split(";")[6] === "23050"), 1); // La Chapelle-Baloue left out
    const cells = rows.pop()!.split(";");
    rows.push([...cells.slice(0, 8), cells[8].slice(0, 2)].join(";")); // cut inside PMUN: 9 fields
    let message = "";

    beforeAll(async () => {
      const dataDir = await dataDirWithGoodDatabase();
      const error = await load(tempMirror({ [FILE]: rows.join("\r\n") }), [populations], { dataDir }).then(() => null, (e: unknown) => e);
      expect(error).toBeInstanceOf(SourceError);
      message = (error as SourceError).message;
      await expectGoodDatabaseIntact(dataDir);
    });

    fault("populations", "negative, decimal, dotted and out-of-range counts quarantined with their reason, never rounded", () => {
      expect(message).toMatch(/^7 communes du référentiel sans population légale — /);
      expect(message).toContain("23001 (Ahun) : ligne 7622 en quarantaine, effectif non entier (décimale ou point séparateur de milliers ambigu)");
      expect(message).toContain("23002 (Ajain) : ligne 7623 en quarantaine, population municipale illisible");
      expect(message).toContain("23003 (Alleyrat) : ligne 7624 en quarantaine, effectif non entier");
      expect(message).toContain("23004 (Anzême) : ligne 7625 en quarantaine, effectif hors limites");
      expect(message).toContain("23096 (Guéret) : ligne 7713 en quarantaine, effectif négatif");
      expect(message.endsWith(` — ${located({ ...where, line: 7622, column: "PMUN" })}`), message).toBe(true);
      return { outcome: "refused" };
    });

    fault("populations", "a commune of the referential missing from the file is an error, not a silent fallback", () => {
      expect(message).toContain("23050 (La Chapelle-Baloue) : absente du fichier");
      return { outcome: "refused" };
    });

    fault("populations", "file truncated mid-row: its commune is missing, the load refused", () => {
      const last = cells[6];
      expect(message).toMatch(new RegExp(`${last} \\([^)]+\\) : absente du fichier`));
      return { outcome: "refused" };
    });
  });
});
