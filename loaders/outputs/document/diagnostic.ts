import { offerKind } from "../../ingest/offre/places.ts";
import { povertyEstimateLabel } from "../../diagnostic/tables.ts";
import { stopKindLabels } from "../../../src/lib/diagnostic/index.ts";
import { cite, type SchemaContext } from "./context.ts";
import { communesOf, share, sum, type Commune } from "./data.ts";
import { kilometres, nombre, pluriel, pourcent, rang } from "./format.ts";
import { formatAggregate, formatValue, isWithheld, libelle, libelleMinuscule, value } from "./indicators.ts";
import { mapBlocks } from "./maps.ts";
import { heading, paragraph, todo, type Block, type Inline } from "./model.ts";

/** Chapter 2: the diagnostic, written from the data in sentences with figures, each with its source. */
export function diagnosticChapter(ctx: SchemaContext): Block[] {
  return [
    heading(1, "2. Diagnostic", true),
    ...overview(ctx),
    ...publics(ctx),
    ...infrastructure(ctx),
    ...offer(ctx),
    heading(2, "2.5 Cartes"),
    ...mapBlocks(ctx),
    ...synthesis(ctx)
  ];
}

/** `31,6 % (région : 22,4 % ; France : 21,0 %)` */
function compared(ctx: SchemaContext, indicator: string): string {
  const { departement, region, france } = ctx.data;
  const refs = [region ? `région : ${formatAggregate(region, indicator)}` : null, france ? `France : ${formatAggregate(france, indicator)}` : null].filter(Boolean);
  return `${formatAggregate(departement, indicator)}${refs.length ? ` (${refs.join(" ; ")})` : ""}`;
}

const keyFigures = [
  "population",
  "part_65_plus",
  "part_75_plus",
  "part_peu_diplomes",
  "part_menages_seuls",
  "part_80_plus_seuls",
  "part_familles_mono",
  "taux_chomage",
  "taux_pauvrete",
  "part_locaux_ftth",
  "part_eligible_thd30",
  "nb_lieux",
  "part_population_hors_portee",
  "indice_fragilite"
];

function overview(ctx: SchemaContext): Block[] {
  const { data } = ctx;
  const d = data.departement;
  const small = data.communes.filter((c) => (c.population ?? 0) < 500).length;
  const known = keyFigures.filter((i) => value(d, i) !== null || isWithheld(d, i));
  const unknown = keyFigures.filter((i) => value(d, i) === null && !isWithheld(d, i));
  const rows = known.map((i) => [libelle(i), formatAggregate(d, i), data.region ? formatAggregate(data.region, i) : "n.d.", data.france ? formatAggregate(data.france, i) : "n.d.", cite(ctx, i)]);
  return [
    heading(2, "2.1 Le territoire en chiffres clés"),
    paragraph(
      `Le département (${d.nom}) compte ${nombre(d.population)} habitants (population municipale, ${cite(ctx, "population")}), répartis dans ${pluriel(data.communes.length, "commune")} ` +
        `et ${pluriel(data.epci.length, "intercommunalité")}. ${pluriel(small, "commune")} sur ${nombre(data.communes.length)} ${small >= 2 ? "comptent" : "compte"} moins de 500 habitants.`
    ),
    {
      kind: "table",
      caption: `Chiffres clés : ${d.nom} comparé à ${data.region ? `la région (${data.region.nom}) et ` : ""}la France`,
      headers: ["Indicateur", d.nom, data.region?.nom ?? "Région", "France", "Source"],
      rows,
      numeric: [false, true, true, true, false],
      widths: [5, 1.5, 1.5, 1.5, 1],
      source: "références de la dernière colonne ; parts calculées en rapportant les effectifs additionnés, jamais en moyennant des taux"
    },
    ...(unknown.length ? [paragraph({ text: "Indicateurs non disponibles dans les données chargées : ", italic: true }, unknown.map((i) => libelleMinuscule(i)).join(" ; ") + ".")] : [])
  ];
}

/**
 * One sentence about a public: `Les personnes de 65 ans et plus sont 1 872, soit 23,4 % (…) de la population.`,
 * without the count when only the rate is known, and nothing when the rate is unknown (listed apart instead).
 */
function publicSentence(ctx: SchemaContext, subject: string, count: number | null, indicator: string, ofWhat: string, missing: string[]): string {
  if (value(ctx.data.departement, indicator) === null) {
    missing.push(libelleMinuscule(indicator));
    return "";
  }
  return count === null
    ? `${subject} représentent ${compared(ctx, indicator)} ${ofWhat}. `
    : `${subject} sont ${nombre(count)}, soit ${compared(ctx, indicator)} ${ofWhat}. `;
}

