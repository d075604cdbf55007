// @observablehq/inputs ships no type declarations; the site uses a handful of its functions.
declare module "@observablehq/inputs" {
  export function table(data: unknown, options?: Record<string, unknown>): HTMLElement & { value: unknown };
  export function select(data: unknown, options?: Record<string, unknown>): HTMLElement & { value: unknown };
  export function range(extent?: [number, number], options?: Record<string, unknown>): HTMLElement & { value: number };
  export function search(data: unknown, options?: Record<string, unknown>): HTMLElement & { value: unknown[] };
  export function checkbox(data: unknown, options?: Record<string, unknown>): HTMLElement & { value: unknown[] };
  export function radio(data: unknown, options?: Record<string, unknown>): HTMLElement & { value: unknown };
  export function form(inputs: unknown, options?: Record<string, unknown>): HTMLElement & { value: unknown };
}
