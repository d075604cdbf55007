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
 * A worker thread for CPU-bound work (the outlines' geometry, the nearest places), so that it uses the second core
 * while this thread goes on. `run` calls an exported function of a module there; calls run one after the other,
 * and each module is imported once for all of them. Started early, the thread sets itself up (tsx, then the
 * modules `preload` names: ≈ 0.5 s of CPU for the outlines' libraries) while this thread still has other work.
 * Waiting for calls, it does not keep the process alive; `close` stops it.
 */
export class ComputeThread {
  private readonly worker: Worker;
  private readonly pending = new Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void }>();
  private lastId = 0;
  private queue: Promise<unknown> = Promise.resolve();
  private stopped: Error | null = null;

  constructor({ youngGenerationMb }: WorkerOptions = {}) {
    this.worker = new Worker(boot, youngGenerationMb ? { resourceLimits: { maxYoungGenerationSizeMb: youngGenerationMb } } : {});
    this.worker.unref();
    this.worker.on("message", ({ id, ok, error }: { id: number; ok?: unknown; error?: SerializedError }) => {
      const call = this.pending.get(id);
      this.pending.delete(id);
      if (this.pending.size === 0) this.worker.unref();
      if (error) call?.reject(reviveError(error));
      else call?.resolve(ok);
    });
    this.worker.on("error", (error) => this.stop(error));
    this.worker.on("exit", (code) => this.stop(new Error(`le fil de calcul s'est arrêté (code ${code})`)));
  }

  /** Imports `module` in the thread now, for a later `run`. */
  preload(module: URL): void {
    if (!this.stopped) this.worker.postMessage({ preload: module.href });
  }

  /**
   * Runs `module`'s exported function `name` on `input` in the thread, after the calls made before. `input` and the
   * result are copied between threads (plain data only). A `SourceError` thrown there is thrown here again with its
   * location; any other error keeps its class name and message.
   */
  run<I, O>(module: URL, name: string, input: I): Promise<O> {
    const call = this.queue.then(() => this.call<O>(module, name, input));
    this.queue = call.catch(() => {});
    return call;
  }

  /** Stops the thread; calls not finished fail. */
  close(): void {
    this.stop(new Error("le fil de calcul a été arrêté"));
    void this.worker.terminate();
  }

  private call<O>(module: URL, name: string, input: unknown): Promise<O> {
    if (this.stopped) return Promise.reject(this.stopped);
    return new Promise<O>((resolve, reject) => {
      const id = ++this.lastId;
      this.pending.set(id, { resolve: resolve as (value: unknown) => void, reject });
      this.worker.ref();
      this.worker.postMessage({ id, module: module.href, name, input });
    });
  }

  private stop(error: Error): void {
    this.stopped ??= error;
    for (const call of this.pending.values()) call.reject(error);
    this.pending.clear();
  }
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
