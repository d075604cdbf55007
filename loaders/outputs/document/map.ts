import { removeXmlForbidden } from "../sanitize.ts";
import { Canvas, type Point } from "./raster.ts";

/**
 * Choropleth maps of the communes, drawn twice from the same geometry: as SVG (kept beside the Markdown) and as
 * a PNG (embedded in the DOCX). Communes are drawn from their outlines when the `contours` table is loaded,
 * otherwise as discs at their representative points.
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
}

export const sequentialPalette = ["#fef0d9", "#fdcc8a", "#fc8d59", "#e34a33", "#b30000"];
const missingColor = "#d9d9d9";
const borderColor = "#ffffff";
const highlightColor = "#1f2a44";

/** Upper bounds of classes: values ≤ breaks[i] fall in class i, above the last in the last class. */
export function classify(value: number | null, breaks: number[]): number | null {
  if (value === null || !Number.isFinite(value)) return null;
  const i = breaks.findIndex((b) => value <= b);
  return i === -1 ? breaks.length : i;
}

/** Quantile breaks (n classes) of the known values. */
export function quantileBreaks(values: (number | null)[], n = 5): number[] {
  const sorted = values.filter((v): v is number => v !== null && Number.isFinite(v)).sort((a, b) => a - b);
  if (sorted.length === 0) return [];
  const breaks: number[] = [];
  for (let i = 1; i < n; i++) breaks.push(sorted[Math.max(0, Math.floor((i * sorted.length) / n) - 1)]);
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

interface Projection {
  project(lon: number, lat: number): Point;
  width: number;
  height: number;
}

function fit(points: [number, number][], width: number, margin: number): Projection {
  const lons = points.map((p) => p[0]);
  const lats = points.map((p) => p[1]);
  const [minLon, maxLon, minLat, maxLat] = [Math.min(...lons), Math.max(...lons), Math.min(...lats), Math.max(...lats)];
  const k = Math.cos((((minLat + maxLat) / 2) * Math.PI) / 180);
  const spanX = Math.max((maxLon - minLon) * k, 1e-6);
  const spanY = Math.max(maxLat - minLat, 1e-6);
  const scale = (width - 2 * margin) / spanX;
  const height = Math.round(spanY * scale + 2 * margin);
  return { width, height, project: (lon, lat) => [margin + (lon - minLon) * k * scale, margin + (maxLat - lat) * scale] };
}

function escapeXml(text: string): string {
  return removeXmlForbidden(text).replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}

function pathData(rings: Point[][]): string {
  return rings.map((ring) => "M" + ring.map(([x, y]) => `${x.toFixed(1)},${y.toFixed(1)}`).join("L") + "Z").join("");
}

/**
 * Draws one map. `breaks` and `labels` define the classes (labels.length = breaks.length + 1); communes
 * without a value are grey, highlighted ones (priority communes) get a dark outline.
 */
export function renderChoropleth(
  communes: MapCommune[],
  contours: Map<string, string>,
  { breaks, labels, title, width = 900, palette = sequentialPalette }: { breaks: number[]; labels: string[]; title: string; width?: number; palette?: string[] }
): RenderedMap | null {
  const colors = palette.slice(palette.length - labels.length);
  const shapes = new Map<string, Rings[]>();
  for (const c of communes) {
    const text = contours.get(c.code);
    if (text) shapes.set(c.code, parseGeometry(text));
  }
  const mode = shapes.size > 0 ? "contours" : "points";
  const located = communes.filter((c) => c.lon !== null && c.lat !== null);
  const coordinates = mode === "contours" ? [...shapes.values()].flat(3) : located.map((c) => [c.lon!, c.lat!] as [number, number]);
  if (coordinates.length === 0) return null;
  const margin = mode === "contours" ? 10 : 30;
  const projection = fit(coordinates, width, margin);
  const palette2 = [...colors, missingColor, borderColor, highlightColor];
  const [MISSING, BORDER, HIGHLIGHT] = [colors.length, colors.length + 1, colors.length + 2];
  const canvas = new Canvas(projection.width, projection.height, palette2);
  const svgShapes: string[] = [];
  const maxWeight = Math.max(1, ...located.map((c) => c.weight ?? 0));
  const ordered = [...communes].sort((a, b) => Number(a.highlighted) - Number(b.highlighted));
  for (const c of ordered) {
    const cls = classify(c.value, breaks);
    const color = cls === null ? MISSING : cls;
    const fill = palette2[color];
    const title = `<title>${escapeXml(c.nom)} : ${c.value === null ? "n.d." : escapeXml(String(Math.round(c.value * 100) / 100))}</title>`;
    const stroke = c.highlighted ? `stroke="${highlightColor}" stroke-width="1.6"` : `stroke="${borderColor}" stroke-width="0.4"`;
    if (mode === "contours") {
      const polygons = shapes.get(c.code);
      if (!polygons) continue;
      const projected = polygons.map((rings) => rings.map((ring) => ring.map(([lon, lat]) => projection.project(lon, lat))));
      for (const rings of projected) canvas.fillPolygon(rings, color);
      for (const rings of projected) for (const ring of rings) canvas.strokeRing(ring, c.highlighted ? HIGHLIGHT : BORDER, c.highlighted ? 5 : 1);
      svgShapes.push(`<path d="${projected.map(pathData).join("")}" fill="${fill}" ${stroke}>${title}</path>`);
    } else if (c.lon !== null && c.lat !== null) {
      const [x, y] = projection.project(c.lon, c.lat);
      const r = 3 + 14 * Math.sqrt((c.weight ?? 0) / maxWeight);
      if (c.highlighted) canvas.fillCircle(x, y, r + 1.5, HIGHLIGHT);
      canvas.fillCircle(x, y, r, color);
      svgShapes.push(`<circle cx="${x.toFixed(1)}" cy="${y.toFixed(1)}" r="${r.toFixed(1)}" fill="${fill}" ${stroke}>${title}</circle>`);
    }
  }
  const legend: MapClass[] = labels.map((label, i) => ({ color: colors[i], label }));
  if (communes.some((c) => classify(c.value, breaks) === null)) legend.push({ color: missingColor, label: "donnée non disponible" });
  const legendHeight = 22 * legend.length + 10;
  const svgLegend = legend
    .map((l, i) => `<rect x="10" y="${projection.height + 8 + 22 * i}" width="16" height="16" fill="${l.color}" stroke="#999"/><text x="32" y="${projection.height + 21 + 22 * i}">${escapeXml(l.label)}</text>`)
    .join("");
  const svg =
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${projection.width} ${projection.height + legendHeight}" width="${projection.width}" height="${projection.height + legendHeight}" font-family="sans-serif" font-size="13">` +
    `<title>${escapeXml(title)}</title><rect width="100%" height="100%" fill="#fff"/>${svgShapes.join("")}${svgLegend}</svg>`;
  return { png: canvas.toPng(), svg, width: projection.width, height: projection.height, legend, mode };
}