function publics(ctx: SchemaContext): Block[] {
  const { data } = ctx;
  const d = data.departement;
  const bySource = (s: string) => data.communes.filter((c) => c.taux_pauvrete_source === s).length;
  const [own, epci, dep] = [bySource("commune"), bySource("epci"), bySource("departement")];
  const unknown = data.communes.filter((c) => c.taux_pauvrete === null).length;
  const missing: string[] = [];
  const say = (subject: string, count: number | null, indicator: string, ofWhat: string) => publicSentence(ctx, subject, count, indicator, ofWhat, missing);
  const withSource = (text: string, indicators: string[]) => (text.trim() ? paragraph(`${text.trimEnd()} ${cite(ctx, indicators)}`) : null);
  const blocks: (Block | null)[] = [
    heading(2, "2.2 Les publics exposés au risque d'exclusion numérique"),
    withSource(say("Les personnes de 65 ans et plus", d.pop_65_plus, "part_65_plus", "de la population") + say("Les 75 ans et plus", d.pop_75_plus, "part_75_plus", "de la population"), ["part_65_plus", "part_75_plus"]),
    withSource(say("Les personnes de 15 ans et plus sorties du système scolaire sans diplôme ou avec au plus le brevet", d.peu_diplomes, "part_peu_diplomes", "des 15 ans et plus non scolarisés"), ["part_peu_diplomes"]),
    withSource(
      say("Les ménages d'une seule personne", d.menages_seuls, "part_menages_seuls", "des ménages") +
        say("Les personnes de 80 ans et plus vivant seules", d.pop_80_plus_seuls, "part_80_plus_seuls", "des 80 ans et plus") +
        say("Les familles monoparentales", d.familles_mono, "part_familles_mono", "des familles"),
      ["part_menages_seuls", "part_80_plus_seuls", "part_familles_mono"]
    ),
    value(d, "taux_chomage") === null ? (missing.push(libelleMinuscule("taux_chomage")), null) : withSource(`Le taux de chômage au sens du recensement atteint ${compared(ctx, "taux_chomage")}. `, ["taux_chomage"]),
    value(d, "taux_pauvrete") === null
      ? paragraph(`Le taux de pauvreté du département n'est pas disponible dans les données chargées (${cite(ctx, "taux_pauvrete")}).`)
      : paragraph(
          `Le taux de pauvreté du département est de ${compared(ctx, "taux_pauvrete")} ${cite(ctx, "taux_pauvrete")}.` +
            (d.taux_pauvrete_source && d.taux_pauvrete_source !== "departement"
              ? ` Origine de cette valeur : ${d.taux_pauvrete_source} (ce n'est pas le taux départemental publié par Filosofi).`
              : "")
        ),
    paragraph(
      { text: "Taux de pauvreté des communes : ", bold: true },
      `Filosofi ne publie ce taux que pour ${pluriel(own, "commune")} sur ${nombre(data.communes.length)} (secret statistique pour les petites communes). ` +
        `Pour les autres, le diagnostic reprend la valeur de l'intercommunalité (${pluriel(epci, "commune")}) ou du département (${pluriel(dep, "commune")})` +
        (unknown ? `, et ${pluriel(unknown, "commune")} ${unknown >= 2 ? "restent" : "reste"} sans valeur` : "") +
        ". Dans les tableaux de ce document, une valeur reprise d'un territoire englobant est toujours signalée comme telle (« EPCI », « dép. ») : elle ne décrit pas la commune elle-même."
    ),
    missing.length ? paragraph({ text: "Non disponibles dans les données chargées : ", italic: true }, `${missing.join(" ; ")}.`) : null
  ];
  return blocks.filter((b): b is Block => b !== null);
}

function zoneLabel(zone: string | null): string {
  return { ZTD: "Zones très denses (ZTD)", AMII: "Zone AMII (engagements privés)", AMEL: "Zone AMEL (engagements locaux)", RIP: "Réseau d'initiative publique (RIP)" }[zone ?? ""] ?? "Zone non renseignée";
}

