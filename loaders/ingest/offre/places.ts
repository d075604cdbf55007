import type { DuckDBConnection } from "@duckdb/node-api";
import type { Feature, Geometry } from "geojson";
import { declareKey, hasTable, insertRows, queryRows, quoteIdentifier, type TableSpec } from "../../io/db.ts";
import { communeIndex, communeIndexFromPacked, inFrance, pointInCommune, type CommuneIndex, type PackedOutlines } from "../../io/geo.ts";
import type { Ledger } from "../../io/ledger.ts";
import type { Resource } from "../../io/resource.ts";
import type { CogIndex } from "../cog.ts";
import type { LoadContext } from "../source.ts";
import { readText } from "../../io/text.ts";

/**
 * What the four "offer" sources (lieux de médiation numérique, France Services, Aidants Connect, Conseillers
 * numériques) share: the `lieux_aide` table they all append to, coordinate checks against France's extent,
 * placing a place in its commune (outline, then declared commune name), the de-duplication key and the
 * cleaning of free text and URLs.
 */

/**
 * Value of `lieux_aide.source`: the four national sources, and one `territoire-<name>` per territory's own list
 * of places (read through its correspondence file).
 */
export type OffreSource = "lieux-mediation" | "france-services" | "aidants-connect" | "conseillers-numeriques" | `territoire-${string}`;

/** Prefix of the source ids of the territories' own lists of places. */
export const TERRITOIRE_PREFIX = "territoire-";

/**
 * The kind of place a source lists: a territory's list is a list of lieux de médiation numérique (the same
 * standard, through a correspondence), so its places count as such in the distances and counts by kind.
 */
export function offerKind(source: string): string {
  return source.startsWith(TERRITOIRE_PREFIX) ? "lieux-mediation" : source;
}

export const lieuxAideTable: TableSpec = {
  name: "lieux_aide",
  columns: {
    id: "VARCHAR",
    source: "VARCHAR",
    nom: "VARCHAR",
    code_insee: "VARCHAR",
    adresse: "VARCHAR",
    latitude: "DOUBLE",
    longitude: "DOUBLE",
    localisation: "VARCHAR",
    typologie: "VARCHAR",
    services: "VARCHAR",
    publics: "VARCHAR",
    dispositifs: "VARCHAR",
    horaires: "VARCHAR",
    itinerance: "BOOLEAN",
    site_web: "VARCHAR",
    date_maj: "VARCHAR",
    cle_dedoublonnage: "VARCHAR"
  },
  primaryKey: ["id"]
};

/** One row of `lieux_aide`. */
export interface LieuAide {
  id: string;
  source: OffreSource;
  nom: string;
  code_insee: string;
  adresse: string | null;
  latitude: number | null;
  longitude: number | null;
  localisation: "point" | "commune";
  typologie: string | null;
  services: string | null;
  publics: string | null;
  dispositifs: string | null;
  horaires: string | null;
  itinerance: boolean | null;
  site_web: string | null;
  date_maj: string | null;
  cle_dedoublonnage: string;
}

/**
 * Creates `lieux_aide` when absent and deletes the rows of `source`: the four sources share the table, so each
 * must work alone, in any order, and re-running one must not duplicate its rows.
 */
export async function prepareLieuxAide(connection: DuckDBConnection, source: OffreSource): Promise<void> {
  await createLieuxAide(connection);
  await connection.run(`DELETE FROM ${quoteIdentifier(lieuxAideTable.name)} WHERE source = $source`, { source });
}

async function createLieuxAide(connection: DuckDBConnection): Promise<void> {
  const columns = Object.entries(lieuxAideTable.columns).map(([name, type]) => `${quoteIdentifier(name)} ${type}`);
  await connection.run(`CREATE TABLE IF NOT EXISTS ${quoteIdentifier(lieuxAideTable.name)} (${columns.join(", ")})`);
  await declareKey(connection, lieuxAideTable);
}

/** Like `prepareLieuxAide` for every territory's list at once (the set of territories changes between loads). */
export async function prepareTerritoiresLieuxAide(connection: DuckDBConnection): Promise<void> {
  await createLieuxAide(connection);
  await connection.run(`DELETE FROM ${quoteIdentifier(lieuxAideTable.name)} WHERE starts_with(source, $prefix)`, { prefix: TERRITOIRE_PREFIX });
}

/** Appends rows to `lieux_aide` (after `prepareLieuxAide`). */
export async function insertLieuxAide(connection: DuckDBConnection, rows: LieuAide[]): Promise<number> {
  return insertRows(connection, lieuxAideTable, rows);
}

