import { mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import path from "node:path";
import { area } from "@turf/area";
import { booleanPointInPolygon } from "@turf/boolean-point-in-polygon";
import type { Feature, Polygon, MultiPolygon } from "geojson";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database } from "../loaders/io/db.ts";
import { communesWithoutContour, contours } from "../loaders/ingest/sources/contours.ts";
import { inputDir, loadSources, mirrorDir, queryRows, tempDir } from "./helpers.ts";

type Areal = Polygon | MultiPolygon;

/** Area (km²) of each feature of a mirror file, read straight from the file, by code. */
function rawAreas(file: string): Map<string, number> {
  const json = JSON.parse(readFileSync(path.join(mirrorDir, "contours-communes", file), "utf8")) as { features: Feature<Areal, { code: string }>[] };
  return new Map(json.features.map((f) => [f.properties.code, area(f) / 1e6]));
}

/** Files of the mirror's outline folder whose names match. */
function mirrorFiles(pattern: RegExp): string[] {
  return readdirSync(path.join(mirrorDir, "contours-communes")).filter((f) => pattern.test(f)).sort();
}

/** Feature codes of a mirror outline file, read straight from the file. */
function featureCodes(file: string): string[] {
  const json = JSON.parse(readFileSync(path.join(mirrorDir, "contours-communes", file), "utf8")) as
    | { type: "FeatureCollection"; features: Feature<Areal, { code: string }>[] }
    | Feature<Areal, { code: string }>;
  // A département's own file is a single Feature, the others FeatureCollections.
  return json.type === "Feature" ? [json.properties.code] : json.features.map((f) => f.properties.code);
}

function featureCount(file: string): number {
  return featureCodes(file).length;
}

/** Current communes (TYPECOM = COM) per département, counted in the COG 2026 file of the mirror. */
function cogCommunes(): Map<string, number> {
  const lines = readFileSync(path.join(mirrorDir, "insee-cog-2026", "communes.csv"), "utf8").split(/\r?\n/).slice(1);
  const counts = new Map<string, number>();
  for (const line of lines) {
    const [typecom, , , dep] = line.split(",");
    if (typecom === "COM") counts.set(dep, (counts.get(dep) ?? 0) + 1);
  }
  return counts;
}

async function surfaces(db: Database, codes: string[]): Promise<Map<string, number>> {
  const rows = await queryRows<{ code_insee: string; surface_km2: number }>(
    db.connection,
    `SELECT code_insee, surface_km2 FROM contours WHERE list_contains($codes::VARCHAR[], code_insee)`,
    { codes: `[${codes.join(",")}]` }
  );
  return new Map(rows.map((r) => [r.code_insee, r.surface_km2]));
}

