import { territoryFacts, type FichePlan, type SchemaContext } from "./context.ts";
import { communesOf, type Commune, type Indicators } from "./data.ts";
import { placeKindLabel } from "./diagnostic.ts";
import { dateLongue, kilometres, nombre, pluriel, pourcent, rang } from "./format.ts";
import { formatValue, libelle, libelleMinuscule, sourceOf, value } from "./indicators.ts";
import { leversFor, type LeverAssessment } from "./levers.ts";
import { heading, list, paragraph, todo, type Block, type Field, type Inline } from "./model.ts";
import type { AxisDecision, TriggerResult } from "./rules.ts";

/** The fields of every fiche action, in order (DOMAIN.md §4). */
export const FICHE_FIELDS = [
  "Axe et objectif",
  "Intitulé",
  "Constat du diagnostic",
  "Objectifs opérationnels",
  "Publics cibles",
  "Territoire",
  "Pilote",
  "Partenaires",
  "Étapes et calendrier",
  "Moyens (humains, coût)",
  "Budget",
  "Financements mobilisables",
  "Indicateurs de suivi",
  "Articulation avec les autres schémas",
  "Statut",
  "Priorité"
] as const;

const operators: Record<string, string> = { ">": "supérieur à", "<": "inférieur à", ">=": "au moins égal à", "<=": "au plus égal à" };

function thresholdText(ctx: SchemaContext, r: TriggerResult): string {
  const t = r.trigger;
  if (t.seuil !== undefined) return `${operators[t.operateur]} ${formatValue(t.indicateur, t.seuil)}`;
  const ref = t.reference === "france" ? "France" : "région";
  const margin = t.marge ? ` + ${nombre(t.marge * 100, 1)} point${t.marge * 100 >= 2 ? "s" : ""}` : "";
  return `${operators[t.operateur]} la valeur ${t.reference === "france" ? "de la" : "de la"} ${ref}${margin}, soit ${formatValue(t.indicateur, r.threshold)}`;
}

/** `Part des 65 ans et plus : 31,6 % — règle : supérieur à la valeur de la France, soit 21,0 % → condition remplie.` */
export function evidence(ctx: SchemaContext, r: TriggerResult): Inline[] {
  const verdict = r.met === null ? "donnée manquante, condition non évaluée" : r.met ? "condition remplie" : "condition non remplie";
  return [
    { text: `${libelle(r.trigger.indicateur)} : ${formatValue(r.trigger.indicateur, r.value)}`, bold: r.met === true },
    ` — règle : ${thresholdText(ctx, r)} → ${verdict} (${sourceOf(ctx.data, r.trigger.indicateur)}).`
  ];
}

/** Chapter 3: the strategic axes proposed by the rules, with the evidence that triggered each. */
export function axesChapter(ctx: SchemaContext): Block[] {
  const proposed = ctx.decisions.filter((d) => d.triggered);
  const rejected = ctx.decisions.filter((d) => !d.triggered);
  const blocks: Block[] = [
    heading(1, "3. Axes stratégiques proposés", true),
    paragraph(
      `Les axes ci-dessous sont proposés à partir du diagnostic du département par des règles explicites (fichier data/regles-axes.json, version ${ctx.rules.millesime}). ` +
        "Chaque règle compare un indicateur à un seuil ou à la valeur nationale ; un axe est proposé dès qu'une de ses règles est remplie. " +
        "Les seuils sont des choix de méthode que le comité de pilotage peut discuter et modifier."
    )
  ];
  proposed.forEach((d, i) => blocks.push(...axisSection(ctx, d, i + 1)));
  if (rejected.length) {
    blocks.push(heading(2, "Axes examinés et non retenus"));
    for (const d of rejected) blocks.push(paragraph({ text: `${d.axis.titre}. `, bold: true }, ...d.results.flatMap((r) => evidence(ctx, r))));
  }
  blocks.push(paragraph("Axes ajoutés ou reformulés par le comité de pilotage : ", todo()));
  return blocks;
}

