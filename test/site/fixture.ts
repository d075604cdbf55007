import { readFileSync } from "node:fs";
import path from "node:path";
import type { Feature, FeatureCollection, Geometry } from "geojson";
import { createTable, insertRows, withDatabase, type TableSpec } from "../../loaders/io/db.ts";
import {
  diagnosticCommunesTable,
  diagnosticEpciTable,
  diagnosticLieuxTable,
  diagnosticSourcesTable,
  diagnosticTerritoiresTable,
  planItineranceTable
} from "../../loaders/diagnostic/tables.ts";
import { provenanceTable, quarantineTable } from "../../loaders/ingest/load.ts";

/**
 * A synthetic database with exactly the columns of the diagnostic contract, for developing and testing the site
 * before (or independently of) the pipeline's diagnostic step. Outlines are the real ones from the mirror;
 * every figure is made up (deterministic pseudo-random values), and so are the places' names, some of which
 * carry markup and `javascript:` links on purpose, to check that the site renders them as text.
 */

/** `contours` as written by the territoire source (docs/architecture.md). */
export const contoursTable: TableSpec = {
  name: "contours",
  columns: { code_insee: "VARCHAR", nom: "VARCHAR", geometry: "VARCHAR", point_lon: "DOUBLE", point_lat: "DOUBLE", surface_km2: "DOUBLE", source_file: "VARCHAR" }
};

export const bibliothequesTable: TableSpec = {
  name: "bibliotheques",
  columns: { id: "VARCHAR", nom: "VARCHAR", code_insee: "VARCHAR", latitude: "DOUBLE", longitude: "DOUBLE", statut: "VARCHAR", amplitude_horaire: "DOUBLE" }
};

const departements: Record<string, { nom: string; region: string; regionNom: string; file: string }> = {
  "23": { nom: "Creuse", region: "75", regionNom: "Nouvelle-Aquitaine", file: "communes-23-creuse.geojson" },
  "02": { nom: "Aisne", region: "32", regionNom: "Hauts-de-France", file: "communes-02-aisne.geojson" }
};

