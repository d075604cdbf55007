import { readFile, writeFile } from "node:fs/promises";
import { bbox } from "@turf/bbox";
import type { Feature, Geometry } from "geojson";
import { CogIndex, currentCodeOrQuarantine, type CogData } from "../cog.ts";
import { areaKm2, dissolve, inFrance, isAreal, type PackedOutlines, parseGeoJsonFeatures, representativePoint, requireProperty, roundCoordinates, type Areal } from "../../io/geo.ts";
import { groupBy } from "../../io/group.ts";
import { Ledger, type QuarantinedRow } from "../../io/ledger.ts";
import { normaliseCommuneCode, normaliseDepartementCode } from "../../io/values.ts";

/**
 * The geometry work of the `contours` source, apart from the database so that it can run in the load's worker
 * thread (`ComputeThread`) while the other sources load: reading and checking each outline file, re-keying communes
 * on the current COG, dissolving merged communes, rounding, representative points and areas, the JSON text stored.
 * Every feature is counted in its file's ledger, loaded or quarantined, as in any source.
 */

/** A file to read: where it is on disk and the name messages give it. */
export interface OutlineFile {
  file: string;
  name: string;
}

export interface OutlinesInput {
  source: string;
  /** Where to write the `contours` rows (tab-separated), for DuckDB to read in bulk (see `contoursFileColumns`). */
  table: string;
  communes: OutlineFile[];
  departements: OutlineFile[];
  cog: CogData;
  /** Current communes' names (from the referential, never from the older outline files). */
  communeNames: [string, string][];
  departementNames: [string, string][];
}

/**
 * A `contours` row, as the line written for DuckDB (see `contoursFileColumns`): bytes made as soon as the row is, so
 * that France's ≈ 45 MB of outline text does not stay in the heap, copied by every young-generation collection.
 */
interface ContourRow {
  code_insee: string;
  /** The row's tab-separated line, line break included. */
  line: Buffer;
  /** Where the outline's JSON text lies in `line`. */
  geometryStart: number;
  geometryEnd: number;
  /** Bounding box of the stored outline [west, south, east, north] (not a column: for the point-in-polygon index). */
  bbox: [number, number, number, number];
}

/** A `contours_departements` row. */
export interface DepartementOutlineRow {
  code_departement: string;
  nom: string;
  geometry: string;
  source_file: string;
}

/** What one file's features became: counts and quarantined rows, added to that file's ledger by the caller. */
export interface FileCounts {
  rowsIn: number;
  rowsLoaded: number;
  quarantined: QuarantinedRow[];
}

export interface OutlinesOutput {
  /** Rows written to `input.table`. */
  rows: number;
  /** Longest line of that file, in bytes (DuckDB's reader must be told when it passes its default). */
  longestLine: number;
  outlines: PackedOutlines;
  departements: DepartementOutlineRow[];
  /** One per input file: the commune files', then the département files'. */
  counts: FileCounts[];
}

type AnyFeature = Feature<Geometry | null, Record<string, unknown> | null>;

/** One usable outline read from a file, already keyed on the current commune. */
interface CommunePart {
  code: string;
  geometry: Areal;
  file: string;
}

/** Feature numbers stand for line numbers in the quarantine: say so, a GeoJSON file is often one line. */
export const FEATURE_NOTE = "(ligne = numéro de l'entité GeoJSON)";

/**
 * Every row of both tables from the files, in file order (the first outline of a code decides its row's place).
 * Each file's communes are finished (dissolved, rounded, measured) before the next file is read, so that only one
 * file's parsed features are alive at a time. A commune whose parts lie in several files (an old commune filed under
 * another département) is then rebuilt at the end from all its parts, read again from the files that hold them:
 * the result is the same as reading every file before finishing any commune.
 */
