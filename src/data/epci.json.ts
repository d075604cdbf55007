import { runLoader } from "../../loaders/outputs/site/loader.ts";
import { epciPayload } from "../../loaders/outputs/site/payloads.ts";

/** See epciPayload in loaders/outputs/site/payloads.ts (shared with the site of several départements). */
await runLoader("epci.json", epciPayload);
