import { area } from "@turf/area";
import { bbox as turfBbox } from "@turf/bbox";
import { booleanPointInPolygon } from "@turf/boolean-point-in-polygon";
import { centerOfMass } from "@turf/center-of-mass";
import { point } from "@turf/helpers";
import { pointOnFeature } from "@turf/point-on-feature";
import polygonClipping from "polygon-clipping";
import type { BBox, Feature, Geometry, MultiPolygon, Polygon, Position } from "geojson";
import { SourceError } from "./errors.ts";
import type { Ledger } from "./ledger.ts";
import { decodeText } from "./text.ts";

/**
 * Geometry helpers shared by the sources: representative points, dissolving merged communes, areas,
 * placing points without an INSEE code, distances. Coordinates are WGS84 longitude/latitude (GeoJSON order).
 */

export type Areal = Polygon | MultiPolygon;
export type ArealFeature = Feature<Areal, Record<string, unknown> | null>;

/** True for the geometries a commune or département outline can have. */
export function isAreal(geometry: Geometry | null | undefined): geometry is Areal {
  // The nesting is checked too: coordinates nested deeper than a polygon's (a broken or hostile file) would
  // overflow the stack of every recursive walk over them, with a message that names nothing.
  if (geometry?.type === "Polygon") return isPolygonCoordinates(geometry.coordinates);
  if (geometry?.type === "MultiPolygon") return Array.isArray(geometry.coordinates) && geometry.coordinates.every(isPolygonCoordinates);
  return false;
}

function isPolygonCoordinates(rings: unknown): boolean {
  return Array.isArray(rings) && rings.every((ring) => Array.isArray(ring) && ring.every(isPosition));
}

function isPosition(p: unknown): boolean {
  return Array.isArray(p) && p.length >= 2 && typeof p[0] === "number" && typeof p[1] === "number";
}

/** [south, north, west, east] in degrees, generous by a few km so that coastal and border places pass. */
type Box = readonly [number, number, number, number];

/**
 * Bounding boxes of France: metropolitan France with Corsica, and the five overseas départements.
 * Saint-Martin and Saint-Barthélemy fall inside the Guadeloupe box (their codes are then refused by the COG).
 */
export const FRANCE_BOXES: Readonly<Record<string, Box>> = {
  metropole: [41.0, 51.6, -5.8, 10.0],
  guadeloupe: [15.8, 18.2, -63.2, -60.8],
  martinique: [14.3, 15.0, -61.3, -60.7],
  guyane: [2.0, 6.0, -54.8, -51.3],
  reunion: [-21.5, -20.8, 55.1, 56.0],
  mayotte: [-13.1, -12.5, 44.9, 45.4]
};

/** True when (lat, lon) lies in one of France's boxes. */
export function inFrance(latitude: number, longitude: number): boolean {
  return Object.values(FRANCE_BOXES).some(([s, n, w, e]) => latitude >= s && latitude <= n && longitude >= w && longitude <= e);
}

/**
 * A point guaranteed to lie inside the polygon, for labels and distances. The centre of mass is used when it
 * falls strictly inside (the common case, and the most natural point). For C-shaped or multi-part communes it
 * can fall outside; turf's `pointOnFeature` then returns the polygon vertex nearest to the centre, which lies
 * *on the border*, not inside: a distance or a point-in-polygon test from there is ambiguous. So the fallback
 * takes the middle of the widest interior segment of a horizontal line crossing the largest part, which is
 * strictly inside by construction (even-odd rule, holes included). `pointOnFeature` stays as a last resort
 * for degenerate shapes only.
 */
export function representativePoint(feature: Feature<Areal> | Areal): [number, number] {
  const geometry = "type" in feature && feature.type === "Feature" ? feature.geometry : (feature as Areal);
  const centre = centerOfMass(geometry).geometry.coordinates as [number, number];
  if (booleanPointInPolygon(centre, geometry, { ignoreBoundary: true })) return centre;
  const inside = scanlinePoint(largestPolygon(geometry));
  if (inside) return inside;
  return pointOnFeature(geometry).geometry.coordinates as [number, number];
}

