import { readBuildSettings, runLoader } from "../../loaders/outputs/site/loader.ts";
import { readSiteShape } from "../../loaders/outputs/site/pages.ts";
import { francePayload } from "../../loaders/outputs/site/payloads.ts";

/** The entry page: every département and région, and which of them have pages in this site. */
const shape = readSiteShape();
await runLoader("departements.json", (connection) =>
  francePayload(connection, { departements: shape.departements.map((d) => d.code), regions: shape.regions.map((r) => r.code), thresholdKm: readBuildSettings().thresholdKm })
);
