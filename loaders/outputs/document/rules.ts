import { readFileSync } from "node:fs";
import { isBesoin } from "./besoins.ts";
import type { Indicators } from "./data.ts";

/** A rule of `data/regles-axes.json`: an indicator compared with a fixed threshold or with France / the région. */
export interface Trigger {
  indicateur: string;
  operateur: ">" | "<" | ">=" | "<=";
  seuil?: number;
  reference?: "france" | "region";
  marge?: number;
}

/** How an action picks the territories it targets: the indicator that ranks EPCI and communes. */
export interface TargetRule {
  indicateur: string;
  /** `desc`: highest values first (a share of elderly people); `asc`: lowest first (a FttH share). */
  ordre: "asc" | "desc";
  /** Communes below this population are left out of the ranking (a share over 40 inhabitants says little). */
  population_min?: number;
}

/** One action of an axis: one fiche, answering one need of the territory. */
export interface Action {
  id: string;
  intitule: string;
  /** The need of the territory the action answers, in one or two sentences. */
  besoin: string;
  objectifs: string[];
  publics: string;
  /** The count of the action's public on the territory, when the data has one. */
  public_compte?: { indicateur: string; libelle: string };
  cibles: TargetRule;
  /** Labels from the national tool's eleven (besoins.ts). */
  besoins: string[];
  porteur: string;
  partenaires: string;
  etapes: [string, string][];
  duree_annees: number;
  /** Budget lines (postes); amounts are decided locally. */
  postes: string[];
  indicateurs: string[];
  /** Themes of the levers that can fund it (`thematiques` in leviers.json). */
  leviers: string[];
  priorite: "haute" | "moyenne";
  /** Per-schéma links that differ from the defaults (SDTAN, SDAASAP, CRTE, SDUN). */
  articulation?: Record<string, string>;
}

/** A strategic axis and its actions. */
export interface Axis {
  id: string;
  titre: string;
  objectif: string;
  toujours?: boolean;
  justification?: string;
  declencheurs?: Trigger[];
  actions: Action[];
}

export interface AxisRules {
  description: string;
  millesime: string;
  territoires_prioritaires: { epci: number; communes: number };
  /** How many EPCI and communes each fiche's target table names. */
  cibles_par_action: { epci: number; communes: number };
  axes: Axis[];
}

/** Values a rule can read: the diagnostic's indicators plus the FttH share of the RIP zone. */
export type RuleValues = Partial<Indicators> & { part_locaux_ftth_rip?: number | null };

export interface TriggerResult {
  trigger: Trigger;
  value: number | null;
  threshold: number | null;
  /** null when the value or its reference is unknown. */
  met: boolean | null;
}

export interface AxisDecision {
  axis: Axis;
  triggered: boolean;
  results: TriggerResult[];
}

export function readAxisRules(file: string): AxisRules {
  let rules: AxisRules;
  try {
    rules = JSON.parse(readFileSync(file, "utf8")) as AxisRules;
  } catch (error) {
    throw new Error(`fichier de règles des axes illisible ${file} : ${(error as Error).message}`);
  }
  if (!Array.isArray(rules.axes) || rules.axes.length === 0) throw new Error(`aucun axe dans ${file}`);
  for (const axis of rules.axes) {
    if (!axis.id || !axis.titre) throw new Error(`axe sans « id » ou « titre » dans ${file} : ${JSON.stringify(axis).slice(0, 80)}`);
    if (!Array.isArray(axis.actions) || axis.actions.length === 0) throw new Error(`axe ${axis.id} sans « actions » dans ${file}`);
    for (const action of axis.actions) {
      for (const key of ["id", "intitule", "besoin", "porteur"] as const) {
        if (typeof action[key] !== "string" || !action[key]) throw new Error(`champ « ${key} » manquant pour l'action ${JSON.stringify(action.id)} de l'axe ${axis.id} dans ${file}`);
      }
      const unknown = (action.besoins ?? []).filter((b) => !isBesoin(b));
      if (unknown.length) throw new Error(`besoin inconnu de l'outil national pour l'action ${action.id} dans ${file} : ${JSON.stringify(unknown[0])}`);
      if (!action.cibles?.indicateur) throw new Error(`« cibles.indicateur » manquant pour l'action ${action.id} dans ${file}`);
    }
    for (const t of axis.declencheurs ?? []) {
      if (![">", "<", ">=", "<="].includes(t.operateur)) throw new Error(`opérateur invalide ${JSON.stringify(t.operateur)} pour l'axe ${axis.id} dans ${file}`);
      if (t.seuil === undefined && !t.reference) throw new Error(`déclencheur sans « seuil » ni « reference » pour l'axe ${axis.id} (${t.indicateur}) dans ${file}`);
    }
  }
  rules.cibles_par_action ??= { epci: 3, communes: 8 };
  return rules;
}

function read(values: RuleValues | null, indicator: string): number | null {
  const v = values?.[indicator as keyof RuleValues];
  return typeof v === "number" && Number.isFinite(v) ? v : null;
}

export function evaluateTrigger(trigger: Trigger, values: RuleValues, references: { france: RuleValues | null; region: RuleValues | null }): TriggerResult {
  const value = read(values, trigger.indicateur);
  const reference = trigger.reference ? read(references[trigger.reference], trigger.indicateur) : null;
  const threshold = trigger.seuil ?? (reference === null ? null : reference + (trigger.marge ?? 0));
  if (value === null || threshold === null) return { trigger, value, threshold, met: null };
  const met =
    trigger.operateur === ">" ? value > threshold : trigger.operateur === "<" ? value < threshold : trigger.operateur === ">=" ? value >= threshold : value <= threshold;
  return { trigger, value, threshold, met };
}

/** Whether an axis is proposed for a territory: always, or when one of its triggers is met. */
export function decideAxis(axis: Axis, values: RuleValues, references: { france: RuleValues | null; region: RuleValues | null }): AxisDecision {
  const results = (axis.declencheurs ?? []).map((t) => evaluateTrigger(t, values, references));
  return { axis, triggered: Boolean(axis.toujours) || results.some((r) => r.met === true), results };
}
