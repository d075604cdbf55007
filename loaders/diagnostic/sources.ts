import type { DuckDBConnection } from "@duckdb/node-api";
import { createTable, insertRows, queryRows } from "../io/db.ts";
import { groupBy } from "../io/group.ts";
import { freshnessOf } from "../../src/lib/freshness.ts";
import { coversDepartement } from "../../src/lib/coverage.ts";
import { quarterEnd } from "../ingest/sources/arcep-deploiements.ts";
import { diagnosticSourcesDepartementsTable, diagnosticSourcesTable, fileScopesSql, povertyEstimateLabel } from "./tables.ts";

/**
 * Which source feeds each indicator, in order of preference (the first one loaded wins). Every figure the site,
 * the exports and the documents show is labelled from this table with its source and vintage.
 */
const offer = ["cartographie-nationale-lieux-mediation", "territoire-*", "anct-france-services", "aidants-connect-structures", "anct-conseillers-numeriques-structures"];
const censusDerived = "dataforgood-ifn-2020-derive";

/**
 * Which resources feed each indicator (resource ids, or prefixes of ids ending in `*`), in order of preference:
 * the first one loaded wins, except for indicators marked `all` that combine every loaded resource (the offer).
 */
const indicatorOrigins: [indicateur: string, libelle: string, resources: string[], combine?: "all"][] = [
  ["population", "Population municipale", ["insee-populations-legales", "etalab-decoupage-administratif"]],
  ["part_65_plus", "Part des 65 ans et plus", ["insee-rp-evol-struct-pop", censusDerived]],
  ["part_75_plus", "Part des 75 ans et plus", ["insee-rp-evol-struct-pop"]],
  ["part_peu_diplomes", "Part des 15 ans et plus non scolarisés sans diplôme ou avec au plus le brevet", ["insee-rp-diplomes-formation", censusDerived]],
  ["part_menages_seuls", "Part des ménages d'une personne", ["insee-rp-coupl-fam-men", censusDerived]],
  ["part_80_plus_seuls", "Part des 80 ans et plus vivant seuls", ["insee-rp-coupl-fam-men"]],
  ["part_familles_mono", "Part des familles monoparentales", ["insee-rp-coupl-fam-men", censusDerived]],
  ["taux_chomage", "Taux de chômage des 15-64 ans (au sens du recensement)", ["insee-rp-emploi-pop-active"]],
  ["taux_pauvrete", "Taux de pauvreté au seuil de 60 % (repli EPCI ou département si secret)", ["insee-filosofi-com"]],
  ["part_locaux_ftth", "Part des locaux raccordables à la fibre (FttH)", ["arcep-deploiements-xlsx", "arcep-deploiements-2018t1-ftth-communes"]],
  ["zone_fthd", "Zone réglementaire du déploiement FttH (ZTD, AMII, AMEL, RIP)", ["arcep-deploiements-xlsx", "arcep-deploiements-2018t1-communes"]],
  ["part_eligible_thd30", "Part des locaux éligibles à 30 Mbit/s ou plus (filaire)", ["arcep-ma-connexion-internet-terrestre", "arcep-ma-connexion-internet-2019"]],
  ["part_eligible_bhd8", "Part des locaux éligibles à 8 Mbit/s ou plus (filaire)", ["arcep-ma-connexion-internet-terrestre", "arcep-ma-connexion-internet-2019"]],
  ["part_eligible_thd100", "Part des locaux éligibles à 100 Mbit/s ou plus (filaire)", ["arcep-ma-connexion-internet-terrestre", "arcep-ma-connexion-internet-2019"]],
  ["part_eligible_thd1g", "Part des locaux éligibles à 1 Gbit/s ou plus (filaire)", ["arcep-ma-connexion-internet-terrestre", "arcep-ma-connexion-internet-2019"]],
  ["nb_lieux", "Lieux d'aide au numérique (toutes sources, dédoublonnés)", offer, "all"],
  ["nb_france_services", "France Services", ["anct-france-services"]],
  ["distance_lieu_km", "Distance au lieu d'aide le plus proche (à vol d'oiseau, depuis le point représentatif de la commune)", ["etalab-contours-communes", "france-geojson-communes-*", ...offer], "all"],
  ["ifn_reference", "Indice de fragilité numérique publié par La MedNum", ["lamednum-ifn-communes"]],
  ["frr", "Classement France Ruralités Revitalisation", ["dgcl-frr"]],
  ["densite_code", "Grille communale de densité (7 niveaux)", ["ot-grille-densite"]],
  ["qpv", "Commune accueillant un quartier prioritaire (QPV 2024)", ["anct-qpv-2024-liste", "anct-qpv-2024-communes"]],
  ["nb_bibliotheques", "Bibliothèques publiques", ["culture-adresses-bibliotheques"]]
];