function largestPolygon(geometry: Areal): Position[][] {
  if (geometry.type === "Polygon") return geometry.coordinates;
  let best = geometry.coordinates[0];
  let bestArea = -1;
  for (const rings of geometry.coordinates) {
    const a = area({ type: "Polygon", coordinates: rings });
    if (a > bestArea) [best, bestArea] = [rings, a];
  }
  return best;
}

/** Middle of the widest inside stretch of a horizontal line through the polygon's latitude span. */
function scanlinePoint(rings: Position[][]): [number, number] | null {
  const lats = rings[0].map((p) => p[1]);
  const [south, north] = [Math.min(...lats), Math.max(...lats)];
  // A few lines, in case one runs exactly along an edge; the middle one is usually the widest.
  for (const t of [0.5, 0.37, 0.63, 0.25, 0.75]) {
    const y = south + (north - south) * t;
    const xs: number[] = [];
    for (const ring of rings) {
      for (let i = 0; i + 1 < ring.length; i++) {
        const [x1, y1] = ring[i];
        const [x2, y2] = ring[i + 1];
        // Half-open rule: a vertex on the line is counted once.
        if (y1 <= y !== y2 <= y) xs.push(x1 + ((y - y1) * (x2 - x1)) / (y2 - y1));
      }
    }
    xs.sort((a, b) => a - b);
    let best: [number, number] | null = null;
    let width = 0;
    for (let i = 0; i + 1 < xs.length; i += 2) {
      if (xs[i + 1] - xs[i] > width) [width, best] = [xs[i + 1] - xs[i], [(xs[i] + xs[i + 1]) / 2, y]];
    }
    if (best && width > 0) return best;
  }
  return null;
}

/**
 * Union of the outlines of communes merged into one current commune. Shared borders disappear; parts that do
 * not touch stay as a MultiPolygon. `polygon-clipping` computes in floating point: on the 317 unions of France's
 * merged communes it gives the very same rings as turf's `union` (its arbitrary-precision port), five times faster.
 */
export function dissolve(features: (Feature<Areal> | Areal)[]): Areal {
  const geometries = features.map((f) => ("type" in f && f.type === "Feature" ? f.geometry : (f as Areal)));
  if (geometries.length === 1) return geometries[0];
  const [first, ...others] = geometries.map((g) => (g.type === "Polygon" ? [g.coordinates] : g.coordinates) as polygonClipping.MultiPolygon);
  const merged = polygonClipping.union(first, ...others);
  if (merged.length === 0) throw new Error(`union vide de ${geometries.length} contours`);
  return merged.length === 1 ? { type: "Polygon", coordinates: merged[0] } : { type: "MultiPolygon", coordinates: merged };
}

/** Area on the WGS84 sphere, in km². */
export function areaKm2(feature: Feature<Areal> | Areal): number {
  return area(feature) / 1e6;
}

/**
 * Rounds every coordinate to `digits` decimals (5 ≈ 1 m), keeping longitude and latitude only: outlines stored as
 * text stay small. The positions are rounded where they are, without a copy (millions of them for France): give it
 * a geometry no one else reads, such as one just parsed from a file. Returns its type and coordinates only (any
 * other member of the input, such as a `bbox`, is not stored).
 */
export function roundCoordinates<G extends Areal>(geometry: G, digits = 5): G {
  const f = 10 ** digits;
  const polygons = geometry.type === "Polygon" ? [geometry.coordinates] : (geometry as MultiPolygon).coordinates;
  for (const rings of polygons) {
    for (const ring of rings) {
      for (const p of ring) {
        p[0] = Math.round(p[0] * f) / f;
        p[1] = Math.round(p[1] * f) / f;
        if (p.length > 2) p.length = 2;
      }
    }
  }
  return { type: geometry.type, coordinates: geometry.coordinates } as G;
}

/** One entry of a commune index: a code, its outline and the outline's bounding box. */
interface IndexEntry {
  code: string;
  bbox: BBox;
  geometry: Areal;
}

/** Outlines ready for point-in-polygon look-ups. Build with `communeIndex`. */
export interface CommuneIndex {
  entries: IndexEntry[];
  /** Entry positions by grid cell (`gridKey`), ascending: the outlines whose bounding box meets the cell. */
  grid: Map<number, number[]>;
}

