import { spawn, spawnSync } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { mkdir, rename, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { beforeAll, describe, expect } from "vitest";
import { readConfig } from "../../loaders/io/config.ts";
import { createTable, insertRows, openDatabase } from "../../loaders/io/db.ts";
import { fileFailure } from "../../loaders/io/errors.ts";
import { acquire, RefusedFileError } from "../../loaders/io/fetch.ts";
import { contours } from "../../loaders/ingest/sources/contours.ts";
import { populations, populationsResource } from "../../loaders/ingest/sources/populations.ts";
import { removeAbandonedPartials, removeStaleLock, runExport, withExportLock } from "../../loaders/outputs/exports/index.ts";
import { mirrorDir } from "../helpers.ts";
import { fault } from "./harness.ts";
import { mirrorBytes, mirrorText, tempMirror } from "./mirror.ts";
import { expectRefused, goodDatabase, load, quarantine, resourceCounts } from "./pipeline.ts";
import { faultDir } from "./tmp.ts";

const FILE = populationsResource.path;
const where = { source: "populations", file: "donnees_communes.csv" };

/** A temporary mirror whose populations file is replaced by what `plant` puts at its path. */
function mirrorWith(plant: (file: string) => void): { mirror: string; file: string } {
  const mirror = tempMirror({ [FILE]: "" });
  const file = path.join(mirror, FILE);
  rmSync(file);
  plant(file);
  return { mirror, file };
}

/** Loads the populations from `mirror` (without the referential: the file is refused before any row). */
async function refusal(mirror: string): Promise<Error> {
  const error = await load(mirror, [populations], { withReferentiel: false }).then(() => null, (e: unknown) => e);
  expect(error, "the load should have failed").toBeInstanceOf(Error);
  return error as Error;
}

describe("a mirror that cannot be escaped", () => {
  fault("mirror", "mirror file linked to /etc/passwd: refused naming the mirror path, nothing of the target echoed", async () => {
    const { mirror, file } = mirrorWith((f) => symlinkSync("/etc/passwd", f));
    const error = await refusal(mirror);
    expect(error).toBeInstanceOf(RefusedFileError);
    expect(error.message).toBe(`fichier refusé : ${file} est un lien qui sort du dossier ${mirror} (cible hors miroir ; ajoutez son dossier à SDIN_MIRROR_LINKS si ce lien est voulu)`);
    expect(error.message).not.toMatch(/root:|\/bin\/(ba)?sh/);
    return { outcome: "refused" };
  });

  fault("mirror", "mirror file linked to a valid copy elsewhere: refused, never recorded with the mirror path as its origin", async () => {
    const elsewhere = path.join(faultDir(), "donnees_communes.csv");
    copyFileSync(path.join(mirrorDir, FILE), elsewhere);
    const { mirror, file } = mirrorWith((f) => symlinkSync(elsewhere, f));
    expect((await refusal(mirror)).message).toMatch(new RegExp(`^fichier refusé : ${file.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")} est un lien qui sort du dossier`));
    return { outcome: "refused" };
  });

  fault("mirror", "named pipe (FIFO) in place of the file: refused at once instead of hanging the load", async () => {
    const { mirror, file } = mirrorWith((f) => expect(spawnSync("mkfifo", [f]).status).toBe(0));
    expect((await refusal(mirror)).message).toBe(`fichier refusé : ${file} n'est pas un fichier ordinaire (c'est un tube nommé)`);
    return { outcome: "refused" };
  }, 20_000);

  fault("mirror", "link to /dev/zero, even into a folder the mirror may link to: refused, never read", async () => {
    const { mirror, file } = mirrorWith((f) => symlinkSync("/dev/zero", f));
    const options = { mirror, rawDir: faultDir(), linkRoots: ["/dev"] };
    const error = await acquire(populationsResource, options).catch((e: Error) => e);
    expect((error as Error).message).toBe(`fichier refusé : ${file} n'est pas un fichier ordinaire (c'est un périphérique)`);
    expect((await refusal(mirror)).message).toMatch(/^fichier refusé : .* est un lien qui sort du dossier/);
    return { outcome: "refused" };
  }, 20_000);

  fault("mirror", "file larger than the size ceiling: refused with its size, before reading", async () => {
    const error = await acquire(populationsResource, { mirror: mirrorDir, rawDir: faultDir(), maxBytes: 1_000_000 }).catch((e: Error) => e);
    const bytes = mirrorBytes(FILE).length;
    expect((error as Error).message).toBe(`fichier refusé : ${path.join(mirrorDir, FILE)} pèse ${bytes} octets, au-delà du plafond de 1000000 octets`);
    return { outcome: "refused" };
  });
});

describe("weights", () => {
  fault("weights", "every criterion weighted 0: refused with a clear message", () => {
    const zero = "no_thd=0,no_4g=0,older_65=0,low_diploma=0,poverty=0";
    expect(() => readConfig({ weights: zero, data: faultDir() }, {})).toThrow(
      "pondération invalide : tous les poids sont nuls (no_thd=0,no_4g=0,older_65=0,low_diploma=0,poverty=0) ; donnez un poids positif à au moins un critère"
    );
    expect(readConfig({ weights: "no_thd=0,no_4g=0,older_65=0,low_diploma=0", data: faultDir() }, {}).weights.poverty).toBe(1);
    return { outcome: "refused" };
  });
});

/** The pid of a process that has exited. */
function deadPid(): number {
  return spawnSync(process.execPath, ["-e", ""]).pid!;
}

describe("export folders", () => {
  fault("exports", "partial folders of dead runs removed before an export; a live run's folder kept", async () => {
    const exportsDir = faultDir("sdin-fault-exports-");
    const dead = deadPid();
    mkdirSync(path.join(exportsDir, `23.partial-${dead}`));
    writeFileSync(path.join(exportsDir, `23.partial-${dead}`, "communes.csv"), "x".repeat(100_000));
    writeFileSync(path.join(exportsDir, "02.lock"), String(dead));
    mkdirSync(path.join(exportsDir, `23.partial-${process.ppid}`)); // a live process (the test runner's parent)
    mkdirSync(path.join(exportsDir, "23"));
    expect((await removeAbandonedPartials(exportsDir)).sort()).toEqual(["02.lock", `23.partial-${dead}`]);
    expect(readdirSync(exportsDir).sort()).toEqual(["23", `23.partial-${process.ppid}`]);
    return { outcome: "corrected" };
  });

  fault("exports", "three concurrent exports of one département, and one held by another live process: serialised, the waiting ones say so", async () => {
    const exportsDir = faultDir("sdin-fault-exports-");
    const outDir = path.join(exportsDir, "23");
    const said: string[] = [];
    const holder = spawn(process.execPath, ["-e", "setTimeout(() => {}, 1500)"]);
    writeFileSync(`${outDir}.lock`, String(holder.pid));
    // What runExport does inside its lock: write a partial folder, remove the old one, rename.
    const exportOnce = (n: number) =>
      withExportLock(outDir, "23", async () => {
        const partial = `${outDir}.partial-${process.pid}`;
        await rm(partial, { recursive: true, force: true });
        await mkdir(partial);
        await writeFile(path.join(partial, "communes.csv"), `run ${n}\n`);
        await new Promise((resolve) => setTimeout(resolve, 50));
        await rm(outDir, { recursive: true, force: true });
        await rename(partial, outDir);
        return n;
      }, { pollMs: 20, say: (m) => void said.push(m) });
    expect(await Promise.all([1, 2, 3].map(exportOnce))).toEqual([1, 2, 3]);
    expect(holder.exitCode ?? (await new Promise((r) => holder.on("exit", r)))).toBe(0);
    expect(said[0]).toBe(`export du département 23 déjà en cours (processus ${holder.pid}) : attente de sa fin…`);
    expect(readdirSync(exportsDir)).toEqual(["23"]);
    return { outcome: "corrected" };
  }, 20_000);

  fault("exports", "two waiters find the same dead lock: the second does not remove the lock the first has just taken", async () => {
    const exportsDir = faultDir("sdin-fault-exports-");
    const lock = path.join(exportsDir, "23.lock");
    const dead = deadPid();
    writeFileSync(lock, String(dead));
    await removeStaleLock(lock, dead); // the first waiter removes the dead run's lock…
    expect(readdirSync(exportsDir)).toEqual([]);
    writeFileSync(lock, String(process.pid)); // …and takes it; the second, which had read the dead pid too, comes late
    await removeStaleLock(lock, dead);
    expect(readdirSync(exportsDir)).toEqual(["23.lock"]);
    expect(readFileSync(lock, "utf8")).toBe(String(process.pid));
    return { outcome: "corrected" };
  });
});

describe("messages that name the source, the file and the line", () => {
  fault("messages", "UTF-16 file: diagnosed as UTF-16, not as a renamed column or mixed encoding", async () => {
    const utf16 = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(mirrorText(FILE), "utf16le")]);
    await expectRefused(tempMirror({ [FILE]: utf16 }), [populations], /^fichier encodé en UTF-16 LE .* réenregistrez-le en UTF-8/, { ...where, line: 1 });
    const noBom = Buffer.from(mirrorText(FILE), "utf16le");
    await expectRefused(tempMirror({ [FILE]: noBom }), [populations], /^fichier encodé en UTF-16 LE/, { ...where, line: 1 });
    return { outcome: "refused" };
  });

  fault("messages", "a folder where the file should be (EISDIR): refused naming the mirror path", async () => {
    const { mirror, file } = mirrorWith((f) => mkdirSync(f));
    expect((await refusal(mirror)).message).toBe(`fichier refusé : ${file} n'est pas un fichier ordinaire (c'est un dossier)`);
    return { outcome: "refused" };
  });

  fault("messages", "a count beyond INTEGER (`number out of int32 range`): names the table, the column and the value", async () => {
    const db = await openDatabase(path.join(faultDir(), "int.duckdb"));
    try {
      const spec = { name: "t", columns: { n: "INTEGER" as const } };
      await createTable(db.connection, spec);
      await expect(insertRows(db.connection, spec, [{ n: 99_999_999_999 }])).rejects.toThrow("valeur 99999999999 hors de l'intervalle des entiers pour t.n");
    } finally {
      db.close();
    }
    return { outcome: "refused" };
  });

  fault("messages", "ENOSPC, EACCES without a path: the message names what was written and where", () => {
    const enospc = Object.assign(new Error("ENOSPC: no space left on device, write"), { code: "ENOSPC" });
    expect(fileFailure(enospc, "échec de l'export du département 23 dans", "/srv/exports/23").message).toBe(
      "échec de l'export du département 23 dans /srv/exports/23 : disque plein (ENOSPC)"
    );
    return { outcome: "refused" };
  });

  fault("messages", "exports folder unusable (ENOTDIR/ENOENT): the export names the folder", async () => {
    const blocker = path.join(faultDir(), "not-a-folder");
    writeFileSync(blocker, "");
    const exportsDir = path.join(blocker, "exports");
    const config = readConfig({ data: path.dirname((await goodDatabase()).database), exports: exportsDir, dept: "23" }, {});
    const error = await runExport(config, { documents: false }).catch((e: Error) => e);
    expect((error as Error).message).toMatch(new RegExp(`^dossier des exports inutilisable : ${exportsDir.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")} .*: (un élément du chemin n'est pas un dossier \\(ENOTDIR\\)|existe déjà \\(EEXIST\\))$`));
    expect(existsSync(exportsDir)).toBe(false);
    return { outcome: "refused" };
  });

  describe("GeoJSON with one outline nested 200 000 levels deep", () => {
    const CONTOURS = "contours-communes/communes-23-creuse.geojson";
    const collection = JSON.parse(mirrorText(CONTOURS)) as { features: { properties: { code: string }; geometry: unknown }[] };
    const deep = "[".repeat(200_000) + "]".repeat(200_000);
    const features = collection.features.map((f) => JSON.stringify(f));
    const first = collection.features[0];
    features[0] = JSON.stringify({ ...first, geometry: { type: "Polygon", coordinates: "DEEP" } }).replace('"DEEP"', deep);
    const text = `{"type":"FeatureCollection","features":[\n${features.join(",\n")}\n]}\n`;
    let database = "";
    beforeAll(async () => {
      ({ config: { paths: { database } } } = await load(tempMirror({ [CONTOURS]: text }), [contours]));
    });

    fault("messages", "no `Maximum call stack size exceeded`: the outline is quarantined with its line", async () => {
      const quarantined = (await quarantine(database, "contours")).filter((q) => q.file === "communes-23-creuse.geojson");
      expect(quarantined).toContainEqual(expect.objectContaining({ line: 1, column: expect.stringMatching(/^geometry/), reason: expect.stringMatching(/^géométrie absente ou non surfacique/) }));
      return { outcome: "quarantined", resources: await resourceCounts(database) };
    });
  });
});
