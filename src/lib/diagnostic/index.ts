/**
 * The diagnostic's rules, written once: pure TypeScript with no Node or DOM dependency, imported by the pipeline
 * (loaders/diagnostic) and by the site's pages, so that the browser recomputes exactly what the exports hold.
 */
export * from "./criteria.js";
export * from "./distance.js";
export * from "./fragility.js";
export * from "./planner.js";
export * from "./priority.js";
export * from "./sensitivity.js";
export * from "./withheld.js";
