import { runLoader } from "../../loaders/outputs/site/loader.ts";
import { communesPayload } from "../../loaders/outputs/site/payloads.ts";

/** See communesPayload in loaders/outputs/site/payloads.ts (shared with the site of several départements). */
await runLoader("communes.json", communesPayload);
