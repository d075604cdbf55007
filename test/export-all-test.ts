import { spawnSync } from "node:child_process";
import { existsSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import Papa from "papaparse";
import { expect, inject, it } from "vitest";
import { openDatabase, queryRows } from "../loaders/io/db.ts";
import { projectRoot } from "../loaders/io/paths.ts";
import { tempDir } from "./helpers.ts";

// Acceptance of `--dept all`: the command as a user types it, on the suite's database (loaded once from the
// mirror by the global setup). The schéma documents are left out here (`--sans-documents`): writing 101 DOCX
// takes minutes, and the documents are tested on Creuse and Aisne elsewhere.
it("exports every département, whose commune rows add up to the referential", async () => {
  const dataDir = inject("dataDir");
  const exportsDir = tempDir("sdin-export-all-out-");
  const started = Date.now() - 1000;
  const run = spawnSync(process.execPath, ["bin/sdin.js", "export", "--dept", "all", "--sans-documents", "--data", dataDir, "--exports", exportsDir], {
    cwd: projectRoot,
    env: { ...process.env, SDIN_MIRROR: "" },
    encoding: "utf8",
    maxBuffer: 64 * 1024 * 1024
  });
  expect(run.status, run.stderr.slice(-3000)).toBe(0);
  process.stderr.write(`export --dept all --sans-documents : ${((Date.now() - started) / 1000).toFixed(1)} s\n`);

  const db = await openDatabase(path.join(dataDir, "sdin.duckdb"), { readOnly: true });
  try {
    const codes = (await queryRows<{ code: string }>(db.connection, "SELECT code_departement AS code FROM departements ORDER BY 1")).map((r) => r.code);
    const [{ n }] = await queryRows<{ n: number }>(db.connection, "SELECT count(*)::INTEGER AS n FROM communes");
    expect(codes.length).toBe(101);
    let rows = 0;
    const codesSeen = new Set<string>();
    for (const code of codes) {
      const file = path.join(exportsDir, code, "communes.csv");
      expect(existsSync(file), file).toBe(true);
      expect(statSync(file).mtimeMs, `${file} not rewritten by this run`).toBeGreaterThanOrEqual(started);
      const parsed = Papa.parse<Record<string, string>>(readFileSync(file, "utf8"), { header: true, skipEmptyLines: true });
      expect(parsed.errors).toEqual([]);
      for (const r of parsed.data) {
        expect(r.code_insee.startsWith(code), `${r.code_insee} in ${code}`).toBe(true);
        codesSeen.add(r.code_insee);
      }
      rows += parsed.data.length;
    }
    expect(rows).toBe(n);
    expect(codesSeen.size).toBe(n);
  } finally {
    db.close();
  }
}, 1_800_000);
