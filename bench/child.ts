// Runs one benchmark task in its own process, so that its peak memory is its own: `tsx bench/child.ts
// <task> <json arguments> <result file>`. Writes the task's result and the process's max RSS as JSON.
import { writeFile } from "node:fs/promises";
import { tasks, type TaskName, type TaskResult } from "./tasks.ts";

const [name, json, resultFile] = process.argv.slice(2);
if (!(name in tasks) || !json || !resultFile) {
  process.stderr.write(`usage : tsx bench/child.ts <${Object.keys(tasks).join("|")}> <arguments JSON> <fichier résultat>\n`);
  process.exit(2);
}
const run = tasks[name as TaskName] as (args: unknown) => Promise<TaskResult>;
const result = await run(JSON.parse(json));
// maxRSS is in kilobytes on Linux and macOS.
await writeFile(resultFile, JSON.stringify({ ...result, maxRssKb: process.resourceUsage().maxRSS }));
