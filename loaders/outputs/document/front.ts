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
    ...context(ctx)
  ];
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
    heading(2, "1.1 Comment ce document a été produit"),
    ...staleSources(ctx),
    paragraph(
      `Ce document a été préparé le ${dateLongue(ctx.date)} par l'outil sdin à partir des données publiques rassemblées dans une base locale. ` +
        "Le diagnostic (chapitre 2) est écrit à partir de ces données ; chaque chiffre renvoie par un numéro entre crochets à sa source et à son millésime, listés en annexe D. " +
        "Les indicateurs sont calculés commune par commune puis additionnés (numérateurs et dénominateurs) pour les intercommunalités, le département, la région et la France : aucune moyenne de taux n'est faite. " +
        "Quand une valeur n'est pas publiée (secret statistique), elle est remplacée par celle d'un territoire englobant et signalée comme telle."
    ),
    paragraph(
      "Les axes et les actions sont proposés par des règles explicites (fichier data/regles-axes.json) ; les leviers de financement viennent du catalogue data/leviers.json, daté et sourcé. " +
        "Ces deux fichiers peuvent être modifiés et le document régénéré. Ce que les données ne disent pas — qualité de l'accompagnement, horaires réels, fréquentation, besoins exprimés par les habitants — ",
      todo("compléter par les entretiens et ateliers conduits avec les acteurs")
    ),
    heading(2, "1.2 Méthode d'élaboration et gouvernance"),
    paragraph("Instances de pilotage et calendrier d'élaboration : ", todo("comité de pilotage, comité technique, dates des ateliers")),
    paragraph("Acteurs consultés : ", todo("liste des structures rencontrées")),
    sourceLine(`${ctx.refs.cite("Cadre national France Numérique Ensemble (circulaire du 28 juillet 2023) ; 13 millions de personnes : estimations nationales reprises par les documents de référence")}`)
  ];
}

/**
 * The annex « Sources et millésimes », built last: the numbered references cited in the document, then the
 * indicators with their source and vintage, then the files loaded (provenance) and those that were missing.
 */
export function sourcesAnnex(ctx: SchemaContext): Block[] {
  const loaded = ctx.data.provenance.filter((p) => p.status !== "absent");
  const absent = ctx.data.provenance.filter((p) => p.status === "absent");
  const indicators = [...ctx.data.sources.values()];
  const references = ctx.refs.list();
  const blocks: Block[] = [
    heading(2, "Annexe D — Sources et millésimes", true),
    paragraph("Les références entre crochets (« [3] ») des tableaux, des cartes et du texte renvoient à la liste ci-dessous.")
  ];
  if (references.length) {
    blocks.push({
      kind: "table",
      caption: "Références citées",
      headers: ["Réf.", "Source et millésime"],
      rows: references.map((r) => [`[${r.number}]`, r.text]),
      widths: [0.8, 9]
    });
  }
  if (indicators.length) {
    blocks.push({
      kind: "table",
      caption: "Indicateurs, sources et millésimes",
      headers: ["Indicateur", "Source", "Millésime"],
      numeric: [false, false, false],
      rows: indicators.map((s) => [s.libelle ?? s.indicateur, s.source ?? "non renseignée", s.millesime ?? "non renseigné"]),
      widths: [3, 4, 3]
    });
  }
  if (loaded.length) {
    blocks.push({
      kind: "table",
      caption: "Fichiers de données chargés",
      headers: ["Fichier", "Producteur", "Millésime", "Lignes"],
      rows: provenanceRows(loaded),
      numeric: [false, false, false, true],
      widths: [4.4, 2.4, 2.2, 1],
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

/**
 * One row per loaded file, except that many files of one source from one publisher (one outline per département,
 * the referential package's four files) are one row with the count of the files and their rows: a hundred identical
 * lines say nothing to the reader, and files of different publishers are never merged into one row.
 */
function provenanceRows(loaded: SchemaContext["data"]["provenance"]): string[][] {
  const groups = new Map<string, typeof loaded>();
  for (const p of loaded) {
    const key = `${p.source ?? p.title ?? ""}\u0000${p.publisher ?? ""}`;
    groups.set(key, [...(groups.get(key) ?? []), p]);
  }
  return [...groups.values()].flatMap((files) => {
    if (files.length <= 3) return files.map((p) => [p.title ?? p.source ?? "", p.publisher ?? "", p.vintage ?? "", nombre(p.rows_loaded)]);
    const [first, last] = [files[0], files[files.length - 1]];
    const rows = files.reduce((n, p) => n + (p.rows_loaded ?? 0), 0);
    return [[`${nombre(files.length)} fichiers : ${first.title ?? first.source} … ${last.title ?? last.source}`, first.publisher ?? "", first.vintage ?? "", nombre(rows)]];
  });
}
