import { currentCodeOrQuarantine, type CogIndex } from "../cog.ts";
import { createTable, insertRows, type TableSpec } from "../../io/db.ts";
import type { Ledger } from "../../io/ledger.ts";
import type { Resource } from "../../io/resource.ts";
import type { LoadContext, Source } from "../source.ts";
import { readCsv, readText } from "../../io/text.ts";
import { normaliseCommuneCode, parseNumber } from "../../io/values.ts";
import { mergedCodes, mergeRatesByCode, readCommuneWeights, type CommuneWeights } from "./filosofi.ts";

/**
 * La MedNum's Indice de Fragilité Numérique (IFN), commune and EPCI scores as served by the ANCT
 * "France Numérique Ensemble" application (COG 2023). Each criterion is a 1–10 class (10 = most fragile);
 * `total` is the plain mean of the five. Publisher's page: https://infos.fragilite-numerique.fr/ressources-cgu
 */
const IFN_COMMIT = "f834ffa01171899e8efc38eb0864174b42a29482";
const IFN_BASE = `https://raw.githubusercontent.com/inclusion-numerique/stack/${IFN_COMMIT}/apps/web/public/data`;

function ifnResource(level: "city" | "epci", title: string): Resource {
  return {
    id: `lamednum-ifn-${level === "city" ? "communes" : "epci"}`,
    title: `La MedNum, Indice de Fragilité Numérique : scores par ${title}`,
    publisher: "La MedNum (diffusé par l'ANCT, France Numérique Ensemble)",
    url: `${IFN_BASE}/ifn-${level}-all-variation.csv`,
    path: `ifn/ifn-${level}-all-variation.csv`,
    vintage: "IFN 2023 (géographie COG 2023)",
    referenceDate: "2023-01-01",
    urlConfirmedBy: `dépôt public inclusion-numerique/stack, commit ${IFN_COMMIT.slice(0, 12)}`,
    format: "csv",
    licence: "aucune licence indiquée pour les données (La MedNum, conditions d'utilisation du site)"
  };
}

export const ifnCommunesResource = ifnResource("city", "commune");
export const ifnEpciResource = ifnResource("epci", "EPCI");

export const ifnReferenceTable: TableSpec = {
  name: "ifn_reference",
  columns: {
    niveau: "VARCHAR",
    code: "VARCHAR",
    nom: "VARCHAR",
    no_thd: "DOUBLE",
    no_4g: "DOUBLE",
    poverty: "DOUBLE",
    older_65: "DOUBLE",
    low_diploma: "DOUBLE",
    total: "DOUBLE"
  },
  primaryKey: ["niveau", "code"]
};

type Score = "no_thd" | "no_4g" | "poverty" | "older_65" | "low_diploma" | "total";

/** Published column → table column. */
const SCORES: { column: string; field: Score }[] = [
  { column: "no_thd_coverage_rate", field: "no_thd" },
  { column: "no_4g_coverage_rate", field: "no_4g" },
  { column: "poverty_rate", field: "poverty" },
  { column: "older_65_rate", field: "older_65" },
  { column: "nscol15p_rate", field: "low_diploma" },
  { column: "total", field: "total" }
];
const FIELDS = SCORES.map((s) => s.field);

export type IfnRow = { niveau: string; code: string; nom: string } & Record<Score, number | null>;
export type IfnCommunePart = IfnRow & { code_insee: string; code_ancien: string };

/** The row's six scores; null (row quarantined) when one is not a number or outside the 1–10 classes. */
function readScores(values: Record<string, string>, ledger: Ledger, line: number): Record<Score, number | null> | null {
  // The six uninhabited "villages morts pour la France" of the Meuse carry 0 everywhere: no class, not a score.
  if (SCORES.every(({ column }) => parseNumber(values[column]) === 0)) {
    ledger.quarantine(line, "total", values.total, "tous les scores valent 0 : commune sans habitants, aucune classe de fragilité");
    return null;
  }
  const out = {} as Record<Score, number | null>;
  for (const { column, field } of SCORES) {
    const value = parseNumber(values[column]);
    if (value !== null && (Number.isNaN(value) || value < 1 - 1e-9 || value > 10 + 1e-9)) {
      ledger.quarantine(line, column, values[column], Number.isNaN(value) ? "valeur numérique illisible" : "score hors de l'échelle 1–10");
      return null;
    }
    out[field] = value;
  }
  return out;
}

function parseIfn(text: string, ledger: Ledger) {
  return readCsv(text, ledger, { delimiter: ",", required: ["name", "division", "code", ...SCORES.map((s) => s.column)] });
}

/** True when the row is of the expected division; otherwise it is quarantined with the value found. */
function checkDivision(values: Record<string, string>, expected: string, ledger: Ledger, line: number): boolean {
  if (values.division === expected) return true;
  ledger.quarantine(line, "division", values.division, `niveau inattendu (attendu : ${expected})`);
  return false;
}

/**
 * Parses the commune file into parts keyed on the current COG (not yet merged): arrondissements of Paris, Lyon
 * and Marseille (the file has no whole-commune row for them) and merged communes map to today's commune.
 */
