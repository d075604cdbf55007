import path from "node:path";
import { fileURLToPath } from "node:url";
import { Worker } from "node:worker_threads";
import { SourceError } from "./errors.ts";

const boot = new URL("./worker-boot.mjs", import.meta.url);

/** Options of a worker thread. */
export interface WorkerOptions {
  /**
   * Young generation of the thread's heap, in MB: work that allocates many short-lived arrays (parsing GeoJSON,
   * rounding coordinates) spends less time collecting garbage with a larger one. V8's default is 16 to 32.
   */
  youngGenerationMb?: number;
}

/** A worker thread started on `module`: its code is imported at once, its function runs when `run` is called. */
export interface StartedWorker {
  /**
   * Runs `module`'s exported function `name` on `input` in the thread, once; the thread stops with the result.
   * `input` and the result are copied between threads (plain data only). A `SourceError` thrown there is thrown
   * here again with its location; any other error keeps its class name and message.
   */
  run<I, O>(name: string, input: I): Promise<O>;
  /** Stops a thread that was never run (a load that failed before needing it). */
  stop(): void;
}

/**
 * Starts a worker thread on `module`, so that CPU-bound work (the outlines' geometry) uses the second core while
 * this thread goes on. Starting it early lets the thread set itself up (tsx, the module and its libraries: ≈ 0.5 s
 * of CPU) while this thread still has other work, before the input exists. Waiting for `run`, the thread does not
 * keep the process alive.
 */
export function startWorker(module: URL, { youngGenerationMb }: WorkerOptions = {}): StartedWorker {
  const worker = new Worker(boot, {
    workerData: { module: module.href },
    ...(youngGenerationMb ? { resourceLimits: { maxYoungGenerationSizeMb: youngGenerationMb } } : {})
  });
  worker.unref();
  const label = path.basename(fileURLToPath(module));
  const outcome = new Promise<{ ok?: unknown; error?: SerializedError }>((resolve, reject) => {
    worker.once("message", resolve);
    worker.once("error", reject);
    worker.once("exit", (code) => reject(new Error(`le fil de calcul ${label} s'est arrêté sans résultat (code ${code})`)));
  });
  outcome.catch(() => {}); // read by `run`; a thread stopped unused fails no one
  let used = false;
  return {
    async run<I, O>(name: string, input: I): Promise<O> {
      if (used) throw new Error(`le fil de calcul ${label} a déjà servi`);
      used = true;
      worker.ref();
      try {
        worker.postMessage({ name, input });
        const message = await outcome;
        if (message.error) throw reviveError(message.error);
        return message.ok as O;
      } finally {
        void worker.terminate();
      }
    },
    stop() {
      if (!used) void worker.terminate();
      used = true;
    }
  };
}

/** `startWorker(module, options).run(name, input)`: a thread started for one call. */
export function runInWorker<I, O>(module: URL, name: string, input: I, options: WorkerOptions = {}): Promise<O> {
  return startWorker(module, options).run<I, O>(name, input);
}

interface SerializedError {
  name: string;
  message: string;
  problem?: string;
  location?: SourceError["location"];
}

function reviveError(e: SerializedError): Error {
  if (e.location && e.problem !== undefined) return new SourceError(e.location, e.problem);
  const error = e.name === "RangeError" ? new RangeError(e.message) : e.name === "TypeError" ? new TypeError(e.message) : new Error(e.message);
  if (!["RangeError", "TypeError", "Error"].includes(e.name)) error.name = e.name;
  return error;
}
