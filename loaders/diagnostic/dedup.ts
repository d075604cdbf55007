import type { DedupSettings } from "../io/config.ts";
import { haversineKm } from "../../src/lib/diagnostic/index.ts";
import { foldText, normalisePlaceName } from "../ingest/offre/places.ts";

/**
 * One place, counted once: the de-duplication of the places of help across every offer source, in the spirit of
 * the Cartographie nationale's import tool (mednum-cli `dedupliquer`). Rule (documented in `docs/methode.md`):
 * - candidates: two records in the same commune (INSEE code), from different sources or from the same source
 *   listing a place twice, with compatible types (one of them untyped, a type in common, or France Services
 *   with a PIMMS);
 * - score (0–1): the mean of the similarity of the normalised names (without the brand words of a network:
 *   "France services", "MSAP", "La Poste"), of the normalised streets and of a
 *   distance score; a component that cannot be computed (no street, no point) is left out of the mean;
 * - a pair is merged when its score reaches `fusion`; when it is in the grey zone and both records carry the same
 *   SIRET (the sources' `cle_dedoublonnage`; La Poste's shared SIRETs excepted); or when their normalised names
 *   are identical and nothing places them more than `SAME_NAME_MAX_M` apart; the other pairs scoring from
 *   `a_verifier` up to `fusion` are listed for a person to decide.
 * Merging is transitive (a place listed by three sources is one group). Pure: the diagnostic feeds it rows.
 */

/** A record of `lieux_aide` as the de-duplication reads it. */
export interface DedupPlace {
  id: string;
  source: string;
  nom: string;
  code_insee: string;
  adresse: string | null;
  latitude: number | null;
  longitude: number | null;
  typologie: string | null;
  cle_dedoublonnage: string | null;
}

/** The score of a candidate pair and its parts (null: not computable). */
export interface PairScore {
  nom: number;
  rue: number | null;
  distance: number | null;
  distanceM: number | null;
  score: number;
}

/** A pair of records compared, with its score and what was decided. */
export interface ScoredPair extends PairScore {
  a: DedupPlace;
  b: DedupPlace;
  merged: boolean;
}

/** Below this distance two points are the same building (score 1); beyond, the score falls as 50 m / d. */
export const SAME_PLACE_M = 50;

/** Identical names are merged unless their points are further apart than this (two sites of one network). */
export const SAME_NAME_MAX_M = 1000;

/**
 * Similarity of two strings, 0–1: 1 − (insertions + deletions to turn one into the other) / (sum of lengths),
 * the ratio of fuzzball / python-Levenshtein that the Cartographie nationale uses. `ratio("abc", "abd")` = 1 − 2/6.
 */
export function ratio(a: string, b: string): number {
  if (a.length + b.length === 0) return 1;
  if (a === b) return 1;
  // Indel distance = |a| + |b| − 2 LCS (longest common subsequence).
  return (2 * lcsLength(a, b)) / (a.length + b.length);
}

/** Slot of each UTF-16 code unit in `lcsLength`'s masks (-1: not in the pattern), reset after each call. */
const slotOf = new Int32Array(65536).fill(-1);
/** Masks and state of `lcsLength`, kept from one call to the next and grown when a pattern is longer. */
let masks = new Uint32Array(64 * 4);
let state = new Uint32Array(4);

/**
 * Length of the longest common subsequence of `a` and `b`, counted in bit-parallel (Allison & Dix, 1986; Hyyrö,
 * 2004): the shorter string is the pattern, one bit per character, and each character of the other string updates
 * every bit at once, `V ← (V + (V & M)) | (V & ~M)`, with the addition's carry running from one 32-bit word to the
 * next; the LCS is the number of zero bits left. The same length as the table of the textbook method, in
 * |a| × ⌈|b| / 32⌉ steps instead of |a| × |b| (a commune with hundreds of places compares tens of thousands of pairs).
 */
