import { staleFlagOf } from "./freshness.ts";
import { sourceOf } from "./indicators.ts";
import { communesOf, share, sum, type Commune, type DiagnosticData, type Epci, type Indicators } from "./data.ts";
import type { Lever, TerritoryFacts } from "./levers.ts";
import { References } from "./references.ts";
import { decideAxis, type Action, type Axis, type AxisDecision, type AxisRules, type RuleValues, type TargetRule } from "./rules.ts";

/** Everything the chapters are written from, decided once. */
export interface SchemaContext {
  data: DiagnosticData;
  rules: AxisRules;
  levers: Lever[];
  date: Date;
  /** Distance beyond which a commune is out of reach of help, when the caller knows it. */
  seuilKm: number | null;
  priorityEpci: Epci[];
  priorityCommunes: Commune[];
  /** The département's values for the rules (its indicators plus the FttH share of the RIP zone). */
  departementValues: RuleValues;
  decisions: AxisDecision[];
  /** One fiche per action of each proposed axis, numbered 1…n in reading order. */
  fiches: ActionPlan[];
  /** Short numbered references to the sources, resolved in the annex « Sources et millésimes ». */
  refs: References;
}

/** A territory an action targets, with the figure that put it in the list. */
export interface Target {
  niveau: "epci" | "commune";
  code: string;
  nom: string;
  /** The ranking indicator's value. */
  valeur: number | null;
  population: number | null;
  rang_priorite: number | null;
}

/** One fiche: an action of a proposed axis, with the territories it targets inside the département. */
export interface ActionPlan {
  numero: number;
  axis: Axis;
  axisNumber: number;
  action: Action;
  decision: AxisDecision;
  cibles: { epci: Target[]; communes: Target[] };
}

/** Counts an EPCI row may lack: summed over its communes of the département. */
const summable = new Set(["nb_conseillers_numeriques", "nb_bibliotheques", "nb_lieux", "population_hors_portee", "pop_80_plus_seuls", "pop_65_plus", "peu_diplomes", "familles_mono"]);

function read(row: unknown, indicator: string): number | null {
  const v = (row as Record<string, unknown>)[indicator];
  return typeof v === "number" && Number.isFinite(v) ? v : null;
}

/**
 * The EPCI and communes an action targets: ranked by its indicator (ties by priority rank), the very small
 * communes left out for shares, only territories with a value; the priority rank itself when that is the indicator.
 */
export function actionTargets(data: DiagnosticData, rule: TargetRule, counts: { epci: number; communes: number }): ActionPlan["cibles"] {
  const sign = rule.ordre === "asc" ? 1 : -1;
  const byValue = (a: Target, b: Target) => sign * ((a.valeur ?? 0) - (b.valeur ?? 0)) || (a.rang_priorite ?? 1e9) - (b.rang_priorite ?? 1e9) || a.code.localeCompare(b.code);
  const meaningful = (t: Target) => t.valeur !== null && (rule.ordre === "asc" || rule.indicateur === "rang_priorite" || t.valeur > 0);
  const epci = data.epci
    .filter((e) => e.code_departement === data.code)
    .map((e): Target => {
      let valeur = read(e, rule.indicateur);
      if (valeur === null && summable.has(rule.indicateur)) valeur = sum(communesOf(data, e.epci_siren), (c) => read(c, rule.indicateur));
      return { niveau: "epci", code: e.epci_siren, nom: e.epci_nom, valeur, population: e.population, rang_priorite: e.rang_priorite };
    })
    .filter(meaningful)
    .sort(byValue)
    .slice(0, counts.epci);
  const communes = data.communes
    .filter((c) => (c.population ?? 0) >= (rule.population_min ?? 0))
    .filter((c) => rule.indicateur !== "taux_pauvrete" || c.taux_pauvrete_source === "commune")
    .filter((c) => rule.indicateur !== "part_locaux_ftth" || (c.locaux ?? 0) > 0)
    .map((c): Target => ({ niveau: "commune", code: c.code_insee, nom: c.nom, valeur: read(c, rule.indicateur), population: c.population, rang_priorite: c.rang_priorite }))
    .filter(meaningful)
    .sort(byValue)
    .slice(0, counts.communes);
  return { epci, communes };
}

