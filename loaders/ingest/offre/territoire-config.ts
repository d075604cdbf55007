import { SourceError } from "../../io/errors.ts";

/**
 * The correspondence files (`<territoire>.config.json`) with which the Cartographie nationale imports a
 * territory's own list of places (format notes: `CONFIG-FORMAT.md` beside the files, and the `mednum-cli`
 * tool's `LieuxMediationNumeriqueMatching`). Each key of the standard of the lieux de médiation numérique says
 * where its value comes from in the territory's records:
 * - `{ "colonne": "Lieu" }` (or a list of columns: the first non-empty one); `""` means "not in this file";
 * - `{ "joindre": { "colonnes": ["N°", "ADRESSE"], "séparateur": " ", "ou": {…} } }`: non-empty values joined;
 * - `{ "dissocier": { "colonne": "pointgeo", "séparateur": ",", "partie": 0 } }`: one part of a value;
 * - `{ "valeur": "2023-03-01" }`: the same value for every record;
 * - for the enumerated fields (typologie, services, publics…), a list of choices
 *   `{ "colonnes": [...], "termes": [...], "sauf": [...], "cible": "…" }`: `cible` is given when one of the columns
 *   contains one of the `termes` (case ignored) and none of the `sauf`; without `termes`, when a column is not
 *   empty; without `colonnes`, always;
 * - `horaires`: `{ "semaine": "Horaires" }` (free text) or `{ "osm": "horaires" }` (OpenStreetMap syntax).
 * This module reads a config into a checked `TerritoireMapping` and maps one record with it; it is pure.
 */

/** Keys whose value is one text (or number) taken from the record. */
export const TEXT_FIELDS = [
  "id", "pivot", "nom", "commune", "code_postal", "code_insee", "adresse", "complement_adresse", "latitude", "longitude",
  "telephone", "courriels", "site_web", "date_maj", "source", "prise_rdv", "presentation_resume", "presentation_detail",
  "fiche_acces_libre", "structure_parente", "semaine_ouverture"
] as const;

/** Keys whose value is a list of values of the standard, chosen by terms found in the record. */
export const CHOICE_FIELDS = [
  "typologie", "itinerance", "frais_a_charge", "modalites_accompagnement", "modalites_acces", "publics_specifiquement_adresses",
  "prise_en_charge_specifique", "services", "dispositif_programmes_nationaux", "formations_labels", "autres_formations_labels"
] as const;

export type TextField = (typeof TEXT_FIELDS)[number];
export type ChoiceField = (typeof CHOICE_FIELDS)[number];

/** Where one text field comes from. */
export type FieldRule =
  | { kind: "colonne"; colonnes: string[] }
  | { kind: "joindre"; colonnes: string[]; separateur: string; ou: FieldRule | null }
  | { kind: "dissocier"; colonne: string; separateur: string; partie: number }
  | { kind: "valeur"; valeur: string };

/** One choice of an enumerated field. `colonnes` null: always; `termes` null: when a column is not empty. */
export interface ChoiceRule {
  colonnes: string[] | null;
  termes: string[] | null;
  sauf: string[];
  cible: string;
}

/** Opening hours: free text (`semaine`) or already in OpenStreetMap syntax (`osm`). */
export interface HoursRule {
  kind: "semaine" | "osm";
  colonne: string;
}

/** A checked correspondence file. */
export interface TerritoireMapping {
  fields: Partial<Record<TextField, FieldRule>>;
  choices: Partial<Record<ChoiceField, ChoiceRule[]>>;
  horaires: HoursRule | null;
}

/** Where a config error is reported: the config file (and the line of the key when found). */
interface ConfigWhere {
  source: string;
  file: string;
  text: string;
}

const FORMS = "colonne, joindre, dissocier, valeur, ou une liste de choix { colonnes, termes, sauf, cible }";

/**
 * Reads and checks a correspondence file. Invalid JSON, an unknown key or an unknown rule form fails with a
 * message naming the file, the line and the key: a config silently half-understood would load wrong places.
 */
