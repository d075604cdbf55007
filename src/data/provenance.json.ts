import { runLoader } from "../../loaders/site/loader.ts";
import { provenancePayload } from "../../loaders/site/payloads.ts";

/** See provenancePayload in loaders/site/payloads.ts (shared with the site of several départements). */
await runLoader("provenance.json", provenancePayload);
