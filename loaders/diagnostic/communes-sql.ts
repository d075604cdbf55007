/**
 * The SQL that joins the three layers into one row per current commune. Each source table may be absent (a
 * source missing from a mirror); it is then replaced by an empty table of the same shape, so the diagnostic
 * is still written and the columns it would have filled stay empty (unknown, never zero).
 */

/** Shape of each source table the diagnostic reads, used to stand in for an absent table. */
const shapes: Record<string, Record<string, string>> = {
  rp_structure: { code_insee: "VARCHAR", pop: "DOUBLE", pop_65p: "DOUBLE", pop_75p: "DOUBLE" },
  rp_diplomes: { code_insee: "VARCHAR", nscol15p: "DOUBLE", nscol15p_diplmin: "DOUBLE", nscol15p_bepc: "DOUBLE" },
  rp_menages: { code_insee: "VARCHAR", men: "DOUBLE", men_pseul: "DOUBLE", fam: "DOUBLE", fam_mono: "DOUBLE", pop80p: "DOUBLE", pop80p_pseul: "DOUBLE" },
  rp_emploi: { code_insee: "VARCHAR", act1564: "DOUBLE", chom1564: "DOUBLE" },
  indicateurs_derives: { code_insee: "VARCHAR", tx_65etplus: "DOUBLE", tx_nscol15p: "DOUBLE", tx_menseul: "DOUBLE", tx_fammono: "DOUBLE" },
  filosofi: { code_insee: "VARCHAR", nb_personnes_fisc: "DOUBLE", mediane_niveau_vie: "DOUBLE", taux_pauvrete: "DOUBLE" },
  filosofi_territoires: { niveau: "VARCHAR", code: "VARCHAR", taux_pauvrete: "DOUBLE" },
  ifn_reference: { niveau: "VARCHAR", code: "VARCHAR", total: "DOUBLE" },
  arcep_ftth: { code_insee: "VARCHAR", trimestre: "VARCHAR", locaux: "DOUBLE", locaux_raccordables: "DOUBLE", zone_fthd: "VARCHAR" },
  arcep_eligibilite: { code_insee: "VARCHAR", date: "VARCHAR", nbr: "DOUBLE", elig_bhd8: "DOUBLE", elig_thd30: "DOUBLE", elig_thd100: "DOUBLE", elig_thd1g: "DOUBLE" },
  contours: { code_insee: "VARCHAR", point_lon: "DOUBLE", point_lat: "DOUBLE", surface_km2: "DOUBLE" },
  typologies: { code_insee: "VARCHAR", frr: "VARCHAR", frr_classee: "BOOLEAN", densite_code: "INTEGER", densite_libelle: "VARCHAR", centralite: "VARCHAR" },
  qpv: { code_insee: "VARCHAR", code_qp: "VARCHAR" },
  bibliotheques: { id: "VARCHAR", nom: "VARCHAR", code_insee: "VARCHAR", latitude: "DOUBLE", longitude: "DOUBLE" },
  lieux_aide: {
    id: "VARCHAR", source: "VARCHAR", nom: "VARCHAR", code_insee: "VARCHAR", adresse: "VARCHAR", latitude: "DOUBLE", longitude: "DOUBLE",
    typologie: "VARCHAR", services: "VARCHAR", dispositifs: "VARCHAR", horaires: "VARCHAR", itinerance: "BOOLEAN", site_web: "VARCHAR",
    cle_dedoublonnage: "VARCHAR"
  }
};

/**
 * Poverty rate (percent) of groups of communes estimated from the communes Filosofi publishes, weighted by their
 * number of persons: the fallback where neither the commune's nor the territory's own rate is published.
 * `group` is a column of `communes` (alias `c`), or a constant for France; rows are `(code, taux)`.
 */
