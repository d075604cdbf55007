import { actionSheets, type ActionSheet } from "./actions.ts";
import { cite, type SchemaContext, type Target } from "./context.ts";
import { dateCatalogue, dateLongue, nombre } from "./format.ts";
import { formatValue, libelle, libelleMinuscule, lowerFirst, value } from "./indicators.ts";
import { heading, list, paragraph, todo, type Block, type Field, type Inline } from "./model.ts";
import type { TriggerResult } from "./rules.ts";

/** The fields of every fiche action, in order (DOMAIN.md §4 and the national tool's action). */
export const FICHE_FIELDS = [
  "Axe",
  "Intitulé",
  "Constat",
  "Objectifs",
  "Publics",
  "Territoires ciblés",
  "Porteur",
  "Partenaires",
  "Besoins d'accompagnement",
  "Calendrier",
  "Budget",
  "Cofinancements",
  "Financements mobilisables",
  "Indicateurs",
  "Articulation avec les autres schémas",
  "Statut",
  "Priorité"
] as const;

const operators: Record<string, string> = { ">": "supérieur à", "<": "inférieur à", ">=": "au moins égal à", "<=": "au plus égal à" };

function thresholdText(r: TriggerResult): string {
  const t = r.trigger;
  if (t.seuil !== undefined) return `${operators[t.operateur]} ${formatValue(t.indicateur, t.seuil)}`;
  const ref = t.reference === "france" ? "France" : "région";
  const margin = t.marge ? ` + ${nombre(t.marge * 100, 1)} point${t.marge * 100 >= 2 ? "s" : ""}` : "";
  return `${operators[t.operateur]} la valeur de la ${ref}${margin}, soit ${formatValue(t.indicateur, r.threshold)}`;
}

/** `Part des 65 ans et plus : 31,6 % — règle : supérieur à la valeur de la France, soit 21,0 % → condition remplie [2].` */
export function evidence(ctx: SchemaContext, r: TriggerResult): Inline[] {
  const verdict = r.met === null ? "donnée manquante, condition non évaluée" : r.met ? "condition remplie" : "condition non remplie";
  return [
    { text: `${libelle(r.trigger.indicateur)} : ${formatValue(r.trigger.indicateur, r.value)}`, bold: r.met === true },
    ` — règle : ${thresholdText(r)} → ${verdict} ${cite(ctx, r.trigger.indicateur)}.`
  ];
}

/** Chapter 3: the strategic axes proposed by the rules, with the evidence that triggered each, and their actions. */
export function axesChapter(ctx: SchemaContext): Block[] {
  const proposed = ctx.decisions.filter((d) => d.triggered);
  const rejected = ctx.decisions.filter((d) => !d.triggered);
  const blocks: Block[] = [
    heading(1, "3. Axes stratégiques proposés", true),
    paragraph(
      `Les axes ci-dessous sont proposés à partir du diagnostic du département par des règles explicites (fichier data/regles-axes.json, version ${ctx.rules.millesime}). ` +
        "Chaque règle compare un indicateur à un seuil ou à la valeur nationale ; un axe est proposé dès qu'une de ses règles est remplie. " +
        "Chaque axe se décline en une à trois actions, qui répondent chacune à un besoin du territoire. Les seuils sont des choix de méthode que le comité de pilotage peut discuter et modifier."
    )
  ];
  proposed.forEach((d, i) => {
    const fiches = ctx.fiches.filter((f) => f.axis.id === d.axis.id);
    blocks.push(
      heading(2, `Axe ${i + 1} — ${d.axis.titre}`),
      paragraph({ text: "Objectif stratégique : ", bold: true }, d.axis.objectif + "."),
      d.axis.toujours
        ? paragraph({ text: "Pourquoi cet axe : ", bold: true }, d.axis.justification ?? "axe retenu dans tous les cas.")
        : paragraph({ text: "Pourquoi cet axe : ", bold: true }, "au moins une des règles suivantes est remplie pour le département."),
      ...(d.axis.toujours ? [] : [list(d.results.map((r) => evidence(ctx, r)))]),
      paragraph({ text: "Actions : ", bold: true }),
      list(fiches.map((f) => [`Fiche ${f.numero} : ${f.action.intitule}`]))
    );
  });
  if (rejected.length) {
    blocks.push(heading(2, "Axes examinés et non retenus"));
    for (const d of rejected) blocks.push(paragraph({ text: `${d.axis.titre}. `, bold: true }, ...d.results.flatMap((r) => evidence(ctx, r))));
  }
  blocks.push(paragraph("Axes ajoutés ou reformulés par le comité de pilotage : ", todo()));
  return blocks;
}

