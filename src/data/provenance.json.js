// Every file loaded and the quarantined rows (shared by the pages of every département).
// Computed by `sdin build` before Framework runs (loaders/outputs/site/precompute.ts).
import { handOver } from "../../loaders/outputs/site/precomputed.mjs";

await handOver({ kind: "national", name: "provenance.json" });