export function publishedPovertySql(group: string, present: Set<string>): string {
  return `SELECT ${group} AS code, sum(fi.taux_pauvrete * fi.nb_personnes_fisc) / nullif(sum(fi.nb_personnes_fisc), 0) AS taux
    FROM ${sourceTable("filosofi", present)} fi JOIN communes c USING (code_insee) WHERE fi.taux_pauvrete IS NOT NULL GROUP BY 1`;
}

/** `FROM`-able SQL for a source table: the table itself, or an empty stand-in of its shape. */
export function sourceTable(name: string, present: Set<string>): string {
  if (present.has(name)) return name;
  const columns = Object.entries(shapes[name]).map(([column, type]) => `NULL::${type} AS ${column}`);
  return `(SELECT ${columns.join(", ")} WHERE false)`;
}

/**
 * Eligibility to ≥ 30 Mbit/s. The eligibility loader stores cumulative counts ("at least this speed"), whatever
 * the layout of the file it read (the 2019 file has exclusive classes, later ones cumulative).
 */
const eligibleThd30 = "e.elig_thd30";

/**
 * Which record of a place is kept when several sources list it: one with a point first, then the national file
 * of lieux de médiation, a territory's list, France Services, conseillers numériques, Aidants Connect; ties by id.
 * `l` is the alias of `lieux_aide`.
 */
export const lieuPrioritySql = `(CASE WHEN l.latitude IS NULL OR l.longitude IS NULL THEN 10 ELSE 0 END) +
      (CASE WHEN l.source = 'lieux-mediation' THEN 1 WHEN starts_with(l.source, 'territoire-') THEN 2 WHEN l.source = 'france-services' THEN 3
            WHEN l.source = 'conseillers-numeriques' THEN 4 ELSE 5 END)`;

/**
 * The places of help after deduplication: one row per structure, listing every source that names it. The groups
 * come from `lieux_groupes(id, groupe)`, written by the de-duplication (`dedup.ts`) just before.
 */
export function diagnosticLieuxSql(present: Set<string>): string {
  return `
  INSERT INTO diagnostic_lieux BY NAME
  WITH l0 AS (
    SELECT l.*, coalesce(lg.groupe, l.source || ':' || l.id) AS cle, ${lieuPrioritySql} AS rang_source
    FROM ${sourceTable("lieux_aide", present)} l LEFT JOIN lieux_groupes lg USING (id)
  ), l AS (
    SELECT *, row_number() OVER (PARTITION BY cle ORDER BY rang_source, id) AS prio FROM l0
  ), g AS (
    SELECT cle,
      arg_min(id, prio) AS id, arg_min(nom, prio) AS nom,
      string_agg(DISTINCT source, '|' ORDER BY source) AS sources,
      string_agg(id, '|' ORDER BY prio) AS ids,
      arg_min(code_insee, prio) AS code_insee, arg_min(adresse, prio) AS adresse,
      arg_min(latitude, prio) AS lat, arg_min(longitude, prio) AS lon,
      arg_min(typologie, prio) AS typologie, arg_min(services, prio) AS services,
      string_agg(DISTINCT dispositifs, '|' ORDER BY dispositifs) AS dispositifs, arg_min(horaires, prio) AS horaires,
      bool_or(coalesce(itinerance, false)) AS itinerance, arg_min(site_web, prio) AS site_web
    FROM l GROUP BY cle
  )
  SELECT g.id, g.nom, g.sources, g.ids, g.code_insee, c.nom AS commune, c.code_departement, c.epci_siren, g.adresse,
    coalesce(g.lat, ct.point_lat) AS latitude, coalesce(g.lon, ct.point_lon) AS longitude,
    CASE WHEN g.lat IS NOT NULL THEN 'point' WHEN ct.point_lat IS NOT NULL THEN 'commune' END AS localisation,
    g.typologie, g.services, g.dispositifs, g.horaires, g.itinerance, g.site_web
  FROM g LEFT JOIN communes c USING (code_insee) LEFT JOIN ${sourceTable("contours", present)} ct USING (code_insee)`;
}

