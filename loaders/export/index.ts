import type { Config } from "../config.ts";

/** Writes every export file of the configured départements into `exports/<code>/`. */
export async function runExport(config: Config): Promise<void> {
  void config;
  throw new Error("sdin export : pas encore disponible");
}
