import { currentCodeOrQuarantine, type CogIndex } from "../cog.ts";
import type { Ledger } from "../../io/ledger.ts";
import {
  checkCoordinates,
  cleanText,
  finishLieu,
  joinValues,
  normaliseSiret,
  OffreStats,
  type LieuAide,
  loadOffreCsv
} from "../offre/places.ts";
import type { Resource } from "../../io/resource.ts";
import type { Source } from "../source.ts";
import { readCsv } from "../../io/text.ts";
import { normaliseCommuneCode } from "../../io/values.ts";

/**
 * Structures hosting Conseillers numériques France Services (posts validated by the selection committee,
 * COSELEC). One row per committee decision: a structure funded twice has two rows, which share their
 * de-duplication key. No coordinates: placed at their commune.
 */
export const conseillersNumeriquesResource: Resource = {
  id: "anct-conseillers-numeriques-structures",
  title: "ANCT, structures accueillant des Conseillers numériques France Services (validées en COSELEC)",
  publisher: "ANCT (dispositif Conseiller numérique France Services)",
  // Published only in ANCT's repository (pinned commit).
  url: "https://raw.githubusercontent.com/inclusion-numerique/stack/8cb7b0e7a627793bf9ee10deb71c292b310e6f20/apps/web/public/data/20230405-3925-cnfs.csv",
  path: "conseillers-numeriques/20230405-3925-cnfs.csv",
  vintage: "Extraction du 5 avril 2023",
  referenceDate: "2023-04-05",
  urlConfirmedBy: "dépôt public inclusion-numerique/stack, commit 8cb7b0e7a627 (fichier à ce commit)",
  format: "csv",
  licence: "Licence non précisée (export publié par l'ANCT dans inclusion-numerique/stack)"
};

const EXTRACT_DATE = "2023-04-05";
const CODE_COLUMN = "Code commune INSEE";
const REQUIRED = ["Raison sociale", "SIRET", "Adresse", CODE_COLUMN, "France services"];

/**
 * Parses the structures file into `lieux_aide` rows. The spreadsheet it comes from dropped leading zeros
 * (`2315` for 02315): codes are re-padded before the COG look-up.
 */
export function parseConseillersNumeriques(text: string, ledger: Ledger, cog: CogIndex, stats = new OffreStats()): LieuAide[] {
  const table = readCsv(text, ledger, { delimiter: ";", required: REQUIRED });
  const rows: LieuAide[] = [];
  const seenIds = new Set<string>();
  const occurrences = new Map<string, number>();
  table.forEach(({ line, values }) => {
    const code = currentCodeOrQuarantine(cog, normaliseCommuneCode(values[CODE_COLUMN]), values[CODE_COLUMN], ledger, line, CODE_COLUMN);
    if (!code) return;
    const siret = normaliseSiret(values.SIRET);
    const base = siret ?? `ligne-${line}`;
    const n = (occurrences.get(base) ?? 0) + 1;
    occurrences.set(base, n);
    const row = finishLieu(
      {
        id: `conseillers-numeriques:${base}${n > 1 ? `-${n}` : ""}`,
        nom: cleanText(values["Raison sociale"]),
        code_insee: code,
        adresse: cleanText(values.Adresse),
        coordinates: checkCoordinates(null, null),
        typologie: null,
        services: null,
        publics: null,
        dispositifs: joinValues(["Conseillers numériques", values["France services"].trim().toLowerCase() === "oui" ? "France Services" : null]),
        horaires: null,
        itinerance: null,
        site_web: null,
        date_maj: EXTRACT_DATE,
        siret
      },
      "conseillers-numeriques",
      { ledger, line, seenIds, stats }
    );
    if (row) rows.push(row);
  });
  return rows;
}

/** Source `conseillers-numeriques`: appends the host structures to `lieux_aide`. */
export const conseillersNumeriques: Source = {
  id: "conseillers-numeriques",
  title: "Conseillers numériques France Services : structures d'accueil",
  // Appends to `lieux_aide`: one offer source at a time.
  after: ["aidants-connect"],
  resources: [conseillersNumeriquesResource],
  load: (context) =>
    loadOffreCsv(context, conseillersNumeriquesResource, "conseillers-numeriques", (text, ledger, stats) =>
      parseConseillersNumeriques(text, ledger, context.cog, stats)
    )
};
