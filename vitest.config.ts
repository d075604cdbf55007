import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*-test.ts"],
    globalSetup: ["test/global-setup.ts"],
    reporters: ["default", "./test/summary-reporter.ts"],
    testTimeout: 120_000,
    hookTimeout: 600_000,
    pool: "forks",
    fileParallelism: true,
    maxWorkers: 2
  }
});
