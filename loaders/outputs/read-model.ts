import type { DuckDBConnection } from "@duckdb/node-api";
import { hasTable, queryRows, tableNames } from "../io/db.ts";
import { groupBy } from "../io/group.ts";
import { coversDepartement, quarantineOf } from "../../src/lib/coverage.ts";
import { fileScopesSql } from "../diagnostic/tables.ts";

/**
 * The read model of one département: the diagnostic tables' rows, typed, chosen and ordered once. The site's data
 * loaders, the exports and the schéma read the database through it and only through it, so that they show the
 * same communes, EPCI, places and plan. Each part is read on first use and kept (a data loader that needs the
 * communes does not pay for the outlines). Nothing is computed here beyond choosing rows.
 */

/** Counts and shares present at every level; null means unknown. */
export interface Indicators {
  population: number | null;
  pop_rp: number | null;
  pop_65_plus: number | null;
  part_65_plus: number | null;
  pop_75_plus: number | null;
  part_75_plus: number | null;
  nscol15p: number | null;
  peu_diplomes: number | null;
  part_peu_diplomes: number | null;
  menages: number | null;
  menages_seuls: number | null;
  part_menages_seuls: number | null;
  pop_80_plus: number | null;
  pop_80_plus_seuls: number | null;
  part_80_plus_seuls: number | null;
  familles: number | null;
  familles_mono: number | null;
  part_familles_mono: number | null;
  actifs_15_64: number | null;
  chomeurs_15_64: number | null;
  taux_chomage: number | null;
  taux_pauvrete: number | null;
  taux_pauvrete_source: string | null;
  locaux: number | null;
  locaux_ftth: number | null;
  part_locaux_ftth: number | null;
  locaux_eligibilite: number | null;
  locaux_eligible_thd30: number | null;
  part_eligible_thd30: number | null;
  locaux_eligible_bhd8: number | null;
  part_eligible_bhd8: number | null;
  locaux_eligible_thd100: number | null;
  part_eligible_thd100: number | null;
  locaux_eligible_thd1g: number | null;
  part_eligible_thd1g: number | null;
  nb_lieux: number | null;
  population_hors_portee: number | null;
  part_population_hors_portee: number | null;
  source_publics: string | null;
}

/** A row of diagnostic_communes. */
export interface Commune extends Indicators {
  code_insee: string;
  nom: string;
  code_departement: string;
  code_region: string | null;
  epci_siren: string | null;
  epci_nom: string | null;
  mediane_niveau_vie: number | null;
  ftth_trimestre: string | null;
  zone_fthd: string | null;
  nb_lieux_mediation: number | null;
  nb_france_services: number | null;
  nb_aidants_connect: number | null;
  nb_conseillers_numeriques: number | null;
  nb_bibliotheques: number | null;
  distance_lieu_km: number | null;
  distance_mediation_km: number | null;
  distance_france_services_km: number | null;
  distance_aidants_connect_km: number | null;
  distance_conseillers_numeriques_km: number | null;
  lieu_le_plus_proche: string | null;
  lieu_le_plus_proche_id: string | null;
  /** The nearest place is in the commune itself: say « dans la commune », not « 0,0 km ». */
  lieu_le_plus_proche_dans_commune: boolean | null;
  /** Why the nearest place's record is doubtful (lieux_a_verifier), when it is. */
  lieu_le_plus_proche_a_verifier: string | null;
  classe_no_thd: number | null;
  classe_no_4g: number | null;
  classe_older_65: number | null;
  classe_low_diploma: number | null;
  classe_poverty: number | null;
  criteres_manquants: string | null;
  indice_fragilite: number | null;
  ifn_reference: number | null;
  score_priorite: number | null;
  rang_priorite: number | null;
  frr: string | null;
  densite_code: number | null;
  densite_libelle: string | null;
  centralite: string | null;
  qpv: boolean | null;
  nb_qpv: number | null;
  point_lon: number | null;
  point_lat: number | null;
  surface_km2: number | null;
}

/** A row of diagnostic_epci. */
export interface Epci extends Indicators {
  epci_siren: string;
  epci_nom: string;
  nature: string | null;
  /** The département holding most of the EPCI's population: its rank is a rank among that département's EPCI. */
  code_departement: string | null;
  nb_communes: number | null;
  nb_communes_rip: number | null;
  nb_communes_hors_portee: number | null;
  indice_fragilite: number | null;
  ifn_reference: number | null;
  score_priorite: number | null;
  rang_priorite: number | null;
  nb_communes_qpv: number | null;
  nb_communes_frr: number | null;
}

