// Entry point of a worker thread started by `runInWorker` (worker.ts): registers tsx in this thread (hooks
// registered in the main thread do not reach workers), imports the TypeScript module named in `workerData`,
// runs the named function on the input and posts its result, or the error it threw as plain data.
import { parentPort, workerData } from "node:worker_threads";
import { register } from "tsx/esm/api";

register();
const { module, name, input } = workerData;
try {
  const exports = await import(module);
  parentPort.postMessage({ ok: await exports[name](input) });
} catch (error) {
  const e = error instanceof Error ? error : new Error(String(error));
  parentPort.postMessage({ error: { name: e.name, message: e.message, problem: e.problem, location: e.location } });
}
