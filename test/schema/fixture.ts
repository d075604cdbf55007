import { DuckDBInstance, type DuckDBConnection } from "@duckdb/node-api";
import { createTable, insertRows, type Row, type TableSpec } from "../../loaders/io/db.ts";
import {
  diagnosticCommunesTable,
  diagnosticEpciTable,
  diagnosticLieuxTable,
  diagnosticSourcesTable,
  diagnosticTerritoiresTable,
  planItineranceTable
} from "../../loaders/diagnostic/tables.ts";
import { provenanceTable } from "../../loaders/ingest/load.ts";

/**
 * A small synthetic diagnostic with exactly the contract's columns and hand-chosen values, so the tests can assert
 * exact figures. Département 99 "Territoire témoin": 6 communes in 4 EPCI (A rank 1 with a QPV, B rank 2 without,
 * C rank 3 with QPV and FRR unknown, D rank 4), 8 000 inhabitants of whom 1 872 aged 65+ (23,4 %).
 */

interface CommuneSeed {
  code: string;
  nom: string;
  epci: string;
  population: number;
  p65: number;
  peuDipl: number;
  locaux: number;
  ftth: number;
  zone: string | null;
  horsPortee: number;
  distance: number;
  qpv: boolean | null;
  frr: string | null;
  densite: number | null;
  pauvrete: [number | null, string | null];
  rang: number;
  indice: number;
  lieux: number;
}

export const communeSeeds: CommuneSeed[] = [
  { code: "99001", nom: "Alpha-Ville", epci: "200000001", population: 5000, p65: 1100, peuDipl: 700, locaux: 3000, ftth: 2400, zone: "AMII", horsPortee: 0, distance: 0.5, qpv: true, frr: "non classée", densite: 3, pauvrete: [0.19, "commune"], rang: 4, indice: 5.1, lieux: 3 },
  { code: "99002", nom: "Bêta", epci: "200000001", population: 800, p65: 210, peuDipl: 150, locaux: 500, ftth: 200, zone: "RIP", horsPortee: 0, distance: 6, qpv: false, frr: "classée FRR", densite: 5, pauvrete: [0.17, "departement"], rang: 3, indice: 6.2, lieux: 1 },
  { code: "99003", nom: "Gamma", epci: "200000002", population: 300, p65: 120, peuDipl: 60, locaux: 250, ftth: 0, zone: "RIP", horsPortee: 300, distance: 14.2, qpv: false, frr: "classée FRR", densite: 6, pauvrete: [0.17, "departement"], rang: 1, indice: 8.3, lieux: 0 },
  { code: "99004", nom: "Delta", epci: "200000002", population: 150, p65: 62, peuDipl: 30, locaux: 120, ftth: 0, zone: "RIP", horsPortee: 150, distance: 12.8, qpv: false, frr: "classée FRR", densite: 7, pauvrete: [0.17, "departement"], rang: 2, indice: 8.9, lieux: 0 },
  { code: "99005", nom: "Epsilon", epci: "200000003", population: 400, p65: 100, peuDipl: 70, locaux: 300, ftth: 0, zone: "RIP", horsPortee: 400, distance: 11, qpv: null, frr: null, densite: null, pauvrete: [0.17, "departement"], rang: 5, indice: 7.4, lieux: 0 },
  { code: "99006", nom: "Zêta", epci: "200000004", population: 1350, p65: 280, peuDipl: 190, locaux: 830, ftth: 200, zone: "RIP", horsPortee: 150, distance: 10.5, qpv: false, frr: "non classée", densite: 4, pauvrete: [0.16, "commune"], rang: 6, indice: 4.2, lieux: 1 }
];

export const epciNames: Record<string, string> = {
  "200000001": "CA du Pays d'Alpha",
  "200000002": "CC des Monts & Vallées",
  "200000003": "CC Epsilon",
  "200000004": "CC Zêta"
};

export const epciRanks: Record<string, number> = { "200000001": 1, "200000002": 2, "200000003": 3, "200000004": 4 };

function indicators(rows: CommuneSeed[]): Row {
  const s = (f: (c: CommuneSeed) => number) => rows.reduce((t, c) => t + f(c), 0);
  const population = s((c) => c.population);
  const locaux = s((c) => c.locaux);
  const nscol = s((c) => c.population * 0.8);
  return {
    population,
    pop_rp: population,
    pop_65_plus: s((c) => c.p65),
    part_65_plus: s((c) => c.p65) / population,
    pop_75_plus: s((c) => c.p65 / 2),
    part_75_plus: s((c) => c.p65 / 2) / population,
    nscol15p: nscol,
    peu_diplomes: s((c) => c.peuDipl),
    part_peu_diplomes: s((c) => c.peuDipl) / nscol,
    menages: population / 2,
    menages_seuls: population / 5,
    part_menages_seuls: 0.4,
    pop_80_plus: s((c) => c.p65 / 4),
    pop_80_plus_seuls: s((c) => c.p65 / 8),
    part_80_plus_seuls: 0.5,
    familles: population / 4,
    familles_mono: population / 40,
    part_familles_mono: 0.1,
    actifs_15_64: population / 2,
    chomeurs_15_64: population / 20,
    taux_chomage: 0.1,
    locaux,
    locaux_ftth: s((c) => c.ftth),
    part_locaux_ftth: s((c) => c.ftth) / locaux,
    locaux_eligibilite: locaux,
    locaux_eligible_thd30: locaux * 0.7,
    part_eligible_thd30: 0.7,
    nb_lieux: s((c) => c.lieux),
    population_hors_portee: s((c) => c.horsPortee),
    part_population_hors_portee: s((c) => c.horsPortee) / population,
    source_publics: "insee"
  };
}