export function parseTerritoireConfig(text: string, where: { source: string; file: string }): TerritoireMapping {
  const at = { ...where, text };
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new SourceError({ ...where, line: 1 }, `fichier de correspondance JSON invalide (${(error as Error).message.split("\n")[0]})`);
  }
  if (!isObject(json)) throw new SourceError({ ...where, line: 1 }, "objet JSON de correspondance attendu");
  const mapping: TerritoireMapping = { fields: {}, choices: {}, horaires: null };
  for (const [key, rule] of Object.entries(json)) {
    if ((TEXT_FIELDS as readonly string[]).includes(key)) {
      const field = fieldRule(rule, key, at);
      if (field) mapping.fields[key as TextField] = field;
    } else if ((CHOICE_FIELDS as readonly string[]).includes(key)) {
      mapping.choices[key as ChoiceField] = choiceRules(rule, key, at);
    } else if (key === "horaires") {
      mapping.horaires = hoursRule(rule, at);
    } else {
      fail(at, key, `clé de correspondance inconnue "${key}" (champs du standard des lieux de médiation numérique attendus)`);
    }
  }
  if (!mapping.fields.nom) fail(at, "nom", `la correspondance doit donner la colonne du nom du lieu ("nom": { "colonne": … })`);
  return mapping;
}

/** The rule of a text field, or null when it names no column (`{ "colonne": "" }`: not in this file). */
function fieldRule(rule: unknown, key: string, at: ConfigWhere): FieldRule | null {
  if (!isObject(rule)) return fail(at, key, unknownForm(key, rule));
  const keys = Object.keys(rule);
  if (keys.length === 1 && keys[0] === "colonne") {
    const colonnes = (Array.isArray(rule.colonne) ? rule.colonne : [rule.colonne]).map((c) => stringOf(c, key, at)).filter((c) => c !== "");
    return colonnes.length ? { kind: "colonne", colonnes } : null;
  }
  if (keys.length === 1 && keys[0] === "valeur") return { kind: "valeur", valeur: stringOf(rule.valeur, key, at) };
  if (keys.length === 1 && keys[0] === "joindre" && isObject(rule.joindre)) return joinRule(rule.joindre, key, at);
  if (keys.length === 1 && keys[0] === "dissocier" && isObject(rule.dissocier)) {
    const { colonne, séparateur, partie } = rule.dissocier;
    if (typeof partie !== "number" || !Number.isInteger(partie) || partie < 0) return fail(at, key, unknownForm(key, rule));
    return { kind: "dissocier", colonne: stringOf(colonne, key, at), separateur: stringOf(séparateur, key, at), partie };
  }
  return fail(at, key, unknownForm(key, rule));
}

function joinRule(join: Record<string, unknown>, key: string, at: ConfigWhere): FieldRule {
  const extra = Object.keys(join).filter((k) => !["colonnes", "séparateur", "ou"].includes(k));
  if (extra.length || !Array.isArray(join.colonnes)) return fail(at, key, unknownForm(key, { joindre: join }));
  const ou = join.ou === undefined ? null : fieldRule(join.ou, key, at);
  return { kind: "joindre", colonnes: join.colonnes.map((c) => stringOf(c, key, at)), separateur: join.séparateur === undefined ? " " : stringOf(join.séparateur, key, at), ou };
}

function choiceRules(rules: unknown, key: string, at: ConfigWhere): ChoiceRule[] {
  if (!Array.isArray(rules)) return fail(at, key, `liste de choix attendue pour "${key}" ({ colonnes, termes, sauf, cible })`);
  return rules.map((rule) => {
    if (!isObject(rule) || typeof rule.cible !== "string" || Object.keys(rule).some((k) => !["colonnes", "termes", "sauf", "cible"].includes(k))) {
      return fail(at, key, unknownForm(key, rule));
    }
    return {
      colonnes: rule.colonnes === undefined ? null : stringList(rule.colonnes, key, at),
      termes: rule.termes === undefined ? null : stringList(rule.termes, key, at),
      sauf: rule.sauf === undefined ? [] : stringList(rule.sauf, key, at),
      cible: rule.cible
    };
  });
}

function hoursRule(rule: unknown, at: ConfigWhere): HoursRule | null {
  if (isObject(rule) && Object.keys(rule).length === 1) {
    const [kind] = Object.keys(rule);
    if (kind === "semaine" || kind === "osm") {
      const colonne = stringOf(rule[kind], "horaires", at);
      return colonne ? { kind, colonne } : null;
    }
  }
  return fail(at, "horaires", `règle de correspondance inconnue pour "horaires" (${JSON.stringify(rule)?.slice(0, 80)}) : attendu { "semaine": colonne } ou { "osm": colonne }`);
}