// ---------------------------------------------------------------------------------------------------------
// Coordinates

export { FRANCE_BOXES, inFrance } from "../../io/geo.ts";

/** Outcome of a coordinate check; `latitude`/`longitude` are what may be stored. */
export type CoordinateCheck =
  | { status: "ok" | "swapped"; latitude: number; longitude: number }
  | { status: "absent" | "outside"; latitude: null; longitude: null };

/**
 * Checks a published (latitude, longitude) pair against France's extent. A pair that only fits once swapped
 * (a frequent spreadsheet slip: `1.87, 46.17`) is corrected; a pair outside France (`0, 0`, a geocoding
 * error abroad) or unreadable is dropped, and the caller falls back to the commune.
 */
export function checkCoordinates(latitude: number | null, longitude: number | null): CoordinateCheck {
  if (latitude === null || longitude === null) return { status: "absent", latitude: null, longitude: null };
  if (!Number.isFinite(latitude) || !Number.isFinite(longitude)) return { status: "outside", latitude: null, longitude: null };
  if (inFrance(latitude, longitude)) return { status: "ok", latitude, longitude };
  if (inFrance(longitude, latitude)) return { status: "swapped", latitude: longitude, longitude: latitude };
  return { status: "outside", latitude: null, longitude: null };
}

// ---------------------------------------------------------------------------------------------------------
// Names, identifiers, de-duplication

const STOP_WORDS = new Set(["de", "du", "des", "la", "le", "les", "l", "d", "et", "a", "au", "aux", "en", "sur", "sous"]);

/** Lower case, no accents, no punctuation, single spaces: `"Saint-Médard  la Rochette"` → `"saint medard la rochette"`. */
export function foldText(text: string): string {
  return text
    .normalize("NFD")
    .replace(/[\u0300-\u036f]/g, "")
    .toLowerCase()
    .replace(/œ/g, "oe")
    .replace(/æ/g, "ae")
    .replace(/&/g, " et ")
    .replace(/[^a-z0-9]+/g, " ")
    .trim();
}

/**
 * A place's name reduced for comparison across sources: folded, `st`/`ste` spelt out, French articles and
 * prepositions dropped (`"France services de Boussac"` and `"FRANCE SERVICES BOUSSAC"` compare equal).
 */
export function normalisePlaceName(name: string): string {
  return foldText(name)
    .split(" ")
    .map((w) => (w === "st" ? "saint" : w === "ste" ? "sainte" : w))
    .filter((w) => w !== "" && !STOP_WORDS.has(w))
    .join(" ");
}

/**
 * A SIRET as 14 digits, or null. Spreadsheet exports write it as a float (`42189774500020.0`) and may drop a
 * leading zero; a number failing the Luhn check (La Poste's establishments excepted, which INSEE numbers
 * differently) is not trusted: a wrong SIRET would merge unrelated places.
 */
export function normaliseSiret(raw: string | null | undefined): string | null {
  if (!raw) return null;
  let s = raw.trim().replace(/[\s\u00a0]/g, "").replace(/\.0$/, "");
  if (!/^\d{13,14}$/.test(s)) return null;
  if (s.length === 13) s = "0" + s;
  if (/^0+$/.test(s)) return null;
  return luhnValid(s) || (s.startsWith("356000000") && digitSum(s) % 5 === 0) ? s : null;
}

function luhnValid(digits: string): boolean {
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let d = Number(digits[digits.length - 1 - i]);
    if (i % 2 === 1) d = d * 2 > 9 ? d * 2 - 9 : d * 2;
    sum += d;
  }
  return sum % 10 === 0;
}

function digitSum(digits: string): number {
  return [...digits].reduce((s, d) => s + Number(d), 0);
}

/**
 * The key that lets the diagnostic count a structure once when several sources list it:
 * - `siret:<SIRET>:<code_insee>` when a valid SIRET is known (Aidants Connect, Conseillers numériques, the
 *   standard's `pivot`). The commune is part of the key because organisations often give their head office's
 *   SIRET for every site: two France Services of one communauté de communes in two communes stay two places,
 *   while two records of one SIRET in one commune are one structure;
 * - otherwise `nom:<normalised name>:<code_insee>` (see `normalisePlaceName`).
 * Sources with and without SIRET do not share keys: merging them needs a name match, done with `nameKey`.
 */
export function dedupKey({ siret, nom, code_insee }: { siret?: string | null; nom: string; code_insee: string }): string {
  return siret ? `siret:${siret}:${code_insee}` : nameKey(nom, code_insee);
}

