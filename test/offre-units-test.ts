import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { CogIndex } from "../loaders/ingest/cog.ts";
import { SourceError } from "../loaders/io/errors.ts";
import {
  checkCoordinates,
  communeNames,
  dedupKey,
  findCommuneByName,
  normalisePlaceName,
  normaliseSiret,
  OffreStats,
  safeUrls
} from "../loaders/ingest/offre/places.ts";
import { parseAidantsConnect } from "../loaders/ingest/sources/aidants-connect.ts";
import { parseBibliotheques } from "../loaders/ingest/sources/bibliotheques.ts";
import { parseConseillersNumeriques } from "../loaders/ingest/sources/conseillers-numeriques.ts";
import { openingHours, parseFranceServices } from "../loaders/ingest/sources/france-services.ts";
import { parseItinerance } from "../loaders/ingest/sources/lieux-mediation.ts";
import { recordLines } from "../loaders/ingest/offre/json-records.ts";
import { parseTerritoireConfig } from "../loaders/ingest/offre/territoire-config.ts";
import { territoireToLieux } from "../loaders/ingest/sources/territoires.ts";
import { inputDir, ledger, mirrorDir } from "./helpers.ts";

const fixture = (name: string) => readFileSync(path.join(inputDir, "offre", name), "utf8");

/** A small current COG: the communes the fixtures use; 23023 Blaudeix is a commune déléguée of 23149 Parsac. */
const cog = new CogIndex(
  ["23096", "23031", "23030", "23067", "23075", "23008", "23176", "23149", "23220", "02408", "02361", "02691", "12032"],
  [["23023", "23149"]],
  []
);

const names = communeNames([
  { code_insee: "23096", nom: "Guéret", code_departement: "23" },
  { code_insee: "23031", nom: "Boussac", code_departement: "23" },
  { code_insee: "12032", nom: "Boussac", code_departement: "12" },
  { code_insee: "23067", nom: "La Courtine", code_departement: "23" },
  { code_insee: "23220", nom: "Saint-Vaury", code_departement: "23" },
  { code_insee: "02408", nom: "Laon", code_departement: "02" }
]);

describe("coordinates", () => {
  it("keeps points in metropolitan France and the overseas départements", () => {
    expect(checkCoordinates(46.171034, 1.874199)).toEqual({ status: "ok", latitude: 46.171034, longitude: 1.874199 });
    // Saint-Denis de La Réunion, Cayenne, Mamoudzou, Fort-de-France, Pointe-à-Pitre.
    for (const [lat, lon] of [[-20.88, 55.45], [4.93, -52.33], [-12.78, 45.23], [14.6, -61.07], [16.24, -61.53]]) {
      expect(checkCoordinates(lat, lon).status).toBe("ok");
    }
  });

  it("corrects swapped latitude and longitude", () => {
    expect(checkCoordinates(1.48297, 46.238817)).toEqual({ status: "swapped", latitude: 46.238817, longitude: 1.48297 });
    expect(checkCoordinates(55.45, -20.88)).toEqual({ status: "swapped", latitude: -20.88, longitude: 55.45 });
  });

  it("drops points outside France, unreadable or absent", () => {
    expect(checkCoordinates(0, 0).status).toBe("outside");
    expect(checkCoordinates(40.71, -74.0).status).toBe("outside"); // New York
    expect(checkCoordinates(46.780246, -56.17246).status).toBe("outside"); // Saint-Pierre-et-Miquelon: not a département
    expect(checkCoordinates(NaN, 2).status).toBe("outside");
    expect(checkCoordinates(null, 2)).toEqual({ status: "absent", latitude: null, longitude: null });
  });
});

