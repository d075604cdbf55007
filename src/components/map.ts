import * as Plot from "@observablehq/plot";
import { feature, mesh } from "topojson-client";
import type { Feature, FeatureCollection, Geometry } from "geojson";
import type { GeometryCollection, Topology } from "topojson-specification";
import { el } from "./dom.js";

/**
 * Maps drawn from the communes' TopoJSON with Plot's geo marks, in Lambert conformal conic (the projection of
 * French maps), with no tile server: outlines only.
 */

export type CommuneFeature = Feature<Geometry, { nom: string }> & { id: string };

/** What `data/carte.json` holds when no commune outline of the département is loaded (see loaders/outputs/site/payloads.ts). */
export interface MissingMap {
  indisponible: true;
  departement: string;
}

/** The communes' outlines, or the reason there are none. */
export type Carte = Topology | MissingMap;

export function isMissingMap(carte: Carte): carte is MissingMap {
  return (carte as MissingMap).indisponible === true;
}

/** Shown where a map would be: the tables of the page still hold every commune. */
export function missingMapNote(carte: MissingMap): HTMLElement {
  return el("p", { class: "carte-indisponible" },
    `Carte indisponible : aucun contour communal n'est chargé pour ce département (fichier communes-${carte.departement}-….geojson absent du miroir).`);
}

export function communeFeatures(topology: Topology): FeatureCollection<Geometry, { nom: string }> & { features: CommuneFeature[] } {
  return feature(topology, topology.objects.communes as GeometryCollection<{ nom: string }>) as never;
}

function projection(domain: FeatureCollection) {
  return { type: "conic-conformal" as const, parallels: [44, 49] as [number, number], rotate: [-3, 0] as [number, number], domain };
}

/** Framework's `width` can read 0 before the page is laid out: a map is never narrower than this. */
const minWidth = 280;

/** Height that fits the département's shape at `width`. */
function heightFor(width: number) {
  width = Math.max(width, minWidth);
  return Math.round(Math.min(width, 640) * 1.05);
}

export interface ChoroplethOptions {
  width?: number;
  /** The value to colour a commune by (null or undefined = no data, drawn hatched grey). */
  value: (code: string) => number | null | undefined;
  /** The tooltip text of a commune. */
  title?: (code: string, nom: string) => string;
  /** The address of a commune's fiche (a link on each commune: clicking or pressing Enter opens it). */
  href?: (code: string) => string;
  label: string;
  domain?: [number, number];
  scheme?: string;
  percent?: boolean;
  /** Show the colour legend (default true). */
  legend?: boolean;
  /** Extra marks drawn on top (places, stops). */
  marks?: Plot.Markish[];
}

/** A choropleth of the communes; every commune is one SVG path inside the group of class "communes". */
export function communeMap(topology: Carte, { width = 640, value, title, href, label, domain, scheme = "YlOrRd", percent = false, legend = true, marks = [] }: ChoroplethOptions) {
  if (isMissingMap(topology)) return missingMapNote(topology);
  const communes = communeFeatures(topology);
  const outline = mesh(topology, topology.objects.communes as GeometryCollection, (a, b) => a === b);
  return Plot.plot({
    width: Math.max(width, minWidth),
    height: heightFor(width),
    projection: projection(communes),
    color: { type: "linear", scheme: scheme as Plot.ColorScheme, domain, legend, label, percent, unknown: "#d9d9d9" },
    marks: [
      Plot.geo(communes.features, {
        fill: (d: CommuneFeature) => value(String(d.id)) ?? NaN,
        stroke: "white",
        strokeWidth: 0.4,
        title: title ? (d: CommuneFeature) => title(String(d.id), d.properties.nom) : (d: CommuneFeature) => d.properties.nom,
        href: href ? (d: CommuneFeature) => href(String(d.id)) : undefined,
        // Each commune's name labels its link for screen readers; the class lets tests count the communes.
        ariaLabel: (d: CommuneFeature) => d.properties.nom,
        className: "communes"
      }),
      Plot.geo(outline, { stroke: "#333", strokeWidth: 1, ariaHidden: "true" }),
      ...marks
    ]
  });
}

export interface PlaceLike {
  latitude: number | null;
  longitude: number | null;
  nom: string;
}

/** Outlines of the communes with places as dots coloured by `kind`. */
export function placesMap<T extends PlaceLike>(topology: Carte, places: T[], { width = 640, kind, href, title }: { width?: number; kind: (d: T) => string; href?: (code: string) => string; title?: (d: T) => string }) {
  if (isMissingMap(topology)) return missingMapNote(topology);
  const communes = communeFeatures(topology);
  const located = places.filter((p) => p.latitude !== null && p.longitude !== null);
  return Plot.plot({
    width: Math.max(width, minWidth),
    height: heightFor(width),
    projection: projection(communes),
    color: { legend: true, type: "categorical", scheme: "Dark2", label: "Type de lieu" },
    marks: [
      Plot.geo(communes.features, {
        fill: "#f3f3f3",
        stroke: "#bbb",
        strokeWidth: 0.5,
        title: (d: CommuneFeature) => d.properties.nom,
        href: href ? (d: CommuneFeature) => href(String(d.id)) : undefined,
        ariaLabel: (d: CommuneFeature) => d.properties.nom,
        className: "communes"
      }),
      Plot.dot(located, { x: "longitude", y: "latitude", fill: kind, r: 4, stroke: "white", strokeWidth: 0.8, title: title ?? ((d: T) => d.nom), className: "lieux" })
    ]
  });
}

