import { describe, expect, it } from "vitest";
import { defaultWeights } from "../../loaders/io/config.ts";
import { nearestBruteForce, nearestIndexed, PlaceIndex } from "../../loaders/diagnostic/nearest.ts";
import {
  classify, fragilityIndex, haversineKm, planItinerantStops, priorityScore, rankDescending, sensitivityReport, spearman, topChanges,
  type CandidateStop, type Demand
} from "../../src/lib/diagnostic/index.ts";

describe("distances", () => {
  it("measures one degree of latitude or of longitude at the equator as 6371·π/180 km", () => {
    // 6371 × π / 180 = 111.19492664455873
    expect(haversineKm({ lon: 0, lat: 0 }, { lon: 0, lat: 1 })).toBeCloseTo(111.194927, 5);
    expect(haversineKm({ lon: 0, lat: 0 }, { lon: 1, lat: 0 })).toBeCloseTo(111.194927, 5);
    // At 60°N a degree of longitude is about half as long: 2R·asin(cos 60°·sin 0.5°) = 55.59 km
    expect(haversineKm({ lon: 0, lat: 60 }, { lon: 1, lat: 60 })).toBeCloseTo(55.597, 2);
  });

  it("finds the nearest place through the index exactly as the brute force does", () => {
    const places = [
      { lon: 1.87, lat: 46.17 }, // Guéret
      { lon: 2.17, lat: 45.96 }, // Aubusson
      { lon: 1.6, lat: 46.34 }
    ];
    const index = new PlaceIndex(places);
    expect(index.nearest({ lon: 2.1, lat: 45.9 })?.index).toBe(1);
    expect(index.nearest({ lon: 1.85, lat: 46.2 })?.index).toBe(0);
    expect(new PlaceIndex([]).nearest({ lon: 0, lat: 0 })).toBeNull();

    let seed = 7;
    const random = () => ((seed = (seed * 16807) % 2147483647) / 2147483647);
    const points = (n: number) => Array.from({ length: n }, () => ({ lon: -4 + random() * 12, lat: 42 + random() * 9 }));
    const origins = points(300);
    const many = points(500);
    const fast = nearestIndexed(origins, many);
    const slow = nearestBruteForce(origins, many);
    fast.forEach((f, i) => expect(f!.distanceKm).toBeCloseTo(slow[i]!.distanceKm, 9));
  });
});

describe("fragility index", () => {
  it("classes values into deciles of their percent rank, ties sharing a class", () => {
    const values = Array.from({ length: 20 }, (_, i) => i + 1);
    const classes = classify(values);
    // value v has percent rank (v-1)/19; class = 1 + floor(10 × rank), capped at 10
    expect(classes[0]).toBe(1);
    expect(classes[9]).toBe(5); // v=10: 9/19 = 0.47 → 5
    expect(classes[10]).toBe(6); // v=11: 10/19 = 0.53 → 6
    expect(classes[19]).toBe(10);
    expect(classify([5, 5, 5, 1, null])).toEqual([4, 4, 4, 1, null]); // 5: one value below, 1/3 → 4
  });

  it("leaves a missing criterion out of the mean and says so", () => {
    const classes = { no_thd: 8, no_4g: null, older_65: 6, low_diploma: 4, poverty: 10 };
    expect(fragilityIndex(classes, defaultWeights)).toEqual({ index: 7, missing: ["no_4g"] }); // (8+6+4+10)/4
    // weight 2 on seniors: (8 + 2×6 + 4 + 10) / 5 = 6.8
    expect(fragilityIndex(classes, { ...defaultWeights, older_65: 2 }).index).toBeCloseTo(6.8, 10);
    expect(fragilityIndex({}, defaultWeights)).toEqual({ index: null, missing: ["no_thd", "no_4g", "older_65", "low_diploma", "poverty"] });
  });
});

