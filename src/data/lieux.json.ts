import { runLoader } from "../../loaders/site/loader.ts";
import { lieuxPayload } from "../../loaders/site/payloads.ts";

/** See lieuxPayload in loaders/site/payloads.ts (shared with the site of several départements). */
await runLoader("lieux.json", lieuxPayload);
