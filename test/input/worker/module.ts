// A module for the worker-thread tests (worker-test.ts): each export is a function the thread can be asked to run.
import { SourceError } from "../../../loaders/io/errors.ts";

/** Calls made to this module in its thread: a second call sees the first when the module was imported once. */
let calls = 0;

export function sum(input: { values: number[] }): { total: number; calls: number; bytes: Uint8Array } {
  calls++;
  return { total: input.values.reduce((a, b) => a + b, 0), calls, bytes: new Uint8Array([1, 2, 3]) };
}

export function refuse(): never {
  throw new SourceError({ source: "essai", file: "essai.csv", line: 7, column: "code" }, "valeur refusée");
}