function axisSection(ctx: SchemaContext, d: AxisDecision, n: number): Block[] {
  const fiches = ctx.fiches.filter((f) => f.axis.id === d.axis.id);
  return [
    heading(2, `Axe ${n} — ${d.axis.titre}`),
    paragraph({ text: "Objectif stratégique : ", bold: true }, d.axis.objectif + "."),
    d.axis.toujours
      ? paragraph({ text: "Pourquoi cet axe : ", bold: true }, d.axis.justification ?? "axe retenu dans tous les cas.")
      : paragraph({ text: "Pourquoi cet axe : ", bold: true }, "au moins une des règles suivantes est remplie pour le département."),
    ...(d.axis.toujours ? [] : [list(d.results.map((r) => evidence(ctx, r)))]),
    paragraph({ text: "Fiches actions : ", bold: true }, fiches.map((f) => `fiche ${f.numero} (${territoryName(ctx, f)})`).join(", ") + ".")
  ];
}

function territoryName(ctx: SchemaContext, f: FichePlan): string {
  return f.epci ? f.epci.epci_nom : `département, ${ctx.data.departement.nom}`;
}

/** Chapter 4: the action plan, one fiche per axis and priority territory. */
export function actionPlanChapter(ctx: SchemaContext): Block[] {
  const blocks: Block[] = [
    heading(1, "4. Plan d'action : fiches actions", true),
    paragraph(
      `Chaque axe proposé donne une fiche action pour chaque intercommunalité prioritaire où ses règles sont aussi remplies, ou une fiche départementale sinon ; ` +
        `chacune des ${pluriel(ctx.priorityEpci.length, "intercommunalité")} prioritaires reçoit au moins une fiche. Les fiches sont pré-remplies avec les données du diagnostic ; ` +
        "ce qui relève d'une décision locale est marqué ",
      todo(),
      "."
    ),
    {
      kind: "table",
      caption: "Liste des fiches actions",
      headers: ["Fiche", "Intitulé", "Territoire", "Priorité proposée"],
      rows: ctx.fiches.map((f) => [f.numero, f.axis.intitule, territoryName(ctx, f), priorityLabel(ctx, f)]),
      widths: [0.8, 5, 3, 1.6]
    }
  ];
  for (const f of ctx.fiches) {
    blocks.push(
      heading(2, `Fiche ${f.numero} — ${territoryName(ctx, f)}`, true),
      { kind: "paragraph", runs: [{ text: f.axis.intitule, bold: true }], style: "lead" },
      { kind: "fields", entries: ficheFields(ctx, f) }
    );
  }
  return blocks;
}

function priorityLabel(ctx: SchemaContext, f: FichePlan): string {
  if (!f.epci) return "à définir";
  const r = f.epci.rang_priorite;
  return r === null ? "à définir" : r === 1 ? "haute" : r <= Math.max(2, Math.ceil(ctx.priorityEpci.length / 2)) ? "haute" : "moyenne";
}

/** Count of the fiche's target public on its territory, when the data has one. */
const publicCounts: Record<string, { indicator: keyof Indicators; label: string }> = {
  proximite: { indicator: "population_hors_portee", label: "habitants au-delà du seuil de distance d'un lieu d'aide" },
  seniors: { indicator: "pop_65_plus", label: "personnes de 65 ans et plus" },
  competences: { indicator: "peu_diplomes", label: "personnes de 15 ans et plus sans diplôme ou avec au plus le brevet" },
  precarite: { indicator: "familles_mono", label: "familles monoparentales" }
};