describe("contours from the mirror (every département file; figures checked on the Creuse and the Aisne)", () => {
  let db: Database;
  beforeAll(async () => ({ db } = await loadSources([contours])));
  afterAll(() => db?.close());

  it("gives every current commune of 23 and 02 exactly one outline", async () => {
    const rows = await queryRows<{ dep: string; n: number; distinct_codes: number }>(
      db.connection,
      `SELECT c.code_departement AS dep, count(*)::INTEGER AS n, count(DISTINCT t.code_insee)::INTEGER AS distinct_codes
       FROM contours t JOIN communes c USING (code_insee) WHERE c.code_departement IN ('02', '23') GROUP BY dep ORDER BY dep`
    );
    // COG 2026: 797 communes in the Aisne, 255 in the Creuse (counted in insee-cog-2026/communes.csv).
    const cog = cogCommunes();
    expect(rows).toEqual([
      { dep: "02", n: cog.get("02"), distinct_codes: cog.get("02") },
      { dep: "23", n: cog.get("23"), distinct_codes: cog.get("23") }
    ]);
    expect(cog.get("02")).toBe(797);
    const missing = await communesWithoutContour(db.connection);
    expect(missing.filter((code) => code.startsWith("02") || code.startsWith("23"))).toEqual([]);
  });

  it("absorbs the communes that no longer exist", async () => {
    const old = ["23023", "23121", "23126", "02077", "02301", "02311", "02434", "02475", "02695", "02733"];
    const left = await queryRows(db.connection, `SELECT code_insee FROM contours WHERE list_contains($codes::VARCHAR[], code_insee)`, { codes: `[${old.join(",")}]` });
    expect(left).toEqual([]);
  });

  it("dissolves merged communes into an outline whose area is the sum of the parts", async () => {
    // 23023 merged into 23149 on 2025-01-01; 02311 into 02589 on 2025-01-01; 02077 became part of 02564 in 2026
    // (cog_passage, checked in referentiel-test). Parts' areas are read from the raw file; the dissolved outline
    // differs only by the 5-decimal rounding (≈ 1 m) and slivers of the simplification: within 0.3 %.
    const creuse = rawAreas("communes-23-creuse.geojson");
    const aisne = rawAreas("communes-02-aisne.geojson");
    const stored = await surfaces(db, ["23149", "02589", "02564", "23096"]);
    expect(stored.get("23149")!).toBeCloseTo(creuse.get("23149")! + creuse.get("23023")!, 0);
    expect(stored.get("23149")! / (creuse.get("23149")! + creuse.get("23023")!)).toBeCloseTo(1, 2);
    expect(stored.get("02589")! / (aisne.get("02589")! + aisne.get("02311")!)).toBeCloseTo(1, 2);
    expect(stored.get("02564")! / (aisne.get("02564")! + aisne.get("02077")!)).toBeCloseTo(1, 2);
    // An unmerged commune keeps its own area (Guéret: 26.2 km² in this simplified file).
    expect(stored.get("23096")!).toBeCloseTo(creuse.get("23096")!, 1);
    // The merged commune is strictly bigger than its former chef-lieu: the union did add the absorbed part.
    expect(stored.get("23149")!).toBeGreaterThan(creuse.get("23149")! + 0.9 * creuse.get("23023")!);
  });

  it("takes names from the referential and counts every feature", async () => {
    const [row] = await queryRows<{ nom: string; ref: string }>(
      db.connection,
      `SELECT t.nom, c.nom AS ref FROM contours t JOIN communes c USING (code_insee) WHERE code_insee = '02564'`
    );
    expect(row.nom).toBe(row.ref);
    const provenance = await queryRows<{ id: string; rows_in: number; rows_loaded: number; rows_quarantined: number }>(
      db.connection,
      `SELECT id, rows_in, rows_loaded, rows_quarantined FROM provenance WHERE source = 'contours' ORDER BY id`
    );
    const byId = new Map(provenance.map((p) => [p.id, p]));
    // Every file of the mirror's folder is read whole: rows in = its features, every one loaded or quarantined
    // (merged parts count as loaded). The national Etalab files are absent from the mirror.
    const files = mirrorFiles(/^(communes|departement)-.+\.geojson$/);
    expect(files.length).toBeGreaterThanOrEqual(4);
    for (const file of files) {
      const p = byId.get(`france-geojson-${file.replace(/\.geojson$/, "")}`);
      expect(p, file).toBeDefined();
      expect(p!.rows_in, file).toBe(featureCount(file));
      expect(p!.rows_loaded + p!.rows_quarantined, file).toBe(p!.rows_in);
    }
    // 804 and 258 features in the Aisne and Creuse files (SOURCES.md), all of them placed.
    expect(byId.get("france-geojson-communes-02-aisne")).toEqual({ id: "france-geojson-communes-02-aisne", rows_in: 804, rows_loaded: 804, rows_quarantined: 0 });
    expect(byId.get("france-geojson-communes-23-creuse")).toEqual({ id: "france-geojson-communes-23-creuse", rows_in: 258, rows_loaded: 258, rows_quarantined: 0 });
    expect(byId.get("etalab-contours-communes")).toEqual({ id: "etalab-contours-communes", rows_in: 0, rows_loaded: 0, rows_quarantined: 0 });
    // The simplified national file gives way to each département that has its own detailed outline.
    const simplified = byId.get("france-geojson-departements-simplifies")!;
    const detailed = new Set(files.filter((f) => f.startsWith("departement-")).map((f) => f.split("-")[1]));
    const simplifiedCodes = featureCodes("departements-version-simplifiee.geojson");
    expect(simplified.rows_in).toBe(simplifiedCodes.length);
    expect(simplified.rows_quarantined).toBe(simplifiedCodes.filter((code) => detailed.has(code)).length);
  });

  it("puts each representative point strictly inside its outline", async () => {
    // Checked on the Creuse and the Aisne (1 052 communes); the same code places every point.
    const rows = await queryRows<{ code_insee: string; geometry: string; point_lon: number; point_lat: number }>(
      db.connection,
      `SELECT code_insee, geometry, point_lon, point_lat FROM contours JOIN communes USING (code_insee) WHERE code_departement IN ('02', '23')`
    );
    const outside = rows.filter((r) => !booleanPointInPolygon([r.point_lon, r.point_lat], JSON.parse(r.geometry) as Areal, { ignoreBoundary: true }));
    expect(outside.map((r) => r.code_insee)).toEqual([]);
    expect(rows).toHaveLength(cogCommunes().get("02")! + cogCommunes().get("23")!);
  });

  it("stores one outline per département, named from the referential", async () => {
    const rows = await queryRows<{ code_departement: string; nom: string; source_file: string }>(
      db.connection,
      `SELECT code_departement, nom, source_file FROM contours_departements WHERE code_departement IN ('02', '23', '2A', '75') ORDER BY 1`
    );
    // Each département that has its own file in the mirror takes it; the others come from the simplified national file.
    const own = new Map(mirrorFiles(/^departement-.+\.geojson$/).map((f) => [f.split("-")[1], f]));
    const expected = [["02", "Aisne"], ["23", "Creuse"], ["2A", "Corse-du-Sud"], ["75", "Paris"]].map(([code, nom]) => ({
      code_departement: code,
      nom,
      source_file: own.get(code) ?? "departements-version-simplifiee.geojson"
    }));
    expect(rows).toEqual(expected);
    const [{ n }] = await queryRows<{ n: number }>(db.connection, `SELECT count(*)::INTEGER AS n FROM contours_departements`);
    expect(n).toBe(new Set([...own.keys(), ...featureCodes("departements-version-simplifiee.geojson")]).size);
  });
});

