import { bisectLeft, geoConicConformal, geoDistance, geoMercator, quantileSorted, type GeoProjection } from "d3";
import { EARTH_RADIUS_KM } from "../../../src/lib/diagnostic/distance.ts";
import { removeXmlForbidden } from "../sanitize.ts";
import { Canvas, type Point } from "./raster.ts";

/**
 * Choropleth maps of the communes, drawn twice from the same geometry: as SVG (kept beside the Markdown, and
 * embedded in the DOCX) and as a PNG (the DOCX's fallback for applications that cannot show SVG). Projection and
 * class breaks come from d3, as on the site (`src/components/map.ts`): Lambert conformal conic for metropolitan
 * France, quantiles for the classes. The SVG carries its legend and a scale bar. Communes are drawn from their
 * outlines when the `contours` table is loaded, otherwise as discs at their representative points. When the
 * communes span metropolitan and overseas départements, each overseas département is an inset beside metropolitan
 * France, which fills the main frame.
 */

export interface MapCommune {
  code: string;
  nom: string;
  value: number | null;
  lon: number | null;
  lat: number | null;
  /** Population, sizing the discs of the point map. */
  weight: number | null;
  highlighted: boolean;
  /** Département code (default: from the INSEE code), to put overseas départements in insets. */
  departement?: string;
}

export interface MapClass {
  color: string;
  label: string;
}

export interface RenderedMap {
  png: Uint8Array;
  svg: string;
  width: number;
  height: number;
  legend: MapClass[];
  mode: "contours" | "points";
  /** Length of the scale bar drawn in the image, in km. */
  scaleKm: number | null;
}

export const sequentialPalette = ["#fef0d9", "#fdcc8a", "#fc8d59", "#e34a33", "#b30000"];
const missingColor = "#d9d9d9";
const borderColor = "#ffffff";
const highlightColor = "#1f2a44";
const textColor = "#222222";

/** Upper bounds of classes: values ≤ breaks[i] fall in class i, above the last in the last class. */
export function classify(value: number | null, breaks: number[]): number | null {
  if (value === null || !Number.isFinite(value)) return null;
  return bisectLeft(breaks, value);
}

/** Quantile breaks (n classes) of the known values, as d3 computes them (duplicates merged). */
export function quantileBreaks(values: (number | null)[], n = 5): number[] {
  const sorted = values.filter((v): v is number => v !== null && Number.isFinite(v)).sort((a, b) => a - b);
  if (sorted.length === 0) return [];
  const breaks: number[] = [];
  for (let i = 1; i < n; i++) breaks.push(Math.round(quantileSorted(sorted, i / n)! * 1e6) / 1e6);
  return [...new Set(breaks)];
}

type Rings = [number, number][][];

/** GeoJSON Polygon / MultiPolygon text → list of polygons (rings of [lon, lat]). */
export function parseGeometry(text: string): Rings[] {
  const geometry = JSON.parse(text) as { type: string; coordinates: unknown };
  if (geometry.type === "Polygon") return [geometry.coordinates as Rings];
  if (geometry.type === "MultiPolygon") return geometry.coordinates as Rings[];
  throw new Error(`géométrie non surfacique ${JSON.stringify(geometry.type)} dans la table contours`);
}

/** A frame of the map: a projection fitted to a group of communes in a box of the image. */
interface Frame {
  projection: GeoProjection;
  box: [[number, number], [number, number]];
  inset: boolean;
  label?: string;
}

function departementOf(c: MapCommune): string {
  return c.departement ?? (c.code.startsWith("97") ? c.code.slice(0, 3) : c.code.slice(0, 2));
}

const overseasNames: Record<string, string> = { "971": "Guadeloupe", "972": "Martinique", "973": "Guyane", "974": "La Réunion", "976": "Mayotte" };

/**
 * Fits one projection per group to its points. Fitting on points (a MultiPoint) rather than on the polygons
 * avoids d3's spherical winding rule, under which an RFC 7946 (counter-clockwise) ring covers the whole globe.
 */
