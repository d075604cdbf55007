// A child process of `runExportParallel`: exports the département of its job (first argument, JSON), then the ones
// the parent hands it, one at a time, until there is none left.
import { runExport } from "./index.ts";
import type { ExportAssignment, ExportJob, ExportRequest } from "./parallel.ts";

const job = JSON.parse(process.argv[2] ?? "null") as ExportJob | null;
if (!job || !process.send) {
  process.stderr.write("usage : worker.ts <tâche JSON> (lancé par runExportParallel, avec un canal IPC)\n");
  process.exit(2);
}

const answers: ((code: string | null) => void)[] = [];
process.on("message", (message: ExportAssignment) => answers.shift()?.(message.code));

/** Asks the parent for a département; resolves with it, or null when there is none left. */
function ask(): Promise<string | null> {
  return new Promise((resolve) => {
    answers.push(resolve);
    process.send!({ next: true } satisfies ExportRequest);
  });
}

/** The job's département, then the parent's answers; each next one is asked for as the one before starts. */
async function* assigned(first: string): AsyncGenerator<string> {
  let current: string | null = first;
  while (current !== null) {
    const ahead = ask();
    yield current;
    current = await ahead;
  }
}

try {
  // One core per process: DuckDB's threads would otherwise compete with the other process for both.
  await runExport(job.config, { documents: job.documents, threads: 1, codes: assigned(job.first) });
  process.disconnect();
} catch (error) {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
}
