import { mkdirSync, readdirSync, symlinkSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CogIndex } from "../loaders/ingest/cog.ts";
import type { Database } from "../loaders/io/db.ts";
import { arcepEligibilite, mergeEligibilite, parseEligibilite } from "../loaders/ingest/sources/arcep-eligibilite.ts";
import { parseCsv } from "../loaders/io/text.ts";
import { inputDir, ledger, loadSources, mirrorDir, queryRows, tempDir } from "./helpers.ts";

const terrestreFixture = path.join(inputDir, "arcep", "commune_debit_terrestre.csv");

/** The shared mirror plus the current-edition fixture where the resource expects it (links, no copies). */
function mirrorWithCurrentEdition(): string {
  const dir = tempDir("sdin-mirror-");
  for (const entry of readdirSync(mirrorDir)) symlinkSync(path.join(mirrorDir, entry), path.join(dir, entry));
  mkdirSync(path.join(dir, "arcep-ma-connexion-internet"));
  symlinkSync(terrestreFixture, path.join(dir, "arcep-ma-connexion-internet", "commune_debit_terrestre.csv"));
  return dir;
}

const cog = new CogIndex(["23096", "23001", "23149", "23002", "23047", "02691"], [], [{ date: "2025-01-01", from: "23023", to: "23149", mod: "32" }]);
const header = "code_insee;nom_com;code_dep;code_reg;nbr;type;inel_hd;elig_hd05;elig_hd3;elig_bhd8;elig_thd30;elig_thd100;elig_thd1g;date";

function parse(text: string) {
  const l = ledger("arcep-eligibilite", "f.csv");
  const table = parseCsv(text, l, { delimiter: ";", headerContains: "code_insee" });
  return { ...parseEligibilite(table, l, cog, "f.csv"), ledger: l };
}

describe("class layouts", () => {
  it("turns exclusive classes into cumulative ones (2019 beta layout)", () => {
    // Guéret in the 2019 file: 40 ineligible, 3 520 best at 8 Mbit/s, 2 256 at 30, 4 663 at 1 Gbit/s (sum 10 479 = nbr).
    const text = "Version beta : …\n" + header.replace("elig_bhd8", "elig_hd8") + "\n" +
      "23096;Guéret;23;75;10479;logloc;40;0;0;3520;2256;0;4663;2019-09-30\n" +
      "23001;Ahun;23;75;922;logloc;0;0;0;599;323;0;0;2019-09-30\n" +
      "23002;Ajain;23;75;621;logloc;0;0;0;442;170;0;0;2019-09-30\n";
    const { rows, layout, ledger: l } = parse(text);
    expect(layout).toEqual({ classes: "exclusive", unit: "count" });
    expect(rows[0]).toEqual({
      code_insee: "23096", date: "2019-09-30", type: "logloc", nbr: 10479, inel_hd: 40,
      elig_hd05: 10439, elig_hd3: 10439, elig_bhd8: 10439, elig_thd30: 6919, elig_thd100: 4663, elig_thd1g: 4663
    });
    // Ajain's classes add up to 612, not 621: quarantined rather than stored.
    expect(l.quarantined.map((q) => [q.line, q.reason])).toEqual([[5, "classes de débit exclusives dont la somme (612) diffère de nbr (621)"]]);
    expect([l.rowsIn, l.rowsLoaded]).toEqual([3, 2]);
  });

  it("keeps cumulative classes and quarantines a row that is not monotonic", () => {
    const { rows, layout, ledger: l } = parse(
      header + "\n" +
        "23096;Guéret;23;75;10650;all;12;10638;10630;10590;10120;9980;9950;2025-06-30\n" +
        "23002;Ajain;23;75;600;all;0;600;598;590;300;450;280;2025-06-30\n"
    );
    expect(layout).toEqual({ classes: "cumulative", unit: "count" });
    expect(rows.map((r) => [r.code_insee, r.elig_thd30, r.elig_thd1g])).toEqual([["23096", 10120, 9950]]);
    expect(l.quarantined[0]).toMatchObject({ line: 3, column: "elig_hd05", value: "600;598;590;300;450;280" });
  });

  it("turns shares of nbr back into counts", () => {
    const { rows, layout } = parse(
      header + "\n" +
        "23096;Guéret;23;75;1000;all;0.01;0.99;0.98;0.95;0.9;0.8;0.755;2025-06-30\n" +
        "23001;Ahun;23;75;200;all;0;1;1;0.9;0.5;0.5;0.5;2025-06-30\n"
    );
    expect(layout).toEqual({ classes: "cumulative", unit: "fraction" });
    expect(rows.map((r) => [r.inel_hd, r.elig_hd05, r.elig_bhd8, r.elig_thd1g])).toEqual([[10, 990, 950, 755], [0, 200, 180, 100]]);
  });

  it("sums merged communes within a date and type", () => {
    const { rows } = parse(
      header + "\n" +
        "23149;Parsac-Rimondeix;23;75;540;all;0;540;538;530;470;460;455;2025-06-30\n" +
        "23023;Blaudeix;23;75;90;all;1;89;89;85;60;58;58;2025-06-30\n"
    );
    expect(mergeEligibilite(rows)).toEqual([{
      code_insee: "23149", date: "2025-06-30", type: "all", nbr: 630, inel_hd: 1,
      elig_hd05: 629, elig_hd3: 627, elig_bhd8: 615, elig_thd30: 530, elig_thd100: 518, elig_thd1g: 513
    }]);
  });
});

