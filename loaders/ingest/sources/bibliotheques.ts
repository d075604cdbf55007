import { currentCodeOrQuarantine, type CogIndex } from "../cog.ts";
import { createTable, insertRows, type TableSpec } from "../../io/db.ts";
import type { Ledger } from "../../io/ledger.ts";
import { checkCoordinates, cleanText, logStats, OffreStats, type CoordinateCheck } from "../offre/places.ts";
import type { Resource } from "../../io/resource.ts";
import type { Source } from "../source.ts";
import { readCsv, readText } from "../../io/text.ts";
import { normaliseCommuneCode, parseNumber } from "../../io/values.ts";

/**
 * Public libraries (Ministère de la Culture): natural stops for itinerant mediation and places of help in
 * their own right. Only sites open to the public are kept: an "adresse administrative" is an office.
 */
export const bibliothequesResource: Resource = {
  id: "culture-adresses-bibliotheques",
  title: "Ministère de la Culture, adresses des bibliothèques publiques",
  publisher: "Ministère de la Culture (Service du livre et de la lecture, Observatoire de la lecture publique)",
  // The dataset page: its current export is JSON with other columns; this loader reads the 2020 CSV layout.
  url: "https://www.data.gouv.fr/fr/datasets/adresses-des-bibliotheques-publiques-2/",
  path: "bibliotheques/adresses-des-bibliotheques-publiques.csv",
  vintage: "Export 2020 (année d'enquête non indiquée)",
  // The survey year is not given: the start of the export year is the latest date the data can describe.
  referenceDate: "2020-01-01",
  datagouv: { dataset: "adresses-des-bibliotheques-publiques-2", match: { format: "csv" } },
  format: "csv",
  licence: "Licence Ouverte 2.0"
};

/** Public library sites open to the public, keyed on the current COG. */
export const bibliothequesTable: TableSpec = {
  name: "bibliotheques",
  columns: {
    id: "VARCHAR",
    nom: "VARCHAR",
    code_insee: "VARCHAR",
    latitude: "DOUBLE",
    longitude: "DOUBLE",
    statut: "VARCHAR",
    amplitude_horaire: "DOUBLE"
  },
  primaryKey: ["id"]
};

/** One row of `bibliotheques`. */
export interface Bibliotheque {
  id: string;
  nom: string | null;
  code_insee: string;
  latitude: number | null;
  longitude: number | null;
  statut: string | null;
  amplitude_horaire: number | null;
}

const PUBLIC_SITE = "Bibliothèque ouverte au public";
const REQUIRED = ["Libelle1", "INSEE", "coordonnees_finales", "code_bib", "Statut", "type_adresse", "amplitude_horaire"];

/** `"49.609493,2.705751"` (latitude first, with or without a space) checked against France's extent. */
export function parseLatLon(raw: string): CoordinateCheck {
  const parts = raw.split(",").map((p) => p.trim());
  if (raw.trim() === "") return checkCoordinates(null, null);
  if (parts.length !== 2) return checkCoordinates(NaN, NaN);
  return checkCoordinates(parseNumber(parts[0]) ?? NaN, parseNumber(parts[1]) ?? NaN);
}

/** Parses the libraries file; rows without coordinates are kept with null latitude and longitude. */
export function parseBibliotheques(text: string, ledger: Ledger, cog: CogIndex, stats = new OffreStats()): Bibliotheque[] {
  const table = readCsv(text, ledger, { delimiter: ";", required: REQUIRED });
  const rows: Bibliotheque[] = [];
  const seen = new Set<string>();
  table.forEach(({ line, values }) => {
    if (values.type_adresse.trim() !== PUBLIC_SITE) {
      ledger.quarantine(line, "type_adresse", values.type_adresse, "adresse administrative : pas un site ouvert au public");
      return;
    }
    const code = currentCodeOrQuarantine(cog, normaliseCommuneCode(values.INSEE), values.INSEE, ledger, line, "INSEE");
    if (!code) return;
    const id = values.code_bib.trim().replace(/\.0$/, "");
    if (id === "" || seen.has(id)) {
      ledger.quarantine(line, "code_bib", values.code_bib, id === "" ? "identifiant de bibliothèque absent" : "identifiant de bibliothèque en double");
      return;
    }
    seen.add(id);
    const point = parseLatLon(values.coordonnees_finales);
    if (point.status === "swapped") stats.swapped++;
    if (point.status === "outside") stats.outside++;
    const amplitude = parseNumber(values.amplitude_horaire);
    rows.push({
      id,
      nom: cleanText(values.Libelle1) ?? cleanText(values.Libelle2),
      code_insee: code,
      latitude: point.latitude,
      longitude: point.longitude,
      statut: cleanText(values.Statut),
      amplitude_horaire: amplitude === null || Number.isNaN(amplitude) ? null : amplitude
    });
    ledger.loaded();
  });
  return rows;
}

/** Source `bibliotheques`: writes the `bibliotheques` table. */
export const bibliotheques: Source = {
  id: "bibliotheques",
  title: "Bibliothèques publiques (Ministère de la Culture)",
  // Needs the COG index.
  after: ["referentiel"],
  resources: [bibliothequesResource],
  async load(context) {
    const opened = await context.open(bibliothequesResource);
    if (!opened) return;
    const { text } = await readText(opened.acquired.file, bibliotheques.id);
    const stats = new OffreStats();
    const rows = parseBibliotheques(text, opened.ledger, context.cog, stats);
    await createTable(context.connection, bibliothequesTable);
    await insertRows(context.connection, bibliothequesTable, rows);
    logStats(context, opened.name, stats);
  }
};
