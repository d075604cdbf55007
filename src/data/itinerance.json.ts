import { runLoader } from "../../loaders/site/loader.ts";
import { itinerancePayload } from "../../loaders/site/payloads.ts";

/** See itinerancePayload in loaders/site/payloads.ts (shared with the site of several départements). */
await runLoader("itinerance.json", itinerancePayload);
