import { fork } from "node:child_process";
import { availableParallelism, totalmem } from "node:os";
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
 * `runExport` on several processes: one child `node` process per core (two at most by default), all reading the same
 * database read-only, while this process only hands out the départements. They wait in one queue, largest first,
 * and each child takes the next one when it is free, so the children end close together whatever their speed; a
 * child asks for its next département when it starts one, so its answer is ready when it needs it. The exports run
 * in children, not here, because only a process's start can give V8 the heap that suits them (`childHeapFlags`):
 * measured against this process exporting beside one child, about 17 % less time for every département. What is shared
 * (the list of départements and their sizes) is read once here; each child then writes its folders exactly as
 * `runExport` would, so the files are the same whichever way they were written. When a child fails, the queue is
 * closed: the others finish the département in hand, then the first error is thrown.
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
  const children = Math.min(processes, codes.length);
  log(`exports de ${codes.length} départements sur ${children} processus`);
  // Each child gets its first département on its command line: it starts on it as soon as its code is loaded.
  const runs = Array.from({ length: children }, () => exportInChild(childScript, { config, documents, first: take()! }, take)).map((run) =>
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
 * The heap of an export process, which only a process's start can set. Building each schéma allocates about 300 MB
 * of short-lived objects (the DOCX's XML tree above all), and V8's defaults are made for far less:
 * - a young generation of 512 MB semi-spaces (or a sixteenth of the machine's memory if less), instead of 16 MB: a
 *   département's objects mostly die before a collection, instead of being copied from one semi-space to the other
 *   and then into the old generation while the document is built;
 * - an initial old generation of 1 GB (or an eighth of the machine's memory if less): each full collection also
 *   drops the optimised code of the functions that `docx`, papaparse and our chapters create anew for every
 *   département, which V8 then compiles again (on thirty départements in one process: 3 full collections instead of
 *   10, 40 % fewer compilations).
 * Every département's exports, alternated runs on this machine's two cores: 40.5 to 41.7 s with 16 MB semi-spaces
 * in one process and 64 MB in the other (the previous set-up), 37.4 to 38.0 s with 64 MB and 1 GB, 33.7 to 34.2 s
 * with 512 MB and 1 GB (37.0 to 38.0 s with 512 MB alone). Peak of the largest process: 1.1 to 1.4 GB (0.6 GB with
 * the defaults), under the 2 GB the bench allows.
 */
export function childHeapFlags(totalBytes = totalmem()): string[] {
  const mb = totalBytes / 2 ** 20;
  return [`--max-semi-space-size=${Math.min(512, Math.floor(mb / 16))}`, `--initial-old-space-size=${Math.min(1024, Math.floor(mb / 8))}`];
}

/**
 * Runs a child `node` process (tsx loaded) that exports `job.first`, then each département `take` hands it on its
 * request, until there is none; its messages are passed through; fails with its exit code.
 */
function exportInChild(script: string, job: ExportJob, take: () => string | null): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = fork(script, [JSON.stringify(job)], { execArgv: [...childHeapFlags(), "--import", import.meta.resolve("tsx")], stdio: "inherit" });
    child.on("message", () => {
      if (child.connected) child.send({ code: take() } satisfies ExportAssignment);
    });
    child.on("error", reject);
    child.on("exit", (code, signal) =>
      code === 0 ? resolve() : reject(new Error(`exports dans un processus enfant (départements ${job.first} et suivants) : échec du processus (${signal ?? `code ${code}`})`))
    );
  });
}