/** A row of diagnostic_territoires (the département, its région, France). */
export interface Territoire extends Indicators {
  niveau: string;
  code: string;
  nom: string;
  nb_communes: number | null;
  indice_fragilite: number | null;
}

/** A row of diagnostic_lieux: a place of help after deduplication across sources. */
export interface Lieu {
  id: string;
  nom: string;
  sources: string | null;
  /** Every record merged into this place, `|`-joined, the kept one first. */
  ids: string | null;
  code_insee: string | null;
  commune: string | null;
  code_departement: string | null;
  epci_siren: string | null;
  adresse: string | null;
  latitude: number | null;
  longitude: number | null;
  localisation: string | null;
  typologie: string | null;
  services: string | null;
  dispositifs: string | null;
  horaires: string | null;
  itinerance: boolean | null;
  site_web: string | null;
}

/** A pair of records that may be one place, left for a person to decide (doublons_a_verifier). */
export interface DoublonAVerifier {
  code_departement: string;
  code_insee: string;
  commune: string | null;
  id_1: string;
  source_1: string;
  nom_1: string;
  adresse_1: string | null;
  id_2: string;
  source_2: string;
  nom_2: string;
  adresse_2: string | null;
  distance_m: number | null;
  score_nom: number;
  score_rue: number | null;
  score_distance: number | null;
  score: number;
}

/** A place whose record is doubtful, with the reason (lieux_a_verifier). */
export interface LieuAVerifier {
  id: string;
  nom: string;
  sources: string | null;
  code_insee: string;
  commune: string | null;
  code_departement: string | null;
  adresse: string | null;
  motif: string;
  detail: string;
}

/** Source and vintage of one indicator column (diagnostic_sources). */
export interface SourceIndicateur {
  indicateur: string;
  libelle: string | null;
  source: string | null;
  millesime: string | null;
  url: string | null;
  /** Date the data describe (oldest file used), age in months at the load, band, and the stale flag's trigger. */
  date_reference: string | null;
  age_mois: number | null;
  fraicheur: string | null;
  a_actualiser: boolean | null;
  /** The file that would replace a stale source (registry). */
  remplacement: string | null;
  /** Set when the column's communes come from different editions. */
  melange_millesimes: string | null;
}

/** One file of the provenance register. */
export interface Provenance {
  id: string;
  source: string | null;
  title: string | null;
  publisher: string | null;
  url: string | null;
  origin: string | null;
  /** The file's name as the quarantine summary gives it (`file`). */
  fichier: string | null;
  vintage: string | null;
  licence: string | null;
  derived: boolean | null;
  status: string | null;
  sha256: string | null;
  bytes: number | null;
  rows_in: number | null;
  rows_loaded: number | null;
  rows_quarantined: number | null;
  loaded_at: string | null;
  /** ISO date the file's data describe; how it was found (mirror, data.gouv.fr API, pinned URL); its replacement. */
  date_reference: string | null;
  resolution: string | null;
  url_resolue: string | null;
  last_modified: string | null;
  checksum: string | null;
  remplacement: string | null;
  /**
   * The départements the file feeds when it covers some only (one outline file per département, one list of
   * places per territory: couverture_fichiers); null for a national file (`coversDepartement`).
   */
  departements: string[] | null;
}

/** Quarantined rows of one file, summarised by reason. */
export interface QuarantineSummary {
  source: string;
  file: string;
  reason: string;
  lignes: number;
  premiere_ligne: number | null;
  colonne: string | null;
}

/** One stop of the default itinerant-mediation plan (plan_itinerance). */
export interface ArretItinerance {
  code_departement: string;
  ordre: number;
  type_arret: string | null;
  nom: string | null;
  code_insee: string | null;
  latitude: number | null;
  longitude: number | null;
  population_gagnee: number | null;
  population_cumulee: number | null;
}

/** A public library with coordinates: a candidate stop of the itinerant planner. */
export interface Bibliotheque {
  id: string;
  nom: string;
  code_insee: string;
  latitude: number;
  longitude: number;
}

