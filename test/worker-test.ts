import { describe, expect, it } from "vitest";
import { runLoad } from "../loaders/ingest/load.ts";
import type { Source } from "../loaders/ingest/source.ts";
import { SourceError } from "../loaders/io/errors.ts";
import { ComputeThread } from "../loaders/io/worker.ts";
import { testConfig } from "./helpers.ts";

const fixture = new URL("./input/worker/module.ts", import.meta.url);
type Sum = { total: number; calls: number; bytes: Uint8Array };

describe("the worker thread", () => {
  it("runs calls one after the other, each module imported once, typed arrays included", async () => {
    const thread = new ComputeThread();
    try {
      thread.preload(fixture);
      const [first, second] = await Promise.all([
        thread.run<{ values: number[] }, Sum>(fixture, "sum", { values: [1, 2, 39] }),
        thread.run<{ values: number[] }, Sum>(fixture, "sum", { values: [] })
      ]);
      expect([first.total, first.calls, second.total, second.calls]).toEqual([42, 1, 0, 2]);
      expect([...first.bytes]).toEqual([1, 2, 3]);
    } finally {
      thread.close();
    }
  });

  it("throws a SourceError again with its location", async () => {
    const thread = new ComputeThread();
    const error = await thread.run(fixture, "refuse", null).catch((e: unknown) => e);
    thread.close();
    expect(error).toBeInstanceOf(SourceError);
    expect((error as SourceError).location).toMatchObject({ file: "essai.csv", line: 7, column: "code" });
  });

  it("reports a module that fails to import when its function is asked for, and goes on with the next call", async () => {
    const thread = new ComputeThread();
    try {
      const broken = new URL("./input/worker/broken.ts", import.meta.url);
      thread.preload(broken);
      await expect(thread.run(broken, "anything", null)).rejects.toThrow("module cassé à l'import");
      await expect(thread.run<{ values: number[] }, Sum>(fixture, "sum", { values: [5] })).resolves.toMatchObject({ total: 5 });
    } finally {
      thread.close();
    }
  });

  it("fails the calls left once it is closed", async () => {
    const thread = new ComputeThread();
    thread.close();
    await expect(thread.run(fixture, "sum", { values: [] })).rejects.toThrow("le fil de calcul a été arrêté");
  });

  it("is handed to each source's `prepare` as the load starts, before the sources it waits for are loaded", async () => {
    const events: string[] = [];
    const first: Source = {
      id: "essai-premier",
      title: "première source",
      resources: [],
      async load() {
        events.push("chargement de essai-premier");
      }
    };
    const later: Source = {
      id: "essai-fil",
      title: "source qui prépare son code dans le fil de calcul",
      resources: [],
      after: ["essai-premier"],
      prepare: ({ thread }) => {
        events.push("préparation de essai-fil");
        thread.preload(fixture);
      },
      async load(context) {
        const out = await context.thread.run<{ values: number[] }, Sum>(fixture, "sum", { values: [2, 3] });
        events.push(`chargement de essai-fil : ${out.total}`);
      }
    };
    await runLoad(testConfig(), [first, later], { log: () => {} });
    expect(events).toEqual(["préparation de essai-fil", "chargement de essai-premier", "chargement de essai-fil : 5"]);
  });
});
