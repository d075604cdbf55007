import { currentCodeOrQuarantine, type CogIndex } from "../cog.ts";
import type { Ledger } from "../../io/ledger.ts";
import {
  checkCoordinates,
  cleanText,
  findCommuneByName,
  finishLieu,
  joinValues,
  normaliseSiret,
  OffreStats,
  readCommuneNames,
  type CommuneNames,
  type LieuAide,
  loadOffreCsv
} from "../offre/places.ts";
import type { Resource } from "../../io/resource.ts";
import type { Source } from "../source.ts";
import { readCsv } from "../../io/text.ts";
import { normaliseCommuneCode } from "../../io/values.ts";

/**
 * Structures habilitated to Aidants Connect (a metabase export of the service). Sites have no coordinates:
 * they are placed at their commune.
 */
export const aidantsConnectResource: Resource = {
  id: "aidants-connect-structures",
  title: "Aidants Connect, structures habilitées (export du 12 février 2024)",
  publisher: "Aidants Connect (ANCT / DINUM, beta.gouv.fr)",
  // The export is published only in ANCT's repository (pinned commit). The data.gouv.fr dataset "lieux de
  // médiation numérique … fournis par Aidants Connect" follows the national standard, a different format.
  url: "https://raw.githubusercontent.com/inclusion-numerique/stack/8cb7b0e7a627793bf9ee10deb71c292b310e6f20/apps/web/public/data/20240212-aidants_connect_structures.csv",
  path: "aidants-connect/20240212-aidants_connect_structures.csv",
  vintage: "Export du 12 février 2024",
  referenceDate: "2024-02-12",
  urlConfirmedBy: "dépôt public inclusion-numerique/stack, commit 8cb7b0e7a627 (fichier à ce commit)",
  replacement: "jeu data.gouv.fr « lieux de médiation numérique … fournis par Aidants Connect » (au standard national, autre format)",
  format: "csv",
  licence: "Licence non précisée (export publié par l'ANCT dans inclusion-numerique/stack)"
};

const EXTRACT_DATE = "2024-02-12";
const REQUIRED = ["Name", "ID", "Is Active", "City Insee Code", "Address", "Zip Code", "Siret", "France Services Label", "City"];

/**
 * Parses the structures file into `lieux_aide` rows. Inactive structures are not offer: they are quarantined
 * with that reason (and so stay countable). A structure without INSEE code is placed by its city name and postal
 * code when exactly one current commune matches.
 */
export function parseAidantsConnect(text: string, ledger: Ledger, cog: CogIndex, names: CommuneNames, stats = new OffreStats()): LieuAide[] {
  const table = readCsv(text, ledger, { delimiter: ",", required: REQUIRED });
  const rows: LieuAide[] = [];
  const seenIds = new Set<string>();
  table.forEach(({ line, values }) => {
    if (values["Is Active"].trim().toLowerCase() !== "true") {
      ledger.quarantine(line, "Is Active", values["Is Active"], "structure inactive");
      return;
    }
    const code = communeOf(values, { ledger, line, cog, names, stats });
    if (!code) return;
    const row = finishLieu(
      {
        id: `aidants-connect:${values.ID.trim()}`,
        nom: cleanText(values.Name),
        code_insee: code,
        adresse: cleanText(values.Address),
        coordinates: checkCoordinates(null, null),
        typologie: null,
        services: null,
        publics: null,
        dispositifs: joinValues(["Aidants Connect", values["France Services Label"].trim().toLowerCase() === "true" ? "France Services" : null]),
        horaires: null,
        itinerance: null,
        site_web: null,
        date_maj: EXTRACT_DATE,
        siret: normaliseSiret(values.Siret)
      },
      "aidants-connect",
      { ledger, line, seenIds, stats }
    );
    if (row) rows.push(row);
  });
  return rows;
}

/** The current commune from the INSEE code, else from the city name (225 structures of the 2024 export have no code). */
function communeOf(
  values: Record<string, string>,
  { ledger, line, cog, names, stats }: { ledger: Ledger; line: number; cog: CogIndex; names: CommuneNames; stats: OffreStats }
): string | null {
  const raw = values["City Insee Code"];
  if (raw.trim() !== "") return currentCodeOrQuarantine(cog, normaliseCommuneCode(raw), raw, ledger, line, "City Insee Code");
  const code = findCommuneByName(names, values.City, values["Zip Code"]);
  if (!code) {
    ledger.quarantine(line, "City", values.City, "code INSEE absent et nom de commune non reconnu (ou ambigu) pour ce code postal");
    return null;
  }
  stats.byName++;
  return code;
}

/** Source `aidants-connect`: appends the active structures to `lieux_aide`. */
export const aidantsConnect: Source = {
  id: "aidants-connect",
  title: "Aidants Connect : structures habilitées",
  // Appends to `lieux_aide`: one offer source at a time.
  after: ["france-services"],
  resources: [aidantsConnectResource],
  load: (context) =>
    loadOffreCsv(context, aidantsConnectResource, "aidants-connect", async (text, ledger, stats) =>
      parseAidantsConnect(text, ledger, context.cog, await readCommuneNames(context.connection), stats)
    )
};
