import { booleanPointInPolygon } from "@turf/boolean-point-in-polygon";
import { centerOfMass } from "@turf/center-of-mass";
import type { Feature, Polygon } from "geojson";
import { describe, expect, it } from "vitest";
import { SourceError } from "../loaders/io/errors.ts";
import { haversineKm } from "../src/lib/diagnostic/index.ts";
import { areaKm2, communeIndex, communeIndexFromPacked, dissolve, parseGeoJsonFeatures, pointInCommune, representativePoint, roundCoordinates } from "../loaders/io/geo.ts";

const square = (x0: number, y0: number, x1: number, y1: number): Polygon => ({
  type: "Polygon",
  coordinates: [[[x0, y0], [x1, y0], [x1, y1], [x0, y1], [x0, y0]]]
});

/**
 * A "C" opening to the east, made of three rectangles: the bar [0,1]×[0,3] (area 3, centre (0.5, 1.5)) and the
 * arms [1,3]×[0,1] and [1,3]×[2,3] (area 2 each, centres (2, 0.5) and (2, 2.5)). Centre of mass by hand:
 * x = (3·0.5 + 2·2 + 2·2) / 7 = 9.5/7 ≈ 1.357, y = 1.5: inside the notch (1,3)×(1,2), outside the polygon.
 */
const cShape: Polygon = {
  type: "Polygon",
  coordinates: [[[0, 0], [3, 0], [3, 1], [1, 1], [1, 2], [3, 2], [3, 3], [0, 3], [0, 0]]]
};

const feature = (code: string, geometry: Polygon): Feature<Polygon> => ({ type: "Feature", properties: { code }, geometry });

describe("representativePoint", () => {
  it("keeps the centre of mass of a convex shape", () => {
    expect(representativePoint(square(0, 0, 2, 2))).toEqual([1, 1]);
  });

  it("moves a C-shaped polygon's point from the notch into the polygon", () => {
    const centre = centerOfMass(cShape).geometry.coordinates;
    expect(centre[0]).toBeCloseTo(9.5 / 7, 9);
    expect(centre[1]).toBeCloseTo(1.5, 9);
    expect(booleanPointInPolygon(centre, cShape)).toBe(false);
    // The horizontal line y = 1.5 (middle of the 0–3 span) crosses the polygon only on x ∈ [0, 1]: its middle is (0.5, 1.5).
    const p = representativePoint(feature("C", cShape));
    expect(p).toEqual([0.5, 1.5]);
    expect(booleanPointInPolygon(p, cShape, { ignoreBoundary: true })).toBe(true);
  });

  it("stays out of a hole", () => {
    // A 4×4 square with a 2×2 hole in the middle: centre (2, 2) is in the hole; on y = 2 the inside stretches are [0,1] and [3,4].
    const ring: Polygon = { type: "Polygon", coordinates: [square(0, 0, 4, 4).coordinates[0], square(1, 1, 3, 3).coordinates[0].slice().reverse()] };
    expect(representativePoint(ring)).toEqual([0.5, 2]);
  });
});

describe("dissolve and areaKm2", () => {
  it("computes the area of a 0.1° square at the equator", () => {
    // Spherical lat/lon rectangle: R²·Δλ·(sin φ2 − sin φ1) with turf 7's mean radius R = 6 371 008.8 m:
    // 6371008.8² × (0.1π/180) × sin(0.1°) = 123.643 km².
    expect(areaKm2(square(0, 0, 0.1, 0.1))).toBeCloseTo(123.643, 2);
  });

  it("merges adjacent squares into one polygon whose area is the sum of the parts", () => {
    const merged = dissolve([square(0, 0, 1, 1), square(1, 0, 2, 1)]);
    expect(merged.type).toBe("Polygon");
    const parts = areaKm2(square(0, 0, 1, 1)) + areaKm2(square(1, 0, 2, 1));
    expect(areaKm2(merged)).toBeCloseTo(parts, 3);
    // The shared edge x = 1 is gone: the outline has the 4 corners of the 2×1 rectangle only (plus the closing point).
    expect((merged as Polygon).coordinates[0]).toHaveLength(5);
  });

  it("keeps parts that do not touch as a MultiPolygon", () => {
    expect(dissolve([square(0, 0, 1, 1), square(5, 5, 6, 6)]).type).toBe("MultiPolygon");
  });

  it("rounds coordinates to 5 decimals", () => {
    const rounded = roundCoordinates(square(1.234567891, 45.000004, 2, 46));
    expect(rounded.coordinates[0][0]).toEqual([1.23457, 45]);
  });
});