/** A commune's outline as GeoJSON geometry text (Polygon or MultiPolygon), when the `contours` table is loaded. */
export interface Contour {
  code_insee: string;
  nom: string;
  geometry: string;
}

/** The département, its main région and France, side by side. */
export interface Territoires {
  /** The région holding most of the département's communes. */
  codeRegion: string | null;
  departement: Territoire;
  region: Territoire | null;
  france: Territoire | null;
}

/** The diagnostic tables every reader needs; an output that finds one missing fails with the same message. */
export const requiredTables = ["diagnostic_communes", "diagnostic_epci", "diagnostic_territoires", "diagnostic_lieux", "diagnostic_sources"];

/** Fails with the names of the missing diagnostic tables and how to produce them. */
export async function requireDiagnostic(connection: DuckDBConnection, tables = requiredTables): Promise<void> {
  requireTables(await tableNames(connection), tables);
}

/** The read model of one département, each part read on first use. */
export interface DepartementReadModel {
  code: string;
  /** Every commune of the département, by INSEE code; fails when there is none. */
  communes(): Promise<Commune[]>;
  /**
   * Every EPCI with a commune in the département, those whose main département it is first (by rank, then name),
   * then the EPCI centred on a neighbouring département, listed with their rank in that département.
   */
  epci(): Promise<Epci[]>;
  /** The places of help of the département, by commune and name. */
  lieux(): Promise<Lieu[]>;
  territoires(): Promise<Territoires>;
  /**
   * Source and vintage of every indicator, by indicator, as the département reads them: an indicator fed by files
   * of partial scope names only those that feed it (diagnostic_sources_departements).
   */
  sources(): Promise<SourceIndicateur[]>;
  /** The files of the provenance register that feed the département (`coversDepartement`), by source and id; empty when absent. */
  provenance(): Promise<Provenance[]>;
  /** The quarantined rows, summarised by reason, of the files that feed the département (`quarantineOf`). */
  quarantine(): Promise<QuarantineSummary[]>;
  /** The pipeline's default itinerant plan, in order; empty when absent. */
  plan(): Promise<ArretItinerance[]>;
  /** Pairs of places to review (grey zone of the de-duplication), best score first; empty when absent. */
  doublons(): Promise<DoublonAVerifier[]>;
  /** Doubtful place records with their reason, by commune and name; empty when absent. */
  lieuxAVerifier(): Promise<LieuAVerifier[]>;
  /** Libraries of the département with coordinates, by name; empty when the source is not loaded. */
  bibliotheques(): Promise<Bibliotheque[]>;
  /** Outlines of the communes, by INSEE code; empty when the `contours` table is not loaded. */
  contours(): Promise<Contour[]>;
}

/**
 * The reads that are the same for every département (the tables present, the indicators' sources, the provenance
 * register, the quarantine summary), made once and shared by the read models of a run that goes through many
 * départements on one unchanging database (`sdin export --dept all`): each département would otherwise read and
 * convert them again. The rows are frozen, since every département's outputs see the same objects.
 */
export interface NationalReads {
  tables(): Promise<Set<string>>;
  /** The national rows of the indicators' sources. */
  sources(): Promise<SourceIndicateur[]>;
  /** The rows of the indicators' sources that differ for a département, by département code. */
  departementSources(): Promise<Map<string, (SourceIndicateur & { code_departement: string })[]>>;
  /** Every file of the provenance register, with the départements of those of partial scope. */
  provenance(): Promise<Provenance[]>;
  quarantine(): Promise<QuarantineSummary[]>;
}

/**
 * Opens the national reads on a connection whose database does not change while they are used (a read-only
 * export run): what they read first is what every later call returns.
 */
