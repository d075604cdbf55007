import { describe, expect, it } from "vitest";
import { compatibleTypes, deduplicate, distanceScore, lcsLength, normaliseStreet, pairScore, ratio, type DedupPlace } from "../loaders/diagnostic/dedup.ts";
import { doubtfulPlaces, otherCommuneCited, communeNameIndex } from "../loaders/diagnostic/doubtful.ts";

const settings = { fusion: 0.8, a_verifier: 0.6 };

/** A record with defaults; `lat` given in degrees (1° of latitude = 111 195 m on the 6 371 km sphere). */
function place(id: string, source: string, nom: string, code_insee: string, extra: Partial<DedupPlace> = {}): DedupPlace {
  return { id, source, nom, code_insee, adresse: null, latitude: null, longitude: null, typologie: null, cle_dedoublonnage: null, ...extra };
}

describe("scoring a pair", () => {
  it("measures names by insertions and deletions (fuzzball's ratio)", () => {
    expect(ratio("abc", "abd")).toBeCloseTo(4 / 6, 10); // common "ab": 2 × 2 / 6
    expect(ratio("kitten", "sitting")).toBeCloseTo(8 / 13, 10); // common "ittn"
    expect(ratio("", "")).toBe(1);
    expect(ratio("abc", "")).toBe(0);
  });

  it("counts the longest common subsequence as the textbook table does, at every length and across words of 32 bits", () => {
    // The table of the dynamic programme, cell by cell: the reference the bit-parallel count must equal.
    const table = (a: string, b: string): number => {
      let previous = new Array(b.length + 1).fill(0);
      for (let i = 1; i <= a.length; i++) {
        const current = [0];
        for (let j = 1; j <= b.length; j++) current[j] = a[i - 1] === b[j - 1] ? previous[j - 1] + 1 : Math.max(previous[j], current[j - 1]);
        previous = current;
      }
      return previous[b.length];
    };
    expect(lcsLength("kitten", "sitting")).toBe(4);
    expect(lcsLength("", "abc")).toBe(0);
    // A seeded generator: the same strings at every run, lengths around the word boundaries (31, 32, 33, 64, 65).
    let seed = 42;
    const next = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    const alphabet = "ab cdeéœ-1";
    const text = (n: number) => Array.from({ length: n }, () => alphabet[Math.floor(next() * alphabet.length)]).join("");
    for (const n of [1, 5, 31, 32, 33, 63, 64, 65, 100, 140]) {
      for (let k = 0; k < 40; k++) {
        const a = text(n);
        const b = text(Math.floor(next() * 150));
        expect(lcsLength(a, b), `${a} / ${b}`).toBe(table(a, b));
        expect(lcsLength(b, a)).toBe(table(a, b));
      }
    }
  });

  it("reduces streets to comparable words", () => {
    expect(normaliseStreet("PL DE LA LIBERTE\t82100\tCASTELSARRASIN")).toBe("place liberte");
    expect(normaliseStreet("8 Rue du Long")).toBe("8 rue long");
    expect(normaliseStreet("362 CHE DES OULES")).toBe("362 chemin oules");
    expect(normaliseStreet("  ")).toBeNull();
  });

  it("scores distance as 1 within 50 m, then 50 m / d", () => {
    expect([distanceScore(0), distanceScore(50), distanceScore(100), distanceScore(1000)]).toEqual([1, 1, 0.5, 0.05]);
  });

  it("accepts untyped records, a shared type, France Services with a PIMMS", () => {
    expect(compatibleTypes(null, "BIB")).toBe(true);
    expect(compatibleTypes("ASSO|BIB", "BIB")).toBe(true);
    expect(compatibleTypes("RFS", "PIMMS")).toBe(true);
    expect(compatibleTypes("MUNI", "BIB")).toBe(false);
  });

  it("averages the components it can compute", () => {
    // The Caylus pair of Tarn-et-Garonne: France Services (with a point) and Aidants Connect (without).
    const fs = place("france-services:990", "france-services", "France services Caylus", "82038", { adresse: "8 Rue du Long", latitude: 44.236154, longitude: 1.772019 });
    const ac = place("aidants-connect:1857", "aidants-connect", "France services Caylus", "82038", { adresse: "8 rue du long" });
    expect(pairScore(fs, ac)).toEqual({ nom: 1, rue: 1, distance: null, distanceM: null, score: 1 });
    expect(ratio("ccas castelsarrasin", "ctre com action sociale castelsarrasin")).toBeCloseTo(38 / 57, 10);
    // "espace numerique" is a subsequence of "espace public numerique": 2 × 16 / 39; same street; 200 m → 0.25.
    const a = place("a", "lieux-mediation", "Espace numérique", "23096", { adresse: "2 place de la Mairie", latitude: 46.17, longitude: 1.87 });
    const b = place("b", "territoire-la-creuse", "Espace public numérique", "23096", { adresse: "2 PL DE LA MAIRIE", latitude: 46.17 + 200 / 111195, longitude: 1.87 });
    const s = pairScore(a, b);
    expect(s.nom).toBeCloseTo(32 / 39, 10);
    expect(s.rue).toBe(1);
    expect(s.distanceM).toBeCloseTo(200, 0);
    expect(s.score).toBeCloseTo((32 / 39 + 1 + 0.25) / 3, 3); // 0.690: grey zone
  });
});

