import { runLoader } from "../../loaders/site/loader.ts";
import { territoirePayload } from "../../loaders/site/payloads.ts";

/** See territoirePayload in loaders/site/payloads.ts (shared with the site of several départements). */
await runLoader("territoire.json", territoirePayload);
