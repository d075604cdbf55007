import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import type { TestProject } from "vitest/node";
import { readConfig } from "../loaders/io/config.ts";
import { runExport } from "../loaders/outputs/exports/index.ts";
import { runLoad } from "../loaders/ingest/load.ts";
import { sources } from "../loaders/ingest/sources/index.ts";
import { postLoadSteps } from "../loaders/cli/steps.ts";
import { mirrorDir, tempDir } from "./helpers.ts";

/**
 * Builds the full database from the mirror once for the whole suite, and exports Creuse and Aisne from it:
 * the acceptance tests read these instead of loading everything again in every file.
 */
export default async function setup(project: TestProject) {
  const root = runTempRoot();
  const config = readConfig({ mirror: mirrorDir, data: tempDir("sdin-suite-"), exports: tempDir("sdin-suite-exports-"), dept: "23,02" }, {});
  const started = Date.now();
  await runLoad(config, sources, { postLoad: postLoadSteps, log: () => {} });
  await runExport(config);
  process.stderr.write(`base de test construite et exportée en ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
  project.provide("database", config.paths.database);
  project.provide("exportsDir", config.paths.exportsDir);
  project.provide("dataDir", config.paths.dataDir);
  return () => {
    if (!process.env.SDIN_KEEP_TEST_TMP) rmSync(root, { recursive: true, force: true });
  };
}

/**
 * One temporary folder for the whole run, removed when it ends: every folder the tests, the code they run and the
 * processes they start make in the system's temporary folder (through TMPDIR, which the test processes inherit) goes
 * in it. Without it, each run left ~0.6 GB behind (databases, exports, mirrors). `SDIN_KEEP_TEST_TMP=1` keeps it.
 */
function runTempRoot(): string {
  const root = mkdtempSync(path.join(tmpdir(), "sdin-tests-"));
  process.env.TMPDIR = root;
  if (process.env.SDIN_KEEP_TEST_TMP) process.stderr.write(`dossier temporaire des tests gardé : ${root}\n`);
  return root;
}

declare module "vitest" {
  export interface ProvidedContext {
    database: string;
    exportsDir: string;
    dataDir: string;
  }
}