function frames(groups: Map<string, [number, number][]>, width: number, mapHeight: number): Frame[] {
  const overseas = [...groups.keys()].filter((k) => k.startsWith("97")).sort();
  const metropolitan = [...groups.keys()].filter((k) => !k.startsWith("97"));
  const fit = (projection: GeoProjection, points: [number, number][], box: [[number, number], [number, number]]) =>
    projection.fitExtent(box, { type: "MultiPoint", coordinates: points });
  const lambert = () => geoConicConformal().parallels([44, 49]).rotate([-3, 0]);
  if (!metropolitan.length || !overseas.length) {
    const points = [...groups.values()].flat();
    const projection = metropolitan.length ? lambert() : geoMercator();
    return [{ projection: fit(projection, points, [[10, 10], [width - 10, mapHeight - 10]]), box: [[0, 0], [width, mapHeight]], inset: false }];
  }
  // Insets in a column on the left, each of the same size; metropolitan France fills the rest.
  const column = Math.round(width * 0.2);
  const step = mapHeight / Math.max(overseas.length, 4);
  const list: Frame[] = overseas.map((code, i) => {
    const box: [[number, number], [number, number]] = [[8, i * step + 22], [column - 8, (i + 1) * step - 6]];
    return { projection: fit(geoMercator(), groups.get(code)!, box), box: [[4, i * step + 4], [column - 4, (i + 1) * step - 2]], inset: true, label: overseasNames[code] ?? code };
  });
  const points = metropolitan.flatMap((k) => groups.get(k)!);
  list.push({ projection: fit(lambert(), points, [[column + 10, 10], [width - 10, mapHeight - 10]]), box: [[column, 0], [width, mapHeight]], inset: false });
  return list;
}

function escapeXml(text: string): string {
  return removeXmlForbidden(text).replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}

/**
 * SVG path data of rings in image pixels, to the pixel: each ring's first point absolute, the next ones as steps from
 * the one before (`l`, then implied), a point that rounds onto the one before left out. Steps are taken between
 * rounded points, so the vertices are where the absolute form would put them (no error adds up along a ring), and
 * outlines shared by two communes stay shared. A pixel of the map is what its PNG fallback draws at (the same grid),
 * 0.1 to 0.2 mm on the schéma's page: finer steps would not show, and whole numbers make the file a quarter smaller
 * and less than half as long to deflate into the DOCX as tenths did.
 */
export function pathData(rings: Point[][]): string {
  let d = "";
  for (const ring of rings) {
    let previousX = 0;
    let previousY = 0;
    let points = 0;
    for (const [x, y] of ring) {
      const px = Math.round(x);
      const py = Math.round(y);
      if (points === 0) d += `M${px}${separated(py)}`;
      else {
        const dx = px - previousX;
        const dy = py - previousY;
        if (dx === 0 && dy === 0) continue;
        d += `${points === 1 ? "l" : dx < 0 ? "" : ","}${dx}${separated(dy)}`;
      }
      previousX = px;
      previousY = py;
      points++;
    }
    if (points > 0) d += "z";
  }
  return d;
}

/** A whole number after another in path data: a minus sign separates on its own, anything else takes a comma. */
function separated(n: number): string {
  return n < 0 ? String(n) : "," + n;
}

/** A round length (1, 2 or 5 × 10ⁿ km) whose bar is at most `maxPx` long, for a frame's scale bar. */
export function scaleBar(projection: GeoProjection, [[x0, y0], [x1, y1]]: [[number, number], [number, number]], maxPx: number): { km: number; px: number } | null {
  const cy = (y0 + y1) / 2;
  const cx = (x0 + x1) / 2;
  const a = projection.invert?.([cx, cy]);
  const b = projection.invert?.([cx + 100, cy]);
  if (!a || !b) return null;
  const kmPer100 = geoDistance(a, b) * EARTH_RADIUS_KM;
  if (!(kmPer100 > 0)) return null;
  const maxKm = (kmPer100 * maxPx) / 100;
  const power = 10 ** Math.floor(Math.log10(maxKm));
  const km = [5, 2, 1].map((m) => m * power).find((v) => v <= maxKm) ?? power;
  return { km, px: (km / kmPer100) * 100 };
}

const LEGEND_ROW = 22;

/** Where the communes of a map are drawn: their outlines, the frames fitted to them, and what they project to. */
interface Geometry {
  shapes: Map<string, Rings[]>;
  mapHeight: number;
  layout: Frame[];
  frameOf: Map<string, Frame>;
  /** Outlines in image coordinates and their SVG path, by INSEE code, filled in as the communes are drawn. */
  projected: Map<string, Point[][][]>;
  paths: Map<string, string>;
}

/**
 * What the maps of one document share when they draw the same communes from the same outlines (only the colours
 * change from one to the next): the outlines parsed, the frames fitted, each outline projected and its SVG path.
 * Given to each `renderChoropleth` of the document, it is computed by the first map and reused by the others.
 */
export class SharedGeometry {
  /** @internal The last geometry computed, with what it was computed from. */
  entry: { contours: Map<string, string>; key: string; geometry: Geometry } | null = null;
}

