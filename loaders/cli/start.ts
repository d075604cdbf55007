import { existsSync } from "node:fs";
import path from "node:path";
import { readConfig } from "../io/config.ts";
import { buildCommand } from "./ensure.ts";
import { projectRoot } from "../io/paths.ts";
import { serveStatic } from "../outputs/site/serve.ts";

/**
 * `npm start`: `sdin build` (the same command: load the database if there is none, build the site into dist/)
 * for Creuse unless SDIN_DEPT says otherwise, then serve dist/ on http://127.0.0.1:3000 (PORT to change it).
 * Without SDIN_MIRROR, the shared mirror next to the project is used when present, otherwise files are downloaded.
 */
const sharedMirror = path.resolve(projectRoot, "..", "shared", "opendata");
const config = readConfig({ mirror: process.env.SDIN_MIRROR ?? (existsSync(sharedMirror) ? sharedMirror : undefined) });
const port = Number(process.env.PORT ?? 3000);
try {
  await buildCommand(config);
  await serveStatic(path.join(projectRoot, "dist"), { port });
  process.stderr.write(`site du département ${config.departements.join(", ")} servi sur http://127.0.0.1:${port}/ (Ctrl+C pour arrêter)\n`);
} catch (error) {
  process.stderr.write(`sdin : ${(error as Error).message}\n`);
  process.exitCode = 1;
}
