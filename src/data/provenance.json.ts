import { runLoader } from "../../loaders/outputs/site/loader.ts";
import { provenancePayload } from "../../loaders/outputs/site/payloads.ts";

/** See provenancePayload in loaders/outputs/site/payloads.ts (shared with the site of several départements). */
await runLoader("provenance.json", provenancePayload);