/** FttH share over the communes of the RIP zone, from summed counts. */
export function ripShare(communes: Commune[]): number | null {
  const rip = communes.filter((c) => c.zone_fthd === "RIP");
  return share(sum(rip, (c) => c.locaux_ftth), sum(rip, (c) => c.locaux));
}

export function ruleValues(row: Partial<Indicators>, communes: Commune[]): RuleValues {
  return { ...row, part_locaux_ftth_rip: ripShare(communes) };
}

/** The facts the levers' criteria need, for an EPCI or the département; unknown where the data is missing. */
export function territoryFacts(communes: Commune[], niveau: "epci" | "departement"): TerritoryFacts {
  const anyTrue = (values: (boolean | null)[]): boolean | null => (values.some((v) => v === true) ? true : values.every((v) => v === null) ? null : false);
  return {
    niveau,
    codeRegion: communes.find((c) => c.code_region)?.code_region ?? null,
    qpv: anyTrue(communes.map((c) => (c.qpv === null || c.qpv === undefined ? (c.nb_qpv === null || c.nb_qpv === undefined ? null : c.nb_qpv > 0) : c.qpv))),
    frr: anyTrue(communes.map((c) => (c.frr === null || c.frr === undefined ? null : isFrr(c.frr)))),
    rural: anyTrue(communes.map((c) => (c.densite_code === null || c.densite_code === undefined ? null : c.densite_code >= 5))),
    rip: anyTrue(communes.map((c) => (c.zone_fthd === null || c.zone_fthd === undefined ? null : c.zone_fthd === "RIP")))
  };
}

/** The FRR label of a commune (`classée en FRR`, `non classée`, …) read as a yes/no. */
function isFrr(label: string): boolean {
  const l = label.toLowerCase();
  return !(l.startsWith("non") || l.includes("non class") || l === "false" || l === "0");
}

export function buildContext(data: DiagnosticData, rules: AxisRules, levers: Lever[], date: Date, seuilKm: number | null): SchemaContext {
  const priorityEpci = data.epci.filter((e) => e.rang_priorite !== null && e.code_departement === data.code).slice(0, rules.territoires_prioritaires.epci);
  const priorityCommunes = data.communes
    .filter((c) => c.rang_priorite !== null)
    .sort((a, b) => a.rang_priorite! - b.rang_priorite!)
    .slice(0, rules.territoires_prioritaires.communes);
  const references = { france: data.france, region: data.region };
  const departementValues = ruleValues(data.departement, data.communes);
  const decisions = rules.axes.map((axis) => decideAxis(axis, departementValues, references));
  const fiches: ActionPlan[] = [];
  decisions
    .filter((d) => d.triggered)
    .forEach((decision, index) => {
      for (const action of decision.axis.actions) {
        fiches.push({ numero: fiches.length + 1, axis: decision.axis, axisNumber: index + 1, action, decision, cibles: actionTargets(data, action.cibles, rules.cibles_par_action) });
      }
    });
  return { data, rules, levers, date, seuilKm, priorityEpci, priorityCommunes, departementValues, decisions, fiches, refs: new References() };
}

/**
 * The short reference (« [3] ») of the sources of one or several indicators; data older than 18 months keep their
 * flag next to the figure (« [3] donnée de 2018, à actualiser »), the full source being in the annex.
 */
export function cite(ctx: SchemaContext, indicators: string | string[]): string {
  const list = Array.isArray(indicators) ? indicators : [indicators];
  const flags = [...new Set(list.map((i) => staleFlagOf(ctx.data, i)).filter((f): f is string => f !== null))];
  return ctx.refs.cite(list.map((i) => sourceOf(ctx.data, i))) + (flags.length ? ` ${flags.join(" ; ")}` : "");
}