export function nationalReads(connection: DuckDBConnection, { freeze = true }: { freeze?: boolean } = {}): NationalReads {
  const tables = once(() => tableNames(connection));
  const frozen = <T>(read: () => Promise<T[]>) =>
    once(async () => (freeze ? (Object.freeze((await read()).map((row) => Object.freeze(row))) as T[]) : read()));
  const optional = <T>(table: string, sql: string) => frozen(async () => ((await tables()).has(table) ? queryRows<T>(connection, sql) : []));
  const departementRows = optional<SourceIndicateur & { code_departement: string }>(
    "diagnostic_sources_departements",
    `SELECT code_departement, ${sourceColumns} FROM diagnostic_sources_departements ORDER BY code_departement, indicateur`
  );
  return {
    tables,
    sources: frozen(async () => {
      requireTables(await tables(), ["diagnostic_sources"]);
      return queryRows<SourceIndicateur>(connection, `SELECT ${sourceColumns} FROM diagnostic_sources ORDER BY indicateur`);
    }),
    departementSources: once(async () => groupBy(await departementRows(), (row) => row.code_departement)),
    provenance: frozen(async () => {
      const present = await tables();
      return present.has("provenance") ? queryRows<Provenance>(connection, provenanceSql(present.has("couverture_fichiers"))) : [];
    }),
    quarantine: optional<QuarantineSummary>("quarantine", quarantineSql)
  };
}

const sourceColumns = "indicateur, libelle, source, millesime, url, date_reference, age_mois, fraicheur, a_actualiser, remplacement, melange_millesimes";
/** The register, each file with its départements when it covers some only (a database loaded before couverture_fichiers: all national). */
const provenanceSql = (coverage: boolean) => `SELECT p.id, source, title, publisher, url, origin, fichier, vintage, licence, derived, status, sha256, bytes,
              rows_in, rows_loaded, rows_quarantined, loaded_at, date_reference, resolution, url_resolue, last_modified, checksum, remplacement,
              ${coverage ? "c.departements" : "NULL::VARCHAR[] AS departements"}
       FROM provenance p
       ${coverage
         ? `LEFT JOIN (${fileScopesSql}) c USING (id)`
         : ""}
       ORDER BY source, p.id`;
/** Reasons listed one by one for each file; the others of that file are added up in one row. */
export const quarantineReasonsPerFile = 20;
/**
 * The quarantined rows by file and reason: each file's most frequent reasons, then one row adding up the rest
 * of that file, so that every file with a quarantined row is listed and its lines add up to what it lost, whatever
 * the other files hold (a list cut at the 200 largest groups of France could drop the small groups of a
 * département's own files).
 */
const quarantineSql = `WITH groups AS (
         SELECT source, file, reason, count(*)::INTEGER AS lignes, min(line)::INTEGER AS premiere_ligne, any_value("column") AS colonne
         FROM quarantine GROUP BY source, file, reason
       ), ranked AS (
         SELECT *, row_number() OVER (PARTITION BY source, file ORDER BY lignes DESC, reason) AS rang,
                count(*) OVER (PARTITION BY source, file) AS raisons
         FROM groups
       )
       SELECT source, file, reason, lignes, premiere_ligne, colonne FROM (
         SELECT source, file, reason, lignes, premiere_ligne, colonne, false AS reste FROM ranked
         WHERE rang <= ${quarantineReasonsPerFile} OR raisons = ${quarantineReasonsPerFile + 1}
         UNION ALL
         SELECT source, file, 'et ' || count(*) || ' autres raisons, moins fréquentes (chacune dans la table quarantine de la base)',
                sum(lignes)::INTEGER, min(premiere_ligne)::INTEGER, NULL, true
         FROM ranked WHERE rang > ${quarantineReasonsPerFile} AND raisons > ${quarantineReasonsPerFile + 1}
         GROUP BY source, file
       )
       -- The reasons themselves, most rows first; the rows that add up the others at the end.
       ORDER BY reste, lignes DESC, source, file, reason`;

/** Fails like `requireDiagnostic` when one of `tables` is not among `present`. */
function requireTables(present: Set<string>, tables: string[]): void {
  const missing = tables.filter((t) => !present.has(t));
  if (missing.length) throw new Error(`tables du diagnostic absentes de la base : ${missing.join(", ")} (relancez « sdin load », étape diagnostic comprise)`);
}

/**
 * Opens the read model of `departement` on an open connection (read-only use). With `national`, the parts that
 * are the same for every département come from it instead of being read again.
 */