function infrastructure(ctx: SchemaContext): Block[] {
  const { data } = ctx;
  const d = data.departement;
  const quarter = data.communes.find((c) => c.ftth_trimestre)?.ftth_trimestre ?? null;
  const zones = [...new Set(data.communes.map((c) => c.zone_fthd))].sort((a, b) => (a ?? "~").localeCompare(b ?? "~"));
  const zoneRows = zones.map((z) => {
    const cs = data.communes.filter((c) => c.zone_fthd === z);
    const locaux = sum(cs, (c) => c.locaux);
    return [zoneLabel(z), nombre(cs.length), nombre(locaux), pourcent(share(sum(cs, (c) => c.locaux_ftth), locaux))];
  });
  const rip = data.communes.filter((c) => c.zone_fthd === "RIP");
  const ripShare = ctx.departementValues.part_locaux_ftth_rip ?? null;
  const lowest = data.communes
    .filter((c) => c.part_locaux_ftth !== null && (c.locaux ?? 0) > 0)
    .sort((a, b) => a.part_locaux_ftth! - b.part_locaux_ftth! || (b.population ?? 0) - (a.population ?? 0))
    .slice(0, 8);
  return [
    heading(2, "2.3 L'accès au très haut débit"),
    paragraph(
      `${quarter ? `Au ${trimestre(quarter)}, ` : ""}${nombre(d.locaux_ftth)} des ${nombre(d.locaux)} locaux du département (logements et établissements) ` +
        `sont raccordables à la fibre optique jusqu'à l'abonné (FttH), soit ${compared(ctx, "part_locaux_ftth")} ${cite(ctx, "part_locaux_ftth")}.`
    ),
    paragraph(
      rip.length
        ? `${pluriel(rip.length, "commune")} ${rip.length >= 2 ? "relèvent" : "relève"} d'un réseau d'initiative publique (RIP), construit à l'initiative des collectivités ; ` +
            `la part de locaux raccordables y est de ${pourcent(ripShare)}.`
        : "Aucune commune du département n'est recensée en zone de réseau d'initiative publique dans les données chargées.",
      ` Selon l'observatoire « Ma connexion internet », ${compared(ctx, "part_eligible_thd30")} des locaux sont éligibles à un débit d'au moins 30 Mbit/s par un réseau filaire ${cite(ctx, "part_eligible_thd30")}.`
    ),
    {
      kind: "table",
      caption: "Raccordabilité à la fibre par zone réglementaire",
      headers: ["Zone", "Communes", "Locaux", "Part raccordable FttH"],
      rows: zoneRows,
      numeric: [false, true, true, true],
      widths: [4, 1.5, 1.5, 2],
      source: cite(ctx, "part_locaux_ftth")
    },
    paragraph(
      "Communes où la part de locaux raccordables est la plus faible : ",
      lowest.map((c) => `${c.nom} (${pourcent(c.part_locaux_ftth)})`).join(", ") + "."
    )
  ];
}

const placeKinds: [string, string][] = [
  ["lieux-mediation", "Lieux de médiation numérique"],
  ["france-services", "France Services"],
  ["aidants-connect", "Structures Aidants Connect"],
  ["conseillers-numeriques", "Structures avec conseiller numérique"]
];

export function placeKindLabel(sources: string | null): string {
  const kinds = [...new Set((sources ?? "").split("|").filter(Boolean).map(offerKind))];
  return kinds.map((k) => placeKinds.find(([id]) => id === k)?.[1] ?? k).join(", ") || "non précisé";
}