export async function computeOutlines(input: OutlinesInput): Promise<OutlinesOutput> {
  const cog = CogIndex.fromData(input.cog);
  const counts: FileCounts[] = [];
  const names = new Map(input.communeNames);
  const communes: ContourRow[] = [];
  /** Row of each code, and the files (indices in `input.communes`) where its parts were found. */
  const rowOf = new Map<string, { row: number; files: number[] }>();
  const spread = new Set<string>();
  for (const [index, file] of input.communes.entries()) {
    const ledger = new Ledger(input.source, file.name);
    const parts = readCommuneParts(await readFeatures(file, ledger), file.name, ledger, cog);
    counts.push(ledgerCounts(ledger));
    for (const [code, group] of groupBy(parts, (p) => p.code)) {
      const seen = rowOf.get(code);
      if (seen) {
        seen.files.push(index);
        spread.add(code);
        continue;
      }
      rowOf.set(code, { row: communes.length, files: [index] });
      communes.push(communeRow(code, group, names.get(code) ?? null));
    }
  }
  for (const code of spread) {
    const { row, files } = rowOf.get(code)!;
    const parts: CommunePart[] = [];
    for (const index of files) {
      const file = input.communes[index];
      // Read again for its geometry only: the file's rows were counted in its ledger the first time.
      const again = new Ledger(input.source, file.name);
      parts.push(...readCommuneParts(await readFeatures(file, again), file.name, again, cog).filter((p) => p.code === code));
    }
    communes[row] = communeRow(code, parts, names.get(code) ?? null);
  }
  const { outlines, longestLine } = tabSeparated(communes);
  await writeFile(input.table, outlines.text);
  const departementNames = new Map(input.departementNames);
  const departements = new Map<string, DepartementOutlineRow>();
  for (const file of input.departements) {
    const ledger = new Ledger(input.source, file.name);
    (await readFeatures(file, ledger)).forEach((feature, i) => readDepartement(feature, i + 1, file.name, ledger, departementNames, departements));
    counts.push(ledgerCounts(ledger));
  }
  return { rows: communes.length, longestLine, outlines, departements: [...departements.values()], counts };
}

/** The columns of the file written for DuckDB, in the `contours` table's order. */
export const contoursFileColumns = ["code_insee", "nom", "geometry", "point_lon", "point_lat", "surface_km2", "source_file"] as const;

/**
 * One row's line: tab-separated, without quoting. Outlines are JSON text written by `JSON.stringify` (plain ASCII,
 * never a tab or a line break), names and file names are checked. A missing value is an empty field (NULL for
 * DuckDB), numbers are written as JavaScript writes them (the shortest text that reads back as the same double).
 */
function contourRow(code: string, nom: string | null, geometry: Areal, point: [number, number], surface: number, sourceFile: string): ContourRow {
  const checked = (value: string | null, column: string) => {
    if (value === null) return "";
    if (/[\t\r\n]/.test(value)) throw new Error(`contours : tabulation ou saut de ligne dans ${column} (${JSON.stringify(value)})`);
    return value;
  };
  const number = (value: number) => (Number.isFinite(value) ? String(value) : "");
  const before = `${code}\t${checked(nom, "nom")}\t`;
  const json = JSON.stringify(geometry);
  const line = Buffer.from(`${before}${json}\t${number(point[0])}\t${number(point[1])}\t${number(surface)}\t${checked(sourceFile, "source_file")}\n`, "utf8");
  const geometryStart = Buffer.byteLength(before);
  return { code_insee: code, line, geometryStart, geometryEnd: geometryStart + json.length, bbox: bbox(geometry) as [number, number, number, number] };
}

/**
 * The rows' lines one after the other under the header, in one buffer of their own (not from Node's shared pool),
 * so that it can be moved to the other thread, which finds each outline's text between `starts[i]` and `ends[i]`.
 * The same bytes are written to the file DuckDB reads.
 */
