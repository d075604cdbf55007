// One process of `runExportParallel`: exports the départements of its list (the job as JSON, first argument).
import { runExport } from "./index.ts";
import type { ExportJob } from "./parallel.ts";

const job = JSON.parse(process.argv[2] ?? "null") as ExportJob | null;
if (!job) {
  process.stderr.write("usage : worker.ts <tâche JSON> (lancé par runExportParallel)\n");
  process.exit(2);
}
try {
  // One core per process: DuckDB's threads would otherwise compete with the other process for both.
  await runExport(job.config, { documents: job.documents, threads: 1 });
} catch (error) {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
}
