import { spawn } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { describe, expect } from "vitest";
import { readConfig } from "../../loaders/io/config.ts";
import { withDatabase } from "../../loaders/io/db.ts";
import { projectRoot } from "../../loaders/io/paths.ts";
import { writeParameters } from "../../loaders/diagnostic/parameters.ts";
import { diagnosticStamp, stampFile, writeStamp } from "../../loaders/outputs/exports/stamp.ts";
import { buildSite, checkSelfContained } from "../../loaders/outputs/site/build.ts";
import { mirrorDir } from "../helpers.ts";
import { writeSyntheticDatabase } from "../site/fixture.ts";
import { fault } from "./harness.ts";
import { faultDir } from "./tmp.ts";

/**
 * The site build (issue 14, defects 1, 4 and 8): a build killed at any moment leaves the previous site whole,
 * exports computed from another run of the diagnostic are refused, and the offline check reads the site's code
 * and markup, not the data it shows. One synthetic database of the Creuse (test/site/fixture.ts) with the
 * parameters a load stores, one exports folder, one site folder, shared by the cases in order.
 */
const CLI = path.join(projectRoot, "bin", "sdin.js");
const HOURS_WITH_HOST = "Lu-Ve 09:00-12:00 (planning : https://storage.googleapis.com/agenda-mediation/planning.pdf)";
const MARK = "<!-- site précédent -->";

interface Workspace {
  dataDir: string;
  exportsDir: string;
  site: string;
}

let workspace: Promise<Workspace> | null = null;

/** The database, an exports folder stamped with its computation, and a first good site with a marked index.html. */
function prepared(): Promise<Workspace> {
  workspace ??= (async () => {
    const dataDir = faultDir("sdin-fault-site-data-");
    const exportsDir = faultDir("sdin-fault-site-exports-");
    const site = path.join(faultDir("sdin-fault-site-"), "dist");
    const database = path.join(dataDir, "sdin.duckdb");
    await writeSyntheticDatabase(database, mirrorDir, ["23"]);
    await withDatabase(database, {}, async ({ connection }) => {
      await writeParameters(connection, { thresholdKm: 10, weights: { no_thd: 1, no_4g: 1, older_65: 1, low_diploma: 1, poverty: 1 } });
      // A place whose opening hours mention a cloud storage host: a value shown as text, not a resource loaded.
      await connection.run(`UPDATE diagnostic_lieux SET horaires = '${HOURS_WITH_HOST}' WHERE id = (SELECT min(id) FROM diagnostic_lieux)`);
    });
    await exportFolder(database, exportsDir, "351");
    await buildSite(config(dataDir, exportsDir), { outputDir: site, log: () => {} });
    writeFileSync(path.join(site, "index.html"), readFileSync(path.join(site, "index.html"), "utf8") + MARK);
    return { dataDir, exportsDir, site };
  })();
  return workspace;
}

const config = (dataDir: string, exportsDir: string) => readConfig({ data: dataDir, exports: exportsDir, dept: "23" }, {});

/** What `sdin export` leaves: the files and the stamp of the database's current computation. */
async function exportFolder(database: string, exportsDir: string, beyondReach: string): Promise<void> {
  const dir = path.join(exportsDir, "23");
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, "communes.csv"), `code_insee;population_hors_portee\n23001;${beyondReach}\n`);
  await withDatabase(database, { readOnly: true }, async ({ connection }) => writeStamp(dir, await diagnosticStamp(connection)));
}

/** Runs `sdin build` in a child process, killed with SIGKILL once `killWhen` says so. */
function killedBuild({ dataDir, exportsDir, site }: Workspace, killWhen: (pid: number, elapsedMs: number) => boolean): Promise<{ signal: NodeJS.Signals | null; code: number | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, "--data", dataDir, "--exports", exportsDir, "build", "--dept", "23", "--sortie", site], {
      cwd: projectRoot,
      env: { ...process.env, SDIN_VERBOSE: "" },
      stdio: ["ignore", "ignore", "pipe"]
    });
    let stderr = "";
    child.stderr.setEncoding("utf8");
    child.stderr.on("data", (chunk: string) => (stderr += chunk));
    const started = Date.now();
    const timer = setInterval(() => {
      if (child.exitCode === null && killWhen(child.pid!, Date.now() - started)) child.kill("SIGKILL");
    }, 50);
    child.on("error", reject);
    child.on("close", (code, signal) => {
      clearInterval(timer);
      resolve({ code, signal, stderr });
    });
  });
}

const staging = (site: string, pid: number) => `${site}.building-${pid}`;

