import { runLoader } from "../../loaders/outputs/site/loader.ts";
import { territoirePayload } from "../../loaders/outputs/site/payloads.ts";

/** See territoirePayload in loaders/outputs/site/payloads.ts (shared with the site of several départements). */
await runLoader("territoire.json", territoirePayload);
