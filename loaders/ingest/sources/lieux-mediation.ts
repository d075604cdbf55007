import { currentCodeOrQuarantine, type CogIndex } from "../cog.ts";
import { SourceError } from "../../io/errors.ts";
import type { CommuneIndex } from "../../io/geo.ts";
import type { Ledger } from "../../io/ledger.ts";
import {
  checkCoordinates,
  cleanMultiValued,
  cleanText,
  communeOfPoint,
  findCommuneByName,
  finishLieu,
  foldText,
  insertLieuxAide,
  isoDate,
  joinValues,
  logStats,
  nameKey,
  normaliseSiret,
  OffreStats,
  prepareLieuxAide,
  readCommuneNames,
  readContoursIndex,
  safeUrls,
  type CommuneNames,
  type CoordinateCheck,
  type LieuAide
} from "../offre/places.ts";
import type { Resource } from "../../io/resource.ts";
import type { Source } from "../source.ts";
import { parseCsv, readText, type CsvTable } from "../../io/text.ts";
import { normaliseCommuneCode, parseNumber } from "../../io/values.ts";

/**
 * Lieux de médiation numérique: the national file published to La MedNum's data standard (v1.0.2) by the
 * Cartographie nationale, and the Creuse département's raw file (91 places, no INSEE code) as it was sent to
 * the Cartographie nationale.
 *
 * Both describe the same places where they overlap (the Creuse file was imported into the national one), so
 * when both are present the national file supersedes: a Creuse record whose normalised name and commune match a
 * national place is quarantined as "already in the national file" (counted, not loaded). A place renamed
 * between the two files is not recognised here; `cle_dedoublonnage` lets the diagnostic merge it later.
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

/** The Creuse file: 91 places, coordinates but no INSEE code. */
export const lieuxMediationCreuse: Resource = {
  id: "mednum-la-creuse",
  title: "Lieux de médiation numérique de la Creuse (fichier source transmis à la Cartographie nationale)",
  publisher: "Département de la Creuse, via l'ANCT (outil mednum-cli de la Cartographie nationale)",
  url: "https://raw.githubusercontent.com/anct-cartographie-nationale/mednum-cli/525661abbbbb02d2c0a0ea02cb3dbde7f6d79475/assets/input/la-creuse/la-creuse.json",
  path: "lieux-mediation-numerique/la-creuse.json",
  vintage: "Fichier de mars-avril 2023",
  referenceDate: "2023-04-01",
  urlConfirmedBy: "dépôt public anct-cartographie-nationale/mednum-cli, commit 525661abbbbb",
  replacement: "fichier national de la Cartographie nationale des lieux de médiation numérique (ressource cartographie-nationale-lieux-mediation)",
  format: "json",
  licence: "MIT (dépôt anct-cartographie-nationale/mednum-cli)"
};

/** Columns of the standard this loader reads; the standard has 32, all required in the header. */
const STANDARD_COLUMNS = [
  "id", "pivot", "nom", "commune", "code_postal", "code_insee", "adresse", "latitude", "longitude", "typologie",
  "site_web", "horaires", "itinerance", "date_maj", "services", "publics_specifiquement_adresses",
  "prise_en_charge_specifique", "dispositif_programmes_nationaux"
];

/** Keys of the Creuse records this loader needs. */
const CREUSE_KEYS = ["id", "nom", "latitude", "longitude", "adresse", "code_postal", "commune"];

/** What placing a record in its commune needs. */
export interface Placement {
  cog: CogIndex;
  names: CommuneNames;
  outlines: CommuneIndex | null;
  stats: OffreStats;
  /** Ids already loaded by this source (both files share the table's primary key). */
  seenIds: Set<string>;
}

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