interface LoadedSource {
  id: string;
  derived: boolean;
  title: string;
  publisher: string;
  vintage: string;
  url: string;
  date_reference: string | null;
  remplacement: string | null;
  loaded_at: string;
}

/**
 * Where one column of diagnostic_communes can take each commune's value from a different edition (the newest
 * one that has the commune): how many communes each edition gave, as (label, communes) rows, for France or, with
 * `perDepartement`, for each département (column `d`).
 */
const vintageSplits: Record<string, (present: Set<string>, perDepartement: boolean) => string | null> = {
  ftth: (_, per) =>
    `SELECT ${per ? "code_departement AS d, " : ""}ftth_trimestre AS v, count(*)::INTEGER AS n FROM diagnostic_communes
     WHERE ftth_trimestre IS NOT NULL GROUP BY ALL ORDER BY ${per ? "d, " : ""}v DESC`,
  census: (_, per) =>
    `SELECT ${per ? "code_departement AS d, " : ""}CASE source_publics WHEN 'insee' THEN '${censusEditions.insee}' ELSE '${censusEditions.derive}' END AS v,
       count(*)::INTEGER AS n
     FROM diagnostic_communes WHERE source_publics IS NOT NULL GROUP BY ALL ORDER BY ${per ? "d, " : ""}v DESC`,
  eligibilite: (present, per) =>
    present.has("arcep_eligibilite")
      ? `SELECT ${per ? "c.code_departement AS d, " : ""}e.date AS v, count(*)::INTEGER AS n
         FROM (SELECT code_insee, max(date) AS date FROM arcep_eligibilite GROUP BY 1) e ${per ? "JOIN communes c USING (code_insee)" : ""}
         GROUP BY ALL ORDER BY ${per ? "d, " : ""}v DESC`
      : null
};
/** The labels of the census split: INSEE's own files, or the derived file where they lack the commune. */
const censusEditions = { insee: "recensement INSEE", derive: "fichier dérivé (RP 2017)" };

/**
 * Whether `file` (loaded for the indicator's resource pattern number `pattern`) is the edition a split's label
 * names: an Arcep quarter or date is the file's reference date (each loader sets it from what the file holds),
 * the census labels are the INSEE files (first pattern) or the derived file (the others).
 */
const isEdition: Record<keyof typeof vintageSplits, (label: string, file: LoadedSource, pattern: number) => boolean> = {
  ftth: (label, file) => file.date_reference !== null && file.date_reference === quarterEnd(label),
  census: (label, _, pattern) => (label === censusEditions.insee) === (pattern === 0),
  eligibilite: (label, file) => file.date_reference !== null && file.date_reference === label
};

const splitOf: Record<string, keyof typeof vintageSplits> = {
  part_locaux_ftth: "ftth", zone_fthd: "ftth",
  part_65_plus: "census", part_peu_diplomes: "census", part_menages_seuls: "census", part_familles_mono: "census",
  part_eligible_thd30: "eligibilite", part_eligible_bhd8: "eligibilite", part_eligible_thd100: "eligibilite", part_eligible_thd1g: "eligibilite"
};

/**
 * Whether an indicator names every loaded edition (its column mixes them in France), and the text that says how
 * many communes each gave: in France, or in one département (« 2018T1 pour 255 communes » when all of its
 * communes took one of the editions).
 */
interface VintageMix {
  all: boolean;
  text: string | null;
  /** The editions' labels in the split (France's, or the département's own). */
  editions?: string[];
}

/** « 2025T3 pour 250 communes, 2018T1 pour 8 communes ». */
function splitText(rows: { v: string; n: number }[]): string {
  return rows.map((r) => `${r.v} pour ${r.n} commune${r.n > 1 ? "s" : ""}`).join(", ");
}

/** The split of a column in France, when it mixes editions; else null. */
async function mixedVintages(connection: DuckDBConnection, split: keyof typeof vintageSplits, present: Set<string>): Promise<VintageMix | null> {
  const sql = vintageSplits[split](present, false);
  if (!sql) return null;
  const rows = await queryRows<{ v: string; n: number }>(connection, sql);
  return rows.length < 2 ? null : { all: true, text: splitText(rows), editions: rows.map((r) => r.v) };
}

