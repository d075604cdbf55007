// The data files of a région's page (`/regions/<code>/data/region.json`…), computed by `sdin build` before Framework
// runs (loaders/outputs/site/precompute.ts) for the région of the route.
import { handOver, regionCode, routeParam } from "../../../loaders/outputs/site/precomputed.mjs";

await handOver({ kind: "region", code: routeParam("region", regionCode) });