function offer(ctx: SchemaContext): Block[] {
  const { data } = ctx;
  const d = data.departement;
  const libraries = sum(data.communes, (c) => c.nb_bibliotheques);
  const itinerant = data.lieux.filter((l) => l.itinerance).length;
  const withPlace = data.communes.filter((c) => (c.nb_lieux ?? 0) > 0);
  const seuil = ctx.seuilKm === null ? "au-delà du seuil de distance retenu" : `à plus de ${kilometres(ctx.seuilKm)}`;
  const beyond = data.communes.filter((c) => (c.population_hors_portee ?? 0) > 0).sort((a, b) => (b.population_hors_portee ?? 0) - (a.population_hors_portee ?? 0));
  const kindRows = placeKinds.map(([id, label]) => {
    const places = data.lieux.filter((l) => (l.sources ?? "").split("|").some((source) => offerKind(source) === id));
    return [label, nombre(places.length), nombre(places.filter((l) => l.itinerance).length)];
  });
  const perTenThousand = (row: { nb_lieux: number | null; population: number | null } | null) =>
    row && row.nb_lieux !== null && row.population ? nombre((row.nb_lieux / row.population) * 10000, 1) : "n.d.";
  const blocks: Block[] = [
    heading(2, "2.4 L'offre d'accompagnement et ses acteurs"),
    paragraph(
      `Le diagnostic recense ${pluriel(data.lieux.length, "lieu", "lieux")} d'aide au numérique dans le département après rapprochement des sources (un même lieu peut être à la fois lieu de médiation et France Services), ` +
        `dont ${nombre(itinerant)} ${itinerant >= 2 ? "proposent" : "propose"} une offre itinérante. Cela représente ${perTenThousand(d)} lieux pour 10 000 habitants ` +
        `(France : ${perTenThousand(data.france)}). ${pluriel(withPlace.length, "commune")} ${withPlace.length >= 2 ? "accueillent" : "accueille"} au moins un lieu ; ` +
        `${libraries === null ? "le nombre de bibliothèques n'est pas connu" : `${pluriel(libraries, "bibliothèque")} publique${libraries >= 2 ? "s" : ""} peuvent en outre servir de points d'appui à une médiation itinérante`}. ` +
        `Source : ${cite(ctx, ["nb_lieux"])}.`
    ),
    {
      kind: "table",
      caption: "Lieux d'aide par type",
      headers: ["Type de lieu", "Lieux", "dont itinérants"],
      rows: kindRows,
      numeric: [false, true, true],
      widths: [5, 1.5, 1.5],
      source: `${cite(ctx, "nb_lieux")} ; un lieu présent dans plusieurs sources est compté dans chaque type`
    },
    paragraph(
      `${nombre(d.population_hors_portee)} habitants, soit ${compared(ctx, "part_population_hors_portee")} de la population, vivent ${seuil} du lieu d'aide le plus proche (distance à vol d'oiseau depuis le centre de la commune). ` +
        `Ils résident dans ${pluriel(beyond.length, "commune")} ${cite(ctx, "part_population_hors_portee")}.`
    )
  ];
  if (beyond.length) {
    blocks.push({
      kind: "table",
      caption: "Communes les plus peuplées hors de portée d'un lieu d'aide",
      headers: ["Commune", "Intercommunalité", "Population", "Distance", "Lieu le plus proche"],
      rows: beyond.slice(0, 12).map((c) => [c.nom, c.epci_nom ?? "", nombre(c.population), kilometres(c.distance_lieu_km), c.lieu_le_plus_proche ?? "n.d."]),
      numeric: [false, false, true, true, false],
      widths: [2.4, 3, 1.3, 1.2, 3],
      source: cite(ctx, ["population_hors_portee", "distance_lieu_km"])
    });
  }
  if (ctx.data.plan.length) {
    const last = ctx.data.plan[ctx.data.plan.length - 1];
    blocks.push(
      paragraph(
        `Le diagnostic propose une tournée de médiation itinérante de ${pluriel(ctx.data.plan.length, "arrêt")}, choisis pour rapprocher le plus d'habitants d'une aide : ` +
          `ensemble, ils mettraient ${nombre(last.population_cumulee)} habitants à portée. Le choix définitif des arrêts appartient aux acteurs locaux.`
      ),
      {
        kind: "table",
        caption: "Tournée itinérante proposée",
        headers: ["Ordre", "Arrêt", "Type", "Habitants rapprochés", "Cumul"],
        rows: ctx.data.plan.map((s) => [String(s.ordre), `${s.nom ?? ""}${s.code_insee ? ` (${communeName(ctx, s.code_insee)})` : ""}`, stopTypes[s.type_arret ?? ""] ?? s.type_arret ?? "", nombre(s.population_gagnee), nombre(s.population_cumulee)]),
        numeric: [true, false, false, true, true],
        widths: [0.8, 3.5, 2, 1.6, 1.4],
        source: `plan d'itinérance du diagnostic ; ${cite(ctx, "population_hors_portee")}`
      }
    );
  }
  return blocks;
}

const stopTypes: Record<string, string> = stopKindLabels;

function communeName(ctx: SchemaContext, code: string): string {
  return ctx.data.communes.find((c) => c.code_insee === code)?.nom ?? code;
}

/**
 * Short marks after an EPCI's poverty rate that INSEE does not publish for it, explained under the table (a long
 * label in the cell made the column four lines deep).
 */
const povertyMarks: Record<string, { mark: string; meaning: string }> = {
  [povertyEstimateLabel]: { mark: " est.", meaning: "taux estimé d'après les communes publiées de l'intercommunalité (l'INSEE ne publie pas le sien)" },
  departement: { mark: " dép.", meaning: "taux du département" }
};

