// The outlines of every département, for the entry page's map (null when the entry page only leads to a région's or a département's page).
// Computed by `sdin build` before Framework runs (loaders/outputs/site/precompute.ts).
import { handOver } from "../../loaders/outputs/site/precomputed.mjs";

await handOver({ kind: "national", name: "carte-departements.json" });
