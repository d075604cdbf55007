import { copyFileSync, mkdirSync, readFileSync, symlinkSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database } from "../loaders/io/db.ts";
import type { LieuAide } from "../loaders/ingest/offre/places.ts";
import { SourceError } from "../loaders/io/errors.ts";
import { lieuxMediation, readStandardCsv } from "../loaders/ingest/sources/lieux-mediation.ts";
import { territoires } from "../loaders/ingest/sources/territoires.ts";
import { inputDir, ledger, loadSources, mirrorDir, queryRows, tempDir } from "./helpers.ts";
import { creuseOutlines } from "./offre-helpers.ts";

const NATIONAL = path.join("lieux-mediation-numerique", "lieux-de-mediation-numerique.csv");
const TERRITOIRES = path.join("lieux-mediation-numerique", "territoires");

/**
 * A mirror holding the national-file fixture next to the real Creuse list (with its correspondence file) and
 * COG: the real files are linked, never copied.
 */
function mirrorWithNationalFixture(): string {
  const dir = tempDir("sdin-offre-mirror-");
  symlinkSync(path.join(mirrorDir, "insee-cog-2026"), path.join(dir, "insee-cog-2026"));
  symlinkSync(path.join(mirrorDir, "contours-communes"), path.join(dir, "contours-communes"));
  mkdirSync(path.join(dir, "lieux-mediation-numerique", "territoires"), { recursive: true });
  for (const file of ["la-creuse.json", "la-creuse.config.json"]) {
    symlinkSync(path.join(mirrorDir, TERRITOIRES, file), path.join(dir, TERRITOIRES, file));
  }
  copyFileSync(path.join(inputDir, "offre", NATIONAL), path.join(dir, NATIONAL));
  return dir;
}

type Lieu = Omit<LieuAide, "source">;

