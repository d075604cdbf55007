import { writeFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { median, runInChild, summarise } from "../bench/measure.ts";
import { communeOrigins } from "../bench/points.ts";
import { formatDuration, formatRatio, formatTable, goalTarget, measureResults, ratioOf, summaryLines, type Measure } from "../bench/report.ts";
import { openDatabase } from "../loaders/io/db.ts";
import { summarise as summariseNearest } from "../bench/tasks.ts";
import { nearestBruteForce, nearestIndexed } from "../loaders/diagnostic/nearest.ts";
import { tempDir } from "./helpers.ts";

// The benchmark's pieces on tiny inputs, so that `npm run bench` cannot rot between two runs of it.
describe("benchmark suite", () => {
  it("takes one origin per commune from the contours table and counts the communes without one", async () => {
    const dir = tempDir("sdin-bench-origins-");
    const database = path.join(dir, "petite.duckdb");
    const db = await openDatabase(database);
    try {
      await db.connection.run("CREATE TABLE communes (code_insee VARCHAR); INSERT INTO communes VALUES ('23096'), ('02691'), ('75056')");
      await db.connection.run(`CREATE TABLE contours (code_insee VARCHAR, point_lon DOUBLE, point_lat DOUBLE);
        INSERT INTO contours VALUES ('23096', 1.87, 46.17), ('02691', 3.28, 49.85), ('99999', 0, 0)`);
    } finally {
      db.close();
    }
    const origins = await communeOrigins(database);
    expect(origins).toEqual({ points: [{ lon: 3.28, lat: 49.85 }, { lon: 1.87, lat: 46.17 }], communes: 3, withoutPoint: 1 });
  });

  it("finds the same distances through the index and by brute force", () => {
    // A 20 × 15 grid of origins over metropolitan France and 120 places on a shifted grid.
    const grid = (nx: number, ny: number, shift: number) =>
      Array.from({ length: nx * ny }, (_, i) => ({ lon: -4.5 + ((i % nx) + shift) * (13.5 / nx), lat: 42.5 + (Math.floor(i / nx) + shift) * (8.5 / ny) }));
    const origins = grid(20, 15, 0);
    const places = grid(12, 10, 0.37);
    const indexed = summariseNearest(nearestIndexed(origins, places));
    const brute = summariseNearest(nearestBruteForce(origins, places));
    expect(indexed.missing).toBe(0);
    expect(indexed.distanceSumKm).toBeCloseTo(brute.distanceSumKm, 6);
    expect(indexed.maxDistanceKm).toBeCloseTo(brute.maxDistanceKm, 6);
  });

  it("ends with one line per measure against its goal, and keeps id, ratio, goal and peak memory", () => {
    const series = (ms: number, kb: number) => summarise([{ ms, maxRssKb: kb, info: {} }]);
    const measures: Measure[] = [
      { id: "chargement", title: "1", measured: { label: "a", series: series(3000, 900 * 1024) }, reference: { label: "b", series: series(2000, 300 * 1024) }, ratio: 1.5, goal: 1.5, notes: [] },
      { id: "exports-tous", title: "4", measured: { label: "a", series: series(62_000, 700 * 1024) }, reference: { label: "b", series: series(2000, 1200 * 1024) }, ratio: 31, goal: 30, notes: [] },
      { id: "site", title: "3", measured: null, reference: null, ratio: null, goal: 3, unavailable: "non demandée", notes: [] }
    ];
    expect(summaryLines(measures)).toEqual([
      "chargement 1,50× (objectif ≤ 1,5×) atteint",
      "exports-tous 31,0× (objectif ≤ 30×) non atteint",
      "site — (objectif ≤ 3×) non atteint"
    ]);
    expect(measureResults(measures).map(({ id, ratio, goal, peak_mb }) => ({ id, ratio, goal, peak_mb }))).toEqual([
      { id: "chargement", ratio: 1.5, goal: 1.5, peak_mb: 900 },
      { id: "exports-tous", ratio: 31, goal: 30, peak_mb: 1200 },
      { id: "site", ratio: null, goal: 3, peak_mb: null }
    ]);
    expect(goalTarget(1.49, 1.5)).toEqual({ text: "≤ 1,5×", met: true });
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
  }, 60_000);
});
