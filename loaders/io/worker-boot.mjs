// Entry point of a worker thread started by `startWorker` (worker.ts): registers tsx in this thread (hooks
// registered in the main thread do not reach workers) and imports the TypeScript module named in `workerData` at
// once; then waits for the one message naming the function to run and its input, and posts its result, or the
// error it threw as plain data. Typed arrays in the result (at its top level or one level down) are moved, not
// copied: 50 MB of outline text crosses in no time.
import { parentPort, workerData } from "node:worker_threads";
import { register } from "tsx/esm/api";

register();
// Settled either way: an import that fails is reported when the function is asked for, not before.
const imported = import(workerData.module).then((exports) => ({ exports }), (error) => ({ error }));
parentPort.once("message", async ({ name, input }) => {
  try {
    const { exports, error } = await imported;
    if (error) throw error;
    const ok = await exports[name](input);
    parentPort.postMessage({ ok }, movableBuffers(ok));
  } catch (error) {
    const e = error instanceof Error ? error : new Error(String(error));
    parentPort.postMessage({ error: { name: e.name, message: e.message, problem: e.problem, location: e.location } });
  }
});

function movableBuffers(value) {
  const found = new Set();
  const visit = (v, depth) => {
    if (ArrayBuffer.isView(v) && v.buffer instanceof ArrayBuffer) found.add(v.buffer);
    else if (v && typeof v === "object" && depth < 2 && !Array.isArray(v)) for (const inner of Object.values(v)) visit(inner, depth + 1);
  };
  visit(value, 0);
  return [...found];
}
