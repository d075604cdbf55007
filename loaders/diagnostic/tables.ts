import type { TableSpec } from "../io/db.ts";

/**
 * The diagnostic tables: computed once in the pipeline (after every source is loaded), read by the site's data
 * loaders, the exports and the schéma documents. Shares are fractions in [0, 1] computed from the counts beside
 * them; distances in km; an empty value means "unknown", never zero.
 */

/** `taux_pauvrete_source` of a rate estimated from an EPCI's or a territory's published communes (never INSEE's own figure). */
export const povertyEstimateLabel = "estimation communes publiées";

/** Counts and shares that exist at every level (commune, EPCI, département, région, France). */
const indicatorColumns = {
  population: "INTEGER",
  pop_rp: "DOUBLE",
  pop_65_plus: "DOUBLE",
  part_65_plus: "DOUBLE",
  pop_75_plus: "DOUBLE",
  part_75_plus: "DOUBLE",
  nscol15p: "DOUBLE",
  peu_diplomes: "DOUBLE",
  part_peu_diplomes: "DOUBLE",
  menages: "DOUBLE",
  menages_seuls: "DOUBLE",
  part_menages_seuls: "DOUBLE",
  pop_80_plus: "DOUBLE",
  pop_80_plus_seuls: "DOUBLE",
  part_80_plus_seuls: "DOUBLE",
  familles: "DOUBLE",
  familles_mono: "DOUBLE",
  part_familles_mono: "DOUBLE",
  actifs_15_64: "DOUBLE",
  chomeurs_15_64: "DOUBLE",
  taux_chomage: "DOUBLE",
  /** Poverty rate at 60 % of the median, fraction; see taux_pauvrete_source. */
  taux_pauvrete: "DOUBLE",
  /** `commune`, `epci` or `departement`: where the poverty rate comes from (Filosofi hides small communes). */
  taux_pauvrete_source: "VARCHAR",
  locaux: "DOUBLE",
  locaux_ftth: "DOUBLE",
  part_locaux_ftth: "DOUBLE",
  locaux_eligibilite: "DOUBLE",
  locaux_eligible_thd30: "DOUBLE",
  part_eligible_thd30: "DOUBLE",
  /** Eligibility by speed class (cumulative: at least 8 Mbit/s, 100 Mbit/s, 1 Gbit/s), over locaux_eligibilite. */
  locaux_eligible_bhd8: "DOUBLE",
  part_eligible_bhd8: "DOUBLE",
  locaux_eligible_thd100: "DOUBLE",
  part_eligible_thd100: "DOUBLE",
  locaux_eligible_thd1g: "DOUBLE",
  part_eligible_thd1g: "DOUBLE",
  nb_lieux: "INTEGER",
  population_hors_portee: "DOUBLE",
  part_population_hors_portee: "DOUBLE",
  /** `insee` when the official census bases were loaded, `derive` when rates come from the derived file. */
  source_publics: "VARCHAR"
} as const;

