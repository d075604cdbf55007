import { readFileSync } from "node:fs";
import type { Indicators } from "./data.ts";

/** A rule of `data/regles-axes.json`: an indicator compared with a fixed threshold or with France / the région. */
export interface Trigger {
  indicateur: string;
  operateur: ">" | "<" | ">=" | "<=";
  seuil?: number;
  reference?: "france" | "region";
  marge?: number;
}

/** A strategic axis and what its fiches are pre-filled with. */
export interface Axis {
  id: string;
  titre: string;
  objectif: string;
  toujours?: boolean;
  justification?: string;
  declencheurs?: Trigger[];
  intitule: string;
  objectifs_operationnels: string[];
  publics: string;
  etapes: [string, string][];
  moyens: string;
  indicateurs: string[];
  leviers: string[];
}

export interface AxisRules {
  description: string;
  millesime: string;
  territoires_prioritaires: { epci: number; communes: number };
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
    for (const t of axis.declencheurs ?? []) {
      if (![">", "<", ">=", "<="].includes(t.operateur)) throw new Error(`opérateur invalide ${JSON.stringify(t.operateur)} pour l'axe ${axis.id} dans ${file}`);
      if (t.seuil === undefined && !t.reference) throw new Error(`déclencheur sans « seuil » ni « reference » pour l'axe ${axis.id} (${t.indicateur}) dans ${file}`);
    }
  }
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
