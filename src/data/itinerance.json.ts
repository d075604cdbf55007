import { runLoader } from "../../loaders/outputs/site/loader.ts";
import { itinerancePayload } from "../../loaders/outputs/site/payloads.ts";

/** See itinerancePayload in loaders/outputs/site/payloads.ts (shared with the site of several départements). */
await runLoader("itinerance.json", itinerancePayload);
