import { spawn } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";
import path from "node:path";
import { describe, expect } from "vitest";
import { hashFile } from "../../loaders/io/fetch.ts";
import { projectRoot } from "../../loaders/io/paths.ts";
import { fault } from "./harness.ts";
import { mirrorText, tempMirror } from "./mirror.ts";
import { mirrorLinks } from "../helpers.ts";
import { dataDirWithGoodDatabase, expectGoodDatabaseIntact, goodDatabase, load, query } from "./pipeline.ts";

/** The database side: `sdin load` killed half-way, and failing on bad input, over a previous good database. */
const CLI = path.join(projectRoot, "bin", "sdin.js");

interface Run {
  pid: number;
  code: number | null;
  signal: NodeJS.Signals | null;
  stderr: string;
}

/** Runs `sdin load`; `killWhen` may kill it (SIGKILL, as a crash or a power cut would) on what it has printed. */
function sdinLoad(dataDir: string, mirror: string, killWhen?: (stderr: string) => boolean): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, "load", "--data", dataDir], {
      cwd: projectRoot,
      env: { ...process.env, SDIN_MIRROR: mirror, SDIN_MIRROR_LINKS: mirrorLinks, SDIN_DEBUG: "" },
      stdio: ["ignore", "ignore", "pipe"]
    });
    let stderr = "";
    child.stderr.setEncoding("utf8");
    child.stderr.on("data", (chunk: string) => {
      stderr += chunk;
      if (killWhen?.(stderr) && child.exitCode === null) child.kill("SIGKILL");
    });
    child.on("error", reject);
    child.on("close", (code, signal) => resolve({ pid: child.pid!, code, signal, stderr }));
  });
}

describe("database: all or nothing", () => {
  fault("database", "load killed half-way: the previous database is whole and readable, the next run removes the half-built file", async () => {
    const dataDir = await dataDirWithGoodDatabase();
    const good = await goodDatabase();
    // Killed once it has started a source after the referential, i.e. while building its new database.
    const run = await sdinLoad(dataDir, tempMirror(), (stderr) => (stderr.match(/^chargement : /gm) ?? []).length >= 2);
    expect(run.signal, run.stderr).toBe("SIGKILL");
    expect(run.stderr).toMatch(/chargement : Référentiel[\s\S]*chargement : /);
    const abandoned = `sdin.duckdb.building-${run.pid}`;
    expect(readdirSync(dataDir)).toContain(abandoned);
    const database = path.join(dataDir, "sdin.duckdb");
    expect((await hashFile(database)).sha256).toBe(good.sha256);
    const [{ n }] = await query<{ n: number }>(database, `SELECT count(*)::INTEGER AS n FROM communes`);
    expect(n).toBe(good.communes);

    await load(tempMirror(), [], { dataDir });
    expect(readdirSync(dataDir).filter((name) => name.includes(".building-"))).toEqual([]);
    expect(existsSync(path.join(dataDir, abandoned))).toBe(false);
    return { outcome: "refused" };
  });

  fault("database", "`sdin load` failing on bad input: non-zero exit, one message naming source, file, line and column, previous database intact", async () => {
    const dataDir = await dataDirWithGoodDatabase();
    const FILE = "insee-populations-legales/donnees_communes.csv";
    const mirror = tempMirror({ [FILE]: mirrorText(FILE).replace("COM;Commune;PMUN;", "COM;Commune;PMUN2024;") });
    const run = await sdinLoad(dataDir, mirror);
    expect(run.code).toBe(1);
    expect(run.stderr.trimEnd().split("\n").at(-1)).toBe(
      `sdin : colonne obligatoire absente (colonne voisine trouvée : "PMUN2024" — renommée dans un nouveau millésime ?) — source populations, fichier donnees_communes.csv, ligne 1, colonne "PMUN"`
    );
    expect(run.stderr).not.toMatch(/\n\s+at /); // no stack trace
    await expectGoodDatabaseIntact(dataDir);
    return { outcome: "refused" };
  });
});
