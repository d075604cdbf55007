import { runLoader } from "../../loaders/outputs/site/loader.ts";
import { readSiteShape } from "../../loaders/outputs/site/pages.ts";
import { departementsTopology } from "../../loaders/outputs/site/payloads.ts";

/**
 * The outlines of every département (contours_departements), for the entry page's map; none when the entry page
 * only leads to a région's or a département's page (their simplification takes seconds).
 */
const national = readSiteShape().entry.niveau === "france";
await runLoader("carte-departements.json", async (connection) => (national ? departementsTopology(connection) : null));