function ficheFields(ctx: SchemaContext, f: FichePlan): Field[] {
  const communes = f.epci ? communesOf(ctx.data, f.epci.epci_siren) : ctx.data.communes;
  const row: Partial<Indicators> = f.epci ?? ctx.data.departement;
  const facts = territoryFacts(communes, f.epci ? "epci" : "departement");
  const levers = leversFor(ctx.levers, f.axis.leviers, facts, ctx.date);
  const count = publicCounts[f.axis.id];
  const indicators = [...new Set([...f.axis.indicateurs, ...(f.axis.declencheurs ?? []).map((t) => t.indicateur)])];
  const entries: [string, Block[]][] = [
    ["Axe et objectif", [paragraph(`Axe ${f.axisNumber} — ${f.axis.titre}. Objectif : ${f.axis.objectif}.`)]],
    ["Intitulé", [paragraph({ text: f.axis.intitule, bold: true }, " — ", territoryName(ctx, f))]],
    ["Constat du diagnostic", findings(ctx, f, communes, row, indicators)],
    ["Objectifs opérationnels", [list(f.axis.objectifs_operationnels.map((o) => [o])), paragraph("Objectifs chiffrés : ", todo())]],
    [
      "Publics cibles",
      [paragraph(f.axis.publics + (count && value(row, count.indicator) !== null ? `, soit ${nombre(value(row, count.indicator))} ${count.label} sur le territoire (${sourceOf(ctx.data, count.indicator)}).` : "."))]
    ],
    ["Territoire", territory(ctx, f, communes)],
    ["Pilote", [paragraph(todo(f.epci ? `structure pilote à désigner (par exemple ${f.epci.epci_nom}, avec l'appui du Département)` : "structure pilote à désigner (Département, préfecture ou hub territorial)"))]],
    ["Partenaires", partners(ctx, f, communes)],
    [
      "Étapes et calendrier",
      [
        { kind: "table", headers: ["Étape", "Calendrier indicatif"], rows: f.axis.etapes.map(([step, when]) => [step, when]), widths: [5, 2] },
        paragraph("Dates de début et de fin : ", todo())
      ]
    ],
    ["Moyens (humains, coût)", [paragraph(`Moyens humains et matériels envisagés : ${f.axis.moyens}.`), paragraph("Coût estimé : ", todo())]],
    [
      "Budget",
      [{ kind: "table", headers: ["Poste", "Montant"], rows: [["Investissement", todo()], ["Fonctionnement annuel", todo()], ["Total sur la durée de la feuille de route", todo()]], widths: [4, 3] }]
    ],
    ["Financements mobilisables", funding(ctx, levers)],
    ["Indicateurs de suivi", followUp(ctx, row, f.axis.indicateurs, f.epci ? f.epci.epci_nom : ctx.data.departement.nom)],
    ["Articulation avec les autres schémas", articulation(f.axis.id)],
    ["Statut", [paragraph(`Proposée par le diagnostic du ${dateLongue(ctx.date)}, `, todo("à valider par le comité de pilotage"))]],
    [
      "Priorité",
      [
        paragraph(
          f.epci
            ? `Proposée : ${priorityLabel(ctx, f)} (l'intercommunalité est classée ${rang(f.epci.rang_priorite ?? 0)} sur ${nombre(ctx.data.epci.length)} par le score de priorité du diagnostic). `
            : "Action départementale. ",
          todo("priorité retenue")
        )
      ]
    ]
  ];
  return entries.map(([label, content]) => ({ label, content }));
}

function findings(ctx: SchemaContext, f: FichePlan, communes: Commune[], row: Partial<Indicators>, indicators: string[]): Block[] {
  const where = f.epci ? f.epci.epci_nom : ctx.data.departement.nom;
  const ownValue = (i: string) => (i === "part_locaux_ftth_rip" ? (f.decision.results.find((r) => r.trigger.indicateur === i)?.value ?? null) : value(row, i));
  const unavailable = indicators.filter((i) => ownValue(i) === null);
  const items: Inline[][] = indicators.filter((i) => ownValue(i) !== null).map((i) => {
    const refs = [f.epci ? `département : ${formatValue(i, value(ctx.data.departement, i === "part_locaux_ftth_rip" ? "part_locaux_ftth" : i))}` : null, ctx.data.france ? `France : ${formatValue(i, value(ctx.data.france, i))}` : null];
    const own = ownValue(i);
    const fallback = i === "taux_pauvrete" && row.taux_pauvrete_source && row.taux_pauvrete_source !== (f.epci ? "epci" : "departement") ? ` (valeur reprise de l'échelon ${row.taux_pauvrete_source === "departement" ? "départemental" : row.taux_pauvrete_source}, la valeur propre n'étant pas publiée)` : "";
    return [`${libelle(i)} : `, { text: formatValue(i, own), bold: true }, `${fallback}${i === "part_locaux_ftth_rip" ? "" : ` (${refs.filter(Boolean).join(" ; ")})`}. Source : ${sourceOf(ctx.data, i)}.`];
  });
  const blocks: Block[] = [paragraph(`Ce que le diagnostic montre pour ${f.epci ? "l'intercommunalité" : "le département"} (${where}) :`), list(items)];
  if (unavailable.length) blocks.push(paragraph({ text: "Non disponibles dans les données chargées : ", italic: true }, unavailable.map((i) => libelleMinuscule(i)).join(" ; ") + "."));
  if (f.epci) {
    const triggered = f.decision.results.filter((r) => r.met === true);
    blocks.push(
      paragraph(
        triggered.length
          ? `Règle${triggered.length >= 2 ? "s" : ""} de l'axe remplie${triggered.length >= 2 ? "s" : ""} pour ce territoire : ${triggered.map((r) => `${libelleMinuscule(r.trigger.indicateur)} ${thresholdText(ctx, r)}`).join(" ; ")}.`
          : `Fiche proposée parce que ${f.fallbackReason ?? "l'intercommunalité est prioritaire"}.`
      )
    );
  }
  const specific = axisSpecificFinding(ctx, f.axis.id, communes);
  if (specific) blocks.push(specific);
  return blocks;
}