function unknownForm(key: string, rule: unknown): string {
  return `règle de correspondance inconnue pour "${key}" (${JSON.stringify(rule)?.slice(0, 80)}) : formes comprises : ${FORMS}`;
}

function stringOf(value: unknown, key: string, at: ConfigWhere): string {
  if (typeof value !== "string") return fail(at, key, `texte attendu pour "${key}", trouvé ${JSON.stringify(value)}`);
  return value;
}

function stringList(value: unknown, key: string, at: ConfigWhere): string[] {
  if (!Array.isArray(value)) return fail(at, key, `liste de textes attendue pour "${key}", trouvé ${JSON.stringify(value)}`);
  return value.map((v) => stringOf(v, key, at));
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Throws a located error: the line is the first line where the key appears in the config. */
function fail(at: ConfigWhere, key: string, problem: string): never {
  const index = at.text.indexOf(`"${key}"`);
  const line = index < 0 ? undefined : at.text.slice(0, index).split("\n").length;
  throw new SourceError({ source: at.source, file: at.file, line, column: key }, problem);
}

// ---------------------------------------------------------------------------------------------------------
// Mapping one record

/** One record of a territory's file, mapped to the standard's fields (values as text, lists de-duplicated). */
export interface MappedRecord {
  fields: Partial<Record<TextField, string>>;
  choices: Partial<Record<ChoiceField, string[]>>;
  horaires: string | null;
}

/** The text of one cell: numbers as written, empty strings and null as absent. */
export function cellText(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  const text = (typeof value === "string" ? value : typeof value === "number" || typeof value === "boolean" ? String(value) : JSON.stringify(value)).trim();
  return text === "" ? null : text;
}

/** Applies the mapping to one record. */
export function mapRecord(record: Record<string, unknown>, mapping: TerritoireMapping): MappedRecord {
  const fields: Partial<Record<TextField, string>> = {};
  for (const [key, rule] of Object.entries(mapping.fields) as [TextField, FieldRule][]) {
    const value = fieldValue(record, rule);
    if (value !== null) fields[key] = value;
  }
  const choices: Partial<Record<ChoiceField, string[]>> = {};
  for (const [key, rules] of Object.entries(mapping.choices) as [ChoiceField, ChoiceRule[]][]) {
    const values = chosenValues(record, rules);
    if (values.length) choices[key] = values;
  }
  const horaires = mapping.horaires ? cellText(record[mapping.horaires.colonne]) : null;
  return { fields, choices, horaires };
}

function fieldValue(record: Record<string, unknown>, rule: FieldRule): string | null {
  switch (rule.kind) {
    case "colonne":
      return rule.colonnes.map((c) => cellText(record[c])).find((v) => v !== null) ?? null;
    case "valeur":
      return cellText(rule.valeur);
    case "joindre": {
      const joined = rule.colonnes.map((c) => cellText(record[c])).filter((v) => v !== null).join(rule.separateur).trim();
      return joined !== "" ? joined : rule.ou ? fieldValue(record, rule.ou) : null;
    }
    case "dissocier":
      return cellText(cellText(record[rule.colonne])?.split(rule.separateur)[rule.partie]);
  }
}

/** The `cible` of every choice that matches, in the config's order, without duplicates. */
export function chosenValues(record: Record<string, unknown>, rules: ChoiceRule[]): string[] {
  const values = rules.filter((rule) => choiceMatches(record, rule)).map((rule) => rule.cible);
  return [...new Set(values)];
}

function choiceMatches(record: Record<string, unknown>, rule: ChoiceRule): boolean {
  if (rule.colonnes === null) return true;
  return rule.colonnes.some((column) => {
    const text = cellText(record[column])?.toLowerCase() ?? "";
    if (text === "") return false;
    if (rule.termes === null) return true;
    // `sauf` wins over `termes`: "gratuit" with "Gratuit sous condition" in the text is not "Gratuit".
    return rule.termes.some((t) => text.includes(t.toLowerCase())) && !rule.sauf.some((s) => text.includes(s.toLowerCase()));
  });
}
