import { existsSync } from "node:fs";
import type { Config } from "../io/config.ts";
import { withDatabase } from "../io/db.ts";
import { readParameters, sameParameters } from "../diagnostic/parameters.ts";
import { runLoad } from "../ingest/load.ts";
import { sourcesFor } from "../ingest/sources/index.ts";
import { postLoadSteps } from "./steps.ts";
import { buildSite } from "../outputs/site/build.ts";

/** Loads the database when it does not exist yet, so that `export` and `build` work on a fresh machine in one command. */
export async function ensureDatabase(config: Config): Promise<void> {
  if (existsSync(config.paths.database)) return;
  process.stderr.write(`base absente (${config.paths.database}) : chargement des sources d'abord\n`);
  await runLoad(config, sourcesFor(config), { postLoad: postLoadSteps });
}

/**
 * The threshold, weights and de-duplication thresholds are applied when the database is built: exports and the
 * site follow the database.
 * When `data/parametres.json` was edited since, say so and keep the database's, so that every figure of a
 * folder comes from one computation.
 */
export async function withDatabaseParameters(config: Config): Promise<Config> {
  const stored = await withDatabase(config.paths.database, { readOnly: true }, ({ connection }) => readParameters(connection));
  if (!stored) return config;
  if (!sameParameters(stored, config)) {
    const dedup = stored.dedoublonnage ? `, dédoublonnage fusion ${stored.dedoublonnage.fusion} et à vérifier ${stored.dedoublonnage.a_verifier}` : "";
    process.stderr.write(
      `attention : les paramètres (seuil, poids, dédoublonnage) ont changé depuis le chargement ; les chiffres suivent la base ` +
        `(seuil ${stored.thresholdKm} km, poids ${JSON.stringify(stored.weights)}${dedup}) : relancez « sdin load » pour appliquer les nouveaux.\n`
    );
  }
  return { ...config, thresholdKm: stored.thresholdKm, weights: stored.weights, dedoublonnage: stored.dedoublonnage ?? config.dedoublonnage };
}

/**
 * `sdin build`, and `npm start` before it serves the result: load the database if there is none, take its
 * parameters, build the site (of the départements, or of the régions when some are given).
 */
export async function buildCommand(config: Config, { regions = [] as string[], outputDir = undefined as string | undefined } = {}): Promise<string[]> {
  await ensureDatabase(config);
  return buildSite(await withDatabaseParameters(config), { regions, outputDir });
}
