// The data files of one département's pages (`/<code>/data/communes.json`, `carte.json`…), as one archive computed
// by `sdin build` before Framework runs (loaders/outputs/site/precompute.ts) for the département of the route.
import { departementCode, handOver, routeParam } from "../../loaders/outputs/site/precomputed.mjs";

await handOver({ kind: "departement", code: routeParam("dept", departementCode) });