describe("lieux de médiation: national file (fixture) and Creuse list (mirror) together", () => {
  let db: Database;
  let lieux: Map<string, Lieu>;
  beforeAll(async () => {
    ({ db } = await loadSources([creuseOutlines, lieuxMediation, territoires], { mirror: mirrorWithNationalFixture() }));
    const rows = await queryRows<Lieu>(db.connection, `SELECT * FROM lieux_aide WHERE source IN ('lieux-mediation', 'territoire-la-creuse')`);
    lieux = new Map(rows.map((r) => [r.id.replace("lieux-mediation:", ""), r]));
  });
  afterAll(() => db?.close());

  it("loads 9 of the 12 national rows and the 91 Creuse records (through the generic territory reader)", async () => {
    const provenance = await queryRows<{ id: string; rows_in: number; rows_loaded: number; rows_quarantined: number }>(
      db.connection,
      `SELECT id, rows_in, rows_loaded, rows_quarantined FROM provenance WHERE source IN ('lieux-mediation', 'territoires') AND status = 'chargé' ORDER BY id`
    );
    // The correspondence file counts its 12 rules (keys with a column), all understood.
    expect(provenance).toEqual([
      { id: "cartographie-nationale-lieux-mediation", rows_in: 12, rows_loaded: 9, rows_quarantined: 3 },
      { id: "territoire-la-creuse", rows_in: 91, rows_loaded: 91, rows_quarantined: 0 },
      { id: "territoire-la-creuse-correspondance", rows_in: 12, rows_loaded: 12, rows_quarantined: 0 }
    ]);
    // Record 76 "Guéret -La Quincaillerie" is no longer set aside at load: the diagnostic's de-duplication merges
    // it with the national file's "La Quincaillerie" (see dedup-test.ts), keeping both source ids.
    expect(lieux.size).toBe(100);
  });

  it("dates the national export by its newest date_maj", async () => {
    // The fixture's date_maj values: 2024-01-10, 2024-02-01, 2024-02-01T10:00:00, 2024-03-15, 2024-04-02.
    const [row] = await queryRows<{ date_reference: string }>(
      db.connection,
      `SELECT date_reference FROM provenance WHERE id = 'cartographie-nationale-lieux-mediation'`
    );
    expect(row.date_reference).toBe("2024-04-02");
  });

  it("records why rows were set aside, with their line", async () => {
    const rows = await queryRows<{ file: string; line: number; column: string; reason: string }>(
      db.connection,
      `SELECT file, line, "column", reason FROM quarantine WHERE source IN ('lieux-mediation', 'territoires') ORDER BY file, line`
    );
    expect(rows).toEqual([
      { file: "lieux-de-mediation-numerique.csv", line: 11, column: "code_insee", reason: "aucune commune connue (ni code INSEE, ni point dans un contour, ni nom de commune reconnu)" },
      { file: "lieux-de-mediation-numerique.csv", line: 14, column: "id", reason: "identifiant en double dans le fichier" },
      { file: "lieux-de-mediation-numerique.csv", line: 15, column: "code_insee", reason: "code commune absent du COG et de ses mouvements" }
    ]);
  });

  it("keeps multi-valued fields, OSM hours and http(s) URLs of the standard", () => {
    expect(lieux.get("quincaillerie-gueret")).toMatchObject({
      code_insee: "23096",
      localisation: "point",
      typologie: "TIERS_LIEUX|ASSO",
      services: "Maîtrise des outils numériques du quotidien|Insertion professionnelle via le numérique",
      publics: "Jeunes|Seniors|Surdité",
      dispositifs: "Conseillers numériques|France Services",
      horaires: "Mo-Fr 09:00-12:00,14:00-18:30; Sa 08:30-12:00",
      itinerance: false,
      site_web: "https://www.example.org/|https://m.facebook.com/example/",
      date_maj: "2024-04-02",
      cle_dedoublonnage: "siret:43493312300029:23096"
    });
    expect(lieux.get("bus-numerique-23")).toMatchObject({ code_insee: "23030", itinerance: true, localisation: "point" });
    expect(lieux.get("saint-quentin")).toMatchObject({ code_insee: "02691", itinerance: true, date_maj: "2024-02-01" });
  });

  it("stores markup as text but never a javascript: link", () => {
    expect(lieux.get("mediatheque-aubusson")).toMatchObject({
      nom: `<script>alert("x")</script>Médiathèque d'Aubusson`,
      site_web: null,
      code_insee: "23008"
    });
  });

  it("corrects swapped coordinates and falls back to the commune for points outside France", () => {
    expect(lieux.get("espace-souterraine")).toMatchObject({ latitude: 46.238817, longitude: 1.48297, localisation: "point", code_insee: "23176" });
    expect(lieux.get("point-boussac")).toMatchObject({ latitude: null, longitude: null, localisation: "commune", code_insee: "23031" });
  });

  it("places rows without INSEE code by outline, then by commune name; re-keys old codes", () => {
    // 46.160334, 1.649151 is the point of the Creuse record "Le Grand-Bourg - Corinne Pichon": Le Grand-Bourg, 23095.
    expect(lieux.get("grand-bourg")).toMatchObject({ code_insee: "23095", localisation: "point" });
    expect(lieux.get("ccas-gueret")).toMatchObject({ code_insee: "23096", localisation: "commune", site_web: "http://www.example.fr" });
    // 23023 Blaudeix is a commune déléguée of 23149 Parsac since 2025 (COG 2026).
    expect(lieux.get("blaudeix")).toMatchObject({ code_insee: "23149", localisation: "commune" });
  });

  it("keeps every Creuse record under its territory's source id", () => {
    expect(lieux.get("territoire-la-creuse:76")).toMatchObject({ nom: "Guéret -La Quincaillerie", code_insee: "23096" });
    // Its hours are free text in the file ("lundi de 14h à 16h"), stored as published.
    expect(lieux.get("territoire-la-creuse:75")).toMatchObject({ code_insee: "23096", horaires: "lundi de 14h à 16h", cle_dedoublonnage: "nom:gueret claire bonhomme:23096" });
  });
});

describe("national file shape", () => {
  it("fails when a column of the standard is renamed", () => {
    const text = readFileSync(path.join(inputDir, "offre", NATIONAL), "utf8").replace('"code_insee"', '"insee"');
    expect(() => readStandardCsv(text, ledger("lieux-mediation", "lieux.csv"))).toThrow(SourceError);
    expect(() => readStandardCsv(text, ledger("lieux-mediation", "lieux.csv"))).toThrow(/ligne 1, colonne "code_insee"/);
  });
});
