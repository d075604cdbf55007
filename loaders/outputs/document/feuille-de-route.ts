import { toCsv, type Cell } from "../exports/cells.ts";
import type { ActionSheet } from "./actions.ts";
import type { FeuilleDeRoute, SchemaDocument } from "./model.ts";

/**
 * The feuille de route in the shape of the national tool (Mon Inclusion Numérique, ANCT): a writer of the same
 * document model as the DOCX and the Markdown, so a département can re-enter or import its actions. What people
 * decide (budget, amounts, targets) is null; proposed values (dates, porteur) are marked as proposals.
 */

export interface ActionExport {
  numero: number;
  intitule: string;
  axe: string;
  contexte: string;
  description: string;
  besoins: string[];
  porteur: string;
  partenaires: string;
  budget: number | null;
  budget_postes: { poste: string; montant: number | null }[];
  cofinancements: { financeur: string; montant: number | null; statut: string; dispositif: string }[];
  date_debut: string;
  date_fin: string;
  /** EPCI SIREN and commune INSEE codes the action targets. */
  perimetre: string[];
  indicateurs: { libelle: string; valeur_reference: number | null; date_reference: string | null; cible: number | null; source: string }[];
  statut: string;
  priorite: string;
}

export interface FeuilleDeRouteExport {
  format: string;
  date: string;
  departement: { code: string; nom: string };
  perimetre: { type: "departement"; departement: string; epci: string[] };
  contrat_preexistant: null;
  contrats_possibles: string[];
  actions: ActionExport[];
}

function actionExport(a: ActionSheet): ActionExport {
  return {
    numero: a.numero,
    intitule: a.intitule,
    axe: `Axe ${a.axe.numero} — ${a.axe.titre}`,
    contexte: a.besoin,
    description: a.objectifs.join(" ; "),
    besoins: a.besoins,
    porteur: a.porteur,
    partenaires: a.partenaires,
    budget: null,
    budget_postes: a.postes.map((poste) => ({ poste, montant: null })),
    cofinancements: a.cofinancements.map((c) => ({ financeur: c.financeur, montant: c.montant, statut: c.statut, dispositif: c.levier })),
    date_debut: a.calendrier.debut,
    date_fin: a.calendrier.fin,
    perimetre: [...a.cibles.epci.map((t) => t.code), ...a.cibles.communes.map((t) => t.code)],
    indicateurs: a.indicateurs.map((i) => ({ libelle: i.libelle, valeur_reference: i.valeur_reference, date_reference: i.date_reference, cible: i.cible, source: i.source })),
    statut: a.statut,
    priorite: a.priorite
  };
}

function feuille(doc: SchemaDocument): FeuilleDeRoute {
  if (!doc.feuilleDeRoute) throw new Error(`document sans feuille de route : ${doc.title}`);
  return doc.feuilleDeRoute;
}

/** The feuille de route and its actions, as the national tool's fields. */
export function toFeuilleDeRoute(doc: SchemaDocument): FeuilleDeRouteExport {
  const f = feuille(doc);
  return {
    format: "sdin feuille de route France Numérique Ensemble, champs de Mon Inclusion Numérique (ANCT)",
    date: f.date,
    departement: f.departement,
    perimetre: { type: "departement", departement: f.departement.code, epci: f.perimetre.epci },
    contrat_preexistant: null,
    contrats_possibles: f.contrats,
    actions: f.actions.map(actionExport)
  };
}

export function toFeuilleDeRouteJson(doc: SchemaDocument): string {
  return JSON.stringify(toFeuilleDeRoute(doc), null, 2) + "\n";
}

export const csvColumns = [
  "departement",
  "numero",
  "intitule",
  "axe",
  "besoins",
  "porteur",
  "budget",
  "cofinancements",
  "date_debut",
  "date_fin",
  "perimetre",
  "indicateurs",
  "statut",
  "priorite"
];

/** One row per action; lists are joined with « | », each cofinancement and indicator as `a : b`. */
export function toFeuilleDeRouteCsv(doc: SchemaDocument): string {
  const f = toFeuilleDeRoute(doc);
  const rows: Record<string, Cell>[] = f.actions.map((a) => ({
    departement: f.departement.code,
    numero: a.numero,
    intitule: a.intitule,
    axe: a.axe,
    besoins: a.besoins.join(" | "),
    porteur: a.porteur,
    budget: a.budget,
    cofinancements: a.cofinancements.map((c) => `${c.financeur} : ${c.montant ?? "à compléter"}`).join(" | "),
    date_debut: a.date_debut,
    date_fin: a.date_fin,
    perimetre: a.perimetre.join(" | "),
    indicateurs: a.indicateurs.map((i) => `${i.libelle} : ${i.valeur_reference ?? "n.d."} (${i.date_reference ?? "date inconnue"})`).join(" | "),
    statut: a.statut,
    priorite: a.priorite
  }));
  return toCsv(csvColumns, rows);
}