describe("contours from any département file of a mirror", () => {
  let db: Database;
  beforeAll(async () => {
    // A temporary mirror: the COG, a hand-made file named like a département file, and the real Creuse file
    // under another département's name. Neither name is known to the loader.
    const mirror = tempDir("sdin-mirror-");
    symlinkSync(path.join(mirrorDir, "insee-cog-2026"), path.join(mirror, "insee-cog-2026"));
    mkdirSync(path.join(mirror, "contours-communes"));
    symlinkSync(path.join(inputDir, "territoire/contours-communes/communes-99-test.geojson"), path.join(mirror, "contours-communes/communes-99-test.geojson"));
    symlinkSync(path.join(mirrorDir, "contours-communes/communes-23-creuse.geojson"), path.join(mirror, "contours-communes/communes-2B-copie.geojson"));
    ({ db } = await loadSources([contours], { mirror }));
  });
  afterAll(() => db?.close());

  it("loads every file matching communes-<code>-<slug>.geojson", async () => {
    const rows = await queryRows<{ source_file: string; n: number }>(
      db.connection,
      `SELECT source_file, count(*)::INTEGER AS n FROM contours GROUP BY 1 ORDER BY 1`
    );
    // Creuse: 255 current communes; the fixture: 87028 (with 87055 and 87136, merged in 2019) and 87085.
    expect(rows).toEqual([
      { source_file: "communes-2B-copie.geojson", n: 255 },
      { source_file: "communes-99-test.geojson", n: 2 }
    ]);
  });

  it("dissolves the fixture's merged squares and quarantines what cannot be placed", async () => {
    const [merged] = await queryRows<{ nom: string; surface_km2: number; geometry: string; point_lon: number; point_lat: number }>(
      db.connection,
      `SELECT nom, surface_km2, geometry, point_lon, point_lat FROM contours WHERE code_insee = '87028'`
    );
    expect(merged.nom).toBe("Val-d'Oire-et-Gartempe");
    // Three 0.1° squares (two at 46.2–46.3° N, one at 46.1–46.2° N), R = 6 371 008.8 m:
    // R²·(0.1π/180)·[2(sin 46.3° − sin 46.2°) + (sin 46.2° − sin 46.1°)] = 256.659 km².
    expect(merged.surface_km2).toBeCloseTo(256.659, 2);
    expect((JSON.parse(merged.geometry) as Areal).type).toBe("Polygon");
    expect(booleanPointInPolygon([merged.point_lon, merged.point_lat], JSON.parse(merged.geometry) as Areal, { ignoreBoundary: true })).toBe(true);
    const quarantine = await queryRows<{ line: number; value: string; reason: string }>(
      db.connection,
      `SELECT line, value, reason FROM quarantine WHERE file = 'communes-99-test.geojson' ORDER BY line`
    );
    expect(quarantine.map((q) => [q.line, q.value])).toEqual([[5, "99999"], [6, "Point"]]);
    const [p] = await queryRows<{ rows_in: number; rows_loaded: number }>(
      db.connection,
      `SELECT rows_in, rows_loaded FROM provenance WHERE id = 'france-geojson-communes-99-test'`
    );
    expect(p).toEqual({ rows_in: 6, rows_loaded: 4 });
  });

  it("reports the communes of a covered département that have no outline", async () => {
    const missing = await communesWithoutContour(db.connection);
    const [{ n }] = await queryRows<{ n: number }>(db.connection, `SELECT count(*)::INTEGER AS n FROM communes WHERE code_departement = '87'`);
    // The fixture covers 2 current communes of the Haute-Vienne; every other one is reported, none of the Creuse.
    expect(missing).toHaveLength(n - 2);
    expect(missing.every((code) => code.startsWith("87"))).toBe(true);
  });
});

