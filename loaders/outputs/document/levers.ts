import { readFileSync } from "node:fs";
import { dateCatalogue } from "./format.ts";

/** One funding lever of `data/leviers.json`: facts of their date, edited by the users. */
export interface Lever {
  id: string;
  nom: string;
  financeur: string;
  montants: string[];
  /** `AAAA`, `AAAA-MM` or `AAAA-MM-JJ`; null when the source gives none. */
  debut: string | null;
  fin: string | null;
  /** Axis themes the lever serves (the `leviers` of each axis in `regles-axes.json`). */
  thematiques: string[];
  eligibilite: { mode: "toutes" | "une"; criteres: Criterion[] };
  note: string | null;
  source: string;
  /** The page that states the lever's dates and amounts. */
  source_url: string;
  /** False when the source does not state the dates exactly (deduced, to check). */
  date_confirmee: boolean;
}

export type CriterionName = "qpv" | "frr" | "rural" | "rip" | "regions" | "niveaux";

export interface Criterion {
  critere: CriterionName;
  valeurs?: string[];
}

/** What is known of a territory for the eligibility criteria; null where the data is missing. */
export interface TerritoryFacts {
  niveau: "epci" | "departement";
  codeRegion: string | null;
  qpv: boolean | null;
  frr: boolean | null;
  rural: boolean | null;
  rip: boolean | null;
}

/** The official file that settles a criterion when the database lacks it. */
export const officialFiles: Record<CriterionName, string> = {
  qpv: "liste des quartiers prioritaires de la politique de la ville 2024 (ANCT, data.gouv.fr, « Quartiers prioritaires de la politique de la ville (QPV) »)",
  frr: "classement des communes en France Ruralités Revitalisation (arrêté du 19 juin 2024, fichier DGCL/ANCT « Communes classées FRR »)",
  rural: "grille communale de densité à 7 niveaux (INSEE)",
  rip: "observatoire des déploiements très haut débit de l'Arcep (onglet « Communes », zones d'intervention)",
  regions: "code officiel géographique (INSEE)",
  niveaux: "statut du porteur de projet"
};

const criterionLabels: Record<CriterionName, string> = {
  qpv: "présence d'un quartier prioritaire (QPV)",
  frr: "commune classée France Ruralités Revitalisation",
  rural: "communes rurales (densité 5 à 7)",
  rip: "communes en zone de réseau d'initiative publique",
  regions: "région",
  niveaux: "échelle du porteur"
};

const levelNames: Record<string, string> = { epci: "de l'intercommunalité", departement: "du département", region: "de la région" };

export type Eligibility = "eligible" | "inconnu" | "non";

export interface LeverAssessment {
  lever: Lever;
  eligibility: Eligibility;
  /** One line per criterion: met, not met, or unknown with the file that settles it. */
  criteria: { label: string; met: boolean | null; officialFile?: string }[];
  status: "en cours" | "clos" | "à venir" | "dates inconnues";
  /** `du juillet 2019 au 2021`, in words. */
  period: string;
}

/** Reads and checks the catalogue; an entry with a missing field fails with its id. */
export function readLevers(file: string): Lever[] {
  let parsed: { leviers?: unknown };
  try {
    parsed = JSON.parse(readFileSync(file, "utf8")) as { leviers?: unknown };
  } catch (error) {
    throw new Error(`catalogue des leviers illisible ${file} : ${(error as Error).message}`);
  }
  if (!Array.isArray(parsed.leviers)) throw new Error(`catalogue des leviers sans liste « leviers » : ${file}`);
  return parsed.leviers.map((entry, index) => checkLever(entry as Lever, index, file));
}

function checkLever(lever: Lever, index: number, file: string): Lever {
  const where = `levier ${JSON.stringify(lever?.id ?? index)} de ${file}`;
  for (const key of ["id", "nom", "financeur", "source", "source_url"] as const) {
    if (typeof lever[key] !== "string" || !lever[key]) throw new Error(`champ « ${key} » manquant pour le ${where}`);
  }
  for (const key of ["debut", "fin"] as const) {
    const value = lever[key];
    if (value !== null && !(typeof value === "string" && /^\d{4}(-\d{2}(-\d{2})?)?$/.test(value))) {
      throw new Error(`date « ${key} » invalide pour le ${where} : ${JSON.stringify(value)} (AAAA, AAAA-MM ou AAAA-MM-JJ, ou null)`);
    }
  }
  if (lever.debut === null || lever.debut === undefined) throw new Error(`date « debut » manquante pour le ${where} (date d'ouverture du programme)`);
  if (!("fin" in lever)) throw new Error(`date « fin » manquante pour le ${where} (null pour un dispositif sans date de clôture)`);
  if (typeof lever.date_confirmee !== "boolean") throw new Error(`« date_confirmee » (true ou false) manquant pour le ${where}`);
  if (!lever.eligibilite || !Array.isArray(lever.eligibilite.criteres)) throw new Error(`« eligibilite.criteres » manquant pour le ${where}`);
  for (const c of lever.eligibilite.criteres) {
    if (!(c.critere in officialFiles)) throw new Error(`critère inconnu ${JSON.stringify(c.critere)} pour le ${where}`);
  }
  return { ...lever, montants: lever.montants ?? [], thematiques: lever.thematiques ?? [], note: lever.note ?? null };
}