function communeRow(c: CommuneSeed): Row {
  return {
    ...indicators([c]),
    code_insee: c.code,
    nom: c.nom,
    code_departement: c.code.slice(0, 2),
    code_region: "98",
    epci_siren: c.epci,
    epci_nom: epciNames[c.epci],
    taux_pauvrete: c.pauvrete[0],
    taux_pauvrete_source: c.pauvrete[1],
    ftth_trimestre: "2024T2",
    zone_fthd: c.zone,
    nb_lieux_mediation: c.lieux,
    nb_france_services: c.lieux > 0 ? 1 : 0,
    nb_aidants_connect: 0,
    nb_conseillers_numeriques: 0,
    nb_bibliotheques: 1,
    distance_lieu_km: c.distance,
    lieu_le_plus_proche: c.lieux > 0 ? "sur place" : "Espace numérique d'Alpha",
    indice_fragilite: c.indice,
    score_priorite: 10 - c.rang,
    rang_priorite: c.rang,
    frr: c.frr,
    densite_code: c.densite,
    qpv: c.qpv,
    nb_qpv: c.qpv === null ? null : c.qpv ? 1 : 0,
    point_lon: 2 + Number(c.code.slice(3)) * 0.1,
    point_lat: 46 + (Number(c.code.slice(3)) % 3) * 0.1,
    surface_km2: 20
  };
}

/** The département's communes, plus one commune of another département that must never appear. */
export const otherCommune: CommuneSeed = { ...communeSeeds[0], code: "98001", nom: "Ailleurs", epci: "200000009", population: 99999, rang: 1 };

export const lieux: Row[] = [
  { id: "l1", nom: "Espace numérique d'Alpha", sources: "lieux-mediation|france-services", code_insee: "99001", commune: "Alpha-Ville", code_departement: "99", epci_siren: "200000001", adresse: "1 place de la Mairie", itinerance: false },
  { id: "l2", nom: "<script>alert(1)</script>", sources: "lieux-mediation", code_insee: "99001", commune: "Alpha-Ville", code_departement: "99", epci_siren: "200000001", adresse: "2 rue *Haute*", itinerance: false },
  { id: "l3", nom: "[x](javascript:alert(1))", sources: "aidants-connect", code_insee: "99001", commune: "Alpha-Ville", code_departement: "99", epci_siren: "200000001", adresse: null, itinerance: true },
  { id: "l4", nom: "Médiathèque de Bêta", sources: "lieux-mediation", code_insee: "99002", commune: "Bêta", code_departement: "99", epci_siren: "200000001", adresse: null, itinerance: false },
  { id: "l5", nom: "France Services de Zêta", sources: "france-services", code_insee: "99006", commune: "Zêta", code_departement: "99", epci_siren: "200000004", adresse: null, itinerance: false },
  { id: "l9", nom: "Lieu d'ailleurs", sources: "lieux-mediation", code_insee: "98001", commune: "Ailleurs", code_departement: "98", epci_siren: "200000009", adresse: null, itinerance: false }
];

const ref = (niveau: string, code: string, nom: string, overrides: Row): Row => ({
  ...indicators(communeSeeds),
  niveau,
  code,
  nom,
  nb_communes: 1000,
  population: 1_000_000,
  indice_fragilite: 5,
  ...overrides
});

export const sources: Row[] = [
  ["population", "Population municipale", "INSEE, populations légales", "2022"],
  ["part_65_plus", "Part des 65 ans et plus", "INSEE, RP", "2021"],
  ["part_75_plus", "Part des 75 ans et plus", "INSEE, RP", "2021"],
  ["part_peu_diplomes", "Part des peu diplômés", "INSEE, RP", "2021"],
  ["part_menages_seuls", "Ménages d'une personne", "INSEE, RP", "2021"],
  ["part_80_plus_seuls", "80 ans et plus seuls", "INSEE, RP", "2021"],
  ["part_familles_mono", "Familles monoparentales", "INSEE, RP", "2021"],
  ["taux_chomage", "Taux de chômage", "INSEE, RP", "2021"],
  ["taux_pauvrete", "Taux de pauvreté", "INSEE, Filosofi", "2021"],
  ["part_locaux_ftth", "Locaux raccordables FttH", "Arcep, observatoire des déploiements", "2024T2"],
  ["part_eligible_thd30", "Éligibilité 30 Mbit/s", "Arcep, Ma connexion internet", "2024"],
  ["nb_lieux", "Lieux d'aide", "La MedNum et ANCT, lieux d'aide", "2025-06"],
  ["distance_lieu_km", "Distance au lieu le plus proche", "Calcul sdin sur les lieux d'aide", "2025-06"]
].map(([indicateur, libelle, source, millesime]) => ({ indicateur, libelle, source, millesime, url: null }));

