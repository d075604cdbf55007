import { territoryFacts, type SchemaContext } from "./context.ts";
import { communesOf } from "./data.ts";
import { placeKindLabel } from "./diagnostic.ts";
import { dateLongue, kilometres, nombre, pourcent } from "./format.ts";
import { baseline } from "./axes.ts";
import { libelle, sourceOf, sourcesOf, value } from "./indicators.ts";
import { assessLever } from "./levers.ts";
import { heading, paragraph, todo, type Block } from "./model.ts";

/** Chapters 5 and 6 (budget and funding, follow-up) and the annexes. */
export function closingChapters(ctx: SchemaContext): Block[] {
  return [...budget(ctx), ...followUp(ctx), ...annexes(ctx)];
}

function budget(ctx: SchemaContext): Block[] {
  const facts = territoryFacts(ctx.data.communes, "departement");
  const rows = ctx.levers.map((l) => {
    const a = assessLever(l, facts, ctx.date);
    const status = a.status === "clos" ? "clos" : a.status === "à venir" ? "à venir" : a.status === "dates inconnues" ? "dates à vérifier" : "ouvert";
    return [l.nom, l.financeur, a.period, status];
  });
  return [
    heading(1, "5. Budget et financements", true),
    paragraph("Le budget de chaque fiche est à établir par son pilote. Le tableau récapitulatif sera complété à partir des fiches : ", todo("total par axe et par année")),
    {
      kind: "table",
      caption: "Récapitulatif budgétaire",
      headers: ["Fiche", "Investissement", "Fonctionnement annuel", "Financements sollicités"],
      rows: ctx.fiches.map((f) => [`${f.numero} ${f.axis.intitule}`, todo(), todo(), todo()]),
      widths: [4, 1.6, 1.6, 2.4]
    },
    paragraph(
      `Catalogue des leviers de financement (fichier data/leviers.json) : état au ${dateLongue(ctx.date)}. Les montants sont ceux publiés par chaque programme à sa date ; ` +
        "un programme clos est cité pour mémoire, son renouvellement est à vérifier auprès du financeur."
    ),
    {
      kind: "table",
      caption: "Leviers de financement du catalogue",
      headers: ["Levier", "Financeur", "Période", "État à la date du document"],
      rows,
      widths: [3.6, 2.6, 2.4, 1.6],
      source: "documents de programme cités dans data/leviers.json"
    }
  ];
}

function followUp(ctx: SchemaContext): Block[] {
  const indicators = [...new Set(ctx.fiches.flatMap((f) => f.axis.indicateurs))];
  return [
    heading(1, "6. Suivi et évaluation", true),
    paragraph(
      "La feuille de route est suivie par des indicateurs dont la valeur de référence est celle du présent diagnostic. " +
        "Régénérer ce document après chaque mise à jour des données donne les nouvelles valeurs avec les mêmes définitions."
    ),
    {
      kind: "table",
      caption: "Indicateurs de suivi départementaux",
      headers: ["Indicateur", "Valeur de référence", "Cible", "Source et millésime"],
      rows: indicators.map((i) => [libelle(i), baseline(i, value(ctx.data.departement, i)), todo(), sourceOf(ctx.data, i)]),
      widths: [3.8, 1.6, 1.4, 2.6]
    },
    paragraph("Instance et fréquence du suivi : ", todo("comité de pilotage annuel, bilan à mi-parcours"))
  ];
}

function annexes(ctx: SchemaContext): Block[] {
  const blocks: Block[] = [
    heading(1, "Annexes", true),
    heading(2, "Annexe A — Communes des territoires prioritaires"),
    paragraph(
      "Une valeur de taux de pauvreté suivie de « EPCI » ou « dép. » est celle de l'intercommunalité ou du département, reprise parce que Filosofi ne publie pas la valeur de la commune."
    )
  ];
  for (const e of ctx.priorityEpci) {
    const communes = communesOf(ctx.data, e.epci_siren).sort((a, b) => (a.rang_priorite ?? 1e9) - (b.rang_priorite ?? 1e9));
    blocks.push({
      kind: "table",
      caption: `${e.epci_nom} (rang ${e.rang_priorite})`,
      headers: ["Commune", "Code", "Pop.", "65 ans +", "Peu dipl.", "Pauvreté", "FttH", "Zone", "Lieux", "Distance", "Rang"],
      rows: communes.map((c) => [
        c.nom,
        c.code_insee,
        nombre(c.population),
        pourcent(c.part_65_plus),
        pourcent(c.part_peu_diplomes),
        pourcent(c.taux_pauvrete) + (c.taux_pauvrete_source === "epci" ? " EPCI" : c.taux_pauvrete_source === "departement" ? " dép." : ""),
        pourcent(c.part_locaux_ftth),
        c.zone_fthd ?? "n.d.",
        nombre(c.nb_lieux),
        kilometres(c.distance_lieu_km),
        c.rang_priorite === null ? "—" : String(c.rang_priorite)
      ]),
      numeric: [false, false, true, true, true, true, true, false, true, true, true],
      widths: [2.3, 0.9, 1, 1, 1, 1.6, 0.9, 0.8, 0.8, 1.2, 0.8],
      source: sourcesOf(ctx.data, ["population", "part_65_plus", "part_peu_diplomes", "taux_pauvrete", "part_locaux_ftth", "nb_lieux", "distance_lieu_km"])
    });
  }
  blocks.push(heading(2, "Annexe B — Lieux d'aide au numérique par intercommunalité", true));
  const byEpci = new Map<string, typeof ctx.data.lieux>();
  for (const l of ctx.data.lieux) {
    const key = l.epci_siren ?? "";
    byEpci.set(key, [...(byEpci.get(key) ?? []), l]);
  }
  const epciNames = new Map(ctx.data.epci.map((e) => [e.epci_siren, e.epci_nom]));
  const keys = [...byEpci.keys()].sort((a, b) => (epciNames.get(a) ?? "~").localeCompare(epciNames.get(b) ?? "~", "fr"));
  if (!keys.length) blocks.push(paragraph("Aucun lieu d'aide recensé dans le département."));
  for (const key of keys) {
    const places = byEpci.get(key)!;
    blocks.push({
      kind: "table",
      caption: `${epciNames.get(key) ?? "Intercommunalité non renseignée"} — ${nombre(places.length)} lieu${places.length >= 2 ? "x" : ""}`,
      headers: ["Lieu", "Commune", "Type", "Itinérant", "Adresse"],
      rows: places.map((l) => [l.nom, l.commune ?? l.code_insee ?? "", placeKindLabel(l.sources), l.itinerance ? "oui" : "non", l.adresse ?? ""]),
      widths: [3.2, 1.8, 2.6, 0.9, 3],
      source: sourceOf(ctx.data, "nb_lieux")
    });
  }
  return blocks;
}
