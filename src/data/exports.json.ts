import { existsSync, readdirSync, statSync } from "node:fs";
import path from "node:path";
import { runLoader } from "../../loaders/site/loader.ts";
import { exportFileNames } from "../../loaders/site/exports.ts";

/** Which export files of the département exist (buildSite copies them next to the site, in exports/). */
await runLoader("exports.json", async (_connection, settings) => {
  const dir = settings.exportsDir;
  const present = dir && existsSync(dir) ? new Set(readdirSync(dir)) : new Set<string>();
  return exportFileNames(settings.departement).map(({ name, description }) => ({
    fichier: name,
    description,
    present: present.has(name),
    octets: dir && present.has(name) ? statSync(path.join(dir, name)).size : null
  }));
});
