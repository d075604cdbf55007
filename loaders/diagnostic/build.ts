import type { DuckDBConnection } from "@duckdb/node-api";
import type { Config, IndexWeights } from "../io/config.ts";
import { offerKind } from "../ingest/offre/places.ts";
import { readCommuneNames, writeDoubtfulPlaces, writeDuplicates } from "./places.ts";
import { createTable, insertRows, queryPlainRows, queryRows, tableNames } from "../io/db.ts";
import { groupBy } from "../io/group.ts";
import type { PostLoadStep } from "../ingest/load.ts";
import { diagnosticCommunesSourcesSql, diagnosticLieuxSql, diagnosticOfferSql, publishedPovertySql, sourceTable } from "./communes-sql.ts";
import { writeParameters } from "./parameters.ts";
import { notePlaceSources, writeFileCoverage, type PlaceSourcesUsed } from "./coverage.ts";
import {
  candidateStops, classify, criteria, demandsBeyondReach, fragilityIndex, isBeyondReach, noThdShare, planItinerantStops, priorityScore,
  rankDescending, type CommuneReachRow, type Criterion, type GeoPoint, type LibraryRow
} from "../../src/lib/diagnostic/index.ts";
import { nearestOfEach, type NearestFound } from "./nearest.ts";
import type { ComputeThread } from "../io/worker.ts";
import { aggregateBeyondReachSql, aggregateCountSql, aggregateShareSql, countColumns, shares, withheldSharesSql } from "./shares.ts";
import { buildIndicatorSources } from "./sources.ts";
import {
  diagnosticCommunesTable,
  diagnosticEpciTable,
  diagnosticLieuxTable,
  diagnosticTerritoiresTable,
  planItineranceTable,
  povertyEstimateLabel
} from "./tables.ts";

/** Number of stops of the default itinerant-mediation plan written per département. */
export const defaultPlanStops = 10;

/**
 * The diagnostic, computed once for every commune of France inside the load: the site, the exports and the
 * documents read its tables and never recompute them.
 *
 * Work in JavaScript on this thread overlaps with SQL that DuckDB runs for other connections (each query on a
 * thread of its own) and with the search of the nearest places in the load's worker thread, so that both cores
 * work:
 * - the source tables are joined while this thread de-duplicates the places, indexes the communes' names (while
 *   DuckDB writes the de-duplicated places), then lists the doubtful places while the worker thread finds each
 *   commune's nearest places (this thread takes the last kinds of place afterwards);
 * - the offer of help is added while this thread classifies and scores the communes;
 * - the EPCI and the territories (side by side), then the sources' table, are aggregated while it plans the
 *   itinerant stops.
 * Neither side reads what the other is writing, and they never write the same table at once.
 */
export const diagnosticStep: PostLoadStep = async (context, config) => {
  const connection = context.connection;
  context.thread.preload(nearestModule);
  const side = await context.connect();
  const other = await context.connect();
  const present = await tableNames(connection);
  await createTable(connection, diagnosticCommunesTable);
  const joined = joinCommuneSources(side, present);
  const placeSourcesUsed = await alongside(joined, async () => {
    await writeParameters(connection, config);
    await writeDuplicates(connection, present, config.dedoublonnage);
    await createTable(connection, diagnosticLieuxTable);
    const lieux = (async () => {
      await connection.run(diagnosticLieuxSql(present));
      await connection.run("DROP TABLE lieux_groupes");
    })();
    // The communes' names are indexed for the doubtful places while DuckDB writes diagnostic_lieux.
    const names = await alongside(lieux, () => readCommuneNames(other));
    // The nearest places are searched in the worker thread while this one lists the doubtful places.
    const doubtful = writeDoubtfulPlaces(other, names);
    const distances = writeDistances(connection, present, context.thread, doubtful);
    await alongside(doubtful, () => distances);
    return distances;
  });
  // The scores need the distances, not the rest of the offer: computed while DuckDB adds the offer, then written.
  const offer = side.run(diagnosticOfferSql());
  await alongside(offer, () => writeCommuneScores(connection, config));
  await applyCommuneScores(connection);
  // Each aggregate query runs on one thread (35,000 communes make one DuckDB row group): the EPCI and the
  // territories are aggregated side by side, on two connections.
  const aggregates = (async () => {
    await alongside(aggregateTerritories(other), () => aggregateEpci(side, config));
    await writeFileCoverage(side, present, placeSourcesUsed);
    await buildIndicatorSources(side);
  })();
  await alongside(aggregates, () => writePlans(connection, config, present));
};

