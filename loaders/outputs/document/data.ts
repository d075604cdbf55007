import type { DuckDBConnection } from "@duckdb/node-api";
import { queryRows } from "../../io/db.ts";

/**
 * What the schéma reads from the database: the diagnostic tables of one département, as plain rows.
 * Nothing is computed here beyond choosing rows; sums for a subset of communes (the RIP zone, a priority
 * territory) add up counts and never average rates.
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
  nb_lieux: number | null;
  population_hors_portee: number | null;
  part_population_hors_portee: number | null;
  source_publics: string | null;
}

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
  lieu_le_plus_proche: string | null;
  indice_fragilite: number | null;
  score_priorite: number | null;
  rang_priorite: number | null;
  frr: string | null;
  densite_code: number | null;
  densite_libelle: string | null;
  qpv: boolean | null;
  nb_qpv: number | null;
  point_lon: number | null;
  point_lat: number | null;
}

export interface Epci extends Indicators {
  epci_siren: string;
  epci_nom: string;
  nature: string | null;
  code_departement: string | null;
  nb_communes: number | null;
  nb_communes_rip: number | null;
  nb_communes_hors_portee: number | null;
  indice_fragilite: number | null;
  score_priorite: number | null;
  rang_priorite: number | null;
  nb_communes_qpv: number | null;
  nb_communes_frr: number | null;
}

export interface Territoire extends Indicators {
  niveau: string;
  code: string;
  nom: string;
  nb_communes: number | null;
  indice_fragilite: number | null;
}

export interface Lieu {
  id: string;
  nom: string;
  sources: string | null;
  code_insee: string | null;
  commune: string | null;
  epci_siren: string | null;
  adresse: string | null;
  typologie: string | null;
  services: string | null;
  itinerance: boolean | null;
}

export interface SourceIndicateur {
  indicateur: string;
  libelle: string | null;
  source: string | null;
  millesime: string | null;
  url: string | null;
  /** Freshness of the data behind the indicator (see diagnostic_sources). */
  date_reference?: string | null;
  age_mois?: number | null;
  a_actualiser?: boolean | null;
  remplacement?: string | null;
  melange_millesimes?: string | null;
}

export interface Provenance {
  source: string | null;
  title: string | null;
  publisher: string | null;
  url: string | null;
  vintage: string | null;
  licence: string | null;
  status: string | null;
  rows_loaded: number | null;
  loaded_at: string | null;
  /** ISO date the file's data describe, and the file that would replace it (registry). */
  date_reference?: string | null;
  remplacement?: string | null;
}

export interface ArretItinerance {
  ordre: number;
  type_arret: string | null;
  nom: string | null;
  code_insee: string | null;
  population_gagnee: number | null;
  population_cumulee: number | null;
}

/** A commune's outline as GeoJSON geometry (Polygon or MultiPolygon), when the `contours` table is loaded. */
export interface Contour {
  code_insee: string;
  geometry: string;
}

export interface DiagnosticData {
  code: string;
  departement: Territoire;
  region: Territoire | null;
  france: Territoire | null;
  communes: Commune[];
  epci: Epci[];
  lieux: Lieu[];
  sources: Map<string, SourceIndicateur>;
  provenance: Provenance[];
  plan: ArretItinerance[];
  contours: Contour[];
}

const requiredTables = ["diagnostic_communes", "diagnostic_epci", "diagnostic_territoires", "diagnostic_lieux", "diagnostic_sources"];

/** Reads the diagnostic of `departement`; fails with a French message naming what is missing. */
export async function readDiagnostic(connection: DuckDBConnection, departement: string): Promise<DiagnosticData> {
  const tables = new Set((await queryRows<{ name: string }>(connection, "SELECT table_name AS name FROM information_schema.tables")).map((t) => t.name));
  const missing = requiredTables.filter((t) => !tables.has(t));
  if (missing.length) throw new Error(`tables du diagnostic absentes de la base : ${missing.join(", ")} (lancez « sdin load »)`);
  const params = { dep: departement };
  const communes = await queryRows<Commune>(connection, "SELECT * FROM diagnostic_communes WHERE code_departement = $dep ORDER BY code_insee", params);
  if (communes.length === 0) throw new Error(`aucune commune du département "${departement}" dans diagnostic_communes`);
  const territoires = await queryRows<Territoire>(connection, "SELECT * FROM diagnostic_territoires");
  const departementRow = territoires.find((t) => t.niveau === "departement" && t.code === departement);
  if (!departementRow) throw new Error(`département "${departement}" absent de diagnostic_territoires`);
  const codeRegion = mostFrequent(communes.map((c) => c.code_region));
  return {
    code: departement,
    departement: departementRow,
    region: territoires.find((t) => t.niveau === "region" && t.code === codeRegion) ?? null,
    france: territoires.find((t) => t.niveau === "france") ?? null,
    communes,
    // Every EPCI with a commune in the département, ranked ones of the département first: an EPCI centred on a
    // neighbouring département is listed, but its rank belongs to that département's ranking.
    epci: await queryRows<Epci>(
      connection,
      `SELECT * FROM diagnostic_epci WHERE epci_siren IN (SELECT epci_siren FROM diagnostic_communes WHERE code_departement = $dep)
       ORDER BY code_departement = $dep DESC, rang_priorite NULLS LAST, epci_nom`,
      params
    ),
    lieux: await queryRows<Lieu>(connection, "SELECT * FROM diagnostic_lieux WHERE code_departement = $dep ORDER BY commune, nom, id", params),
    sources: new Map((await queryRows<SourceIndicateur>(connection, "SELECT * FROM diagnostic_sources")).map((s) => [s.indicateur, s])),
    provenance: tables.has("provenance")
      ? await queryRows<Provenance>(connection, "SELECT source, title, publisher, url, vintage, licence, status, rows_loaded, loaded_at, date_reference, remplacement FROM provenance ORDER BY source, title")
      : [],
    plan: tables.has("plan_itinerance")
      ? await queryRows<ArretItinerance>(connection, "SELECT * FROM plan_itinerance WHERE code_departement = $dep ORDER BY ordre", params)
      : [],
    contours: tables.has("contours")
      ? await queryRows<Contour>(
          connection,
          "SELECT c.code_insee, c.geometry FROM contours c JOIN diagnostic_communes d USING (code_insee) WHERE d.code_departement = $dep AND c.geometry IS NOT NULL",
          params
        )
      : []
  };
}

function mostFrequent(values: (string | null)[]): string | null {
  const counts = new Map<string, number>();
  for (const v of values) if (v) counts.set(v, (counts.get(v) ?? 0) + 1);
  return [...counts].sort((a, b) => b[1] - a[1])[0]?.[0] ?? null;
}

/** The sum of a count over rows, or null when every value is unknown. */
export function sum<T>(rows: T[], value: (row: T) => number | null | undefined): number | null {
  let total = 0;
  let known = false;
  for (const row of rows) {
    const v = value(row);
    if (v !== null && v !== undefined && Number.isFinite(v)) {
      total += v;
      known = true;
    }
  }
  return known ? total : null;
}

/** A share from summed counts (never a mean of rates); null when the denominator is unknown or zero. */
export function share(numerator: number | null, denominator: number | null): number | null {
  return numerator === null || denominator === null || denominator === 0 ? null : numerator / denominator;
}

/** The communes of an EPCI within the département. */
export function communesOf(data: DiagnosticData, epciSiren: string): Commune[] {
  return data.communes.filter((c) => c.epci_siren === epciSiren);
}
