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
export function communeTopology(rows: ContourRow[], { keep = 0.12, quantization = 1e4 } = {}): Topology {
  const features: Feature[] = rows.map((row) => {
    let geometry: Geometry;
    try {
      geometry = JSON.parse(row.geometry) as Geometry;
    } catch {
      throw new Error(`géométrie illisible pour la commune ${row.code_insee} dans la table contours`);
    }
    return { type: "Feature", id: row.code_insee, properties: { nom: row.nom }, geometry };
  });
  const collection: FeatureCollection = { type: "FeatureCollection", features };
  // Simplify in full precision, then quantize (which also delta-encodes the arcs): the other order would leave
  // absolute coordinates under a transform that says they are deltas.
  const raw = presimplify(topology({ communes: collection }) as Topology<Objects<{}>>);
  // quantile(p) is the weight below which a share p of the points fall: keep the top `keep` share.
  return quantize(simplify(raw, quantile(raw, 1 - keep)), quantization) as Topology;
}
