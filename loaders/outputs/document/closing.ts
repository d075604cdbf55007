import { cite, territoryFacts, type SchemaContext } from "./context.ts";
import { communesOf } from "./data.ts";
import { placeKindLabel } from "./diagnostic.ts";
import { dateLongue, kilometres, nombre, pourcent } from "./format.ts";
import { baseline } from "./axes.ts";
import { referenceDate } from "./actions.ts";
import { sourcesAnnex } from "./front.ts";
import { libelle, value } from "./indicators.ts";
import { assessLever, closedLevers, period } from "./levers.ts";
import { heading, paragraph, todo, type Block } from "./model.ts";

/** Chapters 5 and 6 (budget and funding, follow-up) and the annexes. */
export function closingChapters(ctx: SchemaContext): Block[] {
  return [...budget(ctx), ...followUp(ctx), ...annexes(ctx), ...closedLeversAnnex(ctx), ...sourcesAnnex(ctx)];
}

function budget(ctx: SchemaContext): Block[] {
  const facts = territoryFacts(ctx.data.communes, "departement");
  const open = ctx.levers.map((l) => assessLever(l, facts, ctx.date)).filter((a) => a.status === "en cours" && a.eligibility !== "non");
  return [
    heading(1, "5. Budget et financements", true),
    paragraph("Le budget de chaque fiche est à établir par son porteur. Le tableau récapitulatif sera complété à partir des fiches : ", todo("total par axe et par année")),
    {
      kind: "table",
      caption: "Récapitulatif budgétaire",
      headers: ["Fiche", "Action", "Budget total", "Cofinancements"],
      rows: ctx.fiches.map((f) => [String(f.numero), f.action.intitule, todo(), todo()]),
      numeric: [true, false, false, false],
      widths: [0.8, 5.6, 1.6, 1.8]
    },
    paragraph(
      `Leviers de financement ouverts au ${dateLongue(ctx.date)} (catalogue data/leviers.json, version ${ctx.rules.millesime}). Les montants sont ceux publiés par chaque programme à sa date ; ` +
        "une date suivie de « à confirmer » est déduite et doit être vérifiée auprès du financeur. Les programmes clos sont cités en annexe C, pour mémoire."
    ),
    {
      kind: "table",
      caption: "Leviers de financement ouverts",
      headers: ["Levier", "Financeur", "Période", "Source"],
      rows: open.map((a) => [a.lever.nom, a.lever.financeur, a.period, ctx.refs.cite(`${a.lever.source} (${a.lever.source_url})`)]),
      widths: [3.8, 3, 2, 1]
    }
  ];
}

function followUp(ctx: SchemaContext): Block[] {
  const indicators = [...new Set(ctx.fiches.flatMap((f) => f.action.indicateurs))];
  return [
    heading(1, "6. Suivi et évaluation", true),
    paragraph(
      "La feuille de route est suivie par des indicateurs dont la valeur de référence est celle du présent diagnostic, à la date de sa source. " +
        "Régénérer ce document après chaque mise à jour des données donne les nouvelles valeurs avec les mêmes définitions."
    ),
    {
      kind: "table",
      caption: "Indicateurs de suivi départementaux",
      headers: ["Indicateur", "Valeur de référence", "Date", "Cible", "Source"],
      rows: indicators.map((i) => [libelle(i), baseline(i, value(ctx.data.departement, i)), referenceDate(ctx.data.sources.get(i)?.millesime ?? null) ?? "n.d.", todo(), cite(ctx, i)]),
      numeric: [false, true, false, false, false],
      widths: [4, 1.7, 1.3, 1.5, 1.2]
    },
    paragraph("Instance et fréquence du suivi : ", todo("comité de pilotage annuel, bilan à mi-parcours"))
  ];
}

function closedLeversAnnex(ctx: SchemaContext): Block[] {
  const closed = closedLevers(ctx.levers, ctx.date);
  return [
    heading(2, "Annexe C — Programmes clos, pour mémoire", true),
    paragraph(`Programmes du catalogue clos au ${dateLongue(ctx.date)} : ils ne sont proposés dans aucune fiche. Un renouvellement est à vérifier auprès du financeur.`),
    closed.length
      ? {
          kind: "table",
          headers: ["Programme", "Financeur", "Période", "Montants publiés", "Source"],
          rows: closed.map((l) => [l.nom, l.financeur, period(l), l.montants.join(" ; "), ctx.refs.cite(`${l.source} (${l.source_url})`)]),
          widths: [2.6, 1.8, 1.6, 3.2, 0.9]
        }
      : paragraph("Aucun programme clos dans le catalogue.")
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
      headers: ["Commune", "Code", "Population", "65 ans et plus", "Peu diplômés", "Pauvreté", "FttH", "Zone", "Lieux", "Distance", "Rang"],
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
      source: cite(ctx, ["population", "part_65_plus", "part_peu_diplomes", "taux_pauvrete", "part_locaux_ftth", "nb_lieux", "distance_lieu_km"])
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
      source: cite(ctx, "nb_lieux")
    });
  }
  return blocks;
}
