// Entry point of the compute thread started by `ComputeThread` (worker.ts): registers tsx in this thread (hooks
// registered in the main thread do not reach workers), then answers each message naming a TypeScript module, one
// of its exported functions and an input, with the function's result or the error it threw as plain data. Modules
// are imported once, on the first call or when asked to preload them. Typed arrays in a result (at its top level or
// one level down) are moved, not copied: 50 MB of outline text crosses in no time.
import { parentPort } from "node:worker_threads";
import { register } from "tsx/esm/api";

register();
const modules = new Map();
function load(href) {
  let loading = modules.get(href);
  if (!loading) {
    loading = import(href);
    loading.catch(() => {}); // a preload that fails is reported by the call that needs the module
    modules.set(href, loading);
  }
  return loading;
}

parentPort.on("message", async ({ id, module, name, input, preload }) => {
  if (preload) return void load(preload);
  try {
    const exports = await load(module);
    const ok = await exports[name](input);
    parentPort.postMessage({ id, ok }, movableBuffers(ok));
  } catch (error) {
    const e = error instanceof Error ? error : new Error(String(error));
    parentPort.postMessage({ id, error: { name: e.name, message: e.message, problem: e.problem, location: e.location } });
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