describe("arcep_eligibilite loaded from the mirror (2019) and the current-edition fixture", () => {
  let db: Database;
  beforeAll(async () => ({ db } = await loadSources([arcepEligibilite], { mirror: mirrorWithCurrentEdition() })));
  afterAll(() => db?.close());

  const q = <T>(sql: string) => queryRows<T>(db.connection, sql);
  const columns = "code_insee, date, type, nbr, inel_hd, elig_hd05, elig_hd3, elig_bhd8, elig_thd30, elig_thd100, elig_thd1g";

  it("stores 2019 Creuse communes as cumulative counts, read by hand from the file", async () => {
    const rows = await q<Record<string, unknown>>(
      `SELECT ${columns} FROM arcep_eligibilite WHERE date = '2019-09-30' AND code_insee IN ('23096', '23149', '23001') ORDER BY code_insee`
    );
    expect(rows).toEqual([
      // Ahun: 922;logloc;0;0;0;599;323;0;0 → ≥ 8 Mbit/s 922, ≥ 30 Mbit/s 323.
      { code_insee: "23001", date: "2019-09-30", type: "logloc", nbr: 922, inel_hd: 0, elig_hd05: 922, elig_hd3: 922, elig_bhd8: 922, elig_thd30: 323, elig_thd100: 0, elig_thd1g: 0 },
      // Guéret: 10479;logloc;40;0;0;3520;2256;0;4663.
      { code_insee: "23096", date: "2019-09-30", type: "logloc", nbr: 10479, inel_hd: 40, elig_hd05: 10439, elig_hd3: 10439, elig_bhd8: 10439, elig_thd30: 6919, elig_thd100: 4663, elig_thd1g: 4663 },
      // Parsac-Rimondeix 415;…;286;129 + Blaudeix (23023, merged in 2025) 63;…;63;0.
      { code_insee: "23149", date: "2019-09-30", type: "logloc", nbr: 478, inel_hd: 0, elig_hd05: 478, elig_hd3: 478, elig_bhd8: 478, elig_thd30: 129, elig_thd100: 0, elig_thd1g: 0 }
    ]);
  });

  it("keeps every Creuse premise of 2019", async () => {
    const [row] = await q<{ communes: number; nbr: number }>(
      `SELECT count(*)::INTEGER AS communes, sum(nbr)::INTEGER AS nbr FROM arcep_eligibilite e JOIN communes c USING (code_insee)
       WHERE c.code_departement = '23' AND e.date = '2019-09-30'`
    );
    // awk -F';' 'NR>2 && $1 ~ /^23/ {s+=$5} END {print s}' commune-debit-beta.csv → 87 175 over 258 rows (255 communes today).
    expect(row).toEqual({ communes: 255, nbr: 87175 });
  });

  it("loads the current edition next to 2019", async () => {
    const rows = await q<Record<string, unknown>>(
      `SELECT ${columns} FROM arcep_eligibilite WHERE date = '2025-06-30' ORDER BY code_insee`
    );
    expect(rows.map((r) => r.code_insee)).toEqual(["02691", "23001", "23096", "23149"]);
    // Fixture: 23149 (540) + 23023 (90).
    expect(rows[3]).toMatchObject({ type: "all", nbr: 630, elig_bhd8: 615, elig_thd1g: 513 });
  });

  it("balances both files' ledgers", async () => {
    const rows = await q<{ id: string; rows_in: number; rows_loaded: number; rows_quarantined: number }>(
      `SELECT id, rows_in, rows_loaded, rows_quarantined FROM provenance WHERE source = 'arcep-eligibilite' ORDER BY id`
    );
    const reasons = await q<{ file: string; line: number; column: string; value: string; reason: string }>(
      `SELECT file, line, "column", value, reason FROM quarantine WHERE source = 'arcep-eligibilite' ORDER BY file, line`
    );
    // 2019: 35 359 rows, every one adds up to nbr; only Saint-Barthélemy and Saint-Martin (977, 978: overseas
    // collectivities, outside the départements' COG) are quarantined (`grep -n '^97[78]' commune-debit-beta.csv`).
    expect(reasons.filter((r) => r.file === "commune-debit-beta.csv").map((r) => [r.line, r.value, r.reason])).toEqual([
      [18243, "97801", "code commune absent du COG et de ses mouvements"],
      [34993, "97701", "code commune absent du COG et de ses mouvements"]
    ]);
    expect(rows).toEqual([
      { id: "arcep-ma-connexion-internet-2019", rows_in: 35359, rows_loaded: 35357, rows_quarantined: 2 },
      { id: "arcep-ma-connexion-internet-terrestre", rows_in: 7, rows_loaded: 5, rows_quarantined: 2 }
    ]);
    expect(reasons.filter((r) => r.file === "commune_debit_terrestre.csv").map((r) => [r.line, r.column])).toEqual([[7, "elig_hd05"], [8, "elig_bhd8"]]);
  });
});