/** Chapter 4: the action plan, one fiche per action. */
export function actionPlanChapter(ctx: SchemaContext, sheets: ActionSheet[] = actionSheets(ctx)): Block[] {
  const blocks: Block[] = [
    heading(1, "4. Plan d'action : fiches actions", true),
    paragraph(
      `Chaque fiche décrit une action qui répond à un besoin du territoire et nomme les intercommunalités et les communes qu'elle cible en premier, avec les chiffres qui les y placent. ` +
        "Les fiches reprennent les champs d'une action de l'outil national Mon Inclusion Numérique (besoins, porteur, calendrier, budget, cofinancements) : le fichier feuille-de-route.json de l'export permet de les y reporter. " +
        "Ce qui relève d'une décision locale est marqué ",
      todo(),
      "."
    ),
    {
      kind: "table",
      caption: "Liste des fiches actions",
      headers: ["Fiche", "Axe", "Intitulé", "Priorité proposée"],
      rows: sheets.map((s) => [String(s.numero), String(s.axe.numero), s.intitule, s.priorite]),
      numeric: [true, true, false, false],
      widths: [0.8, 0.7, 6.5, 1.8]
    }
  ];
  for (const s of sheets) {
    blocks.push(
      heading(2, `Fiche ${s.numero} — ${s.intitule}`, true),
      { kind: "fields", entries: ficheFields(ctx, s) }
    );
  }
  return blocks;
}

/** Short column headers for the indicators that rank targets. */
const shortLabels: Record<string, string> = {
  rang_priorite: "Rang de priorité",
  nb_lieux: "Lieux d'aide",
  nb_conseillers_numeriques: "Conseillers numériques",
  population_hors_portee: "Habitants hors de portée",
  distance_lieu_km: "Distance au lieu d'aide",
  part_locaux_ftth: "Locaux raccordables FttH",
  part_65_plus: "Part des 65 ans et plus",
  pop_80_plus_seuls: "80 ans et plus seuls",
  part_peu_diplomes: "Part des peu diplômés",
  taux_pauvrete: "Taux de pauvreté",
  part_familles_mono: "Familles monoparentales"
};

function targetValue(indicator: string, v: number | null): string {
  if (indicator === "rang_priorite") return v === null ? "—" : String(v);
  if (indicator === "nb_conseillers_numeriques" || indicator === "pop_80_plus_seuls") return nombre(v);
  return formatValue(indicator, v);
}

