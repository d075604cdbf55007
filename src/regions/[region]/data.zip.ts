import { readBuildSettings, routeParam, runArchiveLoader } from "../../../loaders/outputs/site/loader.ts";
import { readSiteShape } from "../../../loaders/outputs/site/pages.ts";
import { regionDepartementsTopology, regionPayload } from "../../../loaders/outputs/site/payloads.ts";

/** The data files of a région's page (`/regions/<code>/data/region.json`…), for the région of the route (`--region=76`). */
await runArchiveLoader(
  () => ({ ...readBuildSettings(), region: routeParam("region", /^\d{2}$/), departements: readSiteShape().departements.map((d) => d.code) }),
  { "region.json": regionPayload, "carte-departements.json": regionDepartementsTopology }
);