/** `nom:<normalised name>:<code_insee>`: same name in the same commune. */
export function nameKey(nom: string, code_insee: string): string {
  return `nom:${normalisePlaceName(nom)}:${code_insee}`;
}

// ---------------------------------------------------------------------------------------------------------
// Free text and URLs

/**
 * Trimmed text, or null when empty. Markup is kept as published: the site escapes it when it displays it.
 * A structured value where text was expected is rendered on purpose, never as `[object Object]` or `Alpha,Beta`:
 * a list of texts as the `|`-joined multi-valued field the data model uses, anything else as compact JSON.
 */
export function cleanText(raw: unknown): string | null {
  if (raw === null || raw === undefined) return null;
  const s = structuredAsText(raw).trim();
  return s === "" ? null : s;
}

function structuredAsText(raw: unknown): string {
  if (typeof raw !== "object") return String(raw);
  if (Array.isArray(raw) && raw.every((v) => v === null || ["string", "number", "boolean"].includes(typeof v))) {
    return raw.filter((v) => v !== null && String(v).trim() !== "").map((v) => String(v).trim()).join("|");
  }
  return JSON.stringify(raw);
}

/** A `|`-joined multi-valued field with each value trimmed and empty values dropped; null when nothing is left. */
export function cleanMultiValued(raw: unknown): string | null {
  const text = cleanText(raw);
  if (text === null) return null;
  const values = text.split("|").map((v) => v.trim()).filter((v) => v !== "");
  return values.length ? values.join("|") : null;
}

/** Joins values that may be null into a `|`-joined field without duplicates. */
export function joinValues(values: (string | null | undefined)[]): string | null {
  const kept = [...new Set(values.filter((v): v is string => !!v))];
  return kept.length ? kept.join("|") : null;
}

/**
 * Keeps only the http(s) URLs of a `|`-joined field: a `javascript:` or `data:` link must never reach a page.
 * Null when none is left.
 */
export function safeUrls(raw: unknown): string | null {
  const values = cleanMultiValued(raw);
  if (values === null) return null;
  return joinValues(values.split("|").filter(isHttpUrl));
}

function isHttpUrl(value: string): boolean {
  if (/\s/.test(value)) return false;
  try {
    const url = new URL(value);
    return (url.protocol === "http:" || url.protocol === "https:") && url.hostname !== "";
  } catch {
    return false;
  }
}

/** A date written `JJ/MM/AAAA` (French spreadsheets) or ISO, as ISO `YYYY-MM-DD`; null when neither or impossible. */
export function frenchOrIsoDate(raw: unknown): string | null {
  const text = cleanText(raw);
  const match = text ? /^(\d{1,2})\/(\d{1,2})\/(\d{4})$/.exec(text) : null;
  if (!match) return isoDate(raw);
  const iso = `${match[3]}-${match[2].padStart(2, "0")}-${match[1].padStart(2, "0")}`;
  const date = new Date(`${iso}T00:00:00Z`);
  return !Number.isNaN(date.getTime()) && date.toISOString().startsWith(iso) ? iso : null;
}

/**
 * Like `safeUrls`, but a bare domain (`abracodabra.fr`, `www.mairie.fr/page`), as local lists often write
 * their web sites, is read as an https address.
 */
export function safeUrlsWithBareDomains(raw: unknown): string | null {
  const values = cleanMultiValued(raw);
  if (values === null) return null;
  const withScheme = values.split("|").map((v) => (/^[a-z0-9][a-z0-9.-]*\.[a-z]{2,}(\/\S*)?$/i.test(v) ? `https://${v}` : v));
  return safeUrls(withScheme.join("|"));
}

/** An ISO date `YYYY-MM-DD` (time part cut), or null. */
export function isoDate(raw: unknown): string | null {
  const text = cleanText(raw);
  const match = text ? /^(\d{4}-\d{2}-\d{2})(?:[T ].*)?$/.exec(text) : null;
  return match && !Number.isNaN(Date.parse(match[1])) ? match[1] : null;
}

// ---------------------------------------------------------------------------------------------------------
// Placing a place in its commune

/** Current communes by folded name, to place records that give a commune name but no INSEE code. */
export interface CommuneNames {
  byName: Map<string, { code: string; departement: string }[]>;
}

/** Builds the name index from `communes` rows. */
export function communeNames(rows: { code_insee: string; nom: string; code_departement: string }[]): CommuneNames {
  const byName = new Map<string, { code: string; departement: string }[]>();
  for (const r of rows) {
    const key = communeNameKey(r.nom);
    byName.set(key, [...(byName.get(key) ?? []), { code: r.code_insee, departement: r.code_departement }]);
  }
  return { byName };
}