describe("de-duplication key", () => {
  it("folds names so that two sources' spellings of one place compare equal", () => {
    expect(normalisePlaceName("France services de Boussac")).toBe("france services boussac");
    expect(normalisePlaceName("FRANCE SERVICES  BOUSSAC")).toBe("france services boussac");
    expect(normalisePlaceName("Médiathèque St-Éloi & Co")).toBe("mediatheque saint eloi co");
  });

  it("uses the SIRET with the commune when known, else the name with the commune", () => {
    expect(dedupKey({ siret: "22230962700016", nom: "Département", code_insee: "23096" })).toBe("siret:22230962700016:23096");
    expect(dedupKey({ siret: null, nom: "France services de Boussac", code_insee: "23031" })).toBe("nom:france services boussac:23031");
  });

  it("reads SIRETs written as floats and refuses those failing the Luhn check", () => {
    expect(normaliseSiret("42189774500020.0")).toBe("42189774500020");
    expect(normaliseSiret("0.0")).toBeNull();
    expect(normaliseSiret("776060592")).toBeNull(); // a SIREN, not a SIRET
    expect(normaliseSiret("12345678900000")).toBeNull(); // Luhn sum 38
    // La Poste's establishments do not pass Luhn: their digit sum is a multiple of 5 instead.
    expect(normaliseSiret("35600000001456")).toBe("35600000001456"); // digits sum to 3+5+6+1+4+5+6 = 30
    expect(normaliseSiret("35600000001457")).toBeNull(); // sum 31
  });
});

describe("text and URLs", () => {
  it("keeps only http(s) URLs", () => {
    expect(safeUrls("javascript:alert(1)")).toBeNull();
    expect(safeUrls(" https://a.example/ | javascript:alert(1)|data:text/html,x|http://b.example ")).toBe("https://a.example/|http://b.example");
    expect(safeUrls("www.example.fr")).toBeNull();
  });

  it("reads the standard's itinerance field", () => {
    expect(parseItinerance("Itinérant")).toBe(true);
    expect(parseItinerance("Fixe|Itinérant")).toBe(true);
    expect(parseItinerance("Fixe")).toBe(false);
    expect(parseItinerance("")).toBeNull();
  });
});

describe("commune names", () => {
  it("matches names whatever the accents, case and hyphens, within the postal code's département", () => {
    expect(findCommuneByName(names, "GUERET", "23000")).toBe("23096");
    expect(findCommuneByName(names, "Boussac", "23600")).toBe("23031");
    expect(findCommuneByName(names, "Boussac", null)).toBeNull(); // two Boussac: ambiguous without a postal code
    expect(findCommuneByName(names, "St Vaury", "23320")).toBe("23220");
    expect(findCommuneByName(names, "Laon", "23000")).toBeNull(); // wrong département
  });
});

describe("France Services (fixture)", () => {
  it("parses quoted fields with line breaks, converts hours, corrects swapped points", () => {
    const l = ledger("france-services", "france-services.csv");
    const stats = new OffreStats();
    const rows = parseFranceServices(fixture("france-services.csv"), l, cog, stats);
    // 4 records: Boussac, the Guise bus (comment over 3 lines), Laon (address with line breaks, swapped point),
    // Saint-Martin 97801 (a collectivité d'outre-mer, absent from this COG).
    expect([l.rowsIn, rows.length, l.rowsQuarantined]).toEqual([4, 3, 1]);
    expect(l.quarantined[0]).toMatchObject({ line: 10, column: "insee_com", value: "97801" });
    const [boussac, bus, laon] = rows;
    expect(boussac).toMatchObject({
      id: "france-services:137", code_insee: "23031", localisation: "point", itinerance: false, dispositifs: "France Services",
      horaires: "Mo-Th 09:00-12:00,14:00-17:00; Fr 09:00-12:00", cle_dedoublonnage: "nom:france services boussac:23031"
    });
    expect(bus).toMatchObject({ code_insee: "02361", itinerance: true, horaires: "Mo 09:30-16:30; We-Fr 09:30-16:30" });
    expect(laon).toMatchObject({ adresse: "27 Avenue Robert Schuman", latitude: 49.56, longitude: 3.62, localisation: "point", horaires: null });
    expect(stats.swapped).toBe(1);
  });

  it("groups identical consecutive days only", () => {
    expect(openingHours({ h_lundi: "09:00 - 12:00", h_mardi: "09:00 - 12:00", h_mercredi: "", h_jeudi: "09:00 - 12:00", h_samedi: "sur rendez-vous" }))
      .toBe("Mo-Tu 09:00-12:00; Th 09:00-12:00; Sa sur rendez-vous");
  });

  it("fails on a renamed required column, naming file, line and column", () => {
    const text = fixture("france-services.csv").replace('"insee_com"', '"code_insee_commune"');
    expect(() => parseFranceServices(text, ledger("france-services", "liste-fs.csv"), cog)).toThrow(SourceError);
    expect(() => parseFranceServices(text, ledger("france-services", "liste-fs.csv"), cog)).toThrow(/colonne obligatoire absente.*fichier liste-fs\.csv, ligne 1, colonne "insee_com"/);
  });
});