describe("grouping the places of a commune", () => {
  const places = [
    place("fs-caylus", "france-services", "France services Caylus", "82038", { adresse: "8 Rue du Long", latitude: 44.236154, longitude: 1.772019 }),
    place("ac-caylus", "aidants-connect", "France services Caylus", "82038", { adresse: "8 rue du long" }),
    // Géronto 82: one name, two SIRETs and two streets, no point: the same structure for the diagnostic.
    place("cn-geronto", "conseillers-numeriques", "GERONTO 82", "82121", { adresse: "18 RUE DU CHANOINE BELLOC 82000 MONTAUBAN", cle_dedoublonnage: "siret:75084092800030:82121" }),
    place("ac-geronto", "aidants-connect", "Géronto 82", "82121", { adresse: "362 CHE DES OULES", cle_dedoublonnage: "siret:75084092800063:82121" }),
    // The CCAS of Castelsarrasin under two names and one SIRET, no street: "ccas castelsarrasin" is a subsequence
    // of the other name, 2 × 19 / 57 = 0.667, in the grey zone, and the SIRET settles it.
    place("ac-ccas", "aidants-connect", "CCAS CASTELSARRASIN", "82033", { cle_dedoublonnage: "siret:26820101900018:82033" }),
    place("cn-ccas", "conseillers-numeriques", "CTRE COM ACTION SOCIALE CASTELSARRASIN", "82033", { cle_dedoublonnage: "siret:26820101900018:82033" }),
    // Two France Services of La Poste registered at its Pau office under one regional SIRET: "espelette" and
    // "rion landes" share 2 letters (ratio 0.2), the street is the same (1): score 0.6, reviewed, not merged.
    place("ac-espelette", "aidants-connect", "France Services ESPELETTE", "64445", { adresse: "26 AV DES LILAS", cle_dedoublonnage: "siret:35600000030152:64445" }),
    place("ac-rion", "aidants-connect", "France Services Rion des Landes", "64445", { adresse: "26 AV DES LILAS", cle_dedoublonnage: "siret:35600000030152:64445" }),
    // Grey zone (score 0.690, see above).
    place("a", "lieux-mediation", "Espace numérique", "23096", { adresse: "2 place de la Mairie", latitude: 46.17, longitude: 1.87 }),
    place("b", "territoire-la-creuse", "Espace public numérique", "23096", { adresse: "2 PL DE LA MAIRIE", latitude: 46.17 + 200 / 111195, longitude: 1.87 }),
    // Same name, incompatible types: never compared.
    place("muni", "territoire-corse", "Mairie", "2A004", { typologie: "MUNI" }),
    place("bib", "territoire-corse", "Mairie", "2A004", { typologie: "BIB" }),
    // Same name in two communes: never compared.
    place("fs-montaigu", "france-services", "France services Montaigu", "82117"),
    place("fs-montaigu-ailleurs", "france-services", "France services Montaigu", "85146"),
    // Same name 3 km apart in one commune: two sites of one network.
    place("loin-1", "france-services", "Bus numérique", "23031", { latitude: 46.35, longitude: 2.21 }),
    place("loin-2", "aidants-connect", "Bus numérique", "23031", { latitude: 46.35 + 3000 / 111195, longitude: 2.21 })
  ];
  const { groups, review } = deduplicate(places, settings);

  it("merges by score, by SIRET and by identical name; the group is named after its first record", () => {
    expect(groups.get("ac-caylus")).toBe("fs-caylus");
    expect(groups.get("ac-geronto")).toBe("cn-geronto");
    expect(groups.get("cn-ccas")).toBe("ac-ccas");
    for (const id of ["ac-espelette", "ac-rion", "a", "b", "muni", "bib", "fs-montaigu", "fs-montaigu-ailleurs", "loin-1", "loin-2"]) expect(groups.get(id)).toBe(id);
  });

  it("lists the grey-zone pairs for review, not the merged ones", () => {
    expect(review.map((p) => [p.a.id, p.b.id, Math.round(p.score * 1000) / 1000])).toEqual([["a", "b", 0.69], ["ac-espelette", "ac-rion", 0.6]]);
  });

  it("is transitive: a place listed by three sources is one group", () => {
    const three = deduplicate(
      [
        place("x", "lieux-mediation", "Médiathèque", "23096", { adresse: "1 rue A" }),
        place("y", "france-services", "Mediatheque", "23096"),
        place("z", "aidants-connect", "MEDIATHEQUE", "23096", { adresse: "1 RUE A" })
      ],
      settings
    );
    expect([...three.groups.values()]).toEqual(["x", "x", "x"]);
  });
});