/** Reads the name index from the `communes` table (written by the referential). */
export async function readCommuneNames(connection: DuckDBConnection): Promise<CommuneNames> {
  return communeNames(await queryRows(connection, `SELECT code_insee, nom, code_departement FROM communes`));
}

function communeNameKey(name: string): string {
  return foldText(name)
    .split(" ")
    .map((w) => (w === "st" ? "saint" : w === "ste" ? "sainte" : w))
    .join(" ");
}

/** Départements a French postal code may belong to (`23800` → 23, `20000` → 2A or 2B, `97490` → 974). */
function departementsOfPostalCode(postalCode: string | null): string[] | null {
  const pc = postalCode?.trim() ?? "";
  if (!/^\d{5}$/.test(pc)) return null;
  if (pc.startsWith("97")) return [pc.slice(0, 3)];
  if (pc.startsWith("20")) return ["2A", "2B"];
  return [pc.slice(0, 2)];
}

/**
 * The current commune named `name` (accents, case, hyphens and `St`/`Saint` ignored), in the postal code's
 * département when one is given. Null when no commune, or several, match: a guess would misplace the offer.
 */
export function findCommuneByName(index: CommuneNames, name: string | null, postalCode: string | null): string | null {
  if (!name) return null;
  const candidates = index.byName.get(communeNameKey(name)) ?? [];
  const departements = departementsOfPostalCode(postalCode);
  const kept = departements ? candidates.filter((c) => departements.includes(c.departement)) : candidates;
  return kept.length === 1 ? kept[0].code : null;
}

/** The outlines the `contours` source just wrote in a load (keyed by the load's `session`). */
const writtenContours = new WeakMap<object, PackedOutlines>();

/**
 * Called by the `contours` source with the outlines it wrote: the index is then built from them rather than by
 * reading 50 MB of text back from the table, and each outline is parsed only if a point falls in its box. Same
 * text, same order (`ORDER BY code_insee`), hence the same answers.
 */
export function rememberContours(session: object, outlines: PackedOutlines): void {
  writtenContours.set(session, outlines);
}

/**
 * The outlines of the `contours` source as a point-in-polygon index: those it handed over in this load, else
 * the table's; null when the table is absent, so that the caller falls back to commune names.
 */
export async function readContoursIndex(context: Pick<LoadContext, "connection" | "session">): Promise<CommuneIndex | null> {
  const written = writtenContours.get(context.session);
  // Handed over once: the outlines are not kept in memory for the rest of the load.
  writtenContours.delete(context.session);
  if (written) return communeIndexFromPacked(written);
  if (!(await hasTable(context.connection, "contours"))) return null;
  const rows = await queryRows<{ code_insee: string; geometry: string }>(context.connection, `SELECT code_insee, geometry FROM contours ORDER BY code_insee`);
  const features: Feature<Geometry | null, Record<string, unknown>>[] = rows.map((r) => ({
    type: "Feature",
    properties: { code_insee: r.code_insee },
    geometry: JSON.parse(r.geometry) as Geometry
  }));
  return communeIndex(features);
}

/** What placing a record in its commune needs. */
export interface Placement {
  cog: CogIndex;
  names: CommuneNames;
  outlines: CommuneIndex | null;
  stats: OffreStats;
  /** Ids already loaded by this source. */
  seenIds: Set<string>;
}

/**
 * A record without INSEE code: the outline containing its point, else its commune name (in its postal code's
 * département). Null when neither places it: the caller quarantines it with the reason.
 */
export function placeWithoutCode(coordinates: CoordinateCheck, commune: unknown, postalCode: unknown, placement: Placement): string | null {
  const byPoint = communeOfPoint(placement.outlines, coordinates.latitude, coordinates.longitude);
  if (byPoint) {
    placement.stats.byOutline++;
    return byPoint;
  }
  const byName = findCommuneByName(placement.names, cleanText(commune), cleanText(postalCode));
  if (byName) placement.stats.byName++;
  return byName;
}

/**
 * The postal code and commune that end a French postal address (`"8 rue de la Boétie - 33000 Bordeaux"`,
 * `"Mairie 20230 SAN NICOLAO"`), for files that have no column of their own for them.
 */
export function postalCodeAndCommune(address: string | null): { code_postal: string; commune: string } | null {
  const match = address ? /(?:^|[\s,-])(\d{5})\s+([^\d,]+?)(?:\s+cedex(?:\s*\d+)?)?\s*$/i.exec(address) : null;
  return match ? { code_postal: match[1], commune: match[2].trim() } : null;
}