/**
 * Writes `diagnostic_communes`, one row per current commune, with what the source tables say (publics,
 * connectivity, typologies, libraries) and the counts behind every share; the offer columns stay empty until
 * `diagnosticOfferSql` fills them. It needs none of the places of help, so the load writes it while the places are
 * de-duplicated and the distances measured. Uses the `capped` macro (see `joinCommuneSources` in build.ts).
 */
export function diagnosticCommunesSourcesSql(present: Set<string>): string {
  const t = (name: string) => sourceTable(name, present);
  return `
  INSERT INTO diagnostic_communes BY NAME
  WITH rp AS (
    SELECT s.code_insee, s.pop, s.pop_65p, s.pop_75p, d.nscol15p, d.nscol15p_diplmin + d.nscol15p_bepc AS peu_diplomes,
      m.men, m.men_pseul, m.fam, m.fam_mono, m.pop80p, m.pop80p_pseul, e.act1564, e.chom1564
    FROM ${t("rp_structure")} s
    LEFT JOIN ${t("rp_diplomes")} d USING (code_insee)
    LEFT JOIN ${t("rp_menages")} m USING (code_insee)
    LEFT JOIN ${t("rp_emploi")} e USING (code_insee)
  ),
  der AS (SELECT * FROM ${t("indicateurs_derives")}),
  fi AS (SELECT * FROM ${t("filosofi")}),
  -- Published EPCI and département rates (one row per level and code: the table's key), joined once each.
  fit_epci AS (SELECT code, taux_pauvrete FROM ${t("filosofi_territoires")} WHERE niveau = 'epci'),
  fit_dep AS (SELECT code, taux_pauvrete FROM ${t("filosofi_territoires")} WHERE niveau = 'departement'),
  -- Poverty where Filosofi hides the commune: the EPCI's, then the département's, published value when the
  -- official EPCI/DEP files are loaded, else estimated from the communes that are published (weighted by persons).
  pov_epci AS (${publishedPovertySql("c.epci_siren", present)}),
  pov_dep AS (${publishedPovertySql("c.code_departement", present)}),
  ftth AS (
    SELECT * FROM ${t("arcep_ftth")}
    QUALIFY row_number() OVER (PARTITION BY code_insee ORDER BY trimestre DESC) = 1
  ),
  elig AS (
    SELECT e.code_insee, e.nbr, ${eligibleThd30} AS thd30, e.elig_bhd8 AS bhd8, e.elig_thd100 AS thd100, e.elig_thd1g AS thd1g
    FROM ${t("arcep_eligibilite")} e
    QUALIFY row_number() OVER (PARTITION BY e.code_insee ORDER BY e.date DESC) = 1
  ),
  biblio AS (SELECT code_insee, count(*)::INTEGER AS n FROM ${t("bibliotheques")} GROUP BY 1),
  qp AS (SELECT code_insee, count(DISTINCT code_qp)::INTEGER AS n FROM ${t("qpv")} GROUP BY 1),
  ifn AS (SELECT code, total FROM ${t("ifn_reference")} WHERE niveau = 'commune')
  SELECT c.code_insee, c.nom, c.code_departement, c.code_region, c.epci_siren, ep.nom AS epci_nom, c.population,
    CASE WHEN rp.code_insee IS NOT NULL THEN 'insee' WHEN der.code_insee IS NOT NULL THEN 'derive' END AS source_publics,
    rp.pop AS pop_rp, rp.pop_65p AS pop_65_plus,
    CASE WHEN rp.code_insee IS NOT NULL THEN rp.pop_65p / nullif(rp.pop, 0) ELSE der.tx_65etplus / 100 END AS part_65_plus,
    rp.pop_75p AS pop_75_plus, rp.pop_75p / nullif(rp.pop, 0) AS part_75_plus,
    rp.nscol15p, rp.peu_diplomes,
    CASE WHEN rp.code_insee IS NOT NULL THEN rp.peu_diplomes / nullif(rp.nscol15p, 0) ELSE der.tx_nscol15p / 100 END AS part_peu_diplomes,
    rp.men AS menages, rp.men_pseul AS menages_seuls,
    CASE WHEN rp.code_insee IS NOT NULL THEN rp.men_pseul / nullif(rp.men, 0) ELSE der.tx_menseul / 100 END AS part_menages_seuls,
    rp.pop80p AS pop_80_plus, rp.pop80p_pseul AS pop_80_plus_seuls, rp.pop80p_pseul / nullif(rp.pop80p, 0) AS part_80_plus_seuls,
    rp.fam AS familles, rp.fam_mono AS familles_mono,
    CASE WHEN rp.code_insee IS NOT NULL THEN rp.fam_mono / nullif(rp.fam, 0) ELSE der.tx_fammono / 100 END AS part_familles_mono,
    rp.act1564 AS actifs_15_64, rp.chom1564 AS chomeurs_15_64, rp.chom1564 / nullif(rp.act1564, 0) AS taux_chomage,
    coalesce(fi.taux_pauvrete, fit_epci.taux_pauvrete, pov_epci.taux, fit_dep.taux_pauvrete, pov_dep.taux) / 100 AS taux_pauvrete,
    CASE WHEN fi.taux_pauvrete IS NOT NULL THEN 'commune'
         WHEN fit_epci.taux_pauvrete IS NOT NULL OR pov_epci.taux IS NOT NULL THEN 'epci'
         WHEN fit_dep.taux_pauvrete IS NOT NULL OR pov_dep.taux IS NOT NULL THEN 'departement'
    END AS taux_pauvrete_source,
    fi.mediane_niveau_vie,
    ftth.locaux, ftth.locaux_raccordables AS locaux_ftth, capped(ftth.locaux_raccordables / nullif(ftth.locaux, 0)) AS part_locaux_ftth,
    ftth.trimestre AS ftth_trimestre, ftth.zone_fthd,
    elig.nbr AS locaux_eligibilite, elig.thd30 AS locaux_eligible_thd30, capped(elig.thd30 / nullif(elig.nbr, 0)) AS part_eligible_thd30,
    elig.bhd8 AS locaux_eligible_bhd8, capped(elig.bhd8 / nullif(elig.nbr, 0)) AS part_eligible_bhd8,
    elig.thd100 AS locaux_eligible_thd100, capped(elig.thd100 / nullif(elig.nbr, 0)) AS part_eligible_thd100,
    elig.thd1g AS locaux_eligible_thd1g, capped(elig.thd1g / nullif(elig.nbr, 0)) AS part_eligible_thd1g,
    coalesce(biblio.n, 0) AS nb_bibliotheques,
    ifn.total AS ifn_reference,
    ty.frr, ty.densite_code, ty.densite_libelle, ty.centralite,
    coalesce(qp.n, 0) > 0 AS qpv, coalesce(qp.n, 0) AS nb_qpv,
    ct.point_lon, ct.point_lat, ct.surface_km2
  FROM communes c
  LEFT JOIN epci ep USING (epci_siren)
  LEFT JOIN rp USING (code_insee)
  LEFT JOIN der USING (code_insee)
  LEFT JOIN fi USING (code_insee)
  LEFT JOIN fit_epci ON fit_epci.code = c.epci_siren
  LEFT JOIN pov_epci ON pov_epci.code = c.epci_siren
  LEFT JOIN fit_dep ON fit_dep.code = c.code_departement
  LEFT JOIN pov_dep ON pov_dep.code = c.code_departement
  LEFT JOIN ftth USING (code_insee)
  LEFT JOIN elig USING (code_insee)
  LEFT JOIN biblio USING (code_insee)
  LEFT JOIN qp USING (code_insee)
  LEFT JOIN ifn ON ifn.code = c.code_insee
  LEFT JOIN ${t("typologies")} ty USING (code_insee)
  LEFT JOIN ${t("contours")} ct USING (code_insee)
`;
}

