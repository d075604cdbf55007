import { existsSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, inject, it } from "vitest";
import { readConfig } from "../loaders/io/config.ts";
import { childHeapFlags, largestFirst, runExportParallel } from "../loaders/outputs/exports/parallel.ts";
import { tempDir } from "./helpers.ts";

describe("exports on several processes", () => {
  it("queues the départements largest first, equal weights in code order", () => {
    const weights: Record<string, number> = { "01": 3, "02": 9, "03": 1, "04": 7, "05": 3 };
    expect(largestFirst(Object.keys(weights), (c) => weights[c])).toEqual(["02", "04", "01", "05", "03"]);
    expect(largestFirst(["23"], () => 1)).toEqual(["23"]);
  });

  it("gives each export process 512 MB semi-spaces and 1 GB of initial old generation, less on a machine with less than 8 GB", () => {
    expect(childHeapFlags(24 * 2 ** 30)).toEqual(["--max-semi-space-size=512", "--initial-old-space-size=1024"]);
    expect(childHeapFlags(8 * 2 ** 30)).toEqual(["--max-semi-space-size=512", "--initial-old-space-size=1024"]);
    expect(childHeapFlags(4 * 2 ** 30)).toEqual(["--max-semi-space-size=256", "--initial-old-space-size=512"]);
  });

  // Each child process takes one: the larger (02) first.
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

  it("fails with a child's exit code when a child process fails, after the other child has written its share", async () => {
    // A child that fails on the Aisne and runs the real export process otherwise.
    const script = path.join(tempDir("sdin-export-failing-child-"), "failing-child.mjs");
    const worker = new URL("../loaders/outputs/exports/worker.ts", import.meta.url).href;
    writeFileSync(script, `if (JSON.parse(process.argv[2]).first === "02") process.exit(3);\nawait import(${JSON.stringify(worker)});\n`);
    const exportsDir = tempDir("sdin-export-parallel-failure-");
    const config = readConfig({ data: inject("dataDir"), exports: exportsDir, dept: "23,02" }, {});
    await expect(runExportParallel(config, { documents: false, processes: 2, log: () => {}, childScript: script })).rejects.toThrow(
      "exports dans un processus enfant (départements 02 et suivants) : échec du processus (code 3)"
    );
    // The Creuse, the other child's share, is complete; the failed child's département was never written.
    expect(readFileSync(path.join(exportsDir, "23", "communes.csv"), "utf8")).toBe(readFileSync(path.join(inject("exportsDir"), "23", "communes.csv"), "utf8"));
    expect(existsSync(path.join(exportsDir, "02"))).toBe(false);
  }, 300_000);
});