export const diagnosticCommunesTable: TableSpec = {
  name: "diagnostic_communes",
  columns: {
    code_insee: "VARCHAR",
    nom: "VARCHAR",
    code_departement: "VARCHAR",
    code_region: "VARCHAR",
    epci_siren: "VARCHAR",
    epci_nom: "VARCHAR",
    ...indicatorColumns,
    mediane_niveau_vie: "DOUBLE",
    ftth_trimestre: "VARCHAR",
    /** `ZTD`, `AMII`, `AMEL`, `RIP` or null when unknown. */
    zone_fthd: "VARCHAR",
    nb_lieux_mediation: "INTEGER",
    nb_france_services: "INTEGER",
    nb_aidants_connect: "INTEGER",
    nb_conseillers_numeriques: "INTEGER",
    nb_bibliotheques: "INTEGER",
    /** Great-circle distance from the commune's representative point to the nearest place of help of any kind. */
    distance_lieu_km: "DOUBLE",
    distance_mediation_km: "DOUBLE",
    distance_france_services_km: "DOUBLE",
    distance_aidants_connect_km: "DOUBLE",
    distance_conseillers_numeriques_km: "DOUBLE",
    lieu_le_plus_proche: "VARCHAR",
    /** Id of that place in `diagnostic_lieux`: where it is, whether its record is doubtful (`lieux_a_verifier`). */
    lieu_le_plus_proche_id: "VARCHAR",
    /** That place is in the commune itself (the fiche says « dans la commune », not « 0,0 km »). */
    lieu_le_plus_proche_dans_commune: "BOOLEAN",
    /** Why that place's record is doubtful (`lieux_a_verifier`), when it is. */
    lieu_le_plus_proche_a_verifier: "VARCHAR",
    /**
     * Kinds of place with no place loaded in the commune's département (`lieux-mediation`, `france-services`,
     * `aidants-connect`, `conseillers-numeriques`, `|`-joined): their distance is left empty, not measured to
     * another territory's list.
     */
    offre_non_couverte: "VARCHAR",
    /** Classes 1–10 of the five criteria (10 = most fragile), on the national distribution. */
    classe_no_thd: "DOUBLE",
    classe_no_4g: "DOUBLE",
    classe_older_65: "DOUBLE",
    classe_low_diploma: "DOUBLE",
    classe_poverty: "DOUBLE",
    /** Criteria left out of the mean for want of data, `|`-joined. */
    criteres_manquants: "VARCHAR",
    indice_fragilite: "DOUBLE",
    ifn_reference: "DOUBLE",
    score_priorite: "DOUBLE",
    rang_priorite: "INTEGER",
    frr: "VARCHAR",
    densite_code: "INTEGER",
    densite_libelle: "VARCHAR",
    centralite: "VARCHAR",
    qpv: "BOOLEAN",
    nb_qpv: "INTEGER",
    point_lon: "DOUBLE",
    point_lat: "DOUBLE",
    surface_km2: "DOUBLE"
  },
  primaryKey: ["code_insee"]
};

/**
 * Beside the shares of every aggregate level: communes without an outline (hence without a distance), and which
 * shares were left empty because some communes lack their input, with the count (`parts_non_calculees`).
 */
const withheldColumns = {
  communes_sans_contour: "INTEGER",
  /** `part_x : n communes sans …`, `; `-joined; empty when every share is computed on all the communes. */
  parts_non_calculees: "VARCHAR"
} as const;

export const diagnosticEpciTable: TableSpec = {
  name: "diagnostic_epci",
  columns: {
    epci_siren: "VARCHAR",
    epci_nom: "VARCHAR",
    nature: "VARCHAR",
    /** Département holding most of the EPCI's population. */
    code_departement: "VARCHAR",
    nb_communes: "INTEGER",
    ...indicatorColumns,
    ...withheldColumns,
    nb_communes_rip: "INTEGER",
    nb_communes_hors_portee: "INTEGER",
    /** Population-weighted mean of the communes' index. */
    indice_fragilite: "DOUBLE",
    ifn_reference: "DOUBLE",
    score_priorite: "DOUBLE",
    rang_priorite: "INTEGER",
    nb_communes_qpv: "INTEGER",
    nb_communes_frr: "INTEGER"
  },
  primaryKey: ["epci_siren"]
};

/** Aggregates for the comparisons: one row per département, région and for France (`niveau` = `france`, code `FR`). */
export const diagnosticTerritoiresTable: TableSpec = {
  name: "diagnostic_territoires",
  columns: {
    niveau: "VARCHAR",
    code: "VARCHAR",
    nom: "VARCHAR",
    nb_communes: "INTEGER",
    ...indicatorColumns,
    ...withheldColumns,
    indice_fragilite: "DOUBLE"
  },
  primaryKey: ["niveau", "code"]
};

/** Places of help after deduplication across sources, with the commune and EPCI they are in. */
export const diagnosticLieuxTable: TableSpec = {
  name: "diagnostic_lieux",
  columns: {
    id: "VARCHAR",
    nom: "VARCHAR",
    /** Every source that lists this place, `|`-joined (`lieux-mediation|france-services|territoire-la-creuse`). */
    sources: "VARCHAR",
    /** Every record merged into this place (ids of `lieux_aide`), `|`-joined: the first is the one kept. */
    ids: "VARCHAR",
    code_insee: "VARCHAR",
    commune: "VARCHAR",
    code_departement: "VARCHAR",
    epci_siren: "VARCHAR",
    adresse: "VARCHAR",
    latitude: "DOUBLE",
    longitude: "DOUBLE",
    localisation: "VARCHAR",
    typologie: "VARCHAR",
    services: "VARCHAR",
    dispositifs: "VARCHAR",
    horaires: "VARCHAR",
    itinerance: "BOOLEAN",
    site_web: "VARCHAR"
  },
  primaryKey: ["id"]
};

