import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, inject, it } from "vitest";
import { readConfig } from "../loaders/io/config.ts";
import { runExportParallel, splitBalanced } from "../loaders/outputs/exports/parallel.ts";
import { tempDir } from "./helpers.ts";

describe("exports on several processes", () => {
  it("splits the départements into disjoint lists of close weight, each in the input order", () => {
    // Weights 9, 7, 4, 3, 1 on two lists: 9 → A, 7 → B, 4 → B (11), 3 → A (12), 1 → B (12).
    const weights: Record<string, number> = { "01": 3, "02": 9, "03": 1, "04": 7, "05": 4 };
    const lists = splitBalanced(Object.keys(weights), (c) => weights[c], 2);
    expect(lists).toEqual([["01", "02"], ["03", "04", "05"]]);
    expect(splitBalanced(["23"], () => 1, 2)).toEqual([["23"]]);
    expect(splitBalanced(["23", "02"], () => 1, 1)).toEqual([["23", "02"]]);
  });

  it("writes, on two processes, the same tables as the one-process export of the suite", async () => {
    const exportsDir = tempDir("sdin-export-parallel-");
    const config = readConfig({ data: inject("dataDir"), exports: exportsDir, dept: "23,02" }, {});
    await runExportParallel(config, { documents: false, processes: 2, log: () => {} });
    for (const code of ["23", "02"]) {
      for (const file of ["communes.csv", "epci.csv", "lieux.csv", "plan-itinerance.csv", "communes.geojson"]) {
        const parallel = readFileSync(path.join(exportsDir, code, file), "utf8");
        expect(parallel, `${code}/${file}`).toBe(readFileSync(path.join(inject("exportsDir"), code, file), "utf8"));
      }
    }
  }, 300_000);
});
