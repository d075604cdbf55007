// @ts-check
// What the site's data loaders run (`src/data/*.json.js`, `src/[dept]/data.zip.js`, `src/regions/[region]/data.zip.js`):
// they hand Framework the files `buildSite` computed before the build (precompute.ts), from the folder named in
// SDIN_SITE_DATA. Plain JavaScript, importing nothing but Node: Framework runs a `.js` loader with `node` alone,
// in a few tens of milliseconds, where a TypeScript loader opening the database cost a second per file and route.
import { createReadStream, existsSync, readFileSync } from "node:fs";
import { setTimeout as sleep } from "node:timers/promises";
import path from "node:path";
import { parseArgs } from "node:util";

/** The pattern of a département code (`01`…`95`, `2A`, `2B`, `971`…`976`). */
export const departementCode = /^(\d{2}|2A|2B|97\d)$/;

/** The pattern of a région code. */
export const regionCode = /^\d{2}$/;

/** Environment variable naming the folder of the precomputed files (loader.ts, `siteEnv.data`). */
export const dataEnv = "SDIN_SITE_DATA";

/**
 * The file `buildSite` writes in that folder once every data file is there (`{"ready": true}`), or when computing
 * them failed (`{"ready": false, "message": …}`): Framework runs while the files are being computed.
 */
export const readyMarker = ".etat.json";

/** How long a loader waits for the files (the data of every département take a minute or two). */
const WAIT_MS = 30 * 60_000;

/**
 * The value of a route parameter: Framework runs the loader of a parameterized route (`src/[dept]/data.zip.js`)
 * with `--dept=23`. The value becomes part of a path, so it must look like what it names.
 * @param {string} name
 * @param {RegExp} pattern
 * @param {string[]} [argv]
 * @returns {string}
 */
export function routeParam(name, pattern, argv = process.argv) {
  const { values } = parseArgs({ args: argv.slice(2), options: { [name]: { type: "string" } }, strict: false });
  const value = values[name];
  if (typeof value !== "string" || !pattern.test(value)) throw new Error(`paramètre --${name} invalide ou absent : "${value ?? ""}"`);
  return value;
}

/**
 * Where a data file is kept in the precomputed folder: `departements.json`, `departements/23/data.zip`,
 * `regions/75/data.zip`.
 * @param {string} root
 * @param {{ kind: "national", name: string } | { kind: "departement" | "region", code: string }} file
 * @returns {string}
 */
export function precomputedFile(root, file) {
  if (file.kind === "national") return path.join(root, file.name);
  return path.join(root, file.kind === "departement" ? "departements" : "regions", file.code, "data.zip");
}

/**
 * Writes a precomputed file to standard output, or fails with what to do.
 * @param {{ kind: "national", name: string } | { kind: "departement" | "region", code: string }} file
 */
export async function handOver(file) {
  const root = process.env[dataEnv];
  if (!root) throw new Error(`variable ${dataEnv} absente : construisez le site avec « sdin build »`);
  await waitUntilReady(root);
  const source = precomputedFile(root, file);
  if (!existsSync(source)) throw new Error(`fichier de données absent : ${source} (la construction a-t-elle été interrompue ?)`);
  await new Promise((resolve, reject) => {
    const stream = createReadStream(source);
    stream.on("error", reject);
    stream.on("end", resolve);
    stream.pipe(process.stdout, { end: false });
  });
}

/**
 * Waits for the folder's marker; fails with the message of a failed computation, or after `WAIT_MS`.
 * @param {string} root
 */
async function waitUntilReady(root) {
  const marker = path.join(root, readyMarker);
  const deadline = Date.now() + WAIT_MS;
  while (!existsSync(marker)) {
    if (Date.now() > deadline) throw new Error(`données du site toujours absentes après ${WAIT_MS / 60_000} min : ${root}`);
    await sleep(20);
  }
  /** @type {{ ready: boolean, message?: string }} */
  const state = JSON.parse(readFileSync(marker, "utf8"));
  if (!state.ready) throw new Error(`calcul des données du site en échec : ${state.message ?? "raison inconnue"}`);
}
