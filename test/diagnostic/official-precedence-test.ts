import { copyFileSync, mkdirSync, readdirSync, symlinkSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openDatabase, queryRows, type Database } from "../../loaders/io/db.ts";
import { runLoad } from "../../loaders/ingest/load.ts";
import { sources } from "../../loaders/ingest/sources/index.ts";
import { postLoadSteps } from "../../loaders/cli/steps.ts";
import { inputDir, mirrorDir, tempDir, testConfig } from "../helpers.ts";

/**
 * A mirror that also holds the official INSEE files the shared mirror lacks (our fixtures shaped like the
 * census bases and Filosofi's EPCI/DEP/REG files): the diagnostic must take them over the derived file and over
 * its own estimates, and compute shares from their counts.
 */
function mirrorWithOfficialFiles(): string {
  const dir = tempDir("sdin-mirror-officiel-");
  for (const name of readdirSync(mirrorDir)) {
    if (name !== "insee-filosofi-2021") symlinkSync(path.join(mirrorDir, name), path.join(dir, name));
  }
  mkdirSync(path.join(dir, "insee-rp-2021"));
  for (const zip of readdirSync(path.join(inputDir, "insee-rp")).filter((f) => f.endsWith(".zip"))) {
    copyFileSync(path.join(inputDir, "insee-rp", zip), path.join(dir, "insee-rp-2021", zip));
  }
  mkdirSync(path.join(dir, "insee-filosofi-2021"));
  symlinkSync(path.join(mirrorDir, "insee-filosofi-2021", "cc_filosofi_2021_COM.csv"), path.join(dir, "insee-filosofi-2021", "cc_filosofi_2021_COM.csv"));
  for (const level of ["EPCI", "DEP", "REG"]) {
    copyFileSync(path.join(inputDir, "filosofi", `cc_filosofi_2021_${level}.csv`), path.join(dir, "insee-filosofi-2021", `cc_filosofi_2021_${level}.csv`));
  }
  return dir;
}

describe("official INSEE bases take precedence", () => {
  let db: Database;
  beforeAll(async () => {
    const config = testConfig(mirrorWithOfficialFiles());
    await runLoad(config, sources, { postLoad: postLoadSteps, log: () => {} });
    db = await openDatabase(config.paths.database, { readOnly: true });
  });
  afterAll(() => db?.close());

  const commune = async (code: string) =>
    (await queryRows<Record<string, number | string | null>>(db.connection, `SELECT * FROM diagnostic_communes WHERE code_insee = $code`, { code }))[0];

  it("computes Guéret's shares from the census counts", async () => {
    const gueret = await commune("23096");
    // test/input/insee-rp fixtures, row 23096: P21_POP 13192.83, P21_POP65P 3789.5; NSCOL15P 9830.62 with
    // DIPLMIN 2504.66 + BEPC 577.71; C21_MEN 5696.64, MENPSEUL 2392.5888; POP80P 1094.95, POP80P_PSEUL 503.677;
    // ACT1564 5071.25, CHOM1564 659.2625
    expect(gueret.source_publics).toBe("insee");
    expect(gueret.pop_65_plus).toBeCloseTo(3789.5, 6);
    expect(gueret.part_65_plus).toBeCloseTo(3789.5 / 13192.83, 12);
    expect(gueret.part_peu_diplomes).toBeCloseTo((2504.66 + 577.71) / 9830.62, 12);
    expect(gueret.part_menages_seuls).toBeCloseTo(2392.5888 / 5696.64, 12);
    expect(gueret.part_80_plus_seuls).toBeCloseTo(503.677 / 1094.95, 12);
    expect(gueret.taux_chomage).toBeCloseTo(659.2625 / 5071.25, 12);
  });

  it("adds the counts of merged communes before dividing", async () => {
    // 23023 Blaudeix merged into 23149 Parsac: P21_POP 301.59 + 306.68, P21_POP65P 80.74 + 89.78
    const parsac = await commune("23149");
    expect(parsac.pop_rp).toBeCloseTo(608.27, 6);
    expect(parsac.part_65_plus).toBeCloseTo((80.74 + 89.78) / 608.27, 12);
  });

  it("falls back to the EPCI's published poverty rate and says so", async () => {
    // cc_filosofi_2021_EPCI.csv fixture: 200034825 (CA du Grand Guéret) TP6021 = 15,4
    const rows = await queryRows<{ taux: number; n: number }>(
      db.connection,
      `SELECT taux_pauvrete AS taux, count(*)::INTEGER AS n FROM diagnostic_communes
       WHERE epci_siren = '200034825' AND taux_pauvrete_source = 'epci' GROUP BY 1`
    );
    expect(rows).toHaveLength(1);
    expect(rows[0].taux).toBeCloseTo(0.154, 12);
    expect(rows[0].n).toBeGreaterThan(10);
    const [epci] = await queryRows<{ taux_pauvrete: number; taux_pauvrete_source: string }>(
      db.connection,
      `SELECT taux_pauvrete, taux_pauvrete_source FROM diagnostic_epci WHERE epci_siren = '200034825'`
    );
    expect(epci).toEqual({ taux_pauvrete: expect.closeTo(0.154, 12), taux_pauvrete_source: "epci" });
  });

  it("labels the shares with the census first, and says which communes still come from the derived file", async () => {
    const [row] = await queryRows<{ source: string; millesime: string; melange_millesimes: string; date_reference: string }>(
      db.connection,
      `SELECT source, millesime, melange_millesimes, date_reference FROM diagnostic_sources WHERE indicateur = 'part_65_plus'`
    );
    expect(row.source).toMatch(/^INSEE, Data for Good/);
    expect(row.millesime).toMatch(/^RP 2021/);
    // The census fixtures hold a few communes only: the others keep the derived 2017 rates, and the row says so.
    const [{ insee, derive }] = await queryRows<{ insee: number; derive: number }>(
      db.connection,
      `SELECT count(*) FILTER (WHERE source_publics = 'insee')::INTEGER AS insee, count(*) FILTER (WHERE source_publics = 'derive')::INTEGER AS derive FROM diagnostic_communes`
    );
    expect(row.melange_millesimes).toBe(`recensement INSEE pour ${insee} communes, fichier dérivé (RP 2017) pour ${derive} communes`);
    expect(row.date_reference).toBe("2017-01-01");
  });
});
