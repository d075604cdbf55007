import { runLoader } from "../../loaders/site/loader.ts";
import { exportsPayload } from "../../loaders/site/payloads.ts";

/** See exportsPayload in loaders/site/payloads.ts (shared with the site of several départements). */
await runLoader("exports.json", exportsPayload);
