import type { Config } from "../config.ts";

/** Builds the static site for the configured départements into `dist/`. */
export async function buildSite(config: Config): Promise<void> {
  void config;
  throw new Error("sdin build : pas encore disponible");
}
