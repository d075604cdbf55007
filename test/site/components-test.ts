import { feature } from "topojson-client";
import type { GeometryCollection } from "topojson-specification";
import { describe, expect, it } from "vitest";
import { roundSignificant, toColumnar } from "../../loaders/outputs/site/loader.ts";
import { communeTopology } from "../../loaders/outputs/site/topology.ts";
import { fromColumnar } from "../../src/components/data.ts";
import { safeHref } from "../../src/components/dom.ts";
import { missingCriteriaText } from "../../src/components/indicators.ts";
import { nearestPlaceText, sourceLabel } from "../../src/components/places.ts";
import { populationBeyondReach } from "../../src/components/reach.ts";
import {
  candidateStops, classesOf, compareRankings, demandsBeyondReach, fragilityIndex, haversineKm, planItinerantStops, rankCommunes, spearman,
  type CandidateStop
} from "../../src/lib/diagnostic/index.ts";

/** The index of a site row (its `classe_*` columns) under `weights`, as the Priorités page computes it. */
const weightedIndex = (row: Record<string, unknown>, weights: typeof equal) => fragilityIndex(classesOf(row), weights).index;

const equal = { no_thd: 1, no_4g: 1, older_65: 1, low_diploma: 1, poverty: 1 };

describe("safeHref", () => {
  it("keeps http(s) and site-relative links only", () => {
    expect(safeHref("https://www.insee.fr/fr/statistiques")).toBe("https://www.insee.fr/fr/statistiques");
    expect(safeHref("communes/23001.html")).toBe("communes/23001.html");
    expect(safeHref("../communes/23001.html")).toBe("../communes/23001.html");
    expect(safeHref("communes/fiche.html?code=23001")).toBe("communes/fiche.html?code=23001");
    expect(safeHref("23/index.html")).toBe("23/index.html");
    expect(safeHref("javascript:alert(1)")).toBeNull();
    expect(safeHref(" JavaScript:alert(1)")).toBeNull();
    expect(safeHref("data:text/html,<script>")).toBeNull();
    expect(safeHref("//evil.example/x")).toBeNull();
    expect(safeHref(null)).toBeNull();
  });
});

describe("weightedIndex", () => {
  it("is the weighted mean of the known classes, skipping missing ones with their weight", () => {
    const commune = { classe_no_thd: 10, classe_no_4g: 2, classe_older_65: 6, classe_low_diploma: 4, classe_poverty: null };
    expect(weightedIndex(commune, equal)).toBe(5.5); // (10 + 2 + 6 + 4) / 4
    expect(weightedIndex(commune, { ...equal, older_65: 3 })).toBeCloseTo(34 / 6, 12); // (10 + 2 + 3 × 6 + 4) / 6
  });
  it("is null when no weighted class is known", () => {
    expect(weightedIndex({ classe_poverty: 7 }, { ...equal, poverty: 0 })).toBeNull();
  });
});

describe("ranking", () => {
  const communes = [
    { code_insee: "23001", classe_no_thd: 9, classe_older_65: 1 },
    { code_insee: "23002", classe_no_thd: 1, classe_older_65: 9 },
    { code_insee: "23003", classe_no_thd: 5, classe_older_65: 5 },
    { code_insee: "23004" }
  ];
  it("breaks ties by code, as the exports do, and leaves unscored communes unranked", () => {
    // Equal weights: every scored commune has index 5, priority (5 − 1) / 9 = 0.444…; the code decides.
    const ranked = rankCommunes(communes, equal, 10);
    expect(ranked.map((r) => [r.item.code_insee, r.rank])).toEqual([["23001", 1], ["23002", 2], ["23003", 3], ["23004", null]]);
    const older = rankCommunes(communes, { ...equal, older_65: 3 }, 10);
    expect(older.map((r) => r.item.code_insee)).toEqual(["23002", "23003", "23001", "23004"]);
  });
  it("measures rank agreement (Spearman) and top entries/exits", () => {
    expect(spearman([1, 2, 3, 4], [1, 2, 3, 4])).toBe(1);
    expect(spearman([1, 2, 3, 4], [4, 3, 2, 1])).toBe(-1);
    expect(spearman([1, 2, 3], [1, 3, 2])).toBeCloseTo(0.5, 10); // 1 - 6 * 2 / (3 * 8)
    // a, b, c against a, d, b: the items both rank are a (1, 1) and b (2, 3): rho = 1.
    expect(compareRankings(["a", "b", "c"], ["a", "d", "b"], 2)).toEqual({ spearman: 1, entries: ["d"], exits: ["b"], kept: 1 });
  });
  it("names the missing criteria in French", () => {
    expect(missingCriteriaText("no_4g|poverty")).toBe("pas de couverture 4G, taux de pauvreté");
  });
});

