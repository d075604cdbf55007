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
});
