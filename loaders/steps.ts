import type { PostLoadStep } from "./load.ts";

/** Steps run inside the load transaction once every source is in: derived tables of the diagnostic. */
export const postLoadSteps: PostLoadStep[] = [];