function targetsTable(ctx: SchemaContext, s: ActionSheet): Block[] {
  const i = s.cibles.indicateur;
  // Ranked by the priority rank itself: no second column for the same figure.
  const byRank = i === "rang_priorite";
  const rows = (targets: Target[], kind: string) =>
    targets.map((t) => [t.nom, kind, t.code, ...(byRank ? [] : [targetValue(i, t.valeur)]), nombre(t.population), t.rang_priorite === null ? "—" : String(t.rang_priorite)] as Inline[]);
  const all = [...rows(s.cibles.epci, "EPCI"), ...rows(s.cibles.communes, "commune")];
  if (!all.length) return [paragraph("Aucun territoire ne se distingue par cet indicateur dans les données chargées : action départementale. ", todo("territoires retenus"))];
  const sources = i === "rang_priorite" ? ["indice_fragilite"] : [i === "nb_conseillers_numeriques" ? "nb_lieux" : i];
  return [
    paragraph(`Territoires à cibler en premier, classés par ${lowerFirst(shortLabels[i] ?? libelle(i))} (intercommunalités du département, puis communes) :`),
    {
      kind: "table",
      headers: ["Territoire", "Niveau", "Code", ...(byRank ? [] : [shortLabels[i] ?? libelle(i)]), "Population", "Rang de priorité"],
      rows: all,
      numeric: [false, false, false, ...(byRank ? [] : [true]), true, true],
      widths: [3.6, 1.2, 1.4, ...(byRank ? [] : [1.8]), 1.5, 1.3],
      source: cite(ctx, [...sources, "population"])
    },
    paragraph("Périmètre retenu : ", todo())
  ];
}

function ficheFields(ctx: SchemaContext, s: ActionSheet): Field[] {
  const entries: [string, Block[]][] = [
    ["Axe", [paragraph(`Axe ${s.axe.numero} — ${s.axe.titre}. Objectif stratégique : ${s.axe.objectif}.`)]],
    ["Intitulé", [paragraph({ text: s.intitule, bold: true })]],
    ["Constat", findings(ctx, s)],
    ["Objectifs", [list(s.objectifs.map((o) => [o])), paragraph("Objectifs chiffrés : ", todo())]],
    [
      "Publics",
      [paragraph(s.publics + (s.publicCompte ? `, soit ${nombre(s.publicCompte.valeur)} ${s.publicCompte.libelle} dans le département ${cite(ctx, s.publicCompte.indicateur)}.` : "."))]
    ],
    ["Territoires ciblés", targetsTable(ctx, s)],
    ["Porteur", [paragraph(`Proposé : ${s.porteur}. `, todo("porteur retenu"))]],
    ["Partenaires", [paragraph(`Proposés : ${s.partenaires}. `, todo("partenaires engagés"))]],
    ["Besoins d'accompagnement", [paragraph("Besoins au sens de l'outil national Mon Inclusion Numérique :"), list(s.besoins.map((b) => [b]))]],
    [
      "Calendrier",
      [
        paragraph(`Début proposé : ${dateCatalogue(s.calendrier.debut)} ; fin proposée : ${dateCatalogue(s.calendrier.fin)}. `, todo("dates retenues")),
        { kind: "table", headers: ["Étape", "Calendrier indicatif"], rows: s.calendrier.etapes.map(([step, when]) => [step, when]), widths: [5, 2] }
      ]
    ],
    ["Budget", [{ kind: "table", headers: ["Poste", "Montant"], rows: [...s.postes.map((p) => [p, todo()] as Inline[]), [{ text: "Total", bold: true }, todo()]], widths: [5, 2] }]],
    ["Cofinancements", cofunding(s)],
    ["Financements mobilisables", funding(ctx, s)],
    ["Indicateurs", followUp(ctx, s)],
    ["Articulation avec les autres schémas", [list(s.articulation.map(([schema, text]) => [`${schemaNames[schema] ?? schema} : `, text ? `${text}. ` : "", todo("références")]))]],
    ["Statut", [paragraph(`Proposée par le diagnostic du ${dateLongue(ctx.date)}. `, todo("à valider par le comité de pilotage"))]],
    ["Priorité", [paragraph(`Proposée : ${s.priorite}. `, todo("priorité retenue"))]]
  ];
  return entries.map(([label, content]) => ({ label, content }));
}

const schemaNames: Record<string, string> = {
  SDTAN: "Schéma directeur territorial d'aménagement numérique (SDTAN)",
  SDAASAP: "Schéma départemental d'amélioration de l'accessibilité des services au public (SDAASAP)",
  CRTE: "Contrats pour la réussite de la transition écologique (CRTE)",
  SDUN: "Schéma directeur des usages et services numériques (SDUN)"
};