export interface DepartementMapOptions {
  width?: number;
  /** The value to colour a département by (null or undefined = no data, drawn grey). */
  value: (code: string) => number | null | undefined;
  title: (code: string, nom: string) => string;
  /** The address of a département's pages, or null when they are not part of this site. */
  href: (code: string) => string | null;
  label: string;
  domain?: [number, number];
  scheme?: string;
}

/** Overseas départements (971 Guadeloupe … 976 Mayotte): drawn as insets beside metropolitan France. */
const isOverseas = (code: string) => /^97/.test(code);

type DepartementFeature = CommuneFeature;

/**
 * A choropleth of the départements (TopoJSON object `departements`); each is one path in a group "departements".
 * With overseas départements, the usual French layout: metropolitan France fills the main frame and each
 * overseas département gets its own small frame (its own projection, so that it is legible) in a column beside
 * it, all on one colour scale. Without them, one map.
 */
export function departementMap(topology: Topology, { width = 640, value, title, href, label, domain, scheme = "YlOrRd" }: DepartementMapOptions) {
  const all = (feature(topology, topology.objects.departements as GeometryCollection<{ nom: string }>) as unknown as FeatureCollection<Geometry, { nom: string }>).features as DepartementFeature[];
  const overseas = all.filter((d) => isOverseas(String(d.id)));
  width = Math.max(width, minWidth);
  const values = all.map((d) => value(String(d.id))).filter((v): v is number => typeof v === "number" && Number.isFinite(v));
  const color = { type: "linear" as const, scheme: scheme as Plot.ColorScheme, domain: domain ?? (values.length ? [Math.min(...values), Math.max(...values)] as [number, number] : undefined), label, unknown: "#d9d9d9" };
  const mark = (features: DepartementFeature[]) => Plot.geo(features, {
    fill: (d: DepartementFeature) => value(String(d.id)) ?? NaN,
    stroke: "white",
    strokeWidth: 0.8,
    title: (d: DepartementFeature) => title(String(d.id), d.properties.nom),
    href: (d: DepartementFeature) => href(String(d.id)) ?? undefined,
    ariaLabel: (d: DepartementFeature) => d.properties.nom,
    className: "departements"
  });
  if (!overseas.length) {
    const collection: FeatureCollection = { type: "FeatureCollection", features: all };
    return Plot.plot({ width, height: heightFor(width), projection: projection(collection), color: { ...color, legend: true }, marks: [mark(all)] });
  }
  const metropole = all.filter((d) => !isOverseas(String(d.id)));
  const insetWidth = Math.max(56, Math.round(width * 0.16));
  const mainWidth = width - insetWidth - 8;
  const main = Plot.plot({
    width: mainWidth,
    height: heightFor(mainWidth),
    projection: projection({ type: "FeatureCollection", features: metropole }),
    color: { ...color, legend: true },
    marks: [mark(metropole)]
  });
  const insets = overseas.map((d) => el("figure", { class: "carte-encart" },
    Plot.plot({
      width: insetWidth,
      height: Math.round(insetWidth * 0.85),
      margin: 4,
      projection: { type: "mercator", domain: d, inset: 4 },
      color,
      marks: [Plot.frame({ stroke: "#bbb", ariaHidden: "true" }), mark([d])]
    }),
    el("figcaption", {}, d.properties.nom)));
  return el("div", { class: "carte-france", style: `display:flex;gap:8px;align-items:flex-end;max-width:${width}px` },
    el("div", { class: "carte-encarts", style: `display:flex;flex-direction:column;gap:4px;width:${insetWidth}px;flex:none` }, ...insets),
    el("div", { class: "carte-metropole", style: "flex:1 1 auto;min-width:0" }, main));
}

export interface CommunePoint {
  code_insee: string;
  nom: string;
  point_lon: number | null;
  point_lat: number | null;
}

/**
 * A région: its départements' outlines (links to their pages) and each commune as a dot at its representative
 * point, coloured by `value` (a région's 4 500 commune outlines would weigh megabytes).
 */
export function regionMap<T extends CommunePoint>(topology: Topology, communes: T[], { width = 640, value, title, href, departementHref, label, domain, scheme = "YlOrRd" }: {
  width?: number;
  value: (d: T) => number | null | undefined;
  title: (d: T) => string;
  href: (d: T) => string | null;
  departementHref: (code: string) => string | null;
  label: string;
  domain?: [number, number];
  scheme?: string;
}) {
  const departements = feature(topology, topology.objects.departements as GeometryCollection<{ nom: string }>) as unknown as FeatureCollection<Geometry, { nom: string }> & { features: CommuneFeature[] };
  const located = communes.filter((c) => c.point_lon !== null && c.point_lat !== null);
  width = Math.max(width, minWidth);
  return Plot.plot({
    width,
    height: heightFor(width),
    projection: projection(departements),
    color: { type: "linear", scheme: scheme as Plot.ColorScheme, domain, legend: true, label, unknown: "#d9d9d9" },
    marks: [
      Plot.geo(departements.features, {
        fill: "#f6f6f6",
        stroke: "#333",
        strokeWidth: 1,
        title: (d: CommuneFeature) => `${d.properties.nom} (${d.id})`,
        href: (d: CommuneFeature) => departementHref(String(d.id)) ?? undefined,
        ariaLabel: (d: CommuneFeature) => d.properties.nom,
        className: "departements"
      }),
      Plot.dot(located, {
        x: "point_lon",
        y: "point_lat",
        r: located.length > 2000 ? 1.6 : 2.4,
        fill: (d: T) => value(d) ?? NaN,
        title,
        href: (d: T) => href(d) ?? undefined,
        ariaLabel: (d: T) => d.nom,
        className: "communes"
      })
    ]
  });
}
