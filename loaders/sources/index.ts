import type { Source } from "../source.ts";
import { populations } from "./populations.ts";
import { referentiel } from "./referentiel.ts";

/** Every source, in load order: the referential first (it builds the COG mapping the others use). */
export const sources: Source[] = [referentiel, populations];
