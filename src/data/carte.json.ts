import { runLoader } from "../../loaders/site/loader.ts";
import { cartePayload } from "../../loaders/site/payloads.ts";

/** See cartePayload in loaders/site/payloads.ts (shared with the site of several départements). */
await runLoader("carte.json", cartePayload);
