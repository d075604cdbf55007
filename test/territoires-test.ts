import { mkdirSync, readFileSync, readdirSync, symlinkSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CogIndex } from "../loaders/ingest/cog.ts";
import { communeNames, OffreStats, postalCodeAndCommune } from "../loaders/ingest/offre/places.ts";
import { cellText, mapRecord, parseTerritoireConfig } from "../loaders/ingest/offre/territoire-config.ts";
import { commandLinePair, coordinatesOf, territoiresSource, territoireToLieux, TERRITOIRES_FOLDER } from "../loaders/ingest/sources/territoires.ts";
import { pairTerritoires, readConfig } from "../loaders/io/config.ts";
import { SourceError } from "../loaders/io/errors.ts";
import type { Database } from "../loaders/io/db.ts";
import { inputDir, ledger, loadSources, mirrorDir, queryRows, tempDir } from "./helpers.ts";
import { creuseOutlines } from "./offre-helpers.ts";

const fixtures = path.join(inputDir, "territoires");
const read = (file: string) => readFileSync(path.join(fixtures, file), "utf8");
const where = (file: string) => ({ source: "territoires", file });
const exemple = parseTerritoireConfig(read("exemple.config.json"), where("exemple.config.json"));
const records = JSON.parse(read("exemple.json")) as Record<string, unknown>[];

describe("correspondence files", () => {
  it("understands every rule form of the mirror's four configs", () => {
    const folder = path.join(mirrorDir, TERRITOIRES_FOLDER);
    const configs = readdirSync(folder).filter((f) => f.endsWith(".config.json")).sort();
    expect(configs).toEqual(["corse.config.json", "gironde.config.json", "la-creuse.config.json", "maine-et-loire.config.json"]);
    for (const file of configs) {
      const mapping = parseTerritoireConfig(readFileSync(path.join(folder, file), "utf8"), where(file));
      expect(mapping.fields.nom?.kind).toBe("colonne");
    }
    const maineEtLoire = parseTerritoireConfig(readFileSync(path.join(folder, "maine-et-loire.config.json"), "utf8"), where("x"));
    expect(maineEtLoire.fields.adresse).toEqual({ kind: "joindre", colonnes: ["N°", "ADRESSE"], separateur: " ", ou: null });
    // `{ "colonne": "" }` means "not in this file": no rule.
    const corse = parseTerritoireConfig(readFileSync(path.join(folder, "corse.config.json"), "utf8"), where("x"));
    expect(corse.fields.code_postal).toBeUndefined();
    expect(corse.horaires).toEqual({ kind: "semaine", colonne: "Horaires" });
  });

  it("fails on an unknown rule form, naming the config file, the line and the key", () => {
    const call = () => parseTerritoireConfig(read("forme-inconnue.config.json"), where("forme-inconnue.config.json"));
    expect(call).toThrow(SourceError);
    // `dissocier` without `partie` is not a form the Cartographie nationale knows.
    expect(call).toThrow(/règle de correspondance inconnue pour "latitude".*fichier forme-inconnue\.config\.json, ligne 5, colonne "latitude"/);
  });

  it("fails on an unknown key and on hours given per day", () => {
    expect(() => parseTerritoireConfig('{"nom": {"colonne": "n"},\n"horaire": {"osm": "h"}}', where("a.config.json"))).toThrow(/clé de correspondance inconnue "horaire".*ligne 2/);
    expect(() => parseTerritoireConfig('{"nom": {"colonne": "n"}, "horaires": {"jours": []}}', where("a.config.json"))).toThrow(/inconnue pour "horaires"/);
    expect(() => parseTerritoireConfig('{"services": [{"colonnes": ["s"], "terme": ["x"], "cible": "y"}], "nom": {"colonne": "n"}}', where("a.config.json"))).toThrow(/inconnue pour "services"/);
    expect(() => parseTerritoireConfig('{"adresse": {"colonne": "a"}}', where("a.config.json"))).toThrow(/colonne du nom/);
  });
});

describe("mapping a record", () => {
  it("joins columns, matches terms case-insensitively, and lets `sauf` win over `termes`", () => {
    const first = mapRecord(records[0], exemple);
    expect(first.fields).toMatchObject({ id: "LMN001", nom: "Médiathèque de Guéret", code_postal: "23000", adresse: "20 rue Armand Quenard", date_maj: "19/02/2020" });
    expect(first.choices).toEqual({
      typologie: ["BIB"],
      frais_a_charge: ["Gratuit"],
      // "Oui" in DEM_Gen; `ateliers` has no `termes`: any value gives the service.
      services: ["Aide aux démarches administratives", "Maîtrise des outils numériques du quotidien"]
    });
    expect(first.horaires).toBe("Les mardi et jeudi de 8h30 à 17h00");
    const second = mapRecord(records[1], exemple);
    expect(second.fields.adresse).toBe("place de l'Hôtel de ville"); // empty N° left out of the join
    expect(second.choices).toEqual({
      typologie: ["RFS"],
      frais_a_charge: ["Gratuit sous condition"],
      services: ["Aide aux démarches administratives"],
      publics_specifiquement_adresses: ["Seniors"]
    });
    expect(second.horaires).toBeNull();
  });

  it("reads cells as text", () => {
    expect([cellText(20), cellText(" a "), cellText(""), cellText(null), cellText(false)]).toEqual(["20", "a", null, null, "false"]);
  });

  it("projects Lambert-93 coordinates with decimal commas", () => {
    // 613 040,5 / 6 564 040,25 in Lambert-93 is the centre of Guéret (1.8729° E, 46.1706° N).
    const c = coordinatesOf("6564040,25", "613040,5");
    expect(c.status).toBe("ok");
    expect(c.longitude).toBeCloseTo(1.87286, 4);
    expect(c.latitude).toBeCloseTo(46.1706, 4);
    // The projection's origin: 700 000, 6 600 000 is 3° E, 46.5° N exactly.
    expect(coordinatesOf("6600000", "700000")).toMatchObject({ latitude: 46.5, longitude: 3 });
    expect(coordinatesOf("44.8395", "-0.5802")).toEqual({ status: "ok", latitude: 44.8395, longitude: -0.5802 });
  });

  it("reads the postal code and commune at the end of an address", () => {
    expect(postalCodeAndCommune("8 rue de la Boétie - 33000 Bordeaux")).toEqual({ code_postal: "33000", commune: "Bordeaux" });
    expect(postalCodeAndCommune("Mairie de Corscia 20224 CORSCIA")).toEqual({ code_postal: "20224", commune: "CORSCIA" });
    expect(postalCodeAndCommune("rue du Moulin")).toBeNull();
  });
});