/** A record without INSEE code: the outline containing its point, else its commune name and postal code. */
function placeWithoutCode(coordinates: CoordinateCheck, commune: unknown, postalCode: unknown, placement: Placement): string | null {
  const byPoint = communeOfPoint(placement.outlines, coordinates.latitude, coordinates.longitude);
  if (byPoint) {
    placement.stats.byOutline++;
    return byPoint;
  }
  const byName = findCommuneByName(placement.names, cleanText(commune), cleanText(postalCode));
  if (byName) placement.stats.byName++;
  return byName;
}

/** One Creuse record as published. */
interface CreuseRecord {
  id?: unknown;
  nom?: unknown;
  latitude?: unknown;
  longitude?: unknown;
  adresse?: unknown;
  code_postal?: unknown;
  commune?: unknown;
  horaires?: unknown;
  services?: unknown;
}

/**
 * Parses the Creuse JSON (an array of records). Invalid JSON, a non-array document or a key missing from every
 * record fails the load with the file and line. Each record is then placed by point-in-polygon, else by its
 * commune name; records already in the national file (`supersededBy`: name keys of its places) are quarantined.
 */
export function creuseToLieux(text: string, ledger: Ledger, placement: Placement, supersededBy: Set<string> = new Set()): LieuAide[] {
  const records = parseRecords(text, ledger);
  const lines = recordLines(text);
  const rows: LieuAide[] = [];
  records.forEach((record, i) => {
    ledger.read();
    const line = lines[i] ?? i + 1;
    if (typeof record !== "object" || record === null || Array.isArray(record)) {
      ledger.quarantine(line, null, JSON.stringify(record), "enregistrement qui n'est pas un objet JSON");
      return;
    }
    const row = creuseRow(record as CreuseRecord, line, ledger, placement, supersededBy);
    if (row) rows.push(row);
  });
  return rows;
}

function creuseRow(record: CreuseRecord, line: number, ledger: Ledger, placement: Placement, supersededBy: Set<string>): LieuAide | null {
  const coordinates = checkCoordinates(numberOf(record.latitude), numberOf(record.longitude));
  const nom = cleanText(record.nom);
  const code = placeWithoutCode(coordinates, record.commune, record.code_postal, placement);
  if (nom && code && supersededBy.has(nameKey(nom, code))) {
    placement.stats.superseded++;
    ledger.quarantine(line, "nom", nom, "lieu déjà présent dans le fichier national au standard, qui fait foi");
    return null;
  }
  return finishLieu(
    {
      // A prefix of its own: the national file's ids are free text and may reuse the Creuse numbering.
      id: `lieux-mediation:creuse-json:${cleanText(record.id) ?? `ligne-${line}`}`,
      nom,
      code_insee: code,
      adresse: cleanText(record.adresse),
      coordinates,
      typologie: null,
      services: cleanMultiValued(record.services),
      publics: null,
      dispositifs: null,
      // Free text ("Mercredi de 14h à 15H30"), not the OSM syntax of the standard: stored as published.
      horaires: cleanText(record.horaires),
      itinerance: null,
      site_web: null,
      date_maj: null
    },
    "lieux-mediation",
    { ledger, line, seenIds: placement.seenIds, stats: placement.stats }
  );
}

function numberOf(value: unknown): number | null {
  if (typeof value === "number") return value;
  if (typeof value === "string") return parseNumber(value);
  return null;
}

function parseRecords(text: string, ledger: Ledger): unknown[] {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new SourceError(ledger.at(errorLine(text, error as Error)), `JSON invalide (${(error as Error).message.split("\n")[0]})`);
  }
  if (!Array.isArray(json)) throw new SourceError(ledger.at(1), "tableau JSON de lieux attendu");
  if (json.length === 0) throw new SourceError(ledger.at(1), "aucun lieu dans le fichier");
  for (const key of CREUSE_KEYS) {
    if (!json.some((r) => typeof r === "object" && r !== null && key in r)) {
      throw new SourceError(ledger.at(1, key), "clé obligatoire absente de tous les lieux (renommée dans une nouvelle version ?)");
    }
  }
  return json;
}