describe("pointInCommune", () => {
  const index = communeIndex([feature("A", square(0, 0, 1, 1)), feature("B", square(1, 0, 2, 1)), feature("C", cShape)].map((f, i) =>
    i === 2 ? { ...f, geometry: { type: "Polygon" as const, coordinates: cShape.coordinates.map((r) => r.map(([x, y]) => [x + 10, y])) } } : f
  ));

  it("finds the commune containing a point", () => {
    expect(pointInCommune(1.5, 0.5, index)).toBe("B");
    expect(pointInCommune(0.2, 0.9, index)).toBe("A");
    expect(pointInCommune(10.5, 2.5, index)).toBe("C");
  });

  it("does not answer from the bounding box alone", () => {
    // (12, 1.5) is inside C's bounding box [10,0,13,3] but in its notch.
    expect(pointInCommune(12, 1.5, index)).toBeNull();
    expect(pointInCommune(50, 50, index)).toBeNull();
  });

  it("gives the first outline in index order on a shared border, across grid cells", () => {
    // A and B share the edge x = 1; (1, 0.5) lies on both, and A comes first. (0.1, 0.1) is on a 0.1° cell
    // corner; (-0.05, 0.5) is in A's cell but outside every outline.
    expect(pointInCommune(1, 0.5, index)).toBe("A");
    expect(pointInCommune(0.1, 0.1, index)).toBe("A");
    expect(pointInCommune(1.999, 0.999, index)).toBe("B");
    expect(pointInCommune(-0.05, 0.5, index)).toBeNull();
    const reversed = communeIndex([feature("B", square(1, 0, 2, 1)), feature("A", square(0, 0, 1, 1))]);
    expect(pointInCommune(1, 0.5, reversed)).toBe("B");
  });
});

describe("communeIndexFromPacked", () => {
  // As the outlines' worker hands them over: rows in file order (B before A), boxes four by four, each UTF-8 text
  // between its start and end in one buffer (here with other bytes around, as in the file it is taken from).
  const rows = [
    { code: "B", geometry: square(1, 0, 2, 1), bbox: [1, 0, 2, 1] },
    { code: "A", geometry: square(0, 0, 1, 1), bbox: [0, 0, 1, 1] }
  ];
  const parts = rows.map((r) => `${r.code}\té\t${JSON.stringify(r.geometry)}\n`);
  const text = new TextEncoder().encode(parts.join(""));
  const starts = new Uint32Array(rows.length);
  const ends = new Uint32Array(rows.length);
  let at = 0;
  parts.forEach((part, i) => {
    starts[i] = at + new TextEncoder().encode(part.slice(0, part.lastIndexOf("\t") + 1)).length;
    at += new TextEncoder().encode(part).length;
    ends[i] = at - 1;
  });
  const index = communeIndexFromPacked({ codes: rows.map((r) => r.code), bboxes: new Float64Array(rows.flatMap((r) => r.bbox)), text, starts, ends });

  it("places points as an index of the parsed outlines does", () => {
    expect(pointInCommune(1.5, 0.5, index)).toBe("B");
    expect(pointInCommune(0.5, 0.5, index)).toBe("A");
    expect(pointInCommune(2.5, 0.5, index)).toBeNull();
  });

  it("searches in code order (as the table read with ORDER BY code_insee), whatever the order handed over", () => {
    expect(index.entries.map((e) => e.code)).toEqual(["A", "B"]);
    // On the shared edge x = 1, A answers first although B came first.
    expect(pointInCommune(1, 0.5, index)).toBe("A");
    expect(index.entries[1].bbox).toEqual([1, 0, 2, 1]);
  });
});

describe("haversineKm", () => {
  it("measures Guéret → Paris", () => {
    // Guéret town hall ≈ (1.8717 E, 46.1716 N), Paris Notre-Dame ≈ (2.3488 E, 48.8534 N); the spherical law of
    // cosines with R = 6 371 km gives 300.346 km (computed separately); road atlases give ≈ 300 km as the crow flies.
    expect(haversineKm({ lon: 1.8717, lat: 46.1716 }, { lon: 2.3488, lat: 48.8534 })).toBeCloseTo(300.346, 2);
  });

  it("gives 111.195 km for one degree along a meridian", () => {
    // 6 371 × π / 180 = 111.1949 km.
    expect(haversineKm({ lon: 3, lat: 45 }, { lon: 3, lat: 46 })).toBeCloseTo(111.195, 3);
  });
});

describe("parseGeoJsonFeatures", () => {
  const where = { source: "contours", file: "communes-99-test.geojson" };
  const bytes = (s: string) => new TextEncoder().encode(s);

  it("accepts a single Feature as well as a FeatureCollection", () => {
    expect(parseGeoJsonFeatures(bytes(JSON.stringify(feature("A", square(0, 0, 1, 1)))), where)).toHaveLength(1);
  });

  it("names the file of invalid JSON", () => {
    expect(() => parseGeoJsonFeatures(bytes('{"type":"FeatureCollection",\n"features":[\n{"type":}]}'), where)).toThrowError(
      /JSON invalide.*source contours, fichier communes-99-test\.geojson/s
    );
  });

  it("refuses JSON that is not GeoJSON", () => {
    expect(() => parseGeoJsonFeatures(bytes('{"data":[]}'), where)).toThrow(SourceError);
  });
});