/** Grid cell size in degrees: about 11 km, a few communes per cell. */
const CELL = 0.1;

function gridKey(col: number, row: number): number {
  return (row + 2000) * 4000 + (col + 2000);
}

/**
 * Builds a look-up index from commune outlines (`contours` rows parsed, or GeoJSON features). The code is
 * read from `code_insee`, then `code`, unless `codeOf` says otherwise.
 */
export function communeIndex(
  features: Feature<Geometry | null, Record<string, unknown> | null>[],
  codeOf: (f: Feature<Geometry | null, Record<string, unknown> | null>) => string | null = (f) =>
    (f.properties?.code_insee as string | undefined) ?? (f.properties?.code as string | undefined) ?? null
): CommuneIndex {
  const entries: IndexEntry[] = [];
  for (const f of features) {
    const code = codeOf(f);
    if (!code || !isAreal(f.geometry)) continue;
    entries.push({ code, bbox: turfBbox(f.geometry), geometry: f.geometry });
  }
  return { entries, grid: gridOf(entries) };
}

/** Entry positions by grid cell: the outlines whose bounding box meets each cell, in the entries' order. */
function gridOf(entries: readonly IndexEntry[]): Map<number, number[]> {
  const grid = new Map<number, number[]>();
  entries.forEach(({ bbox }, i) => {
    for (let row = Math.floor(bbox[1] / CELL); row <= Math.floor(bbox[3] / CELL); row++) {
      for (let col = Math.floor(bbox[0] / CELL); col <= Math.floor(bbox[2] / CELL); col++) {
        const key = gridKey(col, row);
        const cell = grid.get(key);
        if (cell) cell.push(i);
        else grid.set(key, [i]);
      }
    }
  });
  return grid;
}

/**
 * Outlines as the `contours` source hands them over from its worker thread: codes, boxes ([west, south, east,
 * north] four by four) and bytes holding each stored GeoJSON text as UTF-8 between `starts[i]` and `ends[i]`.
 * Typed arrays cross between threads without a copy.
 */
export interface PackedOutlines {
  codes: string[];
  bboxes: Float64Array;
  text: Uint8Array;
  starts: Uint32Array;
  ends: Uint32Array;
}

/**
 * The point-in-polygon index of packed outlines, searched in code order (as the `contours` table read with
 * `ORDER BY code_insee`): an outline is decoded and parsed the first time a point falls in its box, so that
 * placing a few hundred points does not parse 50 MB of outlines. Entries must be valid areal geometries.
 */
export function communeIndexFromPacked({ codes, bboxes, text, starts, ends }: PackedOutlines): CommuneIndex {
  const decoder = new TextDecoder();
  const order = codes.map((_, i) => i).sort((a, b) => (codes[a] < codes[b] ? -1 : codes[a] > codes[b] ? 1 : 0));
  const entries: IndexEntry[] = order.map((i) => {
    let parsed: Areal | null = null;
    return {
      code: codes[i],
      bbox: [bboxes[i * 4], bboxes[i * 4 + 1], bboxes[i * 4 + 2], bboxes[i * 4 + 3]],
      get geometry(): Areal {
        parsed ??= JSON.parse(decoder.decode(text.subarray(starts[i], ends[i]))) as Areal;
        return parsed;
      }
    };
  });
  return { entries, grid: gridOf(entries) };
}

/**
 * The code of the commune containing (lon, lat), or null. The bounding-box test discards almost every
 * commune at the cost of four comparisons, so the exact test runs on one or two outlines only.
 */
export function pointInCommune(lon: number, lat: number, index: CommuneIndex): string | null {
  const p = point([lon, lat]);
  // Only the outlines whose box meets the point's grid cell, in the index's order: the first match is the
  // same as scanning every entry.
  for (const i of index.grid.get(gridKey(Math.floor(lon / CELL), Math.floor(lat / CELL))) ?? []) {
    const { code, bbox, geometry } = index.entries[i];
    if (lon < bbox[0] || lon > bbox[2] || lat < bbox[1] || lat > bbox[3]) continue;
    if (booleanPointInPolygon(p, geometry)) return code;
  }
  return null;
}