function tabSeparated(rows: ContourRow[]): { outlines: PackedOutlines; longestLine: number } {
  const header = Buffer.from(contoursFileColumns.join("\t") + "\n", "latin1");
  let size = header.length;
  let longestLine = 0;
  for (const { line } of rows) {
    // Without its line break, as DuckDB measures a line.
    longestLine = Math.max(longestLine, line.length - 1);
    size += line.length;
  }
  const text = new Uint8Array(size);
  const starts = new Uint32Array(rows.length);
  const ends = new Uint32Array(rows.length);
  text.set(header, 0);
  let at = header.length;
  rows.forEach(({ line, geometryStart, geometryEnd }, i) => {
    text.set(line, at);
    starts[i] = at + geometryStart;
    ends[i] = at + geometryEnd;
    at += line.length;
  });
  const bboxes = new Float64Array(rows.length * 4);
  rows.forEach((row, i) => bboxes.set(row.bbox, i * 4));
  return { outlines: { codes: rows.map((r) => r.code_insee), bboxes, text, starts, ends }, longestLine };
}

function ledgerCounts(ledger: Ledger): FileCounts {
  return { rowsIn: ledger.rowsIn, rowsLoaded: ledger.rowsLoaded, quarantined: ledger.quarantined };
}

async function readFeatures({ file, name }: OutlineFile, ledger: Ledger): Promise<AnyFeature[]> {
  const features = parseGeoJsonFeatures(await readFile(file), { source: ledger.source, file: name });
  requireProperty(features, "code", ledger);
  return features;
}

/** Reads a commune file: each feature is counted, then kept (re-keyed on the current COG) or quarantined. */
function readCommuneParts(features: AnyFeature[], file: string, ledger: Ledger, cog: CogIndex): CommunePart[] {
  const parts: CommunePart[] = [];
  features.forEach((feature, i) => {
    ledger.read();
    const line = i + 1;
    const raw = String(feature.properties?.code ?? "");
    if (!isAreal(feature.geometry)) {
      ledger.quarantine(line, "geometry", feature.geometry?.type ?? null, `géométrie absente ou non surfacique ${FEATURE_NOTE}`);
      return;
    }
    // An outline abroad (longitude and latitude swapped, a wrong projection) would place the commune's point,
    // and every distance from it, in another continent.
    const [west, south, east, north] = bbox(feature.geometry);
    if (!inFrance(south, west) || !inFrance(north, east)) {
      ledger.quarantine(line, "geometry", `[${[west, south, east, north].map((v) => v.toFixed(3)).join(", ")}]`, `contour hors de France (longitude et latitude inversées ?) ${FEATURE_NOTE}`);
      return;
    }
    const code = currentCodeOrQuarantine(cog, normaliseCommuneCode(raw), raw, ledger, line, `code ${FEATURE_NOTE}`);
    if (!code) return;
    parts.push({ code, geometry: feature.geometry, file });
    ledger.loaded(); // merged parts each reach the database, inside their current commune's outline
  });
  return parts;
}

/** One `contours` row: merged communes dissolved, coordinates rounded, point and area computed on what is stored. */
function communeRow(code: string, group: CommunePart[], nom: string | null): ContourRow {
  const geometry = roundCoordinates(dissolve(group.map((p) => p.geometry)));
  const surface = Math.round(areaKm2(geometry) * 1000) / 1000;
  return contourRow(code, nom, geometry, representativePoint(geometry), surface, [...new Set(group.map((p) => p.file))].join(", "));
}

function readDepartement(
  feature: AnyFeature,
  line: number,
  file: string,
  ledger: Ledger,
  names: Map<string, string>,
  rows: Map<string, DepartementOutlineRow>
): void {
  ledger.read();
  const raw = String(feature.properties?.code ?? "");
  const code = normaliseDepartementCode(raw);
  const quarantine = (column: string, value: unknown, reason: string) => ledger.quarantine(line, `${column} ${FEATURE_NOTE}`, value, reason);
  if (!isAreal(feature.geometry)) return quarantine("geometry", feature.geometry?.type ?? null, "géométrie absente ou non surfacique");
  if (!code || !names.has(code)) return quarantine("code", raw, "code de département absent du référentiel");
  const kept = rows.get(code);
  if (kept) return quarantine("code", raw, `département déjà couvert par un contour plus précis (${kept.source_file})`);
  rows.set(code, { code_departement: code, nom: names.get(code)!, geometry: JSON.stringify(roundCoordinates(feature.geometry)), source_file: file });
  ledger.loaded();
}
