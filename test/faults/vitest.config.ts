import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

/**
 * `npm run test:faults`: the fault suite alone. It builds every database it needs from temporary mirrors, so it
 * skips the root configuration's global setup (the full suite database, about a minute) to stay fast.
 * `npm test` still runs it with everything else, under the root configuration.
 */
export default defineConfig({
  root: fileURLToPath(new URL("../..", import.meta.url)),
  test: {
    include: ["test/faults/**/*-test.ts"],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: "forks"
  }
});
