import { existsSync } from "node:fs";
import type { Config } from "./config.ts";
import { runLoad } from "./load.ts";
import { sources } from "./sources/index.ts";
import { postLoadSteps } from "./steps.ts";

/** Loads the database when it does not exist yet, so that `export` and `build` work on a fresh machine in one command. */
export async function ensureDatabase(config: Config): Promise<void> {
  if (existsSync(config.paths.database)) return;
  process.stderr.write(`base absente (${config.paths.database}) : chargement des sources d'abord\n`);
  await runLoad(config, sources, { postLoad: postLoadSteps });
}
