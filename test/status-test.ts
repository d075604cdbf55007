import { execFileSync } from "node:child_process";
import path from "node:path";
import { describe, expect, inject, it } from "vitest";
import { projectRoot } from "../loaders/io/paths.ts";

/** Runs the real command line against the suite's database. */
function status(dept: string) {
  const out = execFileSync(process.execPath, [path.join(projectRoot, "bin/sdin.js"), "status", "--dept", dept, "--json", "--data", inject("dataDir")], {
    encoding: "utf8",
    env: { ...process.env, SDIN_MIRROR: "" }
  });
  return JSON.parse(out);
}

describe("sdin status --json", () => {
  it.each([
    ["23", 255, 115527, 10, 21],
    ["02", 797, 523342, 20, 35]
  ])("summarises département %s", (dept, communes, population, epci, franceServices) => {
    const s = status(dept);
    expect(s).toMatchObject({ departement: dept, communes, population, epci, france_services: franceServices });
    expect(s.sources.length).toBeGreaterThan(20);
    for (const source of s.sources) {
      expect(source.rows_in).toBe(source.rows_loaded + source.rows_quarantined);
      if (source.status === "chargé") expect(source.sha256).toMatch(/^[0-9a-f]{64}$/);
    }
    expect(Object.keys(s.sources[0])).toEqual(expect.arrayContaining(["id", "vintage", "sha256", "rows_in", "rows_loaded", "rows_quarantined"]));
  });

  it("gives every loaded source of 23 its reference date and age at the load", () => {
    const s = status("23");
    const loadedOn = new Date(s.charge_le);
    expect(Number.isNaN(loadedOn.getTime())).toBe(false);
    for (const source of s.sources.filter((x: { status: string }) => x.status === "chargé")) {
      expect(source.date_reference, source.id).toMatch(/^\d{4}-\d{2}-\d{2}$/);
      expect(Number.isInteger(source.age_mois), source.id).toBe(true);
    }
    // Whole months from 31 March 2018 to the load date, counted by hand: a month counts once its day is reached.
    const months = (y: number, m: number, d: number) =>
      (loadedOn.getUTCFullYear() - y) * 12 + (loadedOn.getUTCMonth() + 1 - m) - (loadedOn.getUTCDate() < d ? 1 : 0);
    const arcep2018 = s.sources.filter((x: { id: string }) => x.id.startsWith("arcep-deploiements-2018t1"));
    expect(arcep2018.map((x: { id: string }) => x.id)).toEqual(["arcep-deploiements-2018t1-communes", "arcep-deploiements-2018t1-ftth-communes"]);
    for (const source of arcep2018) expect(source).toMatchObject({ date_reference: "2018-03-31", age_mois: months(2018, 3, 31), resolution: "miroir" });
    const eligibilite = s.sources.find((x: { id: string }) => x.id === "arcep-ma-connexion-internet-2019");
    // commune-debit-beta.csv: every row's `date` is 2019-09-30
    expect(eligibilite).toMatchObject({ date_reference: "2019-09-30", age_mois: months(2019, 9, 30) });
  });
});