function square(c: CommuneSeed): string {
  const n = Number(c.code.slice(3));
  const [x, y] = [2 + (n % 3) * 0.1, 46 + Math.floor(n / 3) * 0.1];
  return JSON.stringify({ type: "Polygon", coordinates: [[[x, y], [x + 0.1, y], [x + 0.1, y + 0.1], [x, y + 0.1], [x, y]]] });
}

const contoursTable: TableSpec = { name: "contours", columns: { code_insee: "VARCHAR", nom: "VARCHAR", geometry: "VARCHAR" } };

/** Builds the synthetic database in memory; `contours: false` leaves the outlines out (point maps). */
export async function syntheticDatabase({ contours = true } = {}): Promise<{ connection: DuckDBConnection; close(): void }> {
  const instance = await DuckDBInstance.create(":memory:");
  const connection = await instance.connect();
  const epciRows = Object.entries(epciNames).map(([siren, nom]) => {
    const members = communeSeeds.filter((c) => c.epci === siren);
    return {
      ...indicators(members),
      epci_siren: siren,
      epci_nom: nom,
      nature: "CC",
      code_departement: "99",
      nb_communes: members.length,
      taux_pauvrete: 0.17,
      taux_pauvrete_source: siren === "200000003" ? "departement" : "epci",
      nb_communes_rip: members.filter((c) => c.zone === "RIP").length,
      indice_fragilite: 6,
      rang_priorite: epciRanks[siren],
      score_priorite: 10 - epciRanks[siren],
      nb_communes_qpv: siren === "200000003" ? null : members.filter((c) => c.qpv).length,
      nb_communes_frr: siren === "200000003" ? null : members.filter((c) => c.frr === "classée FRR").length
    };
  });
  const tables: [TableSpec, Row[]][] = [
    [diagnosticCommunesTable, [...communeSeeds, otherCommune].map(communeRow)],
    [diagnosticEpciTable, epciRows],
    [
      diagnosticTerritoiresTable,
      [
        ref("departement", "99", "Territoire témoin", { ...indicators(communeSeeds), nb_communes: 6, taux_pauvrete: 0.17, taux_pauvrete_source: "departement", indice_fragilite: 6.1 }),
        ref("region", "98", "Région témoin", { part_65_plus: 0.22, part_peu_diplomes: 0.25, taux_pauvrete: 0.15, part_locaux_ftth: 0.82 }),
        ref("france", "FR", "France", { part_65_plus: 0.21, part_peu_diplomes: 0.3, taux_pauvrete: 0.145, part_80_plus_seuls: 0.48, part_familles_mono: 0.16, part_locaux_ftth: 0.85, nb_lieux: 20000, population: 68_000_000 })
      ]
    ],
    [diagnosticLieuxTable, lieux],
    [diagnosticSourcesTable, sources],
    [
      planItineranceTable,
      [
        { code_departement: "99", ordre: 1, type_arret: "mairie", nom: "Mairie d'Epsilon", code_insee: "99005", population_gagnee: 400, population_cumulee: 400 },
        { code_departement: "99", ordre: 2, type_arret: "bibliothèque", nom: "Bibliothèque de Gamma", code_insee: "99003", population_gagnee: 450, population_cumulee: 850 }
      ]
    ],
    [
      provenanceTable,
      [
        { id: "pop", source: "populations", title: "Populations légales 2022", publisher: "INSEE", vintage: "2022", status: "chargé", rows_loaded: 34935, loaded_at: "2025-11-20T10:00:00Z" },
        { id: "qpv", source: "territoire", title: "Quartiers prioritaires 2024", publisher: "ANCT", vintage: "2024", status: "absent", rows_loaded: 0, loaded_at: "2025-11-20T10:00:00Z" }
      ]
    ]
  ];
  if (contours) tables.push([contoursTable, communeSeeds.map((c) => ({ code_insee: c.code, nom: c.nom, geometry: square(c) }))]);
  for (const [spec, rows] of tables) {
    await createTable(connection, spec);
    await insertRows(connection, spec, rows);
  }
  return {
    connection,
    close() {
      connection.closeSync();
      instance.closeSync();
    }
  };
}