/** The commune whose outline contains the point, or null (no outline loaded there, or a gap between outlines). */
export function communeOfPoint(index: CommuneIndex | null, latitude: number | null, longitude: number | null): string | null {
  if (!index || latitude === null || longitude === null) return null;
  return pointInCommune(longitude, latitude, index);
}

// ---------------------------------------------------------------------------------------------------------
// Building rows, counting what happened

/** What happened to the rows of one resource beyond loaded/quarantined, logged at the end of its load. */
export class OffreStats {
  swapped = 0;
  outside = 0;
  byOutline = 0;
  byName = 0;
  superseded = 0;

  /** One French sentence for the load log (empty when nothing notable happened). */
  describe(): string {
    const parts: string[] = [];
    if (this.swapped) parts.push(`${this.swapped} coordonnée(s) latitude/longitude inversée(s) corrigée(s)`);
    if (this.outside) parts.push(`${this.outside} coordonnée(s) hors de France écartée(s) (lieu placé à sa commune)`);
    if (this.byOutline) parts.push(`${this.byOutline} lieu(x) placé(s) dans leur commune par leurs coordonnées`);
    if (this.byName) parts.push(`${this.byName} lieu(x) placé(s) par le nom de leur commune (point hors des contours ou absent)`);
    if (this.superseded) parts.push(`${this.superseded} lieu(x) déjà présent(s) dans le fichier national`);
    return parts.join(" ; ");
  }
}

/** A place read from a file, before its checks. */
export interface LieuDraft extends Omit<LieuAide, "source" | "nom" | "code_insee" | "localisation" | "cle_dedoublonnage" | "latitude" | "longitude"> {
  nom: string | null;
  code_insee: string | null;
  coordinates: CoordinateCheck;
  siret?: string | null;
}

/**
 * Turns a draft into a `lieux_aide` row, or quarantines it with its reason (no name, no commune, an id seen
 * before). `localisation` is `point` when valid coordinates remain, else `commune`.
 */
export function finishLieu(
  draft: LieuDraft,
  source: OffreSource,
  where: { ledger: Ledger; line: number; seenIds: Set<string>; stats: OffreStats }
): LieuAide | null {
  const { ledger, line, seenIds, stats } = where;
  const { coordinates, siret, ...rest } = draft;
  if (!draft.nom) return quarantined(ledger, line, "nom", draft.nom, "nom du lieu absent");
  if (!draft.code_insee) {
    const reason = coordinates.status === "outside" ? "coordonnées hors de France et aucune commune connue" : "aucune commune connue (ni code INSEE, ni point dans un contour, ni nom de commune reconnu)";
    return quarantined(ledger, line, "code_insee", draft.code_insee, reason);
  }
  if (seenIds.has(draft.id)) return quarantined(ledger, line, "id", draft.id, "identifiant en double dans le fichier");
  seenIds.add(draft.id);
  if (coordinates.status === "swapped") stats.swapped++;
  if (coordinates.status === "outside") stats.outside++;
  ledger.loaded();
  return {
    ...rest,
    source,
    nom: draft.nom,
    code_insee: draft.code_insee,
    latitude: coordinates.latitude,
    longitude: coordinates.longitude,
    localisation: coordinates.latitude === null ? "commune" : "point",
    cle_dedoublonnage: dedupKey({ siret, nom: draft.nom, code_insee: draft.code_insee })
  };
}

function quarantined(ledger: Ledger, line: number, column: string, value: unknown, reason: string): null {
  ledger.quarantine(line, column, value, reason);
  return null;
}

/** Logs a resource's notable corrections, when there are any. */
export function logStats(context: LoadContext, file: string, stats: OffreStats): void {
  const text = stats.describe();
  if (text) context.log(`  ${file} : ${text}`);
}

/**
 * The load step every CSV offer source shares: open the resource, parse it with `parse`, replace this source's
 * rows of `lieux_aide`, and log what was corrected. Sources that read other inputs (names, outlines) pass them
 * in through `parse`'s closure.
 */
export async function loadOffreCsv(
  context: LoadContext,
  resource: Resource,
  source: OffreSource,
  parse: (text: string, ledger: Ledger, stats: OffreStats) => LieuAide[] | Promise<LieuAide[]>
): Promise<void> {
  const opened = await context.open(resource);
  if (!opened) return;
  const { text } = await readText(opened.acquired.file, source);
  const stats = new OffreStats();
  const rows = await parse(text, opened.ledger, stats);
  await prepareLieuxAide(context.connection, source);
  await insertLieuxAide(context.connection, rows);
  logStats(context, opened.name, stats);
}
