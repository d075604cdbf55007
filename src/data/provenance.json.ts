import { runLoader } from "../../loaders/outputs/site/loader.ts";
import { provenancePayload } from "../../loaders/outputs/site/payloads.ts";

/** Every file loaded and the quarantined rows (shared by the pages of every département). */
await runLoader("provenance.json", provenancePayload);
