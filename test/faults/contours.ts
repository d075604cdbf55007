import { beforeAll, describe, expect } from "vitest";
import type { FeatureCollection, Polygon } from "geojson";
import { SourceError } from "../../loaders/io/errors.ts";
import { parseGeoJsonFeatures } from "../../loaders/io/geo.ts";
import { contours } from "../../loaders/ingest/sources/contours.ts";
import { fault } from "./harness.ts";
import { mirrorText, tempMirror } from "./mirror.ts";
import { expectRefused, load, query, quarantine, resourceCounts, type QuarantineRow } from "./pipeline.ts";

/** Commune outlines: one GeoJSON FeatureCollection per département in the mirror (france-geojson layout). */
const FILE = "contours-communes/communes-23-creuse.geojson";
const NAME = "communes-23-creuse.geojson";
const where = { source: "contours", file: NAME };
const original = mirrorText(FILE);
const collection = JSON.parse(original) as FeatureCollection<Polygon, { code: string; nom: string }>;

function refusal(bytes: string): SourceError {
  try {
    parseGeoJsonFeatures(Buffer.from(bytes), where);
  } catch (error) {
    expect(error).toBeInstanceOf(SourceError);
    return error as SourceError;
  }
  throw new Error("parseGeoJsonFeatures accepted a broken file");
}

describe("contours (GeoJSON)", () => {
  fault("contours", "empty GeoJSON file", () => {
    expect(refusal("").message).toBe(`fichier vide — source contours, fichier ${NAME}, ligne 1`);
    return { outcome: "refused" };
  });

  fault("contours", "HTML error page served instead of the GeoJSON", () => {
    expect(refusal("<!doctype html><title>502 Bad Gateway</title>").message).toMatch(/^page HTML reçue à la place des données .* — source contours, fichier communes-23-creuse\.geojson, ligne 1$/);
    return { outcome: "refused" };
  });

  fault("contours", "GeoJSON truncated mid-feature", async () => {
    const error = await expectRefused(tempMirror({ [FILE]: original.slice(0, original.length >> 1) }), [contours], /^JSON invalide/, where).catch(async () => null);
    // Node gives no position for "Unexpected end of JSON input": the message names the source and the file only.
    if (!error) await expectRefused(tempMirror({ [FILE]: original.slice(0, original.length >> 1) }), [contours], /^JSON invalide \(Unexpected end of JSON input\)/, { ...where, line: 1 });
    return { outcome: "refused" };
  });

  fault("contours", "property `code` renamed in a new edition", async () => {
    const renamed = original.replace(/"code":/g, '"insee":');
    await expectRefused(tempMirror({ [FILE]: renamed }), [contours], /^propriété obligatoire absente de toutes les entités \(propriétés lues : insee, nom\)/, { ...where, line: 1, column: "code" });
    return { outcome: "refused" };
  });

  describe("a feature without geometry, one with longitude and latitude swapped, one outside France", () => {
    const features = collection.features.map((f) => structuredClone(f));
    const indexOf = (code: string) => features.findIndex((f) => f.properties.code === code);
    const noGeometry = indexOf("23001");
    const swapped = indexOf("23002");
    const abroad = indexOf("23003");
    (features[noGeometry] as { geometry: unknown }).geometry = null;
    features[swapped].geometry.coordinates = features[swapped].geometry.coordinates.map((ring) => ring.map(([lon, lat]) => [lat, lon]));
    features[abroad].geometry.coordinates = features[abroad].geometry.coordinates.map((ring) => ring.map(([lon, lat]) => [lon - 80, lat]));
    const text = JSON.stringify({ ...collection, features });

    let database = "";
    let quarantined: QuarantineRow[] = [];
    beforeAll(async () => {
      ({ config: { paths: { database } } } = await load(tempMirror({ [FILE]: text }), [contours]));
      quarantined = (await quarantine(database, "contours")).filter((q) => q.file === NAME);
    });

    fault("contours", "feature without geometry", async () => {
      expect(quarantined).toContainEqual({ ...where, line: noGeometry + 1, column: "geometry", value: null, reason: expect.stringMatching(/^géométrie absente ou non surfacique/) });
      return { outcome: "quarantined", resources: await resourceCounts(database) };
    });

    fault("contours", "outline with longitude and latitude swapped", async () => {
      expect(quarantined).toContainEqual(expect.objectContaining({ ...where, line: swapped + 1, reason: expect.stringMatching(/hors de France/) }));
      const rows = await query<{ point_lon: number; point_lat: number }>(database, `SELECT point_lon, point_lat FROM contours WHERE code_insee = '23002'`);
      expect(rows).toEqual([]);
      return { outcome: "quarantined" };
    });

    fault("contours", "outline outside France", async () => {
      expect(quarantined).toContainEqual(expect.objectContaining({ ...where, line: abroad + 1, reason: expect.stringMatching(/hors de France/) }));
      // Metropolitan outlines only: the mirror also holds the overseas départements' files, rightly far away.
      const [{ n }] = await query<{ n: number }>(database, `SELECT count(*)::INTEGER AS n FROM contours WHERE code_insee NOT LIKE '97%' AND (point_lon < -6 OR point_lon > 10 OR point_lat < 41 OR point_lat > 52)`);
      expect(n).toBe(0);
      return { outcome: "quarantined" };
    });
  });
});