describe("Conseillers numériques (fixture)", () => {
  it("re-pads codes that lost their leading zero and keeps each committee decision", () => {
    const l = ledger("conseillers-numeriques", "cnfs.csv");
    const rows = parseConseillersNumeriques(fixture("conseillers-numeriques.csv"), l, cog);
    expect([l.rowsIn, l.rowsLoaded, l.rowsQuarantined]).toEqual([4, 3, 1]);
    expect(rows.map((r) => [r.id, r.code_insee, r.dispositifs, r.localisation])).toEqual([
      ["conseillers-numeriques:21020408100017", "02408", "Conseillers numériques|France Services", "commune"],
      ["conseillers-numeriques:21020408100017-2", "02408", "Conseillers numériques", "commune"],
      ["conseillers-numeriques:22230962700016", "23096", "Conseillers numériques", "commune"]
    ]);
    // Both Laon decisions are one structure for the diagnostic.
    expect(rows[0].cle_dedoublonnage).toBe("siret:21020408100017:02408");
    expect(rows[1].cle_dedoublonnage).toBe(rows[0].cle_dedoublonnage);
    expect(l.quarantined[0]).toMatchObject({ line: 5, column: "Code commune INSEE", value: "24O8", reason: "code commune mal formé" });
  });
});

describe("Aidants Connect (fixture)", () => {
  it("quarantines inactive structures and places those without code by their city", () => {
    const l = ledger("aidants-connect", "aidants.csv");
    const stats = new OffreStats();
    const rows = parseAidantsConnect(fixture("aidants-connect.csv"), l, cog, names, stats);
    expect([l.rowsIn, l.rowsLoaded, l.rowsQuarantined, stats.byName]).toEqual([5, 3, 2, 2]);
    expect(l.quarantined.map((q) => [q.line, q.column, q.reason])).toEqual([
      [2, "Is Active", "structure inactive"],
      [6, "City", "code INSEE absent et nom de commune non reconnu (ou ambigu) pour ce code postal"]
    ]);
    expect(rows.map((r) => [r.code_insee, r.dispositifs, r.cle_dedoublonnage])).toEqual([
      ["23067", "Aidants Connect|France Services", "nom:france services courtine:23067"],
      ["23031", "Aidants Connect", "siret:21230031000019:23031"],
      ["23096", "Aidants Connect", "siret:26230021000016:23096"]
    ]);
    expect(rows.every((r) => r.localisation === "commune" && r.latitude === null)).toBe(true);
  });
});