/** The geometry of `drawn` communes in a map `width` pixels wide. */
function geometryOf(drawn: MapCommune[], contours: Map<string, string>, mode: "contours" | "points", width: number): Geometry {
  const shapes = new Map<string, Rings[]>();
  if (mode === "contours") for (const c of drawn) if (!shapes.has(c.code)) shapes.set(c.code, parseGeometry(contours.get(c.code)!));
  const groups = new Map<string, [number, number][]>();
  for (const c of drawn) {
    const points = mode === "contours" ? shapes.get(c.code)!.flat(2) : [[c.lon!, c.lat!] as [number, number]];
    const key = departementOf(c);
    const group = groups.get(key);
    if (group) for (const p of points) group.push(p);
    else groups.set(key, [...points]);
  }
  // The height follows the metropolitan (or single) group's shape.
  const all = [...groups.entries()].filter(([k]) => !k.startsWith("97") || [...groups.keys()].every((g) => g.startsWith("97"))).flatMap(([, p]) => p);
  const probe = (groups.size > 0 && [...groups.keys()].some((k) => !k.startsWith("97")) ? geoConicConformal().parallels([44, 49]).rotate([-3, 0]) : geoMercator()).fitWidth(width, {
    type: "MultiPoint",
    coordinates: all
  });
  // A loop, not Math.max(...ys): a département's outlines have tens of thousands of points, too many arguments.
  let top = Infinity;
  let bottom = -Infinity;
  for (const p of all) {
    const y = probe(p)?.[1] ?? 0;
    if (y < top) top = y;
    if (y > bottom) bottom = y;
  }
  const mapHeight = Math.round(Math.min(Math.max(bottom - top, width * 0.5), width * 1.3));
  const layout = frames(groups, width, mapHeight);
  const frameOf = new Map<string, Frame>();
  for (const c of drawn) {
    const k = departementOf(c);
    frameOf.set(k, layout.length === 1 ? layout[0] : layout.find((f) => (k.startsWith("97") ? f.inset && f.label === (overseasNames[k] ?? k) : !f.inset))!);
  }
  return { shapes, mapHeight, layout, frameOf, projected: new Map(), paths: new Map() };
}

/**
 * Draws one map. `breaks` and `labels` define the classes (labels.length = breaks.length + 1); communes
 * without a value are grey, highlighted ones (priority communes) get a dark outline. `shared` lets the maps of one
 * document draw the same outlines without parsing, fitting and projecting them again.
 */