function findings(ctx: SchemaContext, s: ActionSheet): Block[] {
  const { departement, france } = ctx.data;
  const indicators = [...new Set([...s.indicateurs.map((i) => i.indicateur), ...(ctx.fiches.find((f) => f.numero === s.numero)?.axis.declencheurs ?? []).map((t) => t.indicateur)])].filter(
    (i) => i !== "part_locaux_ftth_rip"
  );
  const known = indicators.filter((i) => value(departement, i) !== null);
  const items: Inline[][] = known.map((i) => [
    `${libelle(i)} : `,
    { text: formatValue(i, value(departement, i)), bold: true },
    france && value(france, i) !== null ? ` (France : ${formatValue(i, value(france, i))})` : "",
    ` ${cite(ctx, i)}, millésime ${ctx.data.sources.get(i)?.millesime ?? "non renseigné"}.`
  ]);
  const blocks: Block[] = [paragraph(s.besoin), paragraph(`Ce que le diagnostic montre pour le département (${departement.nom}) :`), list(items)];
  const missing = indicators.filter((i) => value(departement, i) === null);
  if (missing.length) blocks.push(paragraph({ text: "Non disponibles dans les données chargées : ", italic: true }, missing.map((i) => libelleMinuscule(i)).join(" ; ") + "."));
  return blocks;
}

function cofunding(s: ActionSheet): Block[] {
  const rows: Inline[][] = s.cofinancements.map((c) => [c.financeur, c.levier, todo(), c.statut]);
  rows.push([todo("autre financeur"), "", todo(), ""]);
  return [{ kind: "table", headers: ["Financeur", "Dispositif", "Montant", "Statut"], rows, widths: [3, 3.6, 1.4, 1.4] }];
}

function funding(ctx: SchemaContext, s: ActionSheet): Block[] {
  if (!s.leviers.length) return [paragraph(`Aucun levier du catalogue ouvert au ${dateLongue(ctx.date)} ne correspond à cette action. `, todo("financements identifiés localement"))];
  const items: Inline[][] = s.leviers.map((a) => {
    const criteria = a.criteria.length
      ? a.criteria.map((c) => (c.met === null ? `${c.label} : inconnu, à vérifier dans ${c.officialFile}` : `${c.label} : ${c.met ? "oui" : "non"}`)).join(" ; ")
      : "sans critère territorial";
    return [
      { text: a.lever.nom, bold: true },
      ` (${a.lever.financeur}), ${a.period}. ${a.lever.montants.join(" ; ")}. Éligibilité : ${a.eligibility === "eligible" ? "remplie" : "à confirmer"} (${criteria}) `,
      ctx.refs.cite(`${a.lever.source} (${a.lever.source_url})`),
      "."
    ];
  });
  return [paragraph(`Leviers ouverts au ${dateLongue(ctx.date)} (les programmes clos sont cités en annexe, pour mémoire) :`), list(items)];
}

function followUp(ctx: SchemaContext, s: ActionSheet): Block[] {
  return [
    {
      kind: "table",
      headers: ["Indicateur", "Valeur de référence", "Date", "Cible", "Source"],
      rows: [
        ...s.indicateurs.map((i) => [i.libelle, baseline(i.indicateur, i.valeur_reference), i.date_reference ?? "n.d.", todo(), cite(ctx, i.indicateur)] as Inline[]),
        ["Personnes accompagnées par l'action", "0", "début de l'action", todo(), "suivi de l'action"]
      ],
      numeric: [false, true, false, false, false],
      widths: [4, 1.7, 1.3, 1.5, 1.2]
    }
  ];
}

/** The baseline of an indicator, or a marker that it must be measured when the data lacks it. */
export function baseline(indicator: string, v: number | null): Inline {
  return v === null ? todo("à mesurer (non disponible)") : formatValue(indicator, v);
}