/**
 * Pairs of records that may be one place (score in the grey zone of the de-duplication): not merged, listed
 * for a person to decide (`exports/<D>/doublons-a-verifier.csv`).
 */
export const doublonsAVerifierTable: TableSpec = {
  name: "doublons_a_verifier",
  columns: {
    code_departement: "VARCHAR",
    code_insee: "VARCHAR",
    commune: "VARCHAR",
    id_1: "VARCHAR",
    source_1: "VARCHAR",
    nom_1: "VARCHAR",
    adresse_1: "VARCHAR",
    id_2: "VARCHAR",
    source_2: "VARCHAR",
    nom_2: "VARCHAR",
    adresse_2: "VARCHAR",
    distance_m: "DOUBLE",
    score_nom: "DOUBLE",
    score_rue: "DOUBLE",
    score_distance: "DOUBLE",
    score: "DOUBLE"
  }
};

/**
 * Places whose record is doubtful (`exports/<D>/lieux-a-verifier.csv`): a name that cites another commune than
 * the one the place is in, or no coordinates (the place sits on its commune's representative point).
 */
export const lieuxAVerifierTable: TableSpec = {
  name: "lieux_a_verifier",
  columns: {
    id: "VARCHAR",
    nom: "VARCHAR",
    sources: "VARCHAR",
    code_insee: "VARCHAR",
    commune: "VARCHAR",
    code_departement: "VARCHAR",
    adresse: "VARCHAR",
    /** `autre_commune_dans_le_nom` or `sans_coordonnees`. */
    motif: "VARCHAR",
    detail: "VARCHAR"
  }
};

/** Source and vintage of every indicator column: every figure shown or exported carries them. */
export const diagnosticSourcesTable: TableSpec = {
  name: "diagnostic_sources",
  columns: {
    indicateur: "VARCHAR",
    libelle: "VARCHAR",
    source: "VARCHAR",
    millesime: "VARCHAR",
    url: "VARCHAR",
    /** Date the data describe (the oldest of the files used), its age in months at the load, and its band. */
    date_reference: "VARCHAR",
    age_mois: "INTEGER",
    fraicheur: "VARCHAR",
    /** Older than 18 months: shown with « donnée de AAAA, à actualiser ». */
    a_actualiser: "BOOLEAN",
    /** The published file that would replace a stale source (from the registry). */
    remplacement: "VARCHAR",
    /** Set when communes of one column come from different vintages: which, for how many communes. */
    melange_millesimes: "VARCHAR"
  },
  primaryKey: ["indicateur"]
};

/** The default itinerant-mediation plan per département (K stops, default threshold). */
export const planItineranceTable: TableSpec = {
  name: "plan_itinerance",
  columns: {
    code_departement: "VARCHAR",
    ordre: "INTEGER",
    type_arret: "VARCHAR",
    nom: "VARCHAR",
    code_insee: "VARCHAR",
    latitude: "DOUBLE",
    longitude: "DOUBLE",
    population_gagnee: "DOUBLE",
    population_cumulee: "DOUBLE"
  },
  primaryKey: ["code_departement", "ordre"]
};

/**
 * The départements each file of partial scope feeds (one outline file per département, one list of places per
 * territory): one row per file and département, or one row with no département for a file that feeds none. A
 * file absent from this table is national (`coversDepartement` in src/lib/coverage.ts).
 */
export const couvertureFichiersTable: TableSpec = {
  name: "couverture_fichiers",
  columns: { id: "VARCHAR", code_departement: "VARCHAR" }
};

/**
 * The départements of each file of couverture_fichiers, as (id, departements) rows: an empty list for a file that
 * feeds none; a file absent from the result is national (`coversDepartement`).
 */
export const fileScopesSql = `SELECT id, coalesce(list(code_departement ORDER BY code_departement) FILTER (WHERE code_departement IS NOT NULL), []) AS departements
  FROM couverture_fichiers GROUP BY id`;

/**
 * The rows of diagnostic_sources as one département reads them, where they differ from the national rows: an
 * indicator fed by files of partial scope names only those that feed the département.
 */
export const diagnosticSourcesDepartementsTable: TableSpec = {
  name: "diagnostic_sources_departements",
  columns: { code_departement: "VARCHAR", ...diagnosticSourcesTable.columns },
  primaryKey: ["code_departement", "indicateur"]
};
