import { runLoader } from "../../loaders/outputs/site/loader.ts";
import { lieuxPayload } from "../../loaders/outputs/site/payloads.ts";

/** See lieuxPayload in loaders/outputs/site/payloads.ts (shared with the site of several départements). */
await runLoader("lieux.json", lieuxPayload);