/** Deterministic pseudo-random numbers in [0, 1) (mulberry32), seeded from a string. */
function randomFrom(seed: string): () => number {
  let state = [...seed].reduce((h, c) => Math.imul(h ^ c.charCodeAt(0), 2654435761) >>> 0, 1779033703);
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A rough centre of the outline (mean of the outer ring's vertices): enough for synthetic data. */
function centre(geometry: Geometry): [number, number] {
  const ring = geometry.type === "Polygon" ? geometry.coordinates[0] : geometry.type === "MultiPolygon" ? geometry.coordinates[0][0] : [[0, 0]];
  const sum = ring.reduce(([x, y], [a, b]) => [x + a, y + b], [0, 0]);
  return [sum[0] / ring.length, sum[1] / ring.length];
}

function communeFeatures(mirror: string, code: string): Feature[] {
  const file = path.join(mirror, "contours-communes", departements[code].file);
  const collection = JSON.parse(readFileSync(file, "utf8")) as FeatureCollection;
  // The outlines predate some mergers: keep the communes of the populations légales (current COG) only.
  const legal = readFileSync(path.join(mirror, "insee-populations-legales", "donnees_communes.csv"), "utf8");
  const current = new Set(legal.split(/\r?\n/).map((line) => line.split(";")[6]));
  return collection.features.filter((feature) => current.has(String(feature.properties!.code)));
}

const zones = ["RIP", "RIP", "RIP", "AMII", "AMEL", null];
const criteria = ["classe_no_thd", "classe_no_4g", "classe_older_65", "classe_low_diploma", "classe_poverty"] as const;

/** Writes a synthetic database for the départements `codes` (among 23 and 02) into `file`. */
export async function writeSyntheticDatabase(file: string, mirror: string, codes: string[] = ["23"]): Promise<void> {
  await withDatabase(file, {}, async ({ connection }) => {
    for (const spec of [diagnosticCommunesTable, diagnosticEpciTable, diagnosticTerritoiresTable, diagnosticLieuxTable, diagnosticSourcesTable,
      planItineranceTable, provenanceTable, quarantineTable, contoursTable, bibliothequesTable]) {
      await createTable(connection, spec);
    }
    const territoires: object[] = [];
    for (const code of codes) {
      const dept = departements[code];
      const features = communeFeatures(mirror, code);
      const communes = features.map((feature) => syntheticCommune(feature, code, dept.region));
      const epciRows = syntheticEpci(communes, code);
      await insertRows(connection, contoursTable, features.map((feature) => {
        const [lon, lat] = centre(feature.geometry);
        return { code_insee: feature.properties!.code, nom: feature.properties!.nom, geometry: JSON.stringify(feature.geometry), point_lon: lon, point_lat: lat, surface_km2: 20, source_file: dept.file };
      }));
      await insertRows(connection, diagnosticCommunesTable, communes);
      await insertRows(connection, diagnosticEpciTable, epciRows);
      const lieux = syntheticLieux(communes, code);
      await insertRows(connection, diagnosticLieuxTable, lieux);
      await insertRows(connection, bibliothequesTable, communes.filter((_, i) => i % 9 === 0).map((c, i) => ({
        id: `bib-${code}-${i}`, nom: `Médiathèque de ${c.nom}`, code_insee: c.code_insee, latitude: c.point_lat + 0.002, longitude: c.point_lon, statut: "municipale", amplitude_horaire: 12
      })));
      await insertRows(connection, planItineranceTable, communes.slice(0, 5).map((c, i) => ({
        code_departement: code, ordre: i + 1, type_arret: "mairie", nom: `Mairie de ${c.nom}`, code_insee: c.code_insee, latitude: c.point_lat, longitude: c.point_lon, population_gagnee: 500 - i * 50, population_cumulee: 500 * (i + 1)
      })));
      territoires.push(aggregate("departement", code, dept.nom, communes), aggregate("region", dept.region, dept.regionNom, communes.map((c) => ({ ...c, part_65_plus: c.part_65_plus * 0.85 }))));
    }
    territoires.push({ ...aggregate("france", "FR", "France", []), population: 68_000_000, part_65_plus: 0.21, part_peu_diplomes: 0.27, taux_pauvrete: 0.145, part_locaux_ftth: 0.83, part_eligible_thd30: 0.9, taux_chomage: 0.12, part_population_hors_portee: 0.04, indice_fragilite: 5 });
    await insertRows(connection, diagnosticTerritoiresTable, territoires);
    await insertRows(connection, diagnosticSourcesTable, [
      { indicateur: "part_65_plus", libelle: "Part des 65 ans ou plus", source: "INSEE, recensement", millesime: "2021", url: "https://www.insee.fr/fr/statistiques/8202264" },
      { indicateur: "part_peu_diplomes", libelle: "Part des non-diplômés ou peu diplômés", source: "INSEE, recensement", millesime: "2021", url: "https://www.insee.fr/" },
      { indicateur: "taux_pauvrete", libelle: "Taux de pauvreté", source: "INSEE, Filosofi", millesime: "2021", url: "https://www.insee.fr/" },
      { indicateur: "part_locaux_ftth", libelle: "Locaux raccordables à la fibre", source: "Arcep", millesime: "2018T1", url: "https://www.arcep.fr/" },
      { indicateur: "part_eligible_thd30", libelle: "Locaux éligibles à 30 Mbit/s ou plus", source: "Arcep, Ma connexion internet", millesime: "2019", url: "javascript:alert(1)" },
      { indicateur: "population_hors_portee", libelle: "Population hors de portée d'un lieu d'aide", source: "calcul SDIN", millesime: "2026", url: null }
    ]);
    await insertRows(connection, provenanceTable, [
      { id: "insee-populations-legales", source: "populations", title: "Populations légales 2023", publisher: "INSEE", url: "https://www.insee.fr/fr/statistiques/8680726", origin: "miroir", vintage: "2023", licence: "Licence Ouverte 2.0", derived: false, status: "chargé", sha256: "a".repeat(64), bytes: 1000, rows_in: 34900, rows_loaded: 34899, rows_quarantined: 1, duration_ms: 100, loaded_at: "2026-11-26T04:00:00Z" },
      { id: "arcep-ftth", source: "arcep-deploiements", title: "Déploiements FttH <b>2018T1</b>", publisher: "Arcep", url: "javascript:alert(2)", origin: null, vintage: "2018T1", licence: "Licence Ouverte 2.0", derived: false, status: "absent", sha256: null, bytes: 0, rows_in: 0, rows_loaded: 0, rows_quarantined: 0, duration_ms: 0, loaded_at: "2026-11-26T04:00:00Z" }
    ]);
    await insertRows(connection, quarantineTable, [{ source: "populations", file: "donnees_communes.csv", line: 12, column: "PMUN", value: "abc", reason: "population non numérique" }]);
  });
}

function syntheticCommune(feature: Feature, code: string, region: string) {
  const insee = String(feature.properties!.code);
  const random = randomFrom(insee);
  const [lon, lat] = centre(feature.geometry);
  const population = Math.round(50 + random() ** 3 * 8000);
  const classes = Object.fromEntries(criteria.map((c) => [c, c === "classe_poverty" && random() < 0.2 ? null : 1 + Math.floor(random() * 10)]));
  const available = criteria.map((c) => classes[c]).filter((v): v is number => v !== null);
  const index = available.reduce((s, v) => s + v, 0) / available.length;
  const epci = Math.floor(random() * 8);
  const distance = random() * 18;
  const locaux = population * 0.7;
  return {
    code_insee: insee, nom: String(feature.properties!.nom), code_departement: code, code_region: region,
    epci_siren: `2${code}00000${epci}`, epci_nom: `CC synthétique ${epci + 1}`,
    population, pop_rp: population, pop_65_plus: population * (0.2 + random() * 0.2), part_65_plus: 0.2 + random() * 0.2,
    pop_75_plus: population * 0.12, part_75_plus: 0.12, nscol15p: population * 0.8, peu_diplomes: population * 0.3, part_peu_diplomes: 0.2 + random() * 0.2,
    menages: population / 2, menages_seuls: population / 6, part_menages_seuls: 0.3 + random() * 0.1, pop_80_plus: population * 0.08, pop_80_plus_seuls: population * 0.03,
    part_80_plus_seuls: 0.4, familles: population / 4, familles_mono: population / 30, part_familles_mono: 0.1, actifs_15_64: population / 2, chomeurs_15_64: population / 20,
    taux_chomage: 0.05 + random() * 0.1, taux_pauvrete: random() < 0.9 ? 0.18 : 0.12 + random() * 0.1, taux_pauvrete_source: random() < 0.9 ? "departement" : "commune",
    locaux, locaux_ftth: locaux * random(), part_locaux_ftth: random(), locaux_eligibilite: locaux, locaux_eligible_thd30: locaux * 0.5, part_eligible_thd30: random(),
    nb_lieux: random() < 0.2 ? 1 : 0, population_hors_portee: distance > 10 ? population : 0, part_population_hors_portee: distance > 10 ? 1 : 0, source_publics: "insee",
    mediane_niveau_vie: 19000 + random() * 4000, ftth_trimestre: "2018T1", zone_fthd: zones[Math.floor(random() * zones.length)],
    nb_lieux_mediation: 0, nb_france_services: 0, nb_aidants_connect: 0, nb_conseillers_numeriques: 0, nb_bibliotheques: 0,
    distance_lieu_km: distance, distance_mediation_km: distance + 2, distance_france_services_km: distance + 5, distance_aidants_connect_km: null, distance_conseillers_numeriques_km: distance + 8,
    lieu_le_plus_proche: "<script>alert('lieu')</script>Espace numérique",
    ...classes, criteres_manquants: classes.classe_poverty === null ? "poverty" : null, indice_fragilite: index, ifn_reference: index + random() - 0.5,
    score_priorite: index * (distance > 10 ? 1.2 : 1), rang_priorite: 0, frr: random() < 0.7 ? "FRR" : null, densite_code: 5 + Math.floor(random() * 3), densite_libelle: "Rural",
    centralite: null, qpv: random() < 0.02, nb_qpv: 0, point_lon: lon, point_lat: lat, surface_km2: 20
  };
}

function syntheticEpci(communes: ReturnType<typeof syntheticCommune>[], code: string) {
  const groups = new Map<string, ReturnType<typeof syntheticCommune>[]>();
  for (const c of communes) groups.set(c.epci_siren, [...(groups.get(c.epci_siren) ?? []), c]);
  const rows = [...groups].map(([siren, members]) => ({
    ...aggregate("epci", siren, members[0].epci_nom, members), epci_siren: siren, epci_nom: members[0].epci_nom, nature: "CC", code_departement: code,
    nb_communes: members.length, nb_communes_rip: members.filter((m) => m.zone_fthd === "RIP").length,
    nb_communes_hors_portee: members.filter((m) => m.distance_lieu_km > 10).length, ifn_reference: 5, nb_communes_qpv: 0, nb_communes_frr: members.filter((m) => m.frr).length
  }));
  rows.sort((a, b) => (b.score_priorite ?? 0) - (a.score_priorite ?? 0)).forEach((r, i) => Object.assign(r, { rang_priorite: i + 1 }));
  communes.sort((a, b) => b.score_priorite - a.score_priorite).forEach((c, i) => (c.rang_priorite = i + 1));
  return rows;
}

/** Sums counts and recomputes the shares from them (never a mean of rates). */
function aggregate(niveau: string, code: string, nom: string, communes: ReturnType<typeof syntheticCommune>[]) {
  const sum = (key: keyof ReturnType<typeof syntheticCommune>) => communes.reduce((s, c) => s + (Number(c[key]) || 0), 0);
  const population = sum("population");
  const ratio = (a: number, b: number) => (b > 0 ? a / b : null);
  const weighted = (key: "indice_fragilite" | "score_priorite") => ratio(communes.reduce((s, c) => s + c[key] * c.population, 0), population);
  return {
    niveau, code, nom, nb_communes: communes.length, population, pop_rp: population,
    pop_65_plus: sum("pop_65_plus"), part_65_plus: ratio(sum("pop_65_plus"), population), pop_75_plus: sum("pop_75_plus"), part_75_plus: ratio(sum("pop_75_plus"), population),
    nscol15p: sum("nscol15p"), peu_diplomes: sum("peu_diplomes"), part_peu_diplomes: ratio(sum("peu_diplomes"), sum("nscol15p")),
    menages: sum("menages"), menages_seuls: sum("menages_seuls"), part_menages_seuls: ratio(sum("menages_seuls"), sum("menages")),
    actifs_15_64: sum("actifs_15_64"), chomeurs_15_64: sum("chomeurs_15_64"), taux_chomage: ratio(sum("chomeurs_15_64"), sum("actifs_15_64")),
    taux_pauvrete: 0.18, taux_pauvrete_source: niveau === "epci" ? "epci" : "departement",
    locaux: sum("locaux"), locaux_ftth: sum("locaux_ftth"), part_locaux_ftth: ratio(sum("locaux_ftth"), sum("locaux")),
    locaux_eligibilite: sum("locaux_eligibilite"), locaux_eligible_thd30: sum("locaux_eligible_thd30"), part_eligible_thd30: ratio(sum("locaux_eligible_thd30"), sum("locaux_eligibilite")),
    nb_lieux: sum("nb_lieux"), population_hors_portee: sum("population_hors_portee"), part_population_hors_portee: ratio(sum("population_hors_portee"), population),
    source_publics: "insee", indice_fragilite: weighted("indice_fragilite"), score_priorite: weighted("score_priorite")
  };
}

const kinds = ["lieux-mediation", "france-services", "aidants-connect", "conseillers-numeriques", "lieux-mediation|france-services"];

function syntheticLieux(communes: ReturnType<typeof syntheticCommune>[], code: string) {
  return communes.filter((c) => c.nb_lieux > 0).map((c, i) => ({
    id: `lieu-${code}-${i}`,
    nom: i === 0 ? `<img src=x onerror="window.__xss=1">Espace public numérique` : `Lieu d'aide n° ${i + 1}`,
    sources: kinds[i % kinds.length], code_insee: c.code_insee, commune: c.nom, code_departement: code, epci_siren: c.epci_siren,
    adresse: `${i + 1} place de la Mairie`, latitude: c.point_lat + 0.003, longitude: c.point_lon - 0.003, localisation: "point",
    typologie: i % 2 ? "BIB" : "TIERS_LIEUX", services: i % 3 ? "Aide aux démarches administratives|Prendre en main un ordinateur" : "Accéder à une connexion internet",
    dispositifs: i % 2 ? "Conseillers numériques" : "France Services", horaires: "Mo-Fr 09:00-12:00", itinerance: i % 7 === 0,
    site_web: i === 0 ? "javascript:window.__xss=2" : i % 2 ? `https://exemple.fr/lieu-${i}` : null
  }));
}
