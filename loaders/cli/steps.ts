import { diagnosticStep } from "../diagnostic/build.ts";
import type { PostLoadStep } from "../ingest/load.ts";

/** Steps run inside the load once every source is in: the diagnostic tables. */
export const postLoadSteps: PostLoadStep[] = [diagnosticStep];
