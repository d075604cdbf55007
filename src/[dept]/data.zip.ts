import { readSiteSettings, runArchiveLoader } from "../../loaders/outputs/site/loader.ts";
import { departementPayloads } from "../../loaders/outputs/site/payloads.ts";

/**
 * The data files of one département's pages (`/<code>/data/communes.json`, `carte.json`…), computed from the
 * database for the département of the route (`--dept=23`) and handed to Framework as one archive.
 */
await runArchiveLoader(readSiteSettings, departementPayloads);