/**
 * Runs `work` while `aside` (DuckDB's work on another connection) goes on, and waits for both whatever happens:
 * the database must not close under either. A failure of `work` is the one reported, else that of `aside`.
 */
async function alongside<T>(aside: Promise<unknown>, work: () => Promise<T>): Promise<T> {
  aside.catch(() => {}); // awaited below: not an unhandled rejection in the meantime
  let result: T;
  try {
    result = await work();
  } catch (error) {
    await aside.catch(() => {});
    throw error;
  }
  await aside;
  return result;
}

/** `diagnosticCommunesSourcesSql` run on `connection` (its temporary macro is that connection's own). */
async function joinCommuneSources(connection: DuckDBConnection, present: Set<string>): Promise<void> {
  // least() ignores NULLs in DuckDB (least(1, NULL) = 1): an unknown share must stay unknown.
  await connection.run(`CREATE OR REPLACE TEMP MACRO capped(x) AS CASE WHEN x IS NULL THEN NULL ELSE least(1, x) END`);
  await connection.run(diagnosticCommunesSourcesSql(present));
}

/** The nearest-place search, run in the load's worker thread. */
const nearestModule = new URL("./nearest.ts", import.meta.url);

/**
 * Searches of `writeDistances` run on this thread rather than in the worker thread: the last two kinds (≈ 0.3 s of
 * the ≈ 0.8 s the five searches take for France), after the doubtful places.
 */
const SEARCHES_HERE = 2;

/** The kinds of place a distance is computed to (`offerKind` of the places' sources), and the column of each. */
export const placeKinds = [
  ["distance_mediation_km", "lieux-mediation"],
  ["distance_france_services_km", "france-services"],
  ["distance_aidants_connect_km", "aidants-connect"],
  ["distance_conseillers_numeriques_km", "conseillers-numeriques"]
] as const;

interface Place extends GeoPoint {
  id: string;
  nom: string;
  sources: string;
  code_departement: string | null;
}

const isOfKind = (place: Pick<Place, "sources">, kind: string) => place.sources.split("|").some((source) => offerKind(source) === kind);

/**
 * The départements a kind of place covers: those where at least one place of that kind is loaded. The files of
 * mediation places cover some territories only (la Creuse, a few councils' lists): a commune of a département
 * with no place of a kind gets no distance to that kind (it would be the distance to another territory's list),
 * and the kind is named in its `offre_non_couverte`. Coverage is read from the data, never declared.
 */
export function kindCoverage(places: readonly Pick<Place, "sources" | "code_departement">[], kind: string): Set<string> {
  const covered = new Set<string>();
  for (const p of places) if (p.code_departement && isOfKind(p, kind)) covered.add(p.code_departement);
  return covered;
}

/**
 * Distance from each commune's representative point to the nearest place of help, overall and per kind. A kind
 * not covered in the commune's département leaves its distance empty (see `kindCoverage`); the overall distance
 * uses every loaded place. Returns the sources of the places measured to, by département of the commune.
 */
