import { copyFile, link, mkdir, rename, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import type { Config } from "../../io/config.ts";
import { withDatabase } from "../../io/db.ts";
import { archiveFile, jsonFile, type SiteSettings } from "./loader.ts";
import type { SiteShape } from "./pages.ts";
import { departementPayloads, departementsTopology, francePayload, provenancePayload, regionDepartementsTopology, regionPayload, type RegionSettings } from "./payloads.ts";
import { precomputedFile, readyMarker, type PrecomputedFile } from "./precomputed.mjs";

/**
 * Every data file of the site, computed before Framework runs, in this process and on one connection: the entry
 * page's (`departements.json`, `carte-departements.json`), the sources' (`provenance.json`), one archive per
 * département and per région. Framework's loaders then only hand them over (precomputed.mjs): one process per
 * file and route opening the database again cost a second each, a minute and a half for every département.
 */
export async function precomputeSiteData(config: Config, shape: SiteShape, root: string, { loaderCache }: { loaderCache?: string } = {}): Promise<void> {
  const departements = shape.departements.map((d) => d.code);
  await withDatabase(config.paths.database, { readOnly: true }, async ({ connection }) => {
    const write = async (file: PrecomputedFile, bytes: Uint8Array) => {
      const target = precomputedFile(root, file);
      await mkdir(path.dirname(target), { recursive: true });
      await writeFile(target, bytes);
      if (loaderCache) await seedCache(loaderCache, file, target);
    };
    const national = (name: string) => ({ kind: "national" as const, name });
    await write(
      national("departements.json"),
      await jsonFile(() => francePayload(connection, { departements, regions: shape.regions.map((r) => r.code), thresholdKm: config.thresholdKm }))
    );
    // The outlines of every département only for the national entry page (their simplification takes seconds).
    await write(national("carte-departements.json"), await jsonFile(async () => (shape.entry.niveau === "france" ? departementsTopology(connection) : null)));
    await write(national("provenance.json"), await jsonFile(() => provenancePayload(connection)));
    for (const departement of departements) {
      const settings: SiteSettings = { departement, thresholdKm: config.thresholdKm, weights: config.weights, exportsDir: path.join(config.paths.exportsDir, departement) };
      await write({ kind: "departement", code: departement }, await archiveFile(connection, settings, departementPayloads));
    }
    for (const { code: region } of shape.regions) {
      const settings: RegionSettings = { region, thresholdKm: config.thresholdKm, departements };
      await write({ kind: "region", code: region }, await archiveFile(connection, settings, { "region.json": regionPayload, "carte-departements.json": regionDepartementsTopology }));
    }
  });
}

/**
 * Says the folder is complete (`ready`), or that computing it failed and why: the loaders wait for one or the
 * other before handing a file over (precomputed.mjs), since Framework starts before the files are written.
 */
export async function markPrecomputed(root: string, outcome: { ready: true } | { ready: false; message: string }): Promise<void> {
  // Written aside then renamed: a loader never reads half of it.
  const marker = path.join(root, readyMarker);
  await writeFile(`${marker}.tmp`, JSON.stringify(outcome));
  await rename(`${marker}.tmp`, marker);
}

/**
 * Framework keeps each loader's output in its cache (`.observablehq/cache/<path of the file>`) and uses it, without
 * running the loader, while it is newer than the loader. A computed file linked there spares Framework a `node`
 * process per file; where it is not there in time (the national site's archives come later), the loader runs and
 * hands the same file over. `buildSite` empties those entries before each build.
 */
async function seedCache(cache: string, file: PrecomputedFile, computed: string): Promise<void> {
  const entry = file.kind === "national" ? path.join(cache, "data", file.name)
    : path.join(cache, file.kind === "departement" ? "" : "regions", file.code, "data.zip");
  await mkdir(path.dirname(entry), { recursive: true });
  await rm(entry, { force: true });
  await link(computed, entry).catch(() => copyFile(computed, entry));
}