/**
 * Line of a JSON syntax error: from the position V8 gives when it gives one, else the first record of the
 * top-level array that does not parse on its own (V8's "Unexpected token" messages carry no position).
 */
function errorLine(text: string, error: Error): number {
  const position = /position (\d+)/.exec(error.message)?.[1];
  if (position !== undefined) return text.slice(0, Number(position)).split("\n").length;
  for (const span of recordSpans(text)) {
    try {
      JSON.parse(text.slice(span.start, span.end));
    } catch {
      return span.line;
    }
  }
  return 1;
}

/** Line (1-based) where each element of the top-level JSON array starts, so the quarantine points at it. */
export function recordLines(text: string): number[] {
  return recordSpans(text).map((s) => s.line);
}

/** Where each element of the top-level array starts and ends (a string-aware bracket scan, no parsing). */
function recordSpans(text: string): { line: number; start: number; end: number }[] {
  const spans: { line: number; start: number; end: number }[] = [];
  let line = 1;
  let depth = 0;
  let inString = false;
  let expectValue = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === "\n") line++;
    if (inString) {
      if (c === "\\") i++;
      else if (c === '"') inString = false;
      continue;
    }
    if (depth === 1 && expectValue && !/[\s,\]]/.test(c)) {
      spans.push({ line, start: i, end: text.length });
      expectValue = false;
    }
    if (c === '"') inString = true;
    else if (c === "[" || c === "{") {
      depth++;
      if (depth === 1) expectValue = true;
    } else if (c === "]" || c === "}") depth--;
    else if (c === "," && depth === 1) {
      expectValue = true;
      if (spans.length) spans[spans.length - 1].end = i;
    }
  }
  const last = spans[spans.length - 1];
  if (last) last.end = Math.max(last.start, text.lastIndexOf("]"));
  return spans;
}

/** Source `lieux-mediation`: the national file (when present), then the Creuse file, into `lieux_aide`. */
export const lieuxMediation: Source = {
  id: "lieux-mediation",
  title: "Lieux de médiation numérique",
  resources: [lieuxMediationNational, lieuxMediationCreuse],
  async load(context) {
    const national = await context.open(lieuxMediationNational);
    const creuse = await context.open(lieuxMediationCreuse);
    const stats = new OffreStats();
    const table = national ? readStandardCsv((await readText(national.acquired.file, lieuxMediation.id)).text, national.ledger) : null;
    // "The current export" is as recent as its newest update date (`date_maj`, AAAA-MM-JJ in the standard).
    if (national && table) national.referenceDate = table.rows.map((r) => r.values.date_maj?.trim().slice(0, 10) ?? "").filter((d) => /^\d{4}-\d{2}-\d{2}$/.test(d)).sort().pop();
    // Outlines are read only when a record lacks an INSEE code (national outlines are large).
    const needsOutlines = creuse !== null || (table?.rows.some((r) => r.values.code_insee.trim() === "") ?? false);
    const placement: Placement = {
      cog: context.cog,
      names: await readCommuneNames(context.connection),
      outlines: needsOutlines ? await readContoursIndex(context.connection) : null,
      stats,
      seenIds: new Set()
    };
    if (needsOutlines && !placement.outlines) context.log("  table contours absente : lieux placés par le nom de leur commune");
    const rows = table && national ? standardToLieux(table, national.ledger, placement) : [];
    if (national) logStats(context, national.name, stats);
    if (creuse) {
      const creuseStats = new OffreStats();
      const superseded = new Set(rows.map((r) => nameKey(r.nom, r.code_insee)));
      const { text } = await readText(creuse.acquired.file, lieuxMediation.id);
      rows.push(...creuseToLieux(text, creuse.ledger, { ...placement, stats: creuseStats }, superseded));
      logStats(context, creuse.name, creuseStats);
    }
    await prepareLieuxAide(context.connection, "lieux-mediation");
    await insertLieuxAide(context.connection, rows);
  }
};