describe("doubtful place records", () => {
  const communes = [
    { code_insee: "64445", nom: "Pau", code_departement: "64" },
    { code_insee: "64213", nom: "Espelette", code_departement: "64" },
    { code_insee: "64102", nom: "Bayonne", code_departement: "64" },
    { code_insee: "64329", nom: "Lons", code_departement: "64" },
    { code_insee: "33063", nom: "Bordeaux", code_departement: "33" }
  ];
  const index = communeNameIndex(communes);
  const at = (nom: string, code_insee: string, commune: string, localisation = "point") => ({ id: nom, nom, code_insee, commune, code_departement: "64", localisation });

  it("flags a name citing another commune of the département, not its own", () => {
    expect(otherCommuneCited(at("France Services ESPELETTE", "64445", "Pau"), index)).toBe("Espelette");
    expect(otherCommuneCited(at("Médiathèque de Pau", "64445", "Pau"), index)).toBeNull();
    // Its own name cited too: an antenna, not an error.
    expect(otherCommuneCited(at("CCAS de Pau, antenne Bayonne", "64445", "Pau"), index)).toBeNull();
    // Another département's commune, or a word inside another word: no evidence.
    expect(otherCommuneCited(at("Association Bordeaux numérique", "64445", "Pau"), index)).toBeNull();
    expect(otherCommuneCited(at("Espace Lonsdale", "64445", "Pau"), index)).toBeNull();
  });

  it("gives the reason of each doubt, a place without coordinates included", () => {
    expect(doubtfulPlaces([at("France Services ESPELETTE", "64445", "Pau", "commune"), at("Médiathèque de Pau", "64445", "Pau")], index)).toEqual([
      { id: "France Services ESPELETTE", motif: "autre_commune_dans_le_nom", detail: "le nom cite Espelette, le lieu est placé à Pau" },
      { id: "France Services ESPELETTE", motif: "sans_coordonnees", detail: "aucune coordonnée publiée : lieu placé au point représentatif de sa commune" }
    ]);
  });
});