describe("a territory's records into places", () => {
  const cog = new CogIndex(["23096", "23031", "12032"], [], []);
  const names = communeNames([
    { code_insee: "23096", nom: "Guéret", code_departement: "23" },
    { code_insee: "23031", nom: "Boussac", code_departement: "23" },
    { code_insee: "12032", nom: "Boussac", code_departement: "12" }
  ]);

  it("places, cleans and quarantines with the reason", () => {
    const l = ledger("territoires", "exemple.json");
    const rows = territoireToLieux(read("exemple.json"), l, exemple, "exemple", { cog, names, outlines: null, stats: new OffreStats(), seenIds: new Set() });
    expect(rows.map((r) => [r.id, r.source, r.code_insee, r.localisation])).toEqual([
      ["territoire-exemple:LMN001", "territoire-exemple", "23096", "point"],
      ["territoire-exemple:LMN002", "territoire-exemple", "23031", "commune"]
    ]);
    expect(rows[0]).toMatchObject({ typologie: "BIB", date_maj: "2020-02-19", site_web: "https://www.example.fr/mediatheque", adresse: "20 rue Armand Quenard" });
    // 31/02/2021 is no date; a javascript: link never reaches a page.
    expect(rows[1]).toMatchObject({ typologie: "RFS", publics: "Seniors", date_maj: null, site_web: null });
    expect([l.rowsIn, l.rowsLoaded, l.rowsQuarantined]).toEqual([4, 2, 2]);
    expect(l.quarantined.map((q) => [q.line, q.column, q.reason])).toEqual([
      [40, "nom", "nom du lieu absent"],
      [52, "code_insee", "aucune commune connue (ni code INSEE, ni point dans un contour, ni nom de commune reconnu)"]
    ]);
  });
});

describe("sdin load --lieux FICHIER --correspondance CONFIG", () => {
  let db: Database;
  beforeAll(async () => {
    // A mirror with the COG only: the list comes from the command line, not from the mirror's folder.
    const mirror = tempDir("sdin-territoire-mirror-");
    symlinkSync(path.join(mirrorDir, "insee-cog-2026"), path.join(mirror, "insee-cog-2026"));
    mkdirSync(path.join(mirror, "lieux-mediation-numerique"));
    const reader = territoiresSource([commandLinePair(path.join(fixtures, "exemple.json"), path.join(fixtures, "exemple.config.json"))]);
    ({ db } = await loadSources([creuseOutlines, reader], { mirror }));
  });
  afterAll(() => db?.close());

  it("loads the pair as territoire-<name>, every row accounted for, the point placed in its outline", async () => {
    const provenance = await queryRows<{ id: string; status: string; rows_in: number; rows_loaded: number; rows_quarantined: number }>(
      db.connection,
      `SELECT id, status, rows_in, rows_loaded, rows_quarantined FROM provenance WHERE id LIKE 'territoire-exemple%' ORDER BY id`
    );
    // 9 text fields with a column + 4 lists of choices + hours = 14 rules in the correspondence.
    expect(provenance).toEqual([
      { id: "territoire-exemple", status: "chargé", rows_in: 4, rows_loaded: 2, rows_quarantined: 2 },
      { id: "territoire-exemple-correspondance", status: "chargé", rows_in: 14, rows_loaded: 14, rows_quarantined: 0 }
    ]);
    const rows = await queryRows<{ id: string; code_insee: string; localisation: string }>(db.connection, `SELECT id, code_insee, localisation FROM lieux_aide ORDER BY id`);
    expect(rows).toEqual([
      { id: "territoire-exemple:LMN001", code_insee: "23096", localisation: "point" },
      { id: "territoire-exemple:LMN002", code_insee: "23031", localisation: "commune" }
    ]);
  });

  it("pairs each --lieux with its --correspondance", () => {
    expect(() => pairTerritoires(["a.json", "b.json"], ["a.config.json"])).toThrow(/2 --lieux, 1 --correspondance/);
    const config = readConfig({ lieux: ["x/a.json"], correspondance: ["x/a.config.json"] }, {});
    expect(config.territoires).toEqual([{ lieux: path.resolve("x/a.json"), correspondance: path.resolve("x/a.config.json") }]);
    expect(config.dedoublonnage).toEqual({ fusion: 0.8, a_verifier: 0.6 });
  });
});
