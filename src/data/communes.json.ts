import { runLoader } from "../../loaders/site/loader.ts";
import { communesPayload } from "../../loaders/site/payloads.ts";

/** See communesPayload in loaders/site/payloads.ts (shared with the site of several départements). */
await runLoader("communes.json", communesPayload);