/** The split of a column in each département, by département code. */
async function departementSplits(connection: DuckDBConnection, split: keyof typeof vintageSplits, present: Set<string>): Promise<Map<string, VintageMix>> {
  const sql = vintageSplits[split](present, true);
  if (!sql) return new Map();
  const rows = await queryRows<{ d: string; v: string; n: number }>(connection, sql);
  return new Map([...groupBy(rows, (r) => r.d)].map(([d, group]) => [d, { all: true, text: splitText(group), editions: group.map((r) => r.v) }]));
}

export async function buildIndicatorSources(connection: DuckDBConnection): Promise<void> {
  const loaded = await queryRows<LoadedSource>(
    connection,
    `SELECT id, derived, title, publisher, vintage, url, date_reference, remplacement, loaded_at FROM provenance WHERE status = 'chargé' AND rows_loaded > 0 ORDER BY id`
  );
  const present = new Set((await queryRows<{ name: string }>(connection, `SELECT table_name AS name FROM information_schema.tables`)).map((r) => r.name));
  const mixes = new Map<string, VintageMix>();
  for (const [indicateur, , patterns] of indicatorOrigins) {
    const candidates = patterns.map((pattern) => matching(loaded, pattern)).filter((list) => list.length > 0);
    const mix = splitOf[indicateur] && candidates.length > 1 ? await mixedVintages(connection, splitOf[indicateur], present) : null;
    mixes.set(indicateur, mix ?? { all: false, text: null });
  }
  const estimates = await estimatesUsed(connection);
  const national = withPovertyEstimate(indicatorSourceRows(loaded, mixes), estimates);
  await createTable(connection, diagnosticSourcesTable);
  await insertRows(connection, diagnosticSourcesTable, national);
  await writeDepartementSources(connection, { loaded, mixes, estimates, national, present });
}

/**
 * The files of the editions a split names, from the files loaded for each pattern of the indicator. Every label
 * must be tied to a file: otherwise every edition stays named and the oldest dates the column, as for France.
 */
function editionsTaken(byPattern: LoadedSource[][], split: keyof typeof vintageSplits | undefined, mix: VintageMix): LoadedSource[] {
  const all = byPattern.flat();
  if (!split || !mix.editions) return all;
  const taken = (label: string) => byPattern.flatMap((files, pattern) => files.filter((file) => isEdition[split](label, file, pattern)));
  const found = mix.editions.map(taken);
  if (!found.every((files) => files.length > 0)) return all;
  const kept = new Set(found.flat());
  return all.filter((file) => kept.has(file)); // in the indicator's order of preference
}

/** The loaded files whose id is `pattern`, or starts with it when it ends in `*`. */
function matching(loaded: LoadedSource[], pattern: string): LoadedSource[] {
  return loaded.filter((r) => (pattern.endsWith("*") ? r.id.startsWith(pattern.slice(0, -1)) : r.id === pattern));
}

/** A row of diagnostic_sources. */
type IndicatorSourceRow = ReturnType<typeof indicatorSourceRows>[number];

/** One row of diagnostic_sources per indicator, from the files `loaded` (all of them, or those of one département). */
function indicatorSourceRows(loaded: LoadedSource[], mixes: Map<string, VintageMix>) {
  return indicatorOrigins.map(([indicateur, libelle, patterns, combine]) => {
    const byPattern = patterns.map((pattern) => matching(loaded, pattern));
    const candidates = byPattern.filter((list) => list.length > 0);
    // A column whose communes come from several editions names those its communes took (all of them for France),
    // and says how many communes each gave.
    const mix = mixes.get(indicateur) ?? { all: false, text: null };
    const used = combine === "all" ? candidates.flat() : mix.all ? editionsTaken(byPattern, splitOf[indicateur], mix) : candidates[0] ?? [];
    const label = (s: LoadedSource) => (s.derived ? `${s.publisher} (fichier dérivé, non officiel)` : s.publisher);
    // The figure is as old as the oldest file it rests on.
    const oldest = used.filter((s) => s.date_reference).sort((a, b) => a.date_reference!.localeCompare(b.date_reference!))[0];
    const freshness = oldest ? freshnessOf(oldest.date_reference!, oldest.loaded_at) : null;
    return {
      indicateur,
      libelle,
      source: used.length ? unique(used.map(label)).join(", ") : "non disponible",
      millesime: used.length ? unique(used.map((s) => s.vintage)).join(" ; ") : null,
      url: used[0]?.url ?? null,
      date_reference: freshness?.date_reference ?? null,
      age_mois: freshness?.age_mois ?? null,
      fraicheur: freshness?.fraicheur ?? null,
      a_actualiser: freshness?.a_actualiser ?? null,
      remplacement: freshness?.a_actualiser ? oldest?.remplacement ?? null : null,
      melange_millesimes: mix.text
    };
  });
}