/**
 * Fills the offer of help of every row of `diagnostic_communes` (places by kind, the nearest one and its distance,
 * whether to check it), from the de-duplicated places and `commune_distances`. An update of these few columns
 * rather than a second copy of the whole row: the table has 82 columns, and writing it again took ≈ 1 s of the
 * load's critical path.
 */
export function diagnosticOfferSql(): string {
  return `
  UPDATE diagnostic_communes SET
    nb_lieux = o.nb_lieux, nb_lieux_mediation = o.nb_lieux_mediation, nb_france_services = o.nb_france_services,
    nb_aidants_connect = o.nb_aidants_connect, nb_conseillers_numeriques = o.nb_conseillers_numeriques,
    distance_lieu_km = o.distance_lieu_km, distance_mediation_km = o.distance_mediation_km,
    distance_france_services_km = o.distance_france_services_km, distance_aidants_connect_km = o.distance_aidants_connect_km,
    distance_conseillers_numeriques_km = o.distance_conseillers_numeriques_km, lieu_le_plus_proche = o.lieu_le_plus_proche,
    lieu_le_plus_proche_id = o.lieu_le_plus_proche_id, offre_non_couverte = o.offre_non_couverte,
    lieu_le_plus_proche_dans_commune = o.lieu_le_plus_proche_dans_commune, lieu_le_plus_proche_a_verifier = o.lieu_le_plus_proche_a_verifier
  FROM (
    WITH
    offre AS (
      SELECT code_insee, count(*)::INTEGER AS nb_lieux,
        -- A territory's own list is a list of lieux de médiation numérique (offerKind in places.ts).
        count(*) FILTER (WHERE sources LIKE '%lieux-mediation%' OR sources LIKE '%territoire-%')::INTEGER AS nb_lieux_mediation,
        count(*) FILTER (WHERE sources LIKE '%france-services%')::INTEGER AS nb_france_services,
        count(*) FILTER (WHERE sources LIKE '%aidants-connect%')::INTEGER AS nb_aidants_connect,
        count(*) FILTER (WHERE sources LIKE '%conseillers-numeriques%')::INTEGER AS nb_conseillers_numeriques
      FROM diagnostic_lieux GROUP BY 1
    ),
    -- Every reason to check a place, by place (the nearest place of a commune may have several).
    a_verifier AS (SELECT id, string_agg(detail, ' ; ' ORDER BY motif) AS detail FROM lieux_a_verifier GROUP BY id)
    SELECT s.code_insee,
      coalesce(offre.nb_lieux, 0) AS nb_lieux, coalesce(offre.nb_lieux_mediation, 0) AS nb_lieux_mediation,
      coalesce(offre.nb_france_services, 0) AS nb_france_services, coalesce(offre.nb_aidants_connect, 0) AS nb_aidants_connect,
      coalesce(offre.nb_conseillers_numeriques, 0) AS nb_conseillers_numeriques,
      dist.distance_lieu_km, dist.distance_mediation_km, dist.distance_france_services_km, dist.distance_aidants_connect_km,
      dist.distance_conseillers_numeriques_km, dist.lieu_le_plus_proche, dist.lieu_le_plus_proche_id, dist.offre_non_couverte,
      coalesce(proche.code_insee = s.code_insee, false) AS lieu_le_plus_proche_dans_commune,
      a_verifier.detail AS lieu_le_plus_proche_a_verifier
    FROM diagnostic_communes s
    LEFT JOIN offre USING (code_insee)
    LEFT JOIN commune_distances dist USING (code_insee)
    LEFT JOIN diagnostic_lieux proche ON proche.id = dist.lieu_le_plus_proche_id
    LEFT JOIN a_verifier ON a_verifier.id = dist.lieu_le_plus_proche_id
  ) o
  WHERE o.code_insee = diagnostic_communes.code_insee`;
}
