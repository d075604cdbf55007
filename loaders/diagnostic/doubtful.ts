import { foldText } from "../ingest/offre/places.ts";

/**
 * Doubtful place records (listed in `exports/<D>/lieux-a-verifier.csv`, marked on the fiche commune):
 * - a name that cites another commune of the département than the one the place is in, and not its own
 *   (Aidants Connect's "France Services ESPELETTE" at a Pau address): the code, the address or the name is wrong;
 * - no coordinates: the place is drawn on its commune's representative point, and a distance to it says
 *   « 0 km » for that commune when the place may be anywhere in it.
 * Pure; the diagnostic feeds it the places and the communes.
 */

/** Why a place is listed. */
export type DoubtReason = "autre_commune_dans_le_nom" | "sans_coordonnees";

export interface DoubtfulPlace {
  id: string;
  motif: DoubtReason;
  detail: string;
}

/** A place as this check reads it. */
export interface PlaceToCheck {
  id: string;
  nom: string;
  code_insee: string;
  commune: string | null;
  code_departement: string | null;
  localisation: string | null;
}

/** A commune of the referential. */
export interface CommuneName {
  code_insee: string;
  nom: string;
  code_departement: string;
}

/**
 * Commune names that are also ordinary words of place names ("Bourg" in « Le Bourg », "Maisons" in « Maisons
 * France Services »): citing them says nothing about a commune.
 */
const GENERIC_NAMES = new Set([
  "bourg", "maisons", "centre", "mairie", "poste", "ecole", "eglise", "foyer", "cite", "gare", "port", "lieu", "salle", "salles", "val",
  // Rivers and regions that name places ("Rives de Loire", "Pays de la Loire") and, accents folded, a commune (Loiré).
  "loire", "loir", "garonne", "dordogne", "charente", "vienne", "marne", "somme", "vilaine", "adour", "gironde", "landes"
]);

/** A commune name as matched inside a place name: folded, `saint`/`sainte` spelt out. */
function nameTokens(name: string): string {
  return foldText(name)
    .split(" ")
    .map((w) => (w === "st" ? "saint" : w === "ste" ? "sainte" : w))
    .join(" ");
}

/** Communes a name may cite: at least 4 letters and not a generic word (one-word names); multi-word names all. */
function citable(name: string): boolean {
  return name.includes(" ") || (name.length >= 4 && !GENERIC_NAMES.has(name));
}

/**
 * A commune name as the index holds it; `first` is its first word, which a name citing it must contain, and `rank`
 * its place in the département's names, longest first.
 */
interface CitableCommune {
  code: string;
  name: string;
  label: string;
  first: string;
  rank: number;
}

/** Each département's citable commune names, by first word (`communeNameIndex`). */
export type CommuneNameIndex = Map<string, Map<string, CitableCommune[]>>;

/**
 * Index of each département's commune names by their first word, each list longest first (so « Saint-Jean-de-Luz »
 * wins over « Luz »): a place's name is compared only with the communes whose first word it contains.
 */
export function communeNameIndex(communes: CommuneName[]): CommuneNameIndex {
  const byDepartement = new Map<string, CitableCommune[]>();
  for (const c of communes) {
    const name = nameTokens(c.nom);
    if (!citable(name)) continue;
    const entry = { code: c.code_insee, name, label: c.nom, first: name.split(" ")[0], rank: 0 };
    const list = byDepartement.get(c.code_departement);
    if (list) list.push(entry);
    else byDepartement.set(c.code_departement, [entry]);
  }
  const index = new Map<string, Map<string, CitableCommune[]>>();
  for (const [departement, list] of byDepartement) {
    list.sort((a, b) => b.name.length - a.name.length);
    const byFirst = new Map<string, CitableCommune[]>();
    list.forEach((c, rank) => {
      c.rank = rank;
      const same = byFirst.get(c.first);
      if (same) same.push(c);
      else byFirst.set(c.first, [c]);
    });
    index.set(departement, byFirst);
  }
  return index;
}

/** The other commune a place's name cites, or null (none, or its own commune is cited too). */
export function otherCommuneCited(place: PlaceToCheck, index: CommuneNameIndex): string | null {
  const tokens = nameTokens(place.nom);
  const name = ` ${tokens} `;
  const own = place.commune ? nameTokens(place.commune) : null;
  if (own && name.includes(` ${own} `)) return null;
  // A commune is cited only if its first word is a word of the name: only those communes are searched, longest
  // name first as in the département's list.
  const byFirst = index.get(place.code_departement ?? "");
  if (!byFirst) return null;
  const candidates: CitableCommune[] = [];
  for (const word of new Set(tokens.split(" "))) candidates.push(...(byFirst.get(word) ?? []));
  candidates.sort((a, b) => a.rank - b.rank);
  for (const c of candidates) {
    if (c.code === place.code_insee) continue;
    // A commune whose name is part of the own commune's name (« Pau » in « Pau-Lescar »?) is no evidence.
    if (own && ` ${own} `.includes(` ${c.name} `)) continue;
    if (name.includes(` ${c.name} `)) return c.label;
  }
  return null;
}

/** Every doubtful record among `places`, with its reason, against the communes' names (`communeNameIndex`). */
export function doubtfulPlaces(places: PlaceToCheck[], index: CommuneNameIndex): DoubtfulPlace[] {
  const doubts: DoubtfulPlace[] = [];
  for (const place of places) {
    const cited = otherCommuneCited(place, index);
    if (cited) {
      doubts.push({ id: place.id, motif: "autre_commune_dans_le_nom", detail: `le nom cite ${cited}, le lieu est placé à ${place.commune ?? place.code_insee}` });
    }
    if (place.localisation === "commune") {
      doubts.push({ id: place.id, motif: "sans_coordonnees", detail: "aucune coordonnée publiée : lieu placé au point représentatif de sa commune" });
    }
  }
  return doubts;
}
