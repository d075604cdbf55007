import { currentCodeOrQuarantine, type CogIndex } from "../cog.ts";
import type { Ledger } from "../../io/ledger.ts";
import {
  checkCoordinates,
  cleanText,
  finishLieu,
  OffreStats,
  type LieuAide,
  loadOffreCsv
} from "../offre/places.ts";
import type { Resource } from "../../io/resource.ts";
import type { Source } from "../source.ts";
import { readCsv } from "../../io/text.ts";
import { normaliseCommuneCode, parseNumber } from "../../io/values.ts";

/** ANCT's list of France Services: one row per site, with coordinates and opening hours per weekday. */
export const franceServicesResource: Resource = {
  id: "anct-france-services",
  title: "ANCT, liste des France services (sites, coordonnées, horaires)",
  publisher: "ANCT (programme France services)",
  url: "https://www.data.gouv.fr/fr/datasets/r/31576dff-fd61-4de9-819f-32c2f880b142",
  path: "france-services/liste-fs-20240801.csv",
  vintage: "Liste au 1er août 2024",
  referenceDate: "2024-08-01",
  // The stable resource id is the one ANCT's own importer (anct-cartographie-nationale/mednum-cli) downloads;
  // the dataset is named in anct-carto/france_services' README.
  urlConfirmedBy: "anct-cartographie-nationale/mednum-cli ; jeu https://www.data.gouv.fr/fr/datasets/liste-des-structures-france-services/",
  datagouv: { dataset: "liste-des-structures-france-services", match: { format: "csv" } },
  format: "csv",
  licence: "Licence Ouverte 2.0"
};

/** Date of the extract, stored as `date_maj`: the file gives no per-site update date. */
const EXTRACT_DATE = "2024-08-01";

const DAYS = [
  ["h_lundi", "Mo"],
  ["h_mardi", "Tu"],
  ["h_mercredi", "We"],
  ["h_jeudi", "Th"],
  ["h_vendredi", "Fr"],
  ["h_samedi", "Sa"]
] as const;

const REQUIRED = ["id_fs", "lib_fs", "adresse", "insee_com", "latitude", "longitude", "format_fs", ...DAYS.map(([c]) => c)];

/** `format_fs` values of a site that travels to its users (a bus, an itinerant service). */
const ITINERANT_FORMATS = new Set(["Itinérante", "Bus_équivalent"]);

/**
 * Weekday hours (`"09:00 - 12:00 / 13:30 - 17:00"`) in the OpenStreetMap `opening_hours` syntax the national
 * standard uses, consecutive days with the same hours grouped: `Mo-Fr 09:00-12:00,13:30-17:00; Sa 09:00-12:00`.
 * A day whose text is not in the expected shape is kept verbatim, so nothing is lost.
 */
export function openingHours(days: Record<string, string>): string | null {
  const spans = DAYS.map(([column, osm]) => ({ osm, hours: dayHours(days[column] ?? "") }));
  const groups: { from: string; to: string; hours: string }[] = [];
  let previous: string | null = null;
  for (const { osm, hours } of spans) {
    if (hours !== null && hours === previous) groups[groups.length - 1].to = osm;
    else if (hours !== null) groups.push({ from: osm, to: osm, hours });
    previous = hours;
  }
  if (!groups.length) return null;
  return groups.map((g) => `${g.from === g.to ? g.from : `${g.from}-${g.to}`} ${g.hours}`).join("; ");
}

function dayHours(text: string): string | null {
  const t = text.trim();
  if (t === "") return null;
  const ranges = t.split("/").map((r) => r.trim());
  if (!ranges.every((r) => /^\d{2}:\d{2}\s*-\s*\d{2}:\d{2}$/.test(r))) return t;
  return ranges.map((r) => r.replace(/\s*-\s*/, "-")).join(",");
}

/** Parses the France Services list (RFC 4180: quoted fields hold line breaks) into `lieux_aide` rows. */
export function parseFranceServices(text: string, ledger: Ledger, cog: CogIndex, stats = new OffreStats()): LieuAide[] {
  const table = readCsv(text, ledger, { delimiter: ",", required: REQUIRED });
  const rows: LieuAide[] = [];
  const seenIds = new Set<string>();
  table.forEach(({ line, values }) => {
    const code = currentCodeOrQuarantine(cog, normaliseCommuneCode(values.insee_com), values.insee_com, ledger, line, "insee_com");
    if (!code) return;
    const row = finishLieu(
      {
        id: `france-services:${values.id_fs.trim()}`,
        nom: cleanText(values.lib_fs),
        code_insee: code,
        adresse: cleanText(values.adresse),
        coordinates: checkCoordinates(parseNumber(values.latitude), parseNumber(values.longitude)),
        typologie: null,
        services: null,
        publics: null,
        dispositifs: "France Services",
        horaires: openingHours(values),
        itinerance: ITINERANT_FORMATS.has(values.format_fs.trim()),
        site_web: null,
        date_maj: EXTRACT_DATE
      },
      "france-services",
      { ledger, line, seenIds, stats }
    );
    if (row) rows.push(row);
  });
  return rows;
}

/** Source `france-services`: appends its sites to `lieux_aide`. */
export const franceServices: Source = {
  id: "france-services",
  title: "France services (ANCT)",
  // Needs the COG index and communes' names; creates `lieux_aide` if needed.
  after: ["referentiel"],
  resources: [franceServicesResource],
  load: (context) =>
    loadOffreCsv(context, franceServicesResource, "france-services", (text, ledger, stats) => parseFranceServices(text, ledger, context.cog, stats))
};