export function parseIfnCommunes(text: string, ledger: Ledger, cog: CogIndex): IfnCommunePart[] {
  const parts: (IfnCommunePart & { line: number })[] = [];
  const seen = new Set<string>();
  parseIfn(text, ledger).forEach(({ line, values }) => {
    if (!checkDivision(values, "city", ledger, line)) return;
    const code = normaliseCommuneCode(values.code);
    if (code && seen.has(code)) {
      ledger.quarantine(line, "code", values.code, "code commune en double dans le fichier : seule la première ligne est chargée");
      return;
    }
    if (code) seen.add(code);
    const current = currentCodeOrQuarantine(cog, code, values.code, ledger, line, "code");
    if (!current) return;
    const scores = readScores(values, ledger, line);
    if (!scores) return;
    parts.push({ line, niveau: "commune", code: current, code_insee: current, code_ancien: code!, nom: values.name, ...scores });
  });
  return setAsideEmptyParts(parts, ledger);
}

/**
 * A row without any score whose commune has other parts with scores (Marseille's whole-commune row beside its
 * arrondissements) is set aside: kept, it would make the whole commune's scores missing. A lone empty row is
 * loaded as is (all scores null).
 */
function setAsideEmptyParts(parts: (IfnCommunePart & { line: number })[], ledger: Ledger): IfnCommunePart[] {
  const isEmpty = (part: IfnCommunePart) => FIELDS.every((f) => part[f] === null);
  const withData = new Set(parts.filter((p) => !isEmpty(p)).map((p) => p.code_insee));
  const kept: IfnCommunePart[] = [];
  for (const { line, ...part } of parts) {
    if (isEmpty(part) && withData.has(part.code_insee)) {
      ledger.quarantine(line, "code", part.code_ancien, `ligne sans aucun score : ${part.code_insee} est calculée sur ses autres parties (arrondissements ou anciennes communes)`);
      continue;
    }
    kept.push(part);
    ledger.loaded();
  }
  return kept;
}

/**
 * One row per current commune: scores of merged communes and arrondissements weighted by their Filosofi people
 * (equally when a part's weight is unknown; see `mergeRatesByCode`). Classes are not rates, but the mean of
 * the parts' classes weighted by population is the closest reading of the whole commune the file allows.
 */
export function harmoniseIfnCommunes(parts: IfnCommunePart[], weights: Map<string, number> | CommuneWeights | null): IfnRow[] {
  return mergeRatesByCode(parts, FIELDS, weights).map(({ code_insee: _c, code_ancien: _a, ...row }) => row);
}

/** Parses the EPCI file: codes are SIRENs (9 digits), kept as published. */
export function parseIfnEpci(text: string, ledger: Ledger): IfnRow[] {
  const rows: IfnRow[] = [];
  const seen = new Set<string>();
  parseIfn(text, ledger).forEach(({ line, values }) => {
    if (!checkDivision(values, "epci", ledger, line)) return;
    const siren = values.code.trim();
    if (siren === "ZZZZZZZZZ") {
      ledger.quarantine(line, "code", values.code, "« Sans objet » : regroupe les communes hors EPCI (îles mono-communales), ce n'est pas un EPCI");
      return;
    }
    if (!/^\d{9}$/.test(siren) || seen.has(siren)) {
      ledger.quarantine(line, "code", values.code, seen.has(siren) ? "SIREN en double dans le fichier" : "SIREN d'EPCI mal formé");
      return;
    }
    seen.add(siren);
    const scores = readScores(values, ledger, line);
    if (!scores) return;
    rows.push({ niveau: "epci", code: siren, nom: values.name, ...scores });
    ledger.loaded();
  });
  return rows;
}

export const ifn: Source = {
  id: "ifn",
  title: "Indice de Fragilité Numérique (La MedNum), communes et EPCI",
  // Merged communes are weighted by the persons (Filosofi) or premises (Arcep 2018) of their parts.
  after: ["referentiel", "filosofi", "arcep-deploiements"],
  resources: [ifnCommunesResource, ifnEpciResource],
  async load(context) {
    await createTable(context.connection, ifnReferenceTable);
    await loadCommunes(context);
    const epci = await context.open(ifnEpciResource);
    if (epci) {
      const { text } = await readText(epci.acquired.file, ifn.id);
      await insertRows(context.connection, ifnReferenceTable, parseIfnEpci(text, epci.ledger));
    }
  }
};

async function loadCommunes(context: LoadContext): Promise<void> {
  const opened = await context.open(ifnCommunesResource);
  if (!opened) return;
  const { text } = await readText(opened.acquired.file, ifn.id);
  const parts = parseIfnCommunes(text, opened.ledger, context.cog);
  const weights = await readCommuneWeights(context.connection, mergedCodes(parts));
  if (!weights) context.log("  ni personnes (Filosofi) ni locaux (Arcep 2018) par ancienne commune : communes fusionnées pondérées à parts égales");
  await insertRows(context.connection, ifnReferenceTable, harmoniseIfnCommunes(parts, weights));
  // A merged or rolled-up commune takes its current name (the file's is that of one of its parts, or an arrondissement).
  await context.connection.run(
    `UPDATE ifn_reference SET nom = c.nom FROM communes c WHERE ifn_reference.niveau = 'commune' AND ifn_reference.code = c.code_insee`
  );
}
