import { fork } from "node:child_process";
import { availableParallelism } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { Config } from "../../io/config.ts";
import { queryRows, withDatabase } from "../../io/db.ts";
import { runExport } from "./index.ts";

/** What `runExportParallel` hands each child process (`exports/worker.ts`) on its command line. */
export interface ExportJob {
  config: Config;
  documents: boolean;
  /** The first département the child exports; it asks for the next ones (`ExportRequest`) as it goes. */
  first: string;
}

/** A child's request for its next département; the answer is an `ExportAssignment` (`code` null: nothing left). */
export interface ExportRequest {
  next: true;
}

export interface ExportAssignment {
  code: string | null;
}

/** Fixed cost of one département's folder (schéma DOCX, workbook, maps), in communes' worth of work. */
const FIXED_COST_IN_COMMUNES = 600;

/**
 * `runExport` on several processes: this one and one child `node` process per other core (two processes at most by
 * default), all reading the same database read-only. The départements wait in one queue, largest first, and each
 * process takes the next one when it is free, so the processes end close together whatever their speed or start-up
 * time (a child loads its code while this process has already begun); a child asks for its next département when it
 * starts one, so its answer is ready when it needs it. This process exports its share with the code it has already
 * loaded: no second start-up is paid. What is shared (the list of départements and their sizes) is read once here;
 * each process then writes its folders exactly as `runExport` would, so the files are the same whichever way they
 * were written. When a process fails, the queue is closed: the others finish the département in hand, then the
 * first error is thrown.
 */
export async function runExportParallel(
  config: Config,
  {
    documents = true,
    processes = Math.min(2, availableParallelism()),
    log = (m: string) => process.stderr.write(m + "\n"),
    childScript = workerScript
  }: { documents?: boolean; processes?: number; log?: (m: string) => void; /** What a child runs (`exports/worker.ts`; another in tests). */ childScript?: string } = {}
): Promise<void> {
  const sizes = await departementSizes(config);
  const codes = config.departements.includes("all") ? [...sizes.keys()] : config.departements;
  const unknown = codes.find((code) => !sizes.has(code));
  // An unknown code fails in runExport with its message, before any process is started.
  if (unknown !== undefined || codes.length < 2 || processes < 2) return runExport({ ...config, departements: codes }, { documents });
  const queue = largestFirst(codes, (code) => FIXED_COST_IN_COMMUNES + (sizes.get(code) ?? 0));
  let closed = false;
  const take = (): string | null => (closed ? null : (queue.shift() ?? null));
  const children = Math.min(processes, codes.length) - 1;
  log(`exports de ${codes.length} départements sur ${children + 1} processus`);
  const runs = [
    // Each child gets its first département on its command line: it starts on it as soon as its code is loaded.
    ...Array.from({ length: children }, () => exportInChild(childScript, { config, documents, first: take()! }, take)),
    runExport(config, { documents, threads: 1, codes: handedOut(take) })
  ].map((run) =>
    run.catch((error: unknown) => {
      closed = true;
      throw error;
    })
  );
  const failed = (await Promise.allSettled(runs)).find((r): r is PromiseRejectedResult => r.status === "rejected");
  if (failed) throw failed.reason;
}

/** The départements in the order the processes take them: largest first (then by code), the small ones evening out the end. */
export function largestFirst(codes: string[], weight: (code: string) => number): string[] {
  return [...codes].sort((a, b) => weight(b) - weight(a) || (a < b ? -1 : a > b ? 1 : 0));
}

/** The départements this process takes from the queue, one at a time, until it is empty or closed. */
async function* handedOut(take: () => string | null): AsyncGenerator<string> {
  for (let code = take(); code !== null; code = take()) yield code;
}

/** Communes per département of the referential, in code order. */
async function departementSizes(config: Config): Promise<Map<string, number>> {
  return withDatabase(config.paths.database, { readOnly: true }, async ({ connection }) => {
    const rows = await queryRows<{ code: string; n: number }>(
      connection,
      `SELECT d.code_departement AS code, count(c.code_insee)::INTEGER AS n
       FROM departements d LEFT JOIN communes c USING (code_departement) GROUP BY 1 ORDER BY 1`
    );
    return new Map(rows.map((r) => [r.code, r.n]));
  });
}

const workerScript = path.join(path.dirname(fileURLToPath(import.meta.url)), "worker.ts");

/**
 * A larger young generation for the export processes: building each schéma allocates millions of short-lived
 * objects (the DOCX's XML tree), and with V8's default 16 MB semi-spaces many survive long enough to be copied
 * into the old generation. Measured on every département's exports: 32 MB, 11 % less time and 12 % less CPU than
 * the default; 64 MB, 5 % less time again on twenty départements (three alternated runs), for 30 to 60 MB more
 * memory per process.
 */
const CHILD_HEAP_FLAGS = ["--max-semi-space-size=64"];

/**
 * Runs a child `node` process (tsx loaded) that exports `job.first`, then each département `take` hands it on its
 * request, until there is none; its messages are passed through; fails with its exit code.
 */
function exportInChild(script: string, job: ExportJob, take: () => string | null): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = fork(script, [JSON.stringify(job)], { execArgv: [...CHILD_HEAP_FLAGS, "--import", import.meta.resolve("tsx")], stdio: "inherit" });
    child.on("message", () => {
      if (child.connected) child.send({ code: take() } satisfies ExportAssignment);
    });
    child.on("error", reject);
    child.on("exit", (code, signal) =>
      code === 0 ? resolve() : reject(new Error(`exports dans un processus enfant (départements ${job.first} et suivants) : échec du processus (${signal ?? `code ${code}`})`))
    );
  });
}