async function writeDistances(connection: DuckDBConnection, present: Set<string>, thread: ComputeThread, meanwhile: Promise<unknown>): Promise<PlaceSourcesUsed> {
  const origins = await queryPlainRows<{ code_insee: string; code_departement: string; lon: number | null; lat: number | null }>(
    connection,
    `SELECT c.code_insee, c.code_departement, ct.point_lon AS lon, ct.point_lat AS lat
     FROM communes c LEFT JOIN ${sourceTable("contours", present)} ct USING (code_insee) ORDER BY c.code_insee`
  );
  const places = await queryPlainRows<Place>(
    connection,
    `SELECT id, nom, sources, code_departement, longitude AS lon, latitude AS lat FROM diagnostic_lieux
     WHERE latitude IS NOT NULL AND longitude IS NOT NULL ORDER BY id`
  );
  const perKind = placeKinds.map(([column, kind]) => ({ column, kind, covered: kindCoverage(places, kind), subset: places.filter((p) => isOfKind(p, kind)) }));
  const points = origins.map((o) => (o.lon !== null && o.lat !== null ? { lon: o.lon, lat: o.lat } : null));
  const located = points.flatMap((point, i) => (point ? [i] : []));
  const lonLat = (list: Place[]): GeoPoint[] => list.map(({ lon, lat }) => ({ lon, lat }));
  const searches = [
    { places: lonLat(places), origins: located },
    ...perKind.map(({ covered, subset }) => ({ places: lonLat(subset), origins: located.filter((i) => covered.has(origins[i].code_departement)) }))
  ];
  // The worker thread searches among all places and the first kinds while this thread does the work `meanwhile`
  // stands for (the doubtful places), then searches the last kinds itself: both threads end at about the same time.
  const split = searches.length - SEARCHES_HERE;
  const inWorker = thread.run<Parameters<typeof nearestOfEach>[0], NearestFound[]>(nearestModule, "nearestOfEach", { points, searches: searches.slice(0, split) });
  const here = await alongside(inWorker, async () => {
    await meanwhile;
    return nearestOfEach({ points, searches: searches.slice(split) });
  });
  const [all, ...byKind] = [...(await inWorker), ...here];
  const used: PlaceSourcesUsed = new Map();
  const rows = origins.map((origin, i) => {
    const nearest = all.index[i] >= 0 ? places[all.index[i]] : null;
    if (nearest) notePlaceSources(used, origin.code_departement, nearest.sources);
    const row: Record<string, string | number | null> = {
      code_insee: origin.code_insee,
      distance_lieu_km: nearest ? all.km[i] : null,
      lieu_le_plus_proche: nearest?.nom ?? null,
      lieu_le_plus_proche_id: nearest?.id ?? null
    };
    const uncovered: string[] = [];
    perKind.forEach(({ column, kind, covered, subset }, k) => {
      if (!covered.has(origin.code_departement)) uncovered.push(kind);
      const found = byKind[k].index[i];
      if (found >= 0) notePlaceSources(used, origin.code_departement, subset[found].sources);
      row[column] = found >= 0 ? byKind[k].km[i] : null;
    });
    row.offre_non_couverte = uncovered.join("|") || null;
    return row;
  });
  const spec = {
    name: "commune_distances",
    columns: {
      code_insee: "VARCHAR", distance_lieu_km: "DOUBLE", lieu_le_plus_proche: "VARCHAR", lieu_le_plus_proche_id: "VARCHAR",
      ...Object.fromEntries(placeKinds.map(([column]) => [column, "DOUBLE"])),
      offre_non_couverte: "VARCHAR"
    }
  } as const;
  await createTable(connection, spec as never);
  await insertRows(connection, spec as never, rows);
  return used;
}

interface CommuneScoreInput {
  code_insee: string;
  code_departement: string;
  population: number | null;
  part_65_plus: number | null;
  part_peu_diplomes: number | null;
  taux_pauvrete: number | null;
  part_eligible_thd30: number | null;
  part_locaux_ftth: number | null;
  distance_lieu_km: number | null;
}

/** Raw value of each criterion, oriented so that higher = more fragile. No 4G coverage file is loaded yet. */
function criterionValue(row: CommuneScoreInput, criterion: Criterion): number | null {
  switch (criterion) {
    case "no_thd":
      return row.part_eligible_thd30 === null ? null : 1 - row.part_eligible_thd30;
    case "no_4g":
      return null;
    case "older_65":
      return row.part_65_plus;
    case "low_diploma":
      return row.part_peu_diplomes;
    case "poverty":
      return row.taux_pauvrete;
  }
}

/** The scores of the communes, written to `commune_scores` by `writeCommuneScores`, set by `applyCommuneScores`. */
const communeScoresTable = {
  name: "commune_scores",
  columns: {
    code_insee: "VARCHAR", classe_no_thd: "DOUBLE", classe_no_4g: "DOUBLE", classe_older_65: "DOUBLE", classe_low_diploma: "DOUBLE",
    classe_poverty: "DOUBLE", criteres_manquants: "VARCHAR", indice_fragilite: "DOUBLE", score_priorite: "DOUBLE",
    rang_priorite: "INTEGER", population_hors_portee: "DOUBLE"
  }
} as const;

