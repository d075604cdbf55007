import { runLoader } from "../../loaders/outputs/site/loader.ts";
import { cartePayload } from "../../loaders/outputs/site/payloads.ts";

/** See cartePayload in loaders/outputs/site/payloads.ts (shared with the site of several départements). */
await runLoader("carte.json", cartePayload);