export function renderChoropleth(
  communes: MapCommune[],
  contours: Map<string, string>,
  { breaks, labels, title, width = 900, palette = sequentialPalette, shared }: { breaks: number[]; labels: string[]; title: string; width?: number; palette?: string[]; shared?: SharedGeometry }
): RenderedMap | null {
  const colors = palette.slice(palette.length - labels.length);
  const outlined = communes.filter((c) => contours.get(c.code));
  const mode = outlined.length > 0 ? "contours" : "points";
  const drawn = mode === "contours" ? outlined : communes.filter((c) => c.lon !== null && c.lat !== null);
  if (drawn.length === 0) return null;
  // Points move with each call's coordinates: only outlines, which come from `contours`, are shared.
  const key = mode === "contours" ? `${width}|${drawn.map((c) => `${c.code}:${departementOf(c)}`).join(",")}` : null;
  const reuse = key !== null && shared?.entry?.contours === contours && shared.entry.key === key;
  const geometry = reuse ? shared!.entry!.geometry : geometryOf(drawn, contours, mode, width);
  if (key !== null && shared && !reuse) shared.entry = { contours, key, geometry };
  const { shapes, mapHeight, layout, frameOf } = geometry;
  const legend: MapClass[] = labels.map((label, i) => ({ color: colors[i], label }));
  if (drawn.some((c) => classify(c.value, breaks) === null)) legend.push({ color: missingColor, label: "donnée non disponible" });
  const hasHighlight = drawn.some((c) => c.highlighted);
  const legendRows = legend.length + (hasHighlight ? 1 : 0);
  const height = mapHeight + 30 + LEGEND_ROW * legendRows + 10;
  const palette2 = [...colors, missingColor, borderColor, highlightColor, textColor];
  const [MISSING, BORDER, HIGHLIGHT, TEXT] = [colors.length, colors.length + 1, colors.length + 2, colors.length + 3];
  const canvas = new Canvas(width, height, palette2);
  const svg: string[] = [];
  for (const f of layout.filter((f) => f.inset)) {
    const [[x0, y0], [x1, y1]] = f.box;
    canvas.strokeRing([[x0, y0], [x1, y0], [x1, y1], [x0, y1], [x0, y0]], MISSING, 2);
    svg.push(`<rect x="${x0}" y="${y0}" width="${x1 - x0}" height="${y1 - y0}" fill="none" stroke="#999"/><text x="${x0 + 4}" y="${y0 + 14}" font-size="12">${escapeXml(f.label ?? "")}</text>`);
  }
  const maxWeight = Math.max(1, ...drawn.map((c) => c.weight ?? 0));
  const ordered = [...drawn].sort((a, b) => Number(a.highlighted) - Number(b.highlighted));
  for (const c of ordered) {
    const { projection } = frameOf.get(departementOf(c))!;
    const project = (lon: number, lat: number): Point => projection([lon, lat]) ?? [0, 0];
    const cls = classify(c.value, breaks);
    const color = cls === null ? MISSING : cls;
    const fill = palette2[color];
    const tooltip = `<title>${escapeXml(c.nom)} : ${c.value === null ? "n.d." : escapeXml(String(Math.round(c.value * 100) / 100))}</title>`;
    const stroke = c.highlighted ? `stroke="${highlightColor}" stroke-width="1.6"` : `stroke="${borderColor}" stroke-width="0.4"`;
    if (mode === "contours") {
      let projected = geometry.projected.get(c.code);
      if (!projected) {
        projected = shapes.get(c.code)!.map((rings) => rings.map((ring) => ring.map(([lon, lat]) => project(lon, lat))));
        geometry.projected.set(c.code, projected);
        geometry.paths.set(c.code, projected.map(pathData).join(""));
      }
      for (const rings of projected) canvas.fillPolygon(rings, color);
      for (const rings of projected) for (const ring of rings) canvas.strokeRing(ring, c.highlighted ? HIGHLIGHT : BORDER, c.highlighted ? 5 : 1);
      svg.push(`<path d="${geometry.paths.get(c.code)}" fill="${fill}" ${stroke}>${tooltip}</path>`);
    } else {
      const [x, y] = project(c.lon!, c.lat!);
      const r = 3 + 14 * Math.sqrt((c.weight ?? 0) / maxWeight);
      if (c.highlighted) canvas.fillCircle(x, y, r + 1.5, HIGHLIGHT);
      canvas.fillCircle(x, y, r, color);
      svg.push(`<circle cx="${x.toFixed(1)}" cy="${y.toFixed(1)}" r="${r.toFixed(1)}" fill="${fill}" ${stroke}>${tooltip}</circle>`);
    }
  }
  // Scale bar of the main frame, bottom right of the map area.
  const main = layout.find((f) => !f.inset)!;
  const bar = scaleBar(main.projection, main.box, width * 0.22);
  if (bar) {
    const x1 = width - 20;
    const x0 = x1 - bar.px;
    const y = mapHeight + 14;
    canvas.strokeRing([[x0, y], [x1, y]], TEXT, 6);
    canvas.strokeRing([[x0, y - 5], [x0, y + 1]], TEXT, 4);
    canvas.strokeRing([[x1, y - 5], [x1, y + 1]], TEXT, 4);
    svg.push(
      `<g class="echelle"><path d="M${x0.toFixed(1)},${y - 5}V${y}H${x1.toFixed(1)}V${y - 5}" fill="none" stroke="${textColor}" stroke-width="2"/>` +
        `<text x="${((x0 + x1) / 2).toFixed(1)}" y="${y + 16}" text-anchor="middle">${bar.km.toLocaleString("fr-FR")} km</text></g>`
    );
  }
  // Legend below the map: a swatch and a label per class, then the outline of the priority communes.
  const top = mapHeight + 30;
  const legendSvg: string[] = [`<text x="10" y="${top - 8}" font-weight="bold">${escapeXml(title)}</text>`];
  legend.forEach((l, i) => {
    const y = top + LEGEND_ROW * i;
    canvas.fillPolygon([[[10, y], [26, y], [26, y + 16], [10, y + 16]]], palette2.indexOf(l.color));
    legendSvg.push(`<rect x="10" y="${y}" width="16" height="16" fill="${l.color}" stroke="#999"/><text x="32" y="${y + 13}">${escapeXml(l.label)}</text>`);
  });
  if (hasHighlight) {
    const y = top + LEGEND_ROW * legend.length;
    canvas.strokeRing([[10, y], [26, y], [26, y + 16], [10, y + 16], [10, y]], HIGHLIGHT, 5);
    legendSvg.push(`<rect x="10" y="${y}" width="16" height="16" fill="#fff" stroke="${highlightColor}" stroke-width="2"/><text x="32" y="${y + 13}">commune prioritaire</text>`);
  }
  const svgText =
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" font-family="Arial, sans-serif" font-size="13" fill="${textColor}">` +
    `<title>${escapeXml(title)}</title><rect width="100%" height="100%" fill="#fff"/>${svg.join("")}${legendSvg.join("")}</svg>`;
  const png = canvas.toPng();
  // Its pixel buffer goes to the next map's canvas.
  canvas.dispose();
  return { png, svg: svgText, width, height, legend, mode, scaleKm: bar?.km ?? null };
}