/**
 * Classes on the national distribution, index with the configured weights, priority score and rank per
 * département, into `commune_scores`. The distance is read from `commune_distances`, so that this runs while the
 * offer is being added to `diagnostic_communes`.
 */
async function writeCommuneScores(connection: DuckDBConnection, config: Config): Promise<void> {
  const rows = await queryPlainRows<CommuneScoreInput>(
    connection,
    `SELECT d.code_insee, d.code_departement, d.population, d.part_65_plus, d.part_peu_diplomes, d.taux_pauvrete,
            d.part_eligible_thd30, d.part_locaux_ftth, dist.distance_lieu_km
     FROM diagnostic_communes d LEFT JOIN commune_distances dist USING (code_insee)`
  );
  const classes = Object.fromEntries(criteria.map((c) => [c, classify(rows.map((r) => criterionValue(r, c)))])) as Record<Criterion, (number | null)[]>;
  const scored = rows.map((row, i) => {
    const own = Object.fromEntries(criteria.map((c) => [c, classes[c][i]])) as Record<Criterion, number | null>;
    const { index, missing } = fragilityIndex(own, config.weights);
    const score = priorityScore({ index, distanceKm: row.distance_lieu_km, noThdShare: noThdShare(row.part_eligible_thd30, row.part_locaux_ftth) }, config.thresholdKm);
    const beyond = row.distance_lieu_km === null ? null : isBeyondReach(row.distance_lieu_km, config.thresholdKm) ? row.population ?? 0 : 0;
    return { row, own, index, missing, score, beyond };
  });
  const ranks = new Map<string, number | null>();
  for (const group of groupBy(scored, (s) => s.row.code_departement).values()) {
    const r = rankDescending(group, (s) => s.score, (s) => s.row.code_insee);
    for (const [s, rank] of r) ranks.set(s.row.code_insee, rank);
  }
  await createTable(connection, communeScoresTable as never);
  await insertRows(connection, communeScoresTable as never, scored.map((s) => ({
    code_insee: s.row.code_insee,
    classe_no_thd: s.own.no_thd, classe_no_4g: s.own.no_4g, classe_older_65: s.own.older_65,
    classe_low_diploma: s.own.low_diploma, classe_poverty: s.own.poverty,
    criteres_manquants: s.missing.join("|") || null,
    indice_fragilite: s.index, score_priorite: s.score, rang_priorite: ranks.get(s.row.code_insee) ?? null,
    population_hors_portee: s.beyond
  })));
}

/** Sets the scores of `writeCommuneScores` in `diagnostic_communes`, once the offer is there (the same rows). */
async function applyCommuneScores(connection: DuckDBConnection): Promise<void> {
  await connection.run(`
    UPDATE diagnostic_communes d SET
      classe_no_thd = s.classe_no_thd, classe_no_4g = s.classe_no_4g, classe_older_65 = s.classe_older_65,
      classe_low_diploma = s.classe_low_diploma, classe_poverty = s.classe_poverty, criteres_manquants = s.criteres_manquants,
      indice_fragilite = s.indice_fragilite, score_priorite = s.score_priorite, rang_priorite = s.rang_priorite,
      population_hors_portee = s.population_hors_portee,
      part_population_hors_portee = s.population_hors_portee / nullif(d.population, 0)
    FROM commune_scores s WHERE s.code_insee = d.code_insee`);
  await connection.run("DROP TABLE commune_scores");
  await connection.run("DROP TABLE commune_distances");
}

/** The columns every aggregate level shares: counts added up, shares from added numerators and denominators. */
function aggregateColumnsSql(): string {
  return [
    "count(*)::INTEGER AS nb_communes",
    "sum(d.population)::INTEGER AS population",
    ...countColumns.map(aggregateCountSql),
    ...shares.map(aggregateShareSql),
    "sum(d.nb_lieux)::INTEGER AS nb_lieux",
    aggregateBeyondReachSql(),
    "count(*) FILTER (WHERE d.point_lon IS NULL)::INTEGER AS communes_sans_contour",
    withheldSharesSql(),
    "sum(d.indice_fragilite * d.population) / nullif(sum(d.population) FILTER (WHERE d.indice_fragilite IS NOT NULL), 0) AS indice_fragilite",
    "CASE WHEN count(DISTINCT d.source_publics) = 1 THEN min(d.source_publics) WHEN count(d.source_publics) > 0 THEN 'mixte' END AS source_publics"
  ].join(",\n    ");
}