describe("bibliothèques (fixture)", () => {
  it("keeps public sites only, reads lat,lon strings and re-keys old codes", () => {
    const l = ledger("bibliotheques", "bib.csv");
    const stats = new OffreStats();
    const rows = parseBibliotheques(fixture("bibliotheques.csv"), l, cog, stats);
    expect([l.rowsIn, l.rowsLoaded, l.rowsQuarantined]).toEqual([6, 4, 2]);
    expect(l.quarantined.map((q) => [q.line, q.reason])).toEqual([
      [3, "adresse administrative : pas un site ouvert au public"],
      [6, "code commune absent du COG et de ses mouvements"]
    ]);
    expect(rows).toEqual([
      { id: "9001", nom: "Médiathèque du Grand Guéret", code_insee: "23096", latitude: 46.171, longitude: 1.871, statut: "Bibliothèque municipale", amplitude_horaire: 32.5 },
      { id: "9003", nom: "Bibliothèque de Bourganeuf", code_insee: "23030", latitude: null, longitude: null, statut: "Bibliothèque municipale", amplitude_horaire: null },
      { id: "9004", nom: "Point lecture de Laon", code_insee: "02408", latitude: 49.56, longitude: 3.62, statut: "Bibliothèque municipale", amplitude_horaire: 6 },
      { id: "9006", nom: "Bibliothèque de Blaudeix", code_insee: "23149", latitude: null, longitude: null, statut: "Bibliothèque municipale", amplitude_horaire: null }
    ]);
    expect([stats.swapped, stats.outside]).toEqual([1, 1]);
  });
});

describe("a territory's JSON list (the Creuse's correspondence)", () => {
  const placement = () => ({ cog, names, outlines: null, stats: new OffreStats(), seenIds: new Set<string>() });
  const mapping = parseTerritoireConfig(
    readFileSync(path.join(mirrorDir, "lieux-mediation-numerique", "territoires", "la-creuse.config.json"), "utf8"),
    { source: "territoires", file: "la-creuse.config.json" }
  );
  const toLieux = (text: string, l = ledger("territoires", "la-creuse.json"), p = placement()) => territoireToLieux(text, l, mapping, "la-creuse", p);

  it("finds the line of each record", () => {
    expect(recordLines('[\n  {"a": "}"},\n  {\n    "b": [1, 2]\n  }\n]')).toEqual([2, 3]);
  });

  it("places records by commune name without outlines, and quarantines the unknown", () => {
    const text = JSON.stringify([
      { id: 1, nom: "Guéret - Atelier", latitude: 46.17, longitude: 1.87, adresse: "x", code_postal: "23000", commune: "Guéret", horaires: null, services: "Utiliser le numérique au quotidien" },
      { id: 2, nom: "Pontarion-IDO", latitude: 45.99, longitude: 1.84, adresse: "x", code_postal: "23250", commune: "0 Pontarion", horaires: "mardi", services: null }
    ], null, 2);
    const l = ledger("territoires", "la-creuse.json");
    const p = placement();
    const rows = toLieux(text, l, p);
    expect(rows.map((r) => [r.id, r.source, r.code_insee, r.localisation, r.services])).toEqual([
      ["territoire-la-creuse:1", "territoire-la-creuse", "23096", "point", "Maîtrise des outils numériques du quotidien"]
    ]);
    expect(p.stats.byName).toBe(1);
    expect(l.quarantined[0]).toMatchObject({ line: 13, column: "code_insee" });
  });

  it("fails on invalid JSON and on a renamed key, with the line", () => {
    // V8 gives no position for an unexpected token: the line is where the broken record starts.
    expect(() => toLieux('[\n{"id": 1},\n{"id": 2,\n"nom": }\n]')).toThrow(/JSON invalide.*ligne 3/);
    // With a position (a missing comma on line 4), the exact line.
    expect(() => toLieux('[\n{"id": 1},\n{"id": 2,\n"nom": 2\n"x": 1}\n]')).toThrow(/JSON invalide.*ligne 5/);
    const renamed = JSON.stringify([{ id: 1, nom: "x", lat: 46, longitude: 1.8, adresse: "", code_postal: "", commune: "" }]);
    expect(() => toLieux(renamed)).toThrow(/colonne "latitude"/);
  });
});