describe("priorities", () => {
  it("combines fragility, distance and connectivity with documented weights", () => {
    // 0.5 × (10−1)/9 + 0.3 × min(1, 20/20) + 0.2 × 0.5 = 0.9
    expect(priorityScore({ index: 10, distanceKm: 20, noThdShare: 0.5 }, 10)).toBeCloseTo(0.9, 10);
    // only the distance is known: 5 / (2 × 10) = 0.25
    expect(priorityScore({ index: null, distanceKm: 5, noThdShare: null }, 10)).toBeCloseTo(0.25, 10);
    expect(priorityScore({ index: null, distanceKm: null, noThdShare: null }, 10)).toBeNull();
  });

  it("ranks by descending score, unscored items last and unranked", () => {
    const items = [
      { k: "a", s: 0.2 },
      { k: "b", s: 0.9 },
      { k: "c", s: null },
      { k: "d", s: 0.9 }
    ];
    const ranks = rankDescending(items, (i) => i.s, (i) => i.k);
    expect(items.map((i) => ranks.get(i))).toEqual([3, 1, null, 2]);
  });

  it("measures how a ranking moves", () => {
    expect(spearman([1, 2, 3, 4], [1, 2, 3, 4])).toBeCloseTo(1, 12);
    expect(spearman([1, 2, 3, 4], [4, 3, 2, 1])).toBeCloseTo(-1, 12);
    // d² = 0 + 1 + 1 + 0 = 2 → 1 − 6·2 / (4·15) = 0.8
    expect(spearman([1, 2, 3, 4], [1, 3, 2, 4])).toBeCloseTo(0.8, 12);
    expect(topChanges(["a", "b", "c"], ["a", "d", "b"], 2)).toEqual({ entries: ["d"], exits: ["b"], kept: 1 });
  });
});

describe("itinerant mediation planner", () => {
  const stop = (id: string, lat: number): CandidateStop => ({ id, kind: "mairie", nom: id, code_insee: id, lon: 0, lat });
  const demand = (code: string, lat: number, weight: number): Demand => ({ code_insee: code, lon: 0, lat, weight });
  // 0.1° of latitude = 11.1 km; threshold 15 km
  const demands = [demand("A", 0, 100), demand("B", 0.2, 50), demand("C", 1, 80)];
  const candidates = [stop("s1", 0.1), stop("s2", 1), stop("s3", 0.15)];

  it("takes first the stop that brings the most population within reach", () => {
    const plan = planItinerantStops(candidates, demands, 3, 15);
    // s1 covers A (11.1 km) and B (11.1 km): 150; then s2 covers C: 80; s3 would only cover B again: stop
    expect(plan.map((p) => [p.stop.id, p.gain, p.cumulative, p.covers])).toEqual([
      ["s1", 150, 150, ["A", "B"]],
      ["s2", 80, 230, ["C"]]
    ]);
  });

  it("respects K", () => {
    expect(planItinerantStops(candidates, demands, 1, 15).map((p) => p.stop.id)).toEqual(["s1"]);
  });
});


describe("sensitivity of the top of the ranking", () => {
  it("reports entries and exits when a criterion's weight changes", () => {
    const commune = (code: string, older: number, poverty: number) => ({
      code_insee: code, nom: code, classes: { no_thd: null, no_4g: null, older_65: older, low_diploma: null, poverty }
    });
    // indices with equal weights: A (10+1)/2=5.5, B (1+9)/2=5, C (5+5)/2=5
    const communes = [commune("A", 10, 1), commune("B", 1, 9), commune("C", 5, 5)];
    const report = sensitivityReport(communes, defaultWeights, 1);
    const seniorsDropped = report.find((r) => r.scenario.includes("65 ans") && r.scenario.endsWith("retiré"))!;
    // without seniors, the index is the poverty class alone: B 9, C 5, A 1 → B enters the top 1, A leaves
    expect(seniorsDropped.entries).toEqual(["B (B)"]);
    expect(seniorsDropped.exits).toEqual(["A (A)"]);
    // ranks A1 B2 C3 vs B1 C2 A3: d² = 4+1+1 = 6 → 1 − 36/24 = −0.5
    expect(seniorsDropped.spearman).toBeCloseTo(-0.5, 12);
    // criteria without any data are not reported
    expect(report.some((r) => r.scenario.includes("4G"))).toBe(false);
  });
});
