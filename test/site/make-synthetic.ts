import { rmSync } from "node:fs";
import path from "node:path";
import { mirrorDir } from "../helpers.ts";
import { writeSyntheticDatabase } from "./fixture.ts";

/** Dev helper: `npx tsx test/site/make-synthetic.ts FILE [CODES]` writes a synthetic database for the site. */
const file = path.resolve(process.argv[2] ?? "test/output/synthetic.duckdb");
rmSync(file, { force: true });
await writeSyntheticDatabase(file, mirrorDir, (process.argv[3] ?? "23,02").split(","));
process.stderr.write(`base synthétique écrite : ${file}\n`);