export function lcsLength(a: string, b: string): number {
  const [text, pattern] = a.length >= b.length ? [a, b] : [b, a];
  const m = pattern.length;
  if (m === 0) return 0;
  const words = (m + 31) >>> 5;
  // One mask per distinct character of the pattern: bit j of word w set where pattern[32 w + j] is that character.
  let slots = 0;
  for (let j = 0; j < m; j++) if (slotOf[pattern.charCodeAt(j)] < 0) slotOf[pattern.charCodeAt(j)] = slots++;
  if (masks.length < slots * words) masks = new Uint32Array(2 * slots * words);
  masks.fill(0, 0, slots * words);
  for (let j = 0; j < m; j++) masks[slotOf[pattern.charCodeAt(j)] * words + (j >>> 5)] |= 1 << (j & 31);
  if (state.length < words) state = new Uint32Array(2 * words);
  const v = state;
  v.fill(0xffffffff, 0, words);
  const lastBits = m & 31 ? ((1 << (m & 31)) >>> 0) - 1 : 0xffffffff;
  v[words - 1] = lastBits;
  for (let i = 0; i < text.length; i++) {
    const slot = slotOf[text.charCodeAt(i)];
    // A character absent from the pattern leaves V as it is (V & M = 0).
    if (slot < 0) continue;
    const row = slot * words;
    let carry = 0;
    for (let w = 0; w < words; w++) {
      const vw = v[w];
      const u = vw & masks[row + w];
      const sum = vw + (u >>> 0) + carry;
      carry = sum > 0xffffffff ? 1 : 0;
      v[w] = (sum | (vw & ~masks[row + w])) >>> 0;
    }
    v[words - 1] &= lastBits;
  }
  let ones = 0;
  for (let w = 0; w < words; w++) ones += popcount(v[w]);
  for (let j = 0; j < m; j++) slotOf[pattern.charCodeAt(j)] = -1;
  return m - ones;
}

function popcount(x: number): number {
  x -= (x >>> 1) & 0x55555555;
  x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
  return (((x + (x >>> 4)) & 0x0f0f0f0f) * 0x01010101) >>> 24;
}

const STREET_WORDS: Record<string, string> = {
  r: "rue", av: "avenue", ave: "avenue", bd: "boulevard", bld: "boulevard", pl: "place", che: "chemin", chem: "chemin",
  ch: "chemin", rte: "route", imp: "impasse", all: "allee", sq: "square", crs: "cours", fg: "faubourg", qu: "quai",
  st: "saint", ste: "sainte", hotel: "hotel", bis: "bis"
};
const STREET_STOP = new Set(["de", "du", "des", "la", "le", "les", "l", "d", "et", "a", "au", "aux"]);

/**
 * A street reduced for comparison: folded, the postal code and what follows it cut (`"PL DE LA LIBERTE\t82100\t
 * CASTELSARRASIN"` → `"place liberte"`), abbreviations spelt out, articles dropped. Null when nothing is left.
 */
export function normaliseStreet(address: string | null): string | null {
  if (!address) return null;
  const street = foldText(address.replace(/\b\d{5}\b[\s\S]*$/, "")).split(" ");
  const words = street.map((w) => STREET_WORDS[w] ?? w).filter((w) => w !== "" && !STREET_STOP.has(w));
  return words.length ? words.join(" ") : null;
}

/** 1 within `SAME_PLACE_M`, then `SAME_PLACE_M / d`: 100 m → 0.5, 1 km → 0.05. */
export function distanceScore(metres: number): number {
  return metres <= SAME_PLACE_M ? 1 : SAME_PLACE_M / metres;
}

/** Distance between two records in metres, or null when one has no point. */
export function distanceMetres(a: DedupPlace, b: DedupPlace): number | null {
  if (a.latitude === null || a.longitude === null || b.latitude === null || b.longitude === null) return null;
  return haversineKm({ lon: a.longitude, lat: a.latitude }, { lon: b.longitude, lat: b.latitude }) * 1000;
}

/** Types that name the same kind of place in two sources (mednum-cli: France Services and PIMMS). */
const COMPATIBLE_TYPES: [string, string][] = [["RFS", "PIMMS"]];

/** True when the records may be one place by their types: one untyped, a type in common, or a compatible pair. */
export function compatibleTypes(a: string | null, b: string | null): boolean {
  return compatibleTypeLists(typesOf(a), typesOf(b));
}

function typesOf(typologie: string | null): string[] {
  return (typologie ?? "").split("|").filter(Boolean);
}

function compatibleTypeLists(ta: string[], tb: string[]): boolean {
  if (ta.length === 0 || tb.length === 0) return true;
  if (ta.some((t) => tb.includes(t))) return true;
  return COMPATIBLE_TYPES.some(([x, y]) => (ta.includes(x) && tb.includes(y)) || (ta.includes(y) && tb.includes(x)));
}

/**
 * Words of a network's brand that many places' names share ("France services La Poste de …", "MSAP …"): left
 * out of the name comparison, or two France Services of one town would look alike by their brand alone.
 */
const BRAND_WORDS = new Set(["france", "services", "service", "msap", "poste"]);

/**
 * A place's name for the similarity, from its normalised name (`normalisePlaceName`): without the brand words (the
 * whole name if nothing else is left).
 */