/**
 * Poverty of a territory as published in the official EPCI/département/région files, when they are loaded; the
 * aggregates fall back on `publishedPovertySql`'s estimate, labelled as such in taux_pauvrete_source.
 */
function officialPovertySql(level: "epci" | "departement" | "region" | "france", key: string, present: Set<string>): string {
  return present.has("filosofi_territoires")
    ? `(SELECT taux_pauvrete / 100 FROM filosofi_territoires f WHERE f.niveau = '${level}' AND f.code = ${key})`
    : "NULL";
}

export async function aggregateEpci(connection: DuckDBConnection, config: Config): Promise<void> {
  const present = await tableNames(connection);
  await createTable(connection, diagnosticEpciTable);
  await connection.run(`
    INSERT INTO diagnostic_epci BY NAME
    WITH est AS (SELECT code AS epci_siren, taux / 100 AS taux FROM (${publishedPovertySql("c.epci_siren", present)})),
    main_dep AS (
      SELECT epci_siren, arg_max(code_departement, pop) AS code_departement
      FROM (SELECT epci_siren, code_departement, sum(population) AS pop FROM diagnostic_communes GROUP BY ALL) GROUP BY 1
    )
    SELECT d.epci_siren, any_value(d.epci_nom) AS epci_nom, any_value(e.nature) AS nature, any_value(m.code_departement) AS code_departement,
      ${aggregateColumnsSql()},
      coalesce(${officialPovertySql("epci", "d.epci_siren", present)}, any_value(est.taux)) AS taux_pauvrete,
      CASE WHEN ${officialPovertySql("epci", "d.epci_siren", present)} IS NOT NULL THEN 'epci'
           WHEN any_value(est.taux) IS NOT NULL THEN '${povertyEstimateLabel}' END AS taux_pauvrete_source,
      count(*) FILTER (WHERE d.zone_fthd = 'RIP')::INTEGER AS nb_communes_rip,
      count(*) FILTER (WHERE d.population_hors_portee > 0)::INTEGER AS nb_communes_hors_portee,
      (SELECT total FROM ${sourceTable("ifn_reference", present)} r WHERE r.niveau = 'epci' AND r.code = d.epci_siren) AS ifn_reference,
      count(*) FILTER (WHERE d.qpv)::INTEGER AS nb_communes_qpv,
      count(*) FILTER (WHERE d.frr IS NOT NULL AND d.frr <> 'Non classée')::INTEGER AS nb_communes_frr
    FROM diagnostic_communes d
    LEFT JOIN epci e USING (epci_siren)
    LEFT JOIN est USING (epci_siren)
    LEFT JOIN main_dep m USING (epci_siren)
    WHERE d.epci_siren IS NOT NULL
    GROUP BY d.epci_siren`);
  await writeEpciPriorities(connection, config);
}

/**
 * EPCI priority: the same combination as for communes, with the share of the population beyond reach standing
 * for the distance component (0 when everyone is within reach, 1 when nobody is).
 */
async function writeEpciPriorities(connection: DuckDBConnection, config: Config): Promise<void> {
  const rows = await queryRows<{ epci_siren: string; code_departement: string; indice_fragilite: number | null; part_population_hors_portee: number | null; part_eligible_thd30: number | null; part_locaux_ftth: number | null }>(
    connection,
    `SELECT epci_siren, code_departement, indice_fragilite, part_population_hors_portee, part_eligible_thd30, part_locaux_ftth FROM diagnostic_epci`
  );
  const scores = new Map(rows.map((r) => {
    const distanceKm = r.part_population_hors_portee === null ? null : r.part_population_hors_portee * 2 * config.thresholdKm;
    return [r.epci_siren, priorityScore({ index: r.indice_fragilite, distanceKm, noThdShare: noThdShare(r.part_eligible_thd30, r.part_locaux_ftth) }, config.thresholdKm)];
  }));
  const updates: { epci_siren: string; score: number | null; rang: number | null }[] = [];
  for (const group of groupBy(rows, (r) => r.code_departement).values()) {
    const ranks = rankDescending(group, (r) => scores.get(r.epci_siren) ?? null, (r) => r.epci_siren);
    for (const [r, rang] of ranks) updates.push({ epci_siren: r.epci_siren, score: scores.get(r.epci_siren) ?? null, rang });
  }
  const spec = { name: "epci_scores", columns: { epci_siren: "VARCHAR", score: "DOUBLE", rang: "INTEGER" } } as const;
  await createTable(connection, spec as never);
  await insertRows(connection, spec as never, updates);
  await connection.run(`UPDATE diagnostic_epci d SET score_priorite = s.score, rang_priorite = s.rang FROM epci_scores s WHERE s.epci_siren = d.epci_siren`);
  await connection.run("DROP TABLE epci_scores");
}