/**
 * Reads a GeoJSON file (a FeatureCollection or a single Feature) and returns its features. An empty file,
 * an HTML page, invalid JSON or a JSON that is not GeoJSON fails the load with the file and line.
 */
export function parseGeoJsonFeatures(bytes: Uint8Array, where: { source: string; file: string }): Feature<Geometry | null, Record<string, unknown> | null>[] {
  const { text } = decodeText(bytes, where);
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    // Newer V8 versions give the offset of the error; older ones do not, and then no line is claimed.
    const position = /position (\d+)/.exec((error as Error).message)?.[1];
    const line = position === undefined ? undefined : text.slice(0, Number(position)).split("\n").length;
    throw new SourceError({ ...where, line }, `JSON invalide (${(error as Error).message.slice(0, 120)})`);
  }
  const doc = json as { type?: unknown; features?: unknown } | null;
  if (doc?.type === "Feature") return [doc as unknown as Feature<Geometry | null, Record<string, unknown> | null>];
  if (doc?.type !== "FeatureCollection" || !Array.isArray(doc.features)) {
    throw new SourceError({ ...where, line: 1 }, `GeoJSON attendu (FeatureCollection ou Feature), type lu : ${JSON.stringify(doc?.type ?? null)}`);
  }
  return doc.features as Feature<Geometry | null, Record<string, unknown> | null>[];
}

/**
 * Fails the load when no feature carries a required property (renamed in a new edition?). Features are
 * numbered from 1, and that number stands for the "line" in messages and in the quarantine.
 */
export function requireProperty(features: Feature<Geometry | null, Record<string, unknown> | null>[], name: string, ledger: Ledger): void {
  if (features.length === 0) throw new SourceError(ledger.at(1), "aucune entité (feature) dans le fichier GeoJSON");
  if (features.some((f) => f.properties && name in f.properties)) return;
  const seen = Object.keys(features[0].properties ?? {}).join(", ");
  throw new SourceError(ledger.at(1, name), `propriété obligatoire absente de toutes les entités (propriétés lues : ${seen || "aucune"})`);
}

/**
 * Lambert-93 (EPSG:2154, the French official projection many local files still use for `x`/`y`) to WGS84
 * [lon, lat]. Inverse Lambert conformal conic on the GRS80 ellipsoid (IGN, note NTG_71), standard parallels
 * 44° and 49°, origin 3° E 46.5° N at (700 000, 6 600 000). Lambert-93 is tied to RGF93, which coincides with
 * WGS84 to a metre: no datum shift is needed.
 */
export function lambert93ToWgs84(x: number, y: number): [number, number] {
  const a = 6378137;
  const e = 0.0818191910428158;
  const rad = Math.PI / 180;
  const [phi0, phi1, phi2, lambda0] = [46.5 * rad, 44 * rad, 49 * rad, 3 * rad];
  const m = (phi: number) => Math.cos(phi) / Math.sqrt(1 - (e * Math.sin(phi)) ** 2);
  const t = (phi: number) => Math.tan(Math.PI / 4 - phi / 2) / ((1 - e * Math.sin(phi)) / (1 + e * Math.sin(phi))) ** (e / 2);
  const n = (Math.log(m(phi1)) - Math.log(m(phi2))) / (Math.log(t(phi1)) - Math.log(t(phi2)));
  const f = m(phi1) / (n * t(phi1) ** n);
  const rho0 = a * f * t(phi0) ** n;
  const dx = x - 700000;
  const dy = rho0 - (y - 6600000);
  const rho = Math.sign(n) * Math.hypot(dx, dy);
  const tt = (rho / (a * f)) ** (1 / n);
  const lambda = Math.atan2(dx, dy) / n + lambda0;
  let phi = Math.PI / 2 - 2 * Math.atan(tt);
  for (let i = 0; i < 10; i++) {
    phi = Math.PI / 2 - 2 * Math.atan(tt * ((1 - e * Math.sin(phi)) / (1 + e * Math.sin(phi))) ** (e / 2));
  }
  return [lambda / rad, phi / rad];
}

/** True when (x, y) lies in the extent of Lambert-93 over metropolitan France (metres). */
export function isLambert93(x: number, y: number): boolean {
  return x > 0 && x < 1_400_000 && y > 6_000_000 && y < 7_200_000;
}