/**
 * diagnostic_sources_departements: for each département, the indicators whose row differs once the files of
 * partial scope that do not feed it are left out (another territory's list of places, the outlines of the other
 * départements) and a column that mixes editions in France says how many of the département's own communes each
 * edition gave; with the same estimate rule for poverty.
 */
async function writeDepartementSources(
  connection: DuckDBConnection,
  { loaded, mixes, estimates, national, present }: { loaded: LoadedSource[]; mixes: Map<string, VintageMix>; estimates: EstimatesUsed; national: IndicatorSourceRow[]; present: Set<string> }
): Promise<void> {
  await createTable(connection, diagnosticSourcesDepartementsTable);
  // Without the files' coverage (a diagnostic run on its own), every file is national: no row differs.
  if (!present.has("couverture_fichiers")) return;
  const scoped = await queryRows<{ id: string; departements: string[] }>(connection, fileScopesSql);
  const scope = new Map(scoped.map((s) => [s.id, s.departements]));
  // Each split read once for every département, for the columns that mix editions in France.
  const splits = new Map<string, Map<string, VintageMix>>();
  for (const [indicateur, mix] of mixes) {
    const split = splitOf[indicateur];
    if (mix.all && split && !splits.has(split)) splits.set(split, await departementSplits(connection, split, present));
  }
  const departements = await queryRows<{ code: string }>(connection, "SELECT DISTINCT code_departement AS code FROM diagnostic_communes ORDER BY 1");
  const byIndicator = new Map(national.map((row) => [row.indicateur, row]));
  const rows = [];
  for (const { code } of departements) {
    const own = loaded.filter((file) => coversDepartement({ departements: scope.get(file.id) ?? null }, code));
    const ownMixes = new Map([...mixes].map(([indicateur, mix]) => [indicateur, mix.all ? splits.get(splitOf[indicateur])?.get(code) ?? { all: true, text: null } : mix]));
    for (const row of withPovertyEstimate(indicatorSourceRows(own, ownMixes), estimates)) {
      const same = byIndicator.get(row.indicateur);
      if (!same || JSON.stringify(same) !== JSON.stringify(row)) rows.push({ code_departement: code, ...row });
    }
  }
  await insertRows(connection, diagnosticSourcesDepartementsTable, rows);
}

/** How many EPCI and territories (départements, régions, France) have an estimated poverty rate. */
interface EstimatesUsed {
  epci: number;
  territoires: number;
}

async function estimatesUsed(connection: DuckDBConnection): Promise<EstimatesUsed> {
  const [used] = await queryRows<EstimatesUsed>(
    connection,
    `SELECT (SELECT count(*) FROM diagnostic_epci WHERE taux_pauvrete_source = '${povertyEstimateLabel}')::INTEGER AS epci,
            (SELECT count(*) FROM diagnostic_territoires WHERE taux_pauvrete_source = '${povertyEstimateLabel}')::INTEGER AS territoires`
  );
  return used;
}

/**
 * Where a poverty rate is estimated from the communes Filosofi publishes (the territory's own file not loaded),
 * the sources say so: the `taux_pauvrete` label names the estimate and a `taux_pauvrete_estimation` row gives
 * its rule, so that no estimate passes for an INSEE figure in sources.csv either.
 */
function withPovertyEstimate<T extends { indicateur: string; libelle: string; source: string; millesime: string | null; url: string | null }>(
  rows: T[],
  used: EstimatesUsed
): T[] {
  const poverty = rows.find((r) => r.indicateur === "taux_pauvrete");
  if (!poverty || poverty.source === "non disponible" || (used.epci === 0 && used.territoires === 0)) return rows;
  const estimate = {
    ...poverty,
    indicateur: "taux_pauvrete_estimation",
    libelle: "Taux de pauvreté des EPCI, départements ou régions sans fichier Filosofi de leur niveau : estimation (moyenne des communes publiées pondérée par leur nombre de personnes), non publiée par l'INSEE",
    source: `estimation sdin d'après ${poverty.source}`
  };
  return [
    ...rows.map((r) => (r === poverty ? { ...r, libelle: `${r.libelle} ; EPCI et territoires sans fichier de leur niveau : estimation d'après les communes publiées (${povertyEstimateLabel})` } : r)),
    estimate
  ];
}

function unique(values: string[]): string[] {
  return [...new Set(values)];
}
