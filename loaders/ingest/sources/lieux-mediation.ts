import { currentCodeOrQuarantine } from "../cog.ts";
import type { Ledger } from "../../io/ledger.ts";
import {
  checkCoordinates,
  cleanMultiValued,
  cleanText,
  finishLieu,
  foldText,
  insertLieuxAide,
  isoDate,
  joinValues,
  logStats,
  normaliseSiret,
  OffreStats,
  placeWithoutCode,
  prepareLieuxAide,
  readCommuneNames,
  readContoursIndex,
  safeUrls,
  type LieuAide,
  type Placement
} from "../offre/places.ts";
import type { Resource } from "../../io/resource.ts";
import type { Source } from "../source.ts";
import { parseCsv, readText, type CsvTable } from "../../io/text.ts";
import { normaliseCommuneCode, parseNumber } from "../../io/values.ts";

/**
 * Lieux de médiation numérique: the national file published to La MedNum's data standard (v1.0.2) by the
 * Cartographie nationale. The territories' own lists (the Creuse's among them) are read by the generic reader
 * of `territoires.ts`; a place both list is merged by the de-duplication of the diagnostic, which keeps both
 * source ids.
 *
 * This resource is the national consolidated file (not mirrored: optional).
 */
export const lieuxMediationNational: Resource = {
  id: "cartographie-nationale-lieux-mediation",
  title: "Cartographie nationale des lieux de médiation numérique (fichier national au standard v1.0.2)",
  publisher: "ANCT, organisation « Cartographie nationale des lieux de médiation numérique » (standard La MedNum)",
  // Stable data.gouv.fr resource of the organisation's consolidated CSV; dataset list:
  // https://www.data.gouv.fr/fr/organizations/cartographie-nationale-des-lieux-de-mediation-numerique/
  url: "https://www.data.gouv.fr/api/1/datasets/r/398edc71-0d51-4cb6-9cbe-2540a4db573c",
  path: "lieux-mediation-numerique/lieux-de-mediation-numerique.csv",
  vintage: "Export courant (standard des lieux de médiation numérique v1.0.2)",
  // "The current export": the loader records the newest `date_maj` of the file as its reference date.
  format: "csv",
  licence: "Licence Ouverte 2.0",
  optional: true
};

/** Columns of the standard this loader reads; the standard has 32, all required in the header. */
const STANDARD_COLUMNS = [
  "id", "pivot", "nom", "commune", "code_postal", "code_insee", "adresse", "latitude", "longitude", "typologie",
  "site_web", "horaires", "itinerance", "date_maj", "services", "publics_specifiquement_adresses",
  "prise_en_charge_specifique", "dispositif_programmes_nationaux"
];

/** Reads the national file's CSV (`,`, RFC 4180); a missing standard column fails the load. */
export function readStandardCsv(text: string, ledger: Ledger): CsvTable {
  return parseCsv(text, ledger, { delimiter: ",", required: STANDARD_COLUMNS });
}

/** `Itinérant`, `Fixe` or both (`|`-joined): true when the place travels, false when only fixed, null when unsaid. */
export function parseItinerance(raw: string | null | undefined): boolean | null {
  const values = foldText(raw ?? "").split(" ");
  if (values.includes("itinerant")) return true;
  if (values.includes("fixe")) return false;
  return null;
}

/**
 * Turns the national file's rows into `lieux_aide` rows. The commune is the row's INSEE code (re-padded and
 * re-keyed on the current COG); without one, the outline containing its point; else its commune name.
 */
export function standardToLieux(table: CsvTable, ledger: Ledger, placement: Placement): LieuAide[] {
  const rows: LieuAide[] = [];
  for (const { line, values } of table.rows) {
    const coordinates = checkCoordinates(parseNumber(values.latitude), parseNumber(values.longitude));
    const rawCode = values.code_insee.trim();
    const code = rawCode
      ? currentCodeOrQuarantine(placement.cog, normaliseCommuneCode(rawCode), rawCode, ledger, line, "code_insee")
      : placeWithoutCode(coordinates, values.commune, values.code_postal, placement);
    if (rawCode && !code) continue; // quarantined by the COG look-up
    const row = finishLieu(
      {
        id: `lieux-mediation:${cleanText(values.id) ?? `ligne-${line}`}`,
        nom: cleanText(values.nom),
        code_insee: code,
        adresse: cleanText(values.adresse),
        coordinates,
        typologie: cleanMultiValued(values.typologie),
        services: cleanMultiValued(values.services),
        publics: joinValues([cleanMultiValued(values.publics_specifiquement_adresses), cleanMultiValued(values.prise_en_charge_specifique)]),
        dispositifs: cleanMultiValued(values.dispositif_programmes_nationaux),
        horaires: cleanText(values.horaires),
        itinerance: parseItinerance(values.itinerance),
        site_web: safeUrls(values.site_web),
        date_maj: isoDate(values.date_maj),
        siret: normaliseSiret(values.pivot)
      },
      "lieux-mediation",
      { ledger, line, seenIds: placement.seenIds, stats: placement.stats }
    );
    if (row) rows.push(row);
  }
  return rows;
}

/** Source `lieux-mediation`: the national file (when present) into `lieux_aide`. */
export const lieuxMediation: Source = {
  id: "lieux-mediation",
  title: "Lieux de médiation numérique",
  // Places without a code are placed in the outlines; appends to `lieux_aide` after the other offer sources.
  after: ["contours", "conseillers-numeriques"],
  resources: [lieuxMediationNational],
  async load(context) {
    const national = await context.open(lieuxMediationNational);
    await prepareLieuxAide(context.connection, "lieux-mediation");
    if (!national) return;
    const stats = new OffreStats();
    const table = readStandardCsv((await readText(national.acquired.file, lieuxMediation.id)).text, national.ledger);
    // "The current export" is as recent as its newest update date (`date_maj`, AAAA-MM-JJ in the standard).
    national.referenceDate = table.rows.map((r) => r.values.date_maj?.trim().slice(0, 10) ?? "").filter((d) => /^\d{4}-\d{2}-\d{2}$/.test(d)).sort().pop();
    // Outlines are read only when a record lacks an INSEE code (national outlines are large).
    const needsOutlines = table.rows.some((r) => r.values.code_insee.trim() === "");
    const placement: Placement = {
      cog: context.cog,
      names: await readCommuneNames(context.connection),
      outlines: needsOutlines ? await readContoursIndex(context) : null,
      stats,
      seenIds: new Set()
    };
    if (needsOutlines && !placement.outlines) context.log("  table contours absente : lieux placés par le nom de leur commune");
    await insertLieuxAide(context.connection, standardToLieux(table, national.ledger, placement));
    logStats(context, national.name, stats);
  }
};