describe("reach", () => {
  it("computes great-circle distances (Guéret → Aubusson, about 33 km as the crow flies)", () => {
    expect(haversineKm({ lat: 46.1714, lon: 1.8714 }, { lat: 45.9556, lon: 2.1681 })).toBeCloseTo(33.16, 2);
  });
  it("adds up the population beyond the threshold and counts unknown distances apart", () => {
    const communes = [
      { code_insee: "a", population: 100, distance_lieu_km: 12 },
      { code_insee: "b", population: 300, distance_lieu_km: 5 },
      { code_insee: "c", population: 100, distance_lieu_km: null }
    ];
    expect(populationBeyondReach(communes, 10)).toEqual({ population: 100, communes: 1, part: 0.2, inconnues: 1 });
    expect(populationBeyondReach(communes, 15).population).toBe(0);
  });
  it("chooses stops greedily by population brought within reach", () => {
    // Three communes beyond reach on a meridian, ~11 km apart; a stop covers within 10 km.
    const at = (lat: number) => ({ point_lat: lat, point_lon: 2 });
    const communes = [
      { code_insee: "n", nom: "N", population: 500, distance_lieu_km: 20, ...at(46.2) },
      { code_insee: "m", nom: "M", population: 300, distance_lieu_km: 20, ...at(46.1) },
      { code_insee: "s", nom: "S", population: 400, distance_lieu_km: 20, ...at(46.0) },
      { code_insee: "ok", nom: "OK", population: 9000, distance_lieu_km: 2, ...at(46.05) }
    ];
    const stop = (id: string, lat: number): CandidateStop => ({ id, kind: "mairie", nom: id, code_insee: id, lat, lon: 2 });
    const plan = planItinerantStops([stop("N", 46.2), stop("NM", 46.15), stop("S", 46.0)], demandsBeyondReach(communes, 10), 3, 10);
    expect(plan.map((p) => [p.stop.id, p.gain, p.cumulative])).toEqual([["NM", 800, 800], ["S", 400, 1200]]);
    expect(plan[0].covers.sort()).toEqual(["m", "n"]);
  });
  it("takes libraries and town halls as candidates, with the ids the pipeline writes", () => {
    const stops = candidateStops([{ id: "B1", nom: "Médiathèque", code_insee: "23096", latitude: 46.1, longitude: 1.9 }], [
      { code_insee: "23096", nom: "Guéret", population: 1, distance_lieu_km: 0, point_lon: 1.87, point_lat: 46.17 },
      { code_insee: "23001", nom: "Sans point", population: 1, distance_lieu_km: 0, point_lon: null, point_lat: null }
    ]);
    expect(stops.map((s) => [s.id, s.kind, s.nom])).toEqual([["bibliotheque:B1", "bibliotheque", "Médiathèque"], ["mairie:23096", "mairie", "Mairie de Guéret"]]);
  });
});

describe("site data", () => {
  it("rounds to significant digits and round-trips columnar tables", () => {
    expect(roundSignificant(0.123456)).toBe(0.1235);
    // counts are never rounded: a page must show the same population as the exports
    expect(roundSignificant(115527)).toBe(115527);
    expect(roundSignificant(12345.67)).toBe(12346);
    expect(roundSignificant(255)).toBe(255);
    const rows = [{ code_insee: "02001", part: 0.333333, nom: null }];
    expect(fromColumnar(toColumnar(rows) as { columns: string[]; rows: unknown[][] })).toEqual([{ code_insee: "02001", part: 0.3333, nom: null }]);
  });
  it("keeps every commune and its code in the simplified topology", () => {
    const square = (x: number) => JSON.stringify({ type: "Polygon", coordinates: [[[x, 46], [x + 0.1, 46], [x + 0.1, 46.1], [x, 46.1], [x, 46]]] });
    const topology = communeTopology([
      { code_insee: "23001", nom: "A", geometry: square(2) },
      { code_insee: "23002", nom: "B", geometry: square(2.1) }
    ]);
    const features = feature(topology, topology.objects.communes as GeometryCollection).features;
    expect(features.map((f) => [f.id, (f.properties as { nom: string }).nom])).toEqual([["23001", "A"], ["23002", "B"]]);
    const ring = (features[1].geometry as GeoJSON.Polygon).coordinates[0];
    expect(Math.min(...ring.map((p) => p[0]))).toBeCloseTo(2.1, 3);
    // Counter-clockwise (RFC 7946) outer rings come out clockwise, as d3-geo expects.
    const x = ring.map((p) => p[0]);
    const y = ring.map((p) => p[1]);
    const twiceArea = ring.slice(1).reduce((sum, _, i) => sum + x[i] * y[i + 1] - x[i + 1] * y[i], 0);
    expect(twiceArea).toBeLessThan(0);
    expect(() => communeTopology([{ code_insee: "23003", nom: "C", geometry: "{" }])).toThrow("géométrie illisible pour la commune 23003");
  });
});

describe("places", () => {
  it("names a territory's list as a list of lieux de médiation numérique", () => {
    expect(sourceLabel("territoire-maine-et-loire")).toBe("Lieu de médiation numérique (liste « maine-et-loire »)");
    expect(sourceLabel("france-services")).toBe("France Services");
  });

  it("says « dans la commune » rather than « 0,0 km », and flags a doubtful record", () => {
    const pau = {
      lieu_le_plus_proche: "France Services ESPELETTE",
      distance_lieu_km: 0,
      lieu_le_plus_proche_dans_commune: true,
      lieu_le_plus_proche_a_verifier: "le nom cite Espelette, le lieu est placé à Pau"
    };
    expect(nearestPlaceText(pau, 10)).toBe(
      "Lieu d'aide le plus proche : France Services ESPELETTE, dans la commune (fiche du lieu à vérifier : le nom cite Espelette, le lieu est placé à Pau)"
    );
    expect(nearestPlaceText({ lieu_le_plus_proche: "Médiathèque", distance_lieu_km: 12.34, lieu_le_plus_proche_dans_commune: false }, 10)).toBe(
      "Lieu d'aide le plus proche : Médiathèque, à 12,3 km : au-delà du seuil de 10 km"
    );
    expect(nearestPlaceText(undefined, 10)).toBe("Lieu d'aide le plus proche : —");
  });
});