function axisSpecificFinding(ctx: SchemaContext, axis: string, communes: Commune[]): Block | null {
  if (axis === "proximite") {
    const far = communes.filter((c) => (c.population_hors_portee ?? 0) > 0).sort((a, b) => (b.population_hors_portee ?? 0) - (a.population_hors_portee ?? 0)).slice(0, 6);
    if (!far.length) return null;
    return paragraph(`Communes les plus peuplées hors de portée : ${far.map((c) => `${c.nom} (${nombre(c.population)} hab., ${kilometres(c.distance_lieu_km)} du lieu le plus proche)`).join(", ")}. Source : ${sourceOf(ctx.data, "distance_lieu_km")}.`);
  }
  if (axis === "thd") {
    const low = communes.filter((c) => c.part_locaux_ftth !== null && (c.locaux ?? 0) > 0).sort((a, b) => a.part_locaux_ftth! - b.part_locaux_ftth!).slice(0, 6);
    if (!low.length) return null;
    return paragraph(`Communes les moins raccordables : ${low.map((c) => `${c.nom} (${pourcent(c.part_locaux_ftth)}, zone ${c.zone_fthd ?? "non renseignée"})`).join(", ")}. Source : ${sourceOf(ctx.data, "part_locaux_ftth")}.`);
  }
  if (axis === "seniors") {
    const top = communes.filter((c) => (c.population ?? 0) >= 200).sort((a, b) => (b.part_65_plus ?? 0) - (a.part_65_plus ?? 0)).slice(0, 6);
    if (!top.length) return null;
    return paragraph(`Communes de 200 habitants ou plus où la part des 65 ans et plus est la plus forte : ${top.map((c) => `${c.nom} (${pourcent(c.part_65_plus)})`).join(", ")}. Source : ${sourceOf(ctx.data, "part_65_plus")}.`);
  }
  return null;
}

function territory(ctx: SchemaContext, f: FichePlan, communes: Commune[]): Block[] {
  const population = communes.reduce((s, c) => s + (c.population ?? 0), 0);
  const priority = ctx.priorityCommunes.filter((c) => communes.includes(c));
  const ranked = communes.filter((c) => c.rang_priorite !== null).sort((a, b) => a.rang_priorite! - b.rang_priorite!).slice(0, 8);
  const first = priority.length ? priority : ranked;
  return [
    paragraph(
      f.epci
        ? `${f.epci.epci_nom}${f.epci.nature ? ` (${f.epci.nature})` : ""} : ${pluriel(communes.length, "commune")} du département, ${nombre(population)} habitants.`
        : `Ensemble du département : ${pluriel(communes.length, "commune")}, ${nombre(population)} habitants.`
    ),
    paragraph(
      `Communes à cibler en premier${priority.length ? " (communes prioritaires du département)" : " (les mieux classées du territoire par le score de priorité)"} : `,
      first.map((c) => `${c.nom} (rang ${c.rang_priorite})`).join(", ") + ". La liste complète figure en annexe A."
    ),
    paragraph("Périmètre retenu : ", todo())
  ];
}

