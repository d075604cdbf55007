#!/usr/bin/env node
// Entry point of the `sdin` command: registers tsx so the TypeScript pipeline runs without a build step.
import { register } from "tsx/esm/api";
register();
await import("../loaders/cli/index.ts");