describe("site build: all or nothing", () => {
  fault("site", "`sdin build` killed (kill -9) early, mid-build and just before the swap: the previous dist/ is whole; the next build replaces it and clears the leftovers", async () => {
    const ws = await prepared();
    const previous = readFileSync(path.join(ws.site, "index.html"), "utf8");
    const moments: [string, (pid: number, ms: number) => boolean][] = [
      ["au démarrage", (_pid, ms) => ms > 1500],
      ["pendant la construction", (pid) => existsSync(path.join(staging(ws.site, pid), "_observablehq"))],
      ["juste avant l'échange", (pid) => existsSync(path.join(staging(ws.site, pid), "23", "index.html"))]
    ];
    for (const [moment, when] of moments) {
      const run = await killedBuild(ws, when);
      expect(run.signal, `${moment} : ${run.stderr}`).toBe("SIGKILL");
      expect(readFileSync(path.join(ws.site, "index.html"), "utf8"), moment).toBe(previous);
      expect(existsSync(path.join(ws.site, "23", "communes", "fiche.html")), moment).toBe(true);
    }
    // The next build takes over: the orphaned Framework process is stopped, the new site swapped in (the mark is
    // gone), and no staging or set-aside folder is left beside it.
    await buildSite(config(ws.dataDir, ws.exportsDir), { outputDir: ws.site, log: () => {} });
    expect(readFileSync(path.join(ws.site, "index.html"), "utf8")).not.toContain(MARK);
    expect(readdirSync(path.dirname(ws.site)).filter((name) => name !== "dist")).toEqual([]);
    writeFileSync(path.join(ws.site, "index.html"), readFileSync(path.join(ws.site, "index.html"), "utf8") + MARK);
    return { outcome: "refused" };
  }, 900_000);

  fault("site", "exports computed before `load --seuil 25`: the build refuses them and leaves the previous site; re-exported, they ship", async () => {
    const ws = await prepared();
    const database = path.join(ws.dataDir, "sdin.duckdb");
    const before = readFileSync(path.join(ws.site, "index.html"), "utf8");
    // The reload with another threshold records a new computation of the diagnostic in the database.
    await withDatabase(database, {}, ({ connection }) => writeParameters(connection, { thresholdKm: 25, weights: { no_thd: 1, no_4g: 1, older_65: 1, low_diploma: 1, poverty: 1 } }));
    await expect(buildSite(config(ws.dataDir, ws.exportsDir), { outputDir: ws.site, log: () => {} })).rejects.toThrow(
      /exports du département 23 périmés \(.*seuil 10 km.*base : seuil 25 km.*relancez « sdin export --dept 23 »/
    );
    expect(readFileSync(path.join(ws.site, "index.html"), "utf8")).toBe(before);
    expect(readFileSync(path.join(ws.site, "23", "exports", "communes.csv"), "utf8")).toContain("23001;351");
    // An export without a stamp (written by hand, or by an older sdin) cannot be vouched for either.
    rmSync(path.join(ws.exportsDir, "23", stampFile));
    await expect(buildSite(config(ws.dataDir, ws.exportsDir), { outputDir: ws.site, log: () => {} })).rejects.toThrow("sans empreinte du calcul");
    // Exported again from the database as it is now, they ship.
    await exportFolder(database, ws.exportsDir, "0");
    await buildSite(config(ws.dataDir, ws.exportsDir), { outputDir: ws.site, log: () => {} });
    expect(readFileSync(path.join(ws.site, "23", "exports", "communes.csv"), "utf8")).toContain("23001;0");
    return { outcome: "refused" };
  }, 900_000);

  fault("site", "a place's opening hours mention storage.googleapis.com: the site builds (data is not code); a script from a CDN is refused", async () => {
    const ws = await prepared();
    const data = readdirSync(path.join(ws.site, "_file", "23", "data")).find((name) => name.startsWith("lieux."))!;
    expect(readFileSync(path.join(ws.site, "_file", "23", "data", data), "utf8")).toContain("storage.googleapis.com");
    await expect(checkSelfContained(ws.site)).resolves.toBeUndefined();
    // The same host loaded as code is refused, with the file named.
    const bad = faultDir("sdin-fault-site-cdn-");
    writeFileSync(path.join(bad, "index.html"), '<html><head><script type="module" src="https://storage.googleapis.com/lib/d3.js"></script></head><body><a href="https://storage.googleapis.com/x.pdf">planning</a></body></html>');
    await expect(checkSelfContained(bad)).rejects.toThrow("le site construit charge une ressource d'un autre hôte (« https://storage.googleapis.com/lib/d3.js ») dans index.html");
    writeFileSync(path.join(bad, "index.html"), '<html><body><script type="module">import {geoPath} from "https://cdn.jsdelivr.net/npm/d3-geo/+esm";</script></body></html>');
    await expect(checkSelfContained(bad)).rejects.toThrow("« https://cdn.jsdelivr.net/npm/d3-geo/+esm »");
    // A link to a page elsewhere (a source, a place's website) is not a resource the site loads.
    writeFileSync(path.join(bad, "index.html"), '<html><body><a href="https://storage.googleapis.com/x.pdf">planning</a></body></html>');
    await expect(checkSelfContained(bad)).resolves.toBeUndefined();
    return { outcome: "loaded" };
  }, 900_000);
});
