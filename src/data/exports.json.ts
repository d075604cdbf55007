import { runLoader } from "../../loaders/outputs/site/loader.ts";
import { exportsPayload } from "../../loaders/outputs/site/payloads.ts";

/** See exportsPayload in loaders/outputs/site/payloads.ts (shared with the site of several départements). */
await runLoader("exports.json", exportsPayload);
