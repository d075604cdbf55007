import { runLoader } from "../../loaders/outputs/site/loader.ts";
import { departementsTopology } from "../../loaders/outputs/site/payloads.ts";

/** The outlines of every département (contours_departements), for the entry page's map. */
await runLoader("carte-departements.json", departementsTopology);