describe("contours of a commune whose parts lie in two files", () => {
  const row = `SELECT code_insee, geometry, point_lon, point_lat, surface_km2, source_file FROM contours ORDER BY rowid`;
  type ContourRow = { code_insee: string; geometry: string; point_lon: number; point_lat: number; surface_km2: number; source_file: string };
  let split: ContourRow[];
  let whole: ContourRow[];
  beforeAll(async () => {
    // The fixture's features, split so that Bussière-Poitevine (87028) is in the first file and the two communes
    // merged into it in 2019 (87055, 87136) in the second, which comes later in the files' order.
    const fixture = JSON.parse(readFileSync(path.join(inputDir, "territoire/contours-communes/communes-99-test.geojson"), "utf8"));
    const mirrorWith = (files: Record<string, string[]>) => {
      const mirror = tempDir("sdin-mirror-");
      symlinkSync(path.join(mirrorDir, "insee-cog-2026"), path.join(mirror, "insee-cog-2026"));
      mkdirSync(path.join(mirror, "contours-communes"));
      for (const [name, codes] of Object.entries(files)) {
        const features = fixture.features.filter((f: Feature) => codes.includes(String(f.properties?.code)));
        writeFileSync(path.join(mirror, "contours-communes", name), JSON.stringify({ ...fixture, features }));
      }
      return mirror;
    };
    const load = async (mirror: string) => {
      const { db } = await loadSources([contours], { mirror });
      try {
        return await queryRows<ContourRow>(db.connection, row);
      } finally {
        db.close();
      }
    };
    split = await load(mirrorWith({ "communes-98-a.geojson": ["87028", "87085"], "communes-99-b.geojson": ["87055", "87136"] }));
    whole = await load(mirrorWith({ "communes-99-c.geojson": ["87028", "87085", "87055", "87136"] }));
  });

  it("dissolves the parts of both files into the same outline as one file holding them all", () => {
    expect(split.map((r) => r.code_insee)).toEqual(["87028", "87085"]);
    const [merged] = split;
    expect(merged.source_file).toBe("communes-98-a.geojson, communes-99-b.geojson");
    expect({ ...merged, source_file: null }).toEqual({ ...whole[0], source_file: null });
    expect(merged.surface_km2).toBeCloseTo(256.659, 2); // the three squares, as in the test above
  });
});