function partners(ctx: SchemaContext, f: FichePlan, communes: Commune[]): Block[] {
  const codes = new Set(communes.map((c) => c.code_insee));
  const places = ctx.data.lieux.filter((l) => (f.epci ? l.epci_siren === f.epci.epci_siren || (l.code_insee !== null && codes.has(l.code_insee)) : true));
  const libraries = communes.reduce((s, c) => s + (c.nb_bibliotheques ?? 0), 0);
  const blocks: Block[] = [];
  if (places.length === 0) {
    blocks.push(paragraph("Aucun lieu d'aide au numérique recensé sur ce territoire : les partenaires sont à trouver dans les territoires voisins."));
  } else {
    const shown = places.slice(0, f.epci ? 12 : 8);
    blocks.push(
      paragraph(`Lieux d'aide recensés sur le territoire (${nombre(places.length)}) :`),
      list(shown.map((l) => [{ text: l.nom, bold: true }, ` (${l.commune ?? l.code_insee ?? "commune inconnue"}) — ${placeKindLabel(l.sources)}${l.itinerance ? ", itinérant" : ""}`])),
      ...(places.length > shown.length ? [paragraph(`… et ${pluriel(places.length - shown.length, "autre lieu", "autres lieux")} : voir l'annexe B.`)] : [])
    );
  }
  if (libraries > 0) blocks.push(paragraph(`${pluriel(libraries, "bibliothèque")} publique${libraries >= 2 ? "s" : ""} sur le territoire, lieux d'accueil possibles pour des permanences.`));
  blocks.push(paragraph("Autres partenaires : ", todo("CCAS, CAF, CARSAT, MSA, France Travail, associations, mairies")));
  return blocks;
}

function funding(ctx: SchemaContext, levers: LeverAssessment[]): Block[] {
  if (!levers.length) return [paragraph("Aucun levier du catalogue ne correspond à cet axe et à ce territoire. ", todo("financements identifiés localement"))];
  const items: Inline[][] = levers.map((a) => {
    const status: Inline =
      a.status === "clos"
        ? { text: `PROGRAMME CLOS (${a.period}) — cité pour mémoire`, bold: true }
        : a.status === "à venir"
          ? { text: `à venir (${a.period})`, bold: true }
          : a.status === "dates inconnues"
            ? `dates non publiées dans la source, à vérifier`
            : `ouvert (${a.period})`;
    const criteria = a.criteria.length
      ? a.criteria.map((c) => (c.met === null ? `${c.label} : inconnu pour ce territoire, à vérifier dans ${c.officialFile}` : `${c.label} : ${c.met ? "oui" : "non"}`)).join(" ; ")
      : "sans critère territorial";
    return [
      { text: a.lever.nom, bold: true },
      ` (${a.lever.financeur}) — `,
      status,
      `. ${a.lever.montants.join(" ; ")}. Éligibilité : ${a.eligibility === "eligible" ? "remplie" : "à confirmer"} (${criteria}). Source : ${a.lever.source}.`
    ];
  });
  return [list(items), paragraph("Plan de financement retenu : ", todo())];
}

function followUp(ctx: SchemaContext, row: Partial<Indicators>, indicators: string[], where: string): Block[] {
  return [
    {
      kind: "table",
      headers: ["Indicateur", `Valeur de référence (${where})`, "Cible", "Source et millésime"],
      rows: [
        ...indicators.map((i) => [libelle(i), baseline(i, value(row, i)), todo(), sourceOf(ctx.data, i)] as Inline[]),
        ["Personnes accompagnées par l'action", "0 (début de l'action)", todo(), "suivi de l'action"],
        ["Fréquentation des lieux et permanences", todo(), todo(), "suivi de l'action"]
      ],
      widths: [3.6, 1.8, 1.6, 2.4]
    }
  ];
}

/** The baseline of an indicator, or a marker that it must be measured when the data lacks it. */
export function baseline(indicator: string, v: number | null): Inline {
  return v === null ? todo("à mesurer (non disponible)") : formatValue(indicator, v);
}

function articulation(axis: string): Block[] {
  const sdtan =
    axis === "thd"
      ? "Schéma directeur territorial d'aménagement numérique (SDTAN) : calendrier de déploiement du réseau d'initiative publique à reprendre ; "
      : "Schéma directeur territorial d'aménagement numérique (SDTAN) : sans lien direct, vérifier la desserte des lieux d'accueil ; ";
  const sdaasp =
    axis === "proximite" || axis === "precarite"
      ? "Schéma départemental d'amélioration de l'accessibilité des services au public (SDAASP) : maillage France Services et permanences à mettre en cohérence ; "
      : "Schéma départemental d'amélioration de l'accessibilité des services au public (SDAASP) : ";
  return [
    list([
      [sdtan, todo("références")],
      ["Schéma directeur des usages et services numériques (SDUN) : ", todo("actions communes")],
      [sdaasp, todo("références")],
      ["Autres schémas (autonomie, insertion, lecture publique) : ", todo()]
    ])
  ];
}
