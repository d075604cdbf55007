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

/**
 * Runs `module`'s exported function `name` on `input` in a worker thread, so that CPU-bound work (the outlines'
 * geometry) uses the second core while this thread goes on. `input` and the result are copied between threads
 * (plain data only). A `SourceError` thrown there is thrown here again with its location; any other error keeps
 * its class name and message.
 */
export function runInWorker<I, O>(module: URL, name: string, input: I, { youngGenerationMb }: WorkerOptions = {}): Promise<O> {
  return new Promise<O>((resolve, reject) => {
    const worker = new Worker(boot, {
      workerData: { module: module.href, name, input },
      ...(youngGenerationMb ? { resourceLimits: { maxYoungGenerationSizeMb: youngGenerationMb } } : {})
    });
    let settled = false;
    worker.once("message", (message: { ok?: O; error?: SerializedError }) => {
      settled = true;
      if (message.error) reject(reviveError(message.error));
      else resolve(message.ok as O);
      void worker.terminate();
    });
    worker.once("error", (error) => {
      if (!settled) reject(error);
      settled = true;
    });
    worker.once("exit", (code) => {
      if (!settled) reject(new Error(`le fil de calcul ${name} s'est arrêté sans résultat (code ${code})`));
      settled = true;
    });
  });
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
