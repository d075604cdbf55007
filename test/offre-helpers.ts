import { readFile } from "node:fs/promises";
import path from "node:path";
import type { Feature, Geometry } from "geojson";
import type { Source } from "../loaders/ingest/source.ts";
import { mirrorDir } from "./helpers.ts";

/**
 * A stand-in for the `contours` source in the offer tests: writes `contours(code_insee, geometry)` from the
 * mirror's Creuse outlines (COG 2018), codes re-keyed on the current COG. Merged communes keep one row per old
 * outline, which a point-in-polygon look-up handles as well as a dissolved one. Keeps these tests independent
 * of the real source's work in progress.
 */
export const creuseOutlines: Source = {
  id: "contours-test",
  title: "Contours de la Creuse (test)",
  resources: [],
  async load(context) {
    const file = path.join(mirrorDir, "contours-communes", "communes-23-creuse.geojson");
    const { features } = JSON.parse(await readFile(file, "utf8")) as { features: Feature<Geometry, { code: string }>[] };
    await context.connection.run(`CREATE OR REPLACE TABLE contours (code_insee VARCHAR, geometry VARCHAR)`);
    const appender = await context.connection.createAppender("contours");
    for (const f of features) {
      appender.appendVarchar(context.cog.toCurrent(f.properties.code) ?? f.properties.code);
      appender.appendVarchar(JSON.stringify(f.geometry));
      appender.endRow();
    }
    appender.flushSync();
    appender.closeSync();
  }
};
