import { runLoader } from "../../loaders/site/loader.ts";
import { epciPayload } from "../../loaders/site/payloads.ts";

/** See epciPayload in loaders/site/payloads.ts (shared with the site of several départements). */
await runLoader("epci.json", epciPayload);