/** Département, région and France rows, for the side-by-side comparisons. */
export async function aggregateTerritories(connection: DuckDBConnection): Promise<void> {
  const present = await tableNames(connection);
  await createTable(connection, diagnosticTerritoiresTable);
  const levels = [
    { niveau: "departement", key: "d.code_departement", nom: "(SELECT nom FROM departements x WHERE x.code_departement = d.code_departement)" },
    { niveau: "region", key: "d.code_region", nom: "(SELECT nom FROM regions x WHERE x.code_region = d.code_region)" },
    { niveau: "france", key: "'FR'", nom: "'France'" }
  ];
  for (const { niveau, key, nom } of levels) {
    await connection.run(`
      INSERT INTO diagnostic_territoires BY NAME
      WITH est AS (SELECT code, taux / 100 AS taux FROM (${publishedPovertySql(key.replace("d.", "c."), present)}))
      SELECT '${niveau}' AS niveau, ${key} AS code, any_value(${nom}) AS nom,
        ${aggregateColumnsSql()},
        coalesce(${officialPovertySql(niveau as "departement", key, present)}, any_value(est.taux)) AS taux_pauvrete,
        CASE WHEN ${officialPovertySql(niveau as "departement", key, present)} IS NOT NULL THEN '${niveau}'
             WHEN any_value(est.taux) IS NOT NULL THEN '${povertyEstimateLabel}' END AS taux_pauvrete_source
      FROM diagnostic_communes d LEFT JOIN est ON est.code = ${key}
      GROUP BY ${key}`);
  }
}

/**
 * The default itinerant-mediation plan of each département: stops among public libraries and town halls,
 * bringing within reach the population of communes beyond the threshold (the rule and the candidates are the
 * core's, the same the site's planner uses).
 */
async function writePlans(connection: DuckDBConnection, config: Config, present: Set<string>): Promise<void> {
  await createTable(connection, planItineranceTable);
  const communes = await queryPlainRows<CommuneReachRow & { code_departement: string }>(
    connection,
    `SELECT code_insee, nom, code_departement, population, distance_lieu_km, point_lon, point_lat FROM diagnostic_communes ORDER BY code_insee`
  );
  const libraries = present.has("bibliotheques")
    ? await queryPlainRows<LibraryRow & { code_departement: string }>(
        connection,
        `SELECT b.id, b.nom, b.code_insee, c.code_departement, b.latitude, b.longitude
         FROM bibliotheques b JOIN communes c USING (code_insee) WHERE b.latitude IS NOT NULL AND b.longitude IS NOT NULL ORDER BY b.id`
      )
    : [];
  const librariesByDep = groupBy(libraries, (b) => b.code_departement);
  const rows = [];
  for (const [dep, group] of groupBy(communes, (c) => c.code_departement)) {
    const demands = demandsBeyondReach(group, config.thresholdKm);
    if (demands.length === 0) continue;
    const plan = planItinerantStops(candidateStops(librariesByDep.get(dep) ?? [], group), demands, defaultPlanStops, config.thresholdKm);
    rows.push(...plan.map((p, i) => ({
      code_departement: dep, ordre: i + 1, type_arret: p.stop.kind, nom: p.stop.nom, code_insee: p.stop.code_insee,
      latitude: p.stop.lat, longitude: p.stop.lon, population_gagnee: p.gain, population_cumulee: p.cumulative
    })));
  }
  await insertRows(connection, planItineranceTable, rows);
}

export type { IndexWeights };
