import { territoryFacts, type ActionPlan, type SchemaContext, type Target } from "./context.ts";
import { communesOf } from "./data.ts";
import { formatValue, libelle, sourceOf, value } from "./indicators.ts";
import { leversFor, type LeverAssessment } from "./levers.ts";

/**
 * The feuille de route's actions as plain records, decided once from the context: the fiches of the schéma and the
 * export for the national tool (Mon Inclusion Numérique) are both written from them. `null` marks what people must
 * decide (« À compléter » in the document, empty in the export).
 */

export interface IndicatorBaseline {
  indicateur: string;
  libelle: string;
  valeur_reference: number | null;
  /** The figure as printed: `31,6 %`. */
  valeur_texte: string;
  /** Vintage of the source (`2021`, `2024T2`), the baseline's date. */
  date_reference: string | null;
  source: string;
  cible: null;
}

export interface Cofinancement {
  financeur: string;
  montant: number | null;
  statut: "à solliciter";
  levier: string;
}

export interface ActionSheet {
  numero: number;
  axe: { numero: number; id: string; titre: string; objectif: string };
  id: string;
  intitule: string;
  besoin: string;
  objectifs: string[];
  publics: string;
  /** The count of the public on the département, with its label. */
  publicCompte: { valeur: number; libelle: string; indicateur: string } | null;
  cibles: { epci: Target[]; communes: Target[]; indicateur: string };
  porteur: string;
  partenaires: string;
  besoins: string[];
  calendrier: { debut: string; fin: string; etapes: [string, string][] };
  postes: string[];
  /** Open levers the action can ask, eligible ones first. */
  leviers: LeverAssessment[];
  cofinancements: Cofinancement[];
  indicateurs: IndicatorBaseline[];
  articulation: [string, string | null][];
  statut: string;
  priorite: "haute" | "moyenne";
}

/** A fiche lists the closest open levers; the whole catalogue is in chapter 5. */
const MAX_LEVERS = 6;

const defaultArticulation: Record<string, string | null> = {
  SDTAN: "vérifier la desserte très haut débit des lieux d'accueil",
  SDAASAP: null,
  CRTE: null,
  SDUN: null
};

/** Proposed calendar of a roadmap adopted in the year after the document: start next January, for the action's duration. */
function calendar(date: Date, years: number): { debut: string; fin: string } {
  const start = date.getUTCFullYear() + 1;
  return { debut: `${start}-01`, fin: `${start + Math.max(1, years) - 1}-12` };
}

/** The date of a vintage: `2024T2` and `2021` as they are, the first year of a longer text (`indicateurs 2020 …` → `2020`). */
export function referenceDate(millesime: string | null): string | null {
  if (!millesime) return null;
  return /^\d{4}(T\d|-\d{2}(-\d{2})?)?$/.test(millesime) ? millesime : (/\d{4}(T\d)?/.exec(millesime)?.[0] ?? millesime);
}

export function baselineOf(ctx: SchemaContext, indicator: string): IndicatorBaseline {
  const v = value(ctx.data.departement, indicator);
  const source = ctx.data.sources.get(indicator);
  return {
    indicateur: indicator,
    libelle: libelle(indicator),
    valeur_reference: v,
    valeur_texte: formatValue(indicator, v),
    date_reference: referenceDate(source?.millesime ?? null),
    source: sourceOf(ctx.data, indicator),
    cible: null
  };
}

/** The action record of one fiche. */
export function actionSheet(ctx: SchemaContext, plan: ActionPlan): ActionSheet {
  const { action, axis } = plan;
  const communes = [...new Set([...plan.cibles.epci.flatMap((e) => communesOf(ctx.data, e.code)), ...ctx.data.communes.filter((c) => plan.cibles.communes.some((t) => t.code === c.code_insee))])];
  const facts = territoryFacts(communes.length ? communes : ctx.data.communes, "departement");
  const leviers = leversFor(ctx.levers, action.leviers, facts, ctx.date).slice(0, MAX_LEVERS);
  const count = action.public_compte ? value(ctx.data.departement, action.public_compte.indicateur) : null;
  return {
    numero: plan.numero,
    axe: { numero: plan.axisNumber, id: axis.id, titre: axis.titre, objectif: axis.objectif },
    id: action.id,
    intitule: action.intitule,
    besoin: action.besoin,
    objectifs: action.objectifs,
    publics: action.publics,
    publicCompte: action.public_compte && count !== null ? { valeur: count, libelle: action.public_compte.libelle, indicateur: action.public_compte.indicateur } : null,
    cibles: { ...plan.cibles, indicateur: action.cibles.indicateur },
    porteur: action.porteur,
    partenaires: action.partenaires,
    besoins: action.besoins,
    calendrier: { ...calendar(ctx.date, action.duree_annees), etapes: action.etapes },
    postes: action.postes,
    leviers,
    cofinancements: leviers
      .filter((l) => l.eligibility === "eligible" && !/sans subvention/.test(l.lever.financeur))
      .slice(0, 3)
      .map((l) => ({ financeur: l.lever.financeur, montant: null, statut: "à solliciter" as const, levier: l.lever.nom })),
    indicateurs: action.indicateurs.map((i) => baselineOf(ctx, i)),
    articulation: Object.entries({ ...defaultArticulation, ...(action.articulation ?? {}) }),
    statut: "proposée par le diagnostic",
    priorite: action.priorite
  };
}

export function actionSheets(ctx: SchemaContext): ActionSheet[] {
  return ctx.fiches.map((f) => actionSheet(ctx, f));
}