/** The first or last day a catalogue date covers: `2021` ends on 31 December 2021, `2021-06` on 30 June. */
export function boundary(value: string, end: boolean): Date {
  const [y, m, d] = value.split("-").map(Number);
  if (d) return new Date(Date.UTC(y, m - 1, d));
  if (m) return end ? new Date(Date.UTC(y, m, 0)) : new Date(Date.UTC(y, m - 1, 1));
  return end ? new Date(Date.UTC(y, 11, 31)) : new Date(Date.UTC(y, 0, 1));
}

export function leverStatus(lever: Lever, date: Date): LeverAssessment["status"] {
  // The last day is open all day long: closed from the next midnight (UTC) on.
  if (lever.fin && boundary(lever.fin, true).getTime() + 86_400_000 <= date.getTime()) return "clos";
  if (lever.debut && boundary(lever.debut, false).getTime() > date.getTime()) return "à venir";
  if (!lever.debut && !lever.fin) return "dates inconnues";
  return "en cours";
}

/** `juillet 2019 – 2024`, `depuis 2019` for a lever without closing date; `(dates à confirmer)` when deduced. */
export function period(lever: Lever): string {
  const text = !lever.debut ? "dates non publiées" : lever.fin ? `${dateCatalogue(lever.debut)} – ${dateCatalogue(lever.fin)}` : `depuis ${dateCatalogue(lever.debut)}`;
  return lever.date_confirmee === false ? `${text} (dates à confirmer)` : text;
}

function evaluate(criterion: Criterion, facts: TerritoryFacts): boolean | null {
  switch (criterion.critere) {
    case "regions":
      return facts.codeRegion === null ? null : (criterion.valeurs ?? []).includes(facts.codeRegion);
    case "niveaux":
      return (criterion.valeurs ?? []).includes(facts.niveau);
    default:
      return facts[criterion.critere];
  }
}

/** Whether a territory meets a lever's criteria, criterion by criterion, and whether the lever is still open. */
export function assessLever(lever: Lever, facts: TerritoryFacts, date: Date): LeverAssessment {
  const criteria = lever.eligibilite.criteres.map((c) => {
    const met = evaluate(c, facts);
    const label = c.critere === "regions" ? `région ${(c.valeurs ?? []).join(" ou ")}` : c.critere === "niveaux" ? `porteur à l'échelle ${(c.valeurs ?? []).map((v) => levelNames[v] ?? v).join(" ou ")}` : criterionLabels[c.critere];
    return met === null ? { label, met, officialFile: officialFiles[c.critere] } : { label, met };
  });
  const results = criteria.map((c) => c.met);
  let eligibility: Eligibility;
  if (lever.eligibilite.mode === "une" && results.length > 0) {
    eligibility = results.includes(true) ? "eligible" : results.includes(null) ? "inconnu" : "non";
  } else {
    eligibility = results.includes(false) ? "non" : results.includes(null) ? "inconnu" : "eligible";
  }
  return { lever, eligibility, criteria, status: leverStatus(lever, date), period: period(lever) };
}

/**
 * The levers a fiche may offer: serving one of `themes`, open on `date` (a closed or future programme never
 * reaches a fiche; closed ones are listed apart, « pour mémoire »), and whose criteria the territory does not fail.
 * Eligible ones first, then those to confirm.
 */
export function leversFor(levers: Lever[], themes: string[], facts: TerritoryFacts, date: Date): LeverAssessment[] {
  return levers
    .filter((l) => l.thematiques.some((t) => themes.includes(t)))
    .map((l) => assessLever(l, facts, date))
    .filter((a) => a.status === "en cours" && a.eligibility !== "non")
    .sort((a, b) => specificity(a.lever, themes) - specificity(b.lever, themes) || Number(a.eligibility !== "eligible") - Number(b.eligibility !== "eligible"));
}

/** How close a lever is to the action's first themes (0 = serves its first theme), then the fewer themes the better. */
function specificity(lever: Lever, themes: string[]): number {
  const first = Math.min(...lever.thematiques.map((t) => themes.indexOf(t)).filter((i) => i >= 0));
  return first * 100 + lever.thematiques.length;
}

/** The catalogue's levers closed on `date`, for the annex « pour mémoire ». */
export function closedLevers(levers: Lever[], date: Date): Lever[] {
  return levers.filter((l) => leverStatus(l, date) === "clos");
}
