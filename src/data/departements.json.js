// The entry page: every département and région, and which of them have pages in this site.
// Computed by `sdin build` before Framework runs (loaders/outputs/site/precompute.ts).
import { handOver } from "../../loaders/outputs/site/precomputed.mjs";

await handOver({ kind: "national", name: "departements.json" });