function withoutBrand(name: string): string {
  const kept = name.split(" ").filter((w) => !BRAND_WORDS.has(w)).join(" ");
  return kept || name;
}

/** What the comparison reads of a record, normalised once rather than once per pair. */
interface Keys {
  distinctive: string;
  street: string | null;
  name: string;
  types: string[];
}

function keysOf(place: DedupPlace): Keys {
  const name = normalisePlaceName(place.nom);
  return { distinctive: withoutBrand(name), street: normaliseStreet(place.adresse), name, types: typesOf(place.typologie) };
}

/** The score of two records: the mean of the components that can be computed. */
export function pairScore(a: DedupPlace, b: DedupPlace): PairScore {
  return scoreKeys(a, b, keysOf(a), keysOf(b));
}

function scoreKeys(a: DedupPlace, b: DedupPlace, ka: Keys, kb: Keys): PairScore {
  const nom = ratio(ka.distinctive, kb.distinctive);
  const rue = ka.street !== null && kb.street !== null ? ratio(ka.street, kb.street) : null;
  const distanceM = distanceMetres(a, b);
  const distance = distanceM === null ? null : distanceScore(distanceM);
  const parts = [nom, rue, distance].filter((v): v is number => v !== null);
  return { nom, rue, distance, distanceM, score: parts.reduce((s, v) => s + v, 0) / parts.length };
}

/**
 * La Poste registers the France Services of its offices under a few regional SIRETs (356 000 000 …): two records
 * sharing one are two offices as often as one.
 */
const SHARED_SIRET = /^siret:356000000/;

/**
 * True when the pair is one place below the merge score: identical names not far apart, or one SIRET (not
 * La Poste's) for a pair already in the grey zone — an organisation often gives its head office's SIRET for
 * every site, so a SIRET alone never merges two unlike records.
 */
function sameStructure(a: DedupPlace, b: DedupPlace, sameName: boolean, score: PairScore, settings: DedupSettings): boolean {
  const sameSiret = !!a.cle_dedoublonnage?.startsWith("siret:") && a.cle_dedoublonnage === b.cle_dedoublonnage && !SHARED_SIRET.test(a.cle_dedoublonnage);
  if (sameSiret && score.score >= settings.a_verifier) return true;
  return sameName && (score.distanceM === null || score.distanceM <= SAME_NAME_MAX_M);
}

/** Result of the de-duplication: a group id for every record, and the pairs to review by hand. */
export interface DedupResult {
  /** Record id → group id (the id of the group's first record, in input order). */
  groups: Map<string, string>;
  /** Pairs in the grey zone (`a_verifier` ≤ score < `fusion`) that did not end up in one group. */
  review: ScoredPair[];
}

/**
 * Groups the records that are one place. Records are compared only within their commune; the input order
 * decides each group's id (put the preferred record of a place first).
 */
export function deduplicate(places: DedupPlace[], settings: DedupSettings): DedupResult {
  const parent = places.map((_, i) => i);
  const find = (i: number): number => (parent[i] === i ? i : (parent[i] = find(parent[i])));
  const union = (i: number, j: number) => {
    const [ri, rj] = [find(i), find(j)];
    if (ri !== rj) parent[Math.max(ri, rj)] = Math.min(ri, rj);
  };
  const byCommune = new Map<string, number[]>();
  places.forEach((p, i) => {
    const members = byCommune.get(p.code_insee);
    if (members) members.push(i);
    else byCommune.set(p.code_insee, [i]);
  });
  const keys = places.map(keysOf);
  const grey: { i: number; j: number; pair: ScoredPair }[] = [];
  for (const members of byCommune.values()) {
    for (let x = 0; x < members.length; x++) {
      for (let y = x + 1; y < members.length; y++) {
        const [i, j] = [members[x], members[y]];
        const [a, b] = [places[i], places[j]];
        if (!compatibleTypeLists(keys[i].types, keys[j].types)) continue;
        const score = scoreKeys(a, b, keys[i], keys[j]);
        const merged = score.score >= settings.fusion || sameStructure(a, b, keys[i].name === keys[j].name, score, settings);
        if (merged) union(i, j);
        else if (score.score >= settings.a_verifier) grey.push({ i, j, pair: { a, b, ...score, merged } });
      }
    }
  }
  const groups = new Map(places.map((p, i) => [p.id, places[find(i)].id]));
  const review = grey.filter(({ i, j }) => find(i) !== find(j)).map(({ pair }) => pair);
  review.sort((p, q) => q.score - p.score || p.a.id.localeCompare(q.a.id));
  return { groups, review };
}
