import { communesOf, share, sum, type Commune, type DiagnosticData, type Epci, type Indicators } from "./data.ts";
import type { Lever, TerritoryFacts } from "./levers.ts";
import { decideAxis, type Axis, type AxisDecision, type AxisRules, type RuleValues } from "./rules.ts";

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
  fiches: FichePlan[];
}

/** One fiche to write: an axis for a territory (a priority EPCI, or the whole département). */
export interface FichePlan {
  numero: string;
  axis: Axis;
  axisNumber: number;
  epci: Epci | null;
  decision: AxisDecision;
  /** Why this EPCI gets a fiche of this axis when its own values do not trigger it. */
  fallbackReason?: string;
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
  const proposed = decisions.filter((d) => d.triggered);
  const fiches: FichePlan[] = [];
  proposed.forEach((decision, index) => {
    const axisNumber = index + 1;
    const add = (epci: Epci | null, d: AxisDecision, fallbackReason?: string) =>
      fiches.push({ numero: `${axisNumber}.${fiches.filter((f) => f.axisNumber === axisNumber).length + 1}`, axis: decision.axis, axisNumber, epci, decision: d, fallbackReason });
    if (decision.axis.toujours) return add(null, decision);
    const epciDecisions = priorityEpci.map((e) => ({ e, d: decideAxis(decision.axis, ruleValues(e, communesOf(data, e.epci_siren)), references) }));
    const triggered = epciDecisions.filter(({ d }) => d.results.some((r) => r.met === true));
    if (triggered.length === 0) add(null, decision);
    for (const { e, d } of triggered) add(e, d);
  });
  // Every priority EPCI gets at least one territorial fiche: the first proposed territorial axis.
  const firstTerritorial = proposed.find((d) => !d.axis.toujours);
  for (const e of priorityEpci) {
    if (!firstTerritorial || fiches.some((f) => f.epci?.epci_siren === e.epci_siren)) continue;
    const axisNumber = proposed.indexOf(firstTerritorial) + 1;
    const d = decideAxis(firstTerritorial.axis, ruleValues(e, communesOf(data, e.epci_siren)), references);
    fiches.push({
      numero: `${axisNumber}.${fiches.filter((f) => f.axisNumber === axisNumber).length + 1}`,
      axis: firstTerritorial.axis,
      axisNumber,
      epci: e,
      decision: d,
      fallbackReason: `l'EPCI ne dépasse pas à lui seul les seuils de cet axe, mais il est classé ${e.rang_priorite === 1 ? "1er" : `${e.rang_priorite}e`} territoire prioritaire du département`
    });
  }
  fiches.sort((a, b) => a.axisNumber - b.axisNumber || Number(a.numero.split(".")[1]) - Number(b.numero.split(".")[1]));
  return { data, rules, levers, date, seuilKm, priorityEpci, priorityCommunes, departementValues, decisions, fiches };
}
