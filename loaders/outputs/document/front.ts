import type { SchemaContext } from "./context.ts";
import { dateLongue, nombre } from "./format.ts";
import { staleSources } from "./freshness.ts";
import { heading, list, paragraph, sourceLine, todo, type Block } from "./model.ts";

/** Cover, table of contents, how the document was produced, context and method. */
export function frontMatter(ctx: SchemaContext): Block[] {
  const d = ctx.data.departement;
  return [
    {
      kind: "cover",
      surtitre: "Feuille de route territoriale France Numérique Ensemble",
      titre: "Schéma départemental d'inclusion numérique",
      territoire: `${d.nom} (${ctx.data.code})`,
      mentions: [
        [{ text: "Document de travail", bold: true }, ` — version générée le ${dateLongue(ctx.date)} à partir des données ouvertes.`],
        ["Les parties surlignées ", todo(), " sont à rédiger ou à valider par le comité de pilotage."],
        ["Porteurs : ", todo("préfecture, Département, intercommunalités signataires")]
      ]
    },
    { kind: "toc", titre: "Sommaire" },
    ...production(ctx),
    ...context(ctx)
  ];
}

function production(ctx: SchemaContext): Block[] {
  const loaded = ctx.data.provenance.filter((p) => p.status !== "absent");
  const absent = ctx.data.provenance.filter((p) => p.status === "absent");
  const indicators = [...ctx.data.sources.values()];
  const blocks: Block[] = [
    heading(1, "Comment ce document a été produit", true),
    paragraph(
      `Ce document a été préparé le ${dateLongue(ctx.date)} par l'outil sdin à partir des données publiques rassemblées dans une base locale. ` +
        "Le diagnostic (chapitre 2) est écrit à partir de ces données : chaque chiffre y est suivi de sa source et de son millésime. " +
        "Les axes stratégiques sont proposés par des règles explicites dont les seuils sont consignés dans le fichier data/regles-axes.json ; " +
        "les leviers de financement viennent du catalogue data/leviers.json. Ces deux fichiers peuvent être modifiés et le document régénéré."
    ),
    paragraph(
      "Méthode : les indicateurs sont calculés commune par commune puis additionnés (numérateurs et dénominateurs) pour les intercommunalités, " +
        "le département, la région et la France ; aucune moyenne de taux n'est faite. Les communes sont rattachées au code officiel géographique en vigueur. " +
        "Quand une valeur n'est pas publiée (secret statistique), elle est remplacée par celle d'un territoire englobant et signalée comme telle."
    ),
    ...staleSources(ctx),
    paragraph(
      "Ce que les données ne disent pas : la qualité de l'accompagnement, les horaires réels, la fréquentation des lieux, les besoins exprimés par les habitants. ",
      todo("compléter par les entretiens et ateliers conduits avec les acteurs")
    )
  ];
  if (indicators.length) {
    blocks.push({
      kind: "table",
      caption: "Indicateurs, sources et millésimes",
      headers: ["Indicateur", "Source", "Millésime"],
      rows: indicators.map((s) => [s.libelle ?? s.indicateur, s.source ?? "non renseignée", s.millesime ?? "non renseigné"]),
      widths: [5, 4, 1.4]
    });
  }
  if (loaded.length) {
    blocks.push({
      kind: "table",
      caption: "Fichiers de données chargés",
      headers: ["Fichier", "Producteur", "Millésime", "Lignes"],
      rows: loaded.map((p) => [p.title ?? p.source ?? "", p.publisher ?? "", p.vintage ?? "", nombre(p.rows_loaded)]),
      numeric: [false, false, false, true],
      widths: [5, 2.4, 1.4, 1.2],
      source: `registre de provenance de la base (chargement du ${loaded[0].loaded_at ? dateLongue(new Date(loaded[0].loaded_at)) : "date inconnue"})`
    });
  }
  if (absent.length) {
    blocks.push(
      paragraph("Fichiers attendus mais absents lors du chargement (les indicateurs qui en dépendent sont notés « n.d. ») :"),
      list(absent.map((p) => [`${p.title ?? p.source} (${p.publisher ?? "producteur inconnu"}, ${p.vintage ?? "millésime inconnu"})`]))
    );
  }
  return blocks;
}

function context(ctx: SchemaContext): Block[] {
  return [
    heading(1, "1. Contexte et cadre", true),
    paragraph(
      "Environ 13 millions de personnes en France utilisent peu ou pas internet, alors que les démarches administratives passent de plus en plus en ligne. " +
        "Depuis 2023, chaque département se dote d'une feuille de route territoriale France Numérique Ensemble, co-pilotée par la préfecture et les collectivités, " +
        "qui succède aux schémas départementaux d'inclusion numérique. Elle organise une médiation numérique humaine au plus près des habitants : " +
        "bibliothèques, France Services, tiers-lieux, associations, médiateurs itinérants."
    ),
    paragraph("Engagements nationaux et régionaux dans lesquels s'inscrit la feuille de route : ", todo("préciser le cadre régional et les contrats en cours")),
    heading(2, "1.1 Méthode d'élaboration et gouvernance"),
    paragraph("Instances de pilotage et calendrier d'élaboration : ", todo("comité de pilotage, comité technique, dates des ateliers")),
    paragraph("Acteurs consultés : ", todo("liste des structures rencontrées")),
    sourceLine("cadre national France Numérique Ensemble ; chiffre de 13 millions : estimations nationales reprises par les documents de référence")
  ];
}
