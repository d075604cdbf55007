import { writeFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { median, runInChild, summarise } from "../bench/measure.ts";
import { completeOrigins, mulberry32, randomPoints, franceBoundingBox } from "../bench/points.ts";
import { formatDuration, formatRatio, formatTable, ratioOf } from "../bench/report.ts";
import { summarise as summariseNearest } from "../bench/tasks.ts";
import { nearestBruteForce, nearestIndexed } from "../loaders/diagnostic/nearest.ts";
import { tempDir } from "./helpers.ts";

// The benchmark's pieces on tiny inputs, so that `npm run bench` cannot rot between two runs of it.
describe("benchmark suite", () => {
  it("draws the same pseudo-random points for the same seed, inside France's box", () => {
    expect(randomPoints(3, 7)).toEqual(randomPoints(3, 7));
    expect(randomPoints(3, 7)).not.toEqual(randomPoints(3, 8));
    for (const p of randomPoints(500, 1)) {
      expect(p.lon).toBeGreaterThanOrEqual(franceBoundingBox.west);
      expect(p.lon).toBeLessThanOrEqual(franceBoundingBox.east);
      expect(p.lat).toBeGreaterThanOrEqual(franceBoundingBox.south);
      expect(p.lat).toBeLessThanOrEqual(franceBoundingBox.north);
    }
    const next = mulberry32(42);
    expect(next()).not.toBe(next());
  });

  it("completes the real origins with random ones up to the commune count", () => {
    const origins = completeOrigins([{ lon: 1.87, lat: 46.17 }], 4, 3);
    expect(origins).toMatchObject({ real: 1, random: 3 });
    expect(origins.points[0]).toEqual({ lon: 1.87, lat: 46.17 });
    expect(origins.points).toHaveLength(4);
  });

  it("finds the same distances through the index and by brute force", () => {
    const origins = randomPoints(300, 11);
    const places = randomPoints(120, 12);
    const indexed = summariseNearest(nearestIndexed(origins, places));
    const brute = summariseNearest(nearestBruteForce(origins, places));
    expect(indexed.missing).toBe(0);
    expect(indexed.distanceSumKm).toBeCloseTo(brute.distanceSumKm, 6);
    expect(indexed.maxDistanceKm).toBeCloseTo(brute.maxDistanceKm, 6);
  });

  it("takes medians and formats the table in French", () => {
    expect(median([5, 1, 3])).toBe(3);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(formatDuration(87)).toBe("87 ms");
    expect(formatDuration(12_345)).toBe("12,3 s");
    expect(formatDuration(75_000)).toBe("1 min 15 s");
    const a = summarise([{ ms: 300, maxRssKb: 2048, info: {} }, { ms: 100, maxRssKb: 4096, info: {} }, { ms: 200, maxRssKb: 1024, info: {} }]);
    const b = summarise([{ ms: 50, maxRssKb: 1024, info: {} }]);
    expect(a).toMatchObject({ medianMs: 200, peakRssKb: 4096 });
    expect(formatRatio(ratioOf(a, b))).toBe("4,00×");
    const table = formatTable([{ id: "x", title: "essai", measured: { label: "a", series: a }, reference: { label: "b", series: b }, ratio: 4, target: { text: "< 3×", met: false }, notes: [] }]);
    expect(table).toContain("4,00×");
    expect(table).toContain("4 Mo / 1 Mo");
    expect(table).toContain("< 3× : non atteint");
  });

  it("runs a task in a child process and reads back its time and peak memory", async () => {
    const dir = tempDir("sdin-bench-smoke-");
    const csv = path.join(dir, "petit.csv");
    writeFileSync(csv, "code_insee;population\n23096;12737\n02691;53816\n");
    const sample = await runInChild("raw-read", { database: path.join(dir, "brut.duckdb"), files: [{ file: csv, source: "essai", reader: "read_csv_auto" }] });
    expect(sample.info).toEqual({ files: 1, rows: 2 });
    expect(sample.ms).toBeGreaterThan(0);
    expect(sample.maxRssKb).toBeGreaterThan(10_000);
  }, 20_000);
});
