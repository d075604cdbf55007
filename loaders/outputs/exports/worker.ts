// One process of `runExportParallel`: exports the départements of its list (the job as JSON, first argument).
import { runExport } from "./index.ts";
import type { ExportJob } from "./parallel.ts";

const job = JSON.parse(process.argv[2] ?? "null") as ExportJob | null;
if (!job) {
  process.stderr.write("usage : worker.ts <tâche JSON> (lancé par runExportParallel)\n");
  process.exit(2);
}
try {
  await runExport(job.config, { documents: job.documents });
} catch (error) {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
}