export function readModel(connection: DuckDBConnection, departement: string, national?: NationalReads): DepartementReadModel {
  const dep = { dep: departement };
  const shared = national ?? nationalReads(connection, { freeze: false });
  const present = async (table: string) => (national ? (await national.tables()).has(table) : hasTable(connection, table));
  const require = async (tables: string[]) => (national ? requireTables(await national.tables(), tables) : requireDiagnostic(connection, tables));
  const optional = <T>(table: string, sql: string, params?: Record<string, string>) =>
    once(async () => ((await present(table)) ? queryRows<T>(connection, sql, params) : []));
  return {
    code: departement,
    communes: once(async () => {
      await require(["diagnostic_communes"]);
      const rows = await queryRows<Commune>(connection, "SELECT * FROM diagnostic_communes WHERE code_departement = $dep ORDER BY code_insee", dep);
      if (rows.length === 0) throw new Error(`aucune commune du département "${departement}" dans diagnostic_communes`);
      return rows;
    }),
    epci: once(async () => {
      await require(["diagnostic_epci", "diagnostic_communes"]);
      return queryRows<Epci>(
        connection,
        `SELECT * FROM diagnostic_epci WHERE epci_siren IN (SELECT epci_siren FROM diagnostic_communes WHERE code_departement = $dep)
         ORDER BY code_departement = $dep DESC, rang_priorite NULLS LAST, epci_nom, epci_siren`,
        dep
      );
    }),
    lieux: once(async () => {
      await require(["diagnostic_lieux"]);
      return queryRows<Lieu>(connection, "SELECT * FROM diagnostic_lieux WHERE code_departement = $dep ORDER BY commune, nom, id", dep);
    }),
    territoires: once(async () => {
      await require(["diagnostic_territoires", "diagnostic_communes"]);
      const [region] = await queryRows<{ code_region: string }>(
        connection,
        "SELECT code_region FROM diagnostic_communes WHERE code_departement = $dep GROUP BY code_region ORDER BY count(*) DESC, code_region LIMIT 1",
        dep
      );
      const rows = await queryRows<Territoire>(
        connection,
        `SELECT * FROM diagnostic_territoires
         WHERE (niveau = 'departement' AND code = $dep) OR (niveau = 'region' AND code = $region) OR niveau = 'france'`,
        { ...dep, region: region?.code_region ?? "" }
      );
      const departementRow = rows.find((t) => t.niveau === "departement");
      if (!departementRow) throw new Error(`département "${departement}" absent de diagnostic_territoires`);
      return { codeRegion: region?.code_region ?? null, departement: departementRow, region: rows.find((t) => t.niveau === "region") ?? null, france: rows.find((t) => t.niveau === "france") ?? null };
    }),
    sources: once(async () => {
      const all = await shared.sources();
      const own = new Map(((await shared.departementSources()).get(departement) ?? []).map(({ code_departement: _, ...row }) => [row.indicateur, row]));
      return own.size ? all.map((row) => own.get(row.indicateur) ?? row) : all;
    }),
    provenance: once(async () => (await shared.provenance()).filter((file) => coversDepartement(file, departement))),
    quarantine: once(async () => quarantineOf(await shared.provenance(), await shared.quarantine(), departement)),
    plan: optional<ArretItinerance>("plan_itinerance", "SELECT * FROM plan_itinerance WHERE code_departement = $dep ORDER BY ordre", dep),
    doublons: optional<DoublonAVerifier>("doublons_a_verifier", "SELECT * FROM doublons_a_verifier WHERE code_departement = $dep ORDER BY score DESC, id_1, id_2", dep),
    lieuxAVerifier: optional<LieuAVerifier>("lieux_a_verifier", "SELECT * FROM lieux_a_verifier WHERE code_departement = $dep ORDER BY code_insee, nom, id, motif", dep),
    bibliotheques: optional<Bibliotheque>(
      "bibliotheques",
      `SELECT b.id, b.nom, b.code_insee, b.latitude, b.longitude FROM bibliotheques b
       JOIN diagnostic_communes d USING (code_insee)
       WHERE d.code_departement = $dep AND b.latitude IS NOT NULL AND b.longitude IS NOT NULL ORDER BY b.nom, b.id`,
      dep
    ),
    contours: optional<Contour>(
      "contours",
      `SELECT c.code_insee, c.nom, c.geometry FROM contours c JOIN diagnostic_communes d USING (code_insee)
       WHERE d.code_departement = $dep AND c.geometry IS NOT NULL ORDER BY c.code_insee`,
      dep
    )
  };
}

/** A function that runs `read` on its first call and returns the same promise afterwards. */
function once<T>(read: () => Promise<T>): () => Promise<T> {
  let result: Promise<T> | null = null;
  return () => (result ??= read());
}
