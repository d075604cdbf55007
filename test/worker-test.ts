import { describe, expect, it } from "vitest";
import { runLoad } from "../loaders/ingest/load.ts";
import type { Source } from "../loaders/ingest/source.ts";
import { SourceError } from "../loaders/io/errors.ts";
import { runInWorker, startWorker } from "../loaders/io/worker.ts";
import { testConfig } from "./helpers.ts";

const fixture = new URL("./input/worker/module.ts", import.meta.url);

describe("worker threads", () => {
  it("run a function of a module started beforehand, typed arrays included", async () => {
    const worker = startWorker(fixture);
    const out = await worker.run<{ values: number[] }, { total: number; bytes: Uint8Array }>("sum", { values: [1, 2, 39] });
    expect(out.total).toBe(42);
    expect([...out.bytes]).toEqual([1, 2, 3]);
    await expect(worker.run("sum", { values: [] })).rejects.toThrow("module.ts a déjà servi");
  });

  it("throw a SourceError again with its location", async () => {
    const error = await runInWorker(fixture, "refuse", null).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SourceError);
    expect((error as SourceError).location).toMatchObject({ file: "essai.csv", line: 7, column: "code" });
  });

  it("report a module that fails to import when its function is asked for", async () => {
    const worker = startWorker(new URL("./input/worker/broken.ts", import.meta.url));
    await expect(worker.run("anything", null)).rejects.toThrow("module cassé à l'import");
  });

  it("are stopped by the load when the source that started one never runs", async () => {
    const stopped: string[] = [];
    const failing: Source = {
      id: "essai-echec",
      title: "source qui échoue",
      resources: [],
      async load() {
        throw new Error("échec voulu");
      }
    };
    const later: Source = {
      id: "essai-fil",
      title: "source qui prépare un fil de calcul",
      resources: [],
      after: ["essai-echec"],
      prepare: () => ({ stop: () => stopped.push("essai-fil") }),
      async load() {
        throw new Error("ne doit pas démarrer");
      }
    };
    const config = testConfig();
    await expect(runLoad(config, [failing, later], { log: () => {} })).rejects.toThrow("échec voulu");
    expect(stopped).toEqual(["essai-fil"]);
  });
});
