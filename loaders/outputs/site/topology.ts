import type { Feature, FeatureCollection, Geometry } from "geojson";
import { quantize } from "topojson-client";
import { topology } from "topojson-server";
import { presimplify, quantile, simplify } from "topojson-simplify";
import type { Objects, Topology } from "topojson-specification";

/** A commune outline as stored in the `contours` table (geometry as GeoJSON text, WGS84). */
export interface ContourRow {
  code_insee: string;
  nom: string;
  geometry: string;
}

/**
 * Turns the communes' outlines into a small TopoJSON (shared borders are stored once, so simplifying them
 * keeps neighbours stitched together): presimplified, then simplified to keep the `keep` share of the most
 * significant points, then quantized. The Aisne's 797 communes weigh about 150 Kio this way.
 * Each geometry keeps its INSEE code as `id` and its name as `properties.nom`.
 */
export function communeTopology(rows: ContourRow[], options: { keep?: number; quantization?: number } = {}): Topology {
  return outlineTopology(rows, "communes", options);
}

/** The same for any outlines (`object` names the geometry collection: `communes`, `departements`). */
export function outlineTopology(rows: ContourRow[], object: string, { keep = 0.12, quantization = 1e4 } = {}): Topology {
  const features: Feature[] = rows.map((row) => {
    let geometry: Geometry;
    try {
      geometry = JSON.parse(row.geometry) as Geometry;
    } catch {
      throw new Error(`géométrie illisible pour ${object === "communes" ? "la commune" : "le territoire"} ${row.code_insee} (${object})`);
    }
    return { type: "Feature", id: row.code_insee, properties: { nom: row.nom }, geometry: windForD3(geometry) };
  });
  const collection: FeatureCollection = { type: "FeatureCollection", features };
  // Simplify in full precision, then quantize (which also delta-encodes the arcs): the other order would leave
  // absolute coordinates under a transform that says they are deltas.
  const raw = presimplify(topology({ [object]: collection }) as Topology<Objects<{}>>);
  // quantile(p) is the weight below which a share p of the points fall: keep the top `keep` share.
  return quantize(simplify(raw, quantile(raw, 1 - keep)), quantization) as Topology;
}

type Ring = number[][];

/** Twice the signed planar area of a ring: positive when counter-clockwise (longitude right, latitude up). */
function signedArea(ring: Ring): number {
  let sum = 0;
  for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) sum += ring[j][0] * ring[i][1] - ring[i][0] * ring[j][1];
  return sum;
}

/**
 * GeoJSON (RFC 7946) winds outer rings counter-clockwise; d3-geo and Plot read polygons on the sphere and take
 * a counter-clockwise ring as "everything but this area", which paints the whole map. Outer rings are turned
 * clockwise and holes counter-clockwise, whatever the source file did.
 */
export function windForD3(geometry: Geometry): Geometry {
  const polygon = (rings: Ring[]) => rings.map((ring, i) => ((i === 0) === signedArea(ring) > 0 ? [...ring].reverse() : ring));
  if (geometry.type === "Polygon") return { ...geometry, coordinates: polygon(geometry.coordinates) };
  if (geometry.type === "MultiPolygon") return { ...geometry, coordinates: geometry.coordinates.map(polygon) };
  return geometry;
}