function synthesis(ctx: SchemaContext): Block[] {
  const { data } = ctx;
  const epciRows = data.epci.map((e) => [
    e.rang_priorite === null ? "—" : e.code_departement === data.code ? String(e.rang_priorite) : `— (classée avec le ${e.code_departement})`,
    e.epci_nom,
    nombre(e.population),
    formatAggregate(e, "part_65_plus"),
    formatAggregate(e, "part_peu_diplomes"),
    pourcent(e.taux_pauvrete) + (povertyMarks[e.taux_pauvrete_source ?? ""]?.mark ?? (e.taux_pauvrete_source && e.taux_pauvrete_source !== "epci" ? ` (${e.taux_pauvrete_source})` : "")),
    formatAggregate(e, "part_locaux_ftth"),
    formatAggregate(e, "part_population_hors_portee"),
    nombre(e.indice_fragilite, 1)
  ]);
  const priority = ctx.priorityEpci;
  const scoreSource = data.sources.get("score_priorite");
  const names: Inline[] = priority.length
    ? [`Les ${pluriel(priority.length, "intercommunalité")} classées en tête sont : ${priority.map((e) => `${e.epci_nom} (${rang(e.rang_priorite!)})`).join(", ")}. Les fiches actions (chapitre 4) les nomment parmi leurs territoires ciblés quand leurs chiffres les y placent.`]
    : ["Aucune intercommunalité n'a de rang de priorité dans les données chargées."];
  return [
    heading(2, "2.6 Synthèse : les territoires prioritaires"),
    paragraph(
      "Le diagnostic classe les intercommunalités et les communes selon un score de priorité qui combine la fragilité des publics, l'accès au réseau et l'éloignement de l'offre d'aide" +
        (scoreSource?.libelle ? ` (${scoreSource.libelle})` : "") +
        ". ",
      ...names
    ),
    {
      kind: "table",
      caption: "Les intercommunalités du département, par rang de priorité",
      headers: ["Rang", "Intercommunalité", "Population", "65 ans et +", "Peu diplômés", "Pauvreté", "FttH", "Hors de portée", "Indice"],
      rows: epciRows,
      numeric: [true, false, true, true, true, true, true, true, true],
      widths: [0.7, 3.4, 1.3, 1.1, 1.1, 1.3, 1, 1.1, 0.9],
      source:
        cite(ctx, ["population", "part_65_plus", "part_peu_diplomes", "taux_pauvrete", "part_locaux_ftth", "part_population_hors_portee", "indice_fragilite"]) +
        Object.entries(povertyMarks)
          .filter(([source]) => data.epci.some((e) => e.taux_pauvrete_source === source))
          .map(([, { mark, meaning }]) => ` ; « ${mark.trim()} » : ${meaning}`)
          .join("")
    },
    {
      kind: "table",
      caption: `Les ${pluriel(ctx.priorityCommunes.length, "commune")} prioritaires`,
      headers: ["Rang", "Commune", "Intercommunalité", "Population", "65 ans et +", "FttH", "Distance à un lieu", "Indice"],
      rows: ctx.priorityCommunes.map((c) => [String(c.rang_priorite), c.nom, c.epci_nom ?? "", nombre(c.population), pourcent(c.part_65_plus), pourcent(c.part_locaux_ftth), kilometres(c.distance_lieu_km), nombre(c.indice_fragilite, 1)]),
      numeric: [true, false, false, true, true, true, true, true],
      widths: [0.8, 2.4, 3, 1.2, 1.1, 1, 1.3, 0.9],
      source: cite(ctx, ["population", "part_65_plus", "part_locaux_ftth", "distance_lieu_km", "indice_fragilite"])
    },
    paragraph("Lecture partagée du diagnostic par le comité de pilotage : ", todo("points saillants retenus, besoins exprimés par les acteurs"))
  ];
}

/** A short portrait of an EPCI for its fiches: population, communes, priority communes. */
export function epciCommunes(ctx: SchemaContext, siren: string): Commune[] {
  return communesOf(ctx.data, siren);
}

/** `2024T2` → `2e trimestre 2024`. */
function trimestre(quarter: string): string {
  const m = /^(\d{4})T(\d)$/.exec(quarter);
  return m ? `${m[2] === "1" ? "1er" : `${m[2]}e`} trimestre ${m[1]}` : quarter;
}
