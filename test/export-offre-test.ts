import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import Papa from "papaparse";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { doublonsAVerifierTable, lieuxAVerifierTable } from "../loaders/diagnostic/tables.ts";
import { normalisePlaceName } from "../loaders/ingest/offre/places.ts";
import { TERRITOIRES_FOLDER } from "../loaders/ingest/sources/territoires.ts";
import { readConfig } from "../loaders/io/config.ts";
import { openDatabase, queryRows, type Database } from "../loaders/io/db.ts";
import { runExport } from "../loaders/outputs/exports/index.ts";
import { mirrorDir, tempDir } from "./helpers.ts";

/**
 * The offer in the exports of three départements the suite does not export: Maine-et-Loire (a territory's own
 * list), Tarn-et-Garonne (places listed by several sources) and Pyrénées-Atlantiques (a doubtful record), on the
 * suite's database (loaded once from the whole mirror by the global setup), without the schéma documents.
 */

type Row = Record<string, string>;
let exportsDir: string;
let db: Database;

function readCsv(dept: string, file: string): Row[] {
  const parsed = Papa.parse<Row>(readFileSync(path.join(exportsDir, dept, file), "utf8"), { header: true, skipEmptyLines: true });
  expect(parsed.errors).toEqual([]);
  return parsed.data;
}

beforeAll(async () => {
  exportsDir = tempDir("sdin-export-offre-");
  const config = readConfig({ data: inject("dataDir"), exports: exportsDir, dept: "49,82,64" }, {});
  await runExport(config, { documents: false });
  db = await openDatabase(inject("database"), { readOnly: true });
}, 600_000);
afterAll(() => db?.close());

describe("the territories' lists", () => {
  it("loads every pair of the mirror's folder with rows in = loaded + quarantined", async () => {
    const folder = path.join(mirrorDir, TERRITOIRES_FOLDER);
    const rows = await queryRows<{ id: string; rows_in: number; rows_loaded: number; rows_quarantined: number }>(
      db.connection,
      `SELECT id, rows_in, rows_loaded, rows_quarantined FROM provenance WHERE source = 'territoires' AND id NOT LIKE '%-correspondance' ORDER BY id`
    );
    expect(rows.map((r) => r.id)).toEqual(["territoire-corse", "territoire-gironde", "territoire-la-creuse", "territoire-maine-et-loire"]);
    for (const r of rows) {
      const records = JSON.parse(readFileSync(path.join(folder, `${r.id.replace("territoire-", "")}.json`), "utf8")) as unknown[];
      expect(r.rows_in, r.id).toBe(records.length);
      expect(r.rows_loaded + r.rows_quarantined, r.id).toBe(r.rows_in);
    }
    // Maine-et-Loire: 3 of its 243 records have no NOM_STRUCTURE.
    expect(rows.find((r) => r.id === "territoire-maine-et-loire")).toMatchObject({ rows_in: 243, rows_quarantined: 3 });
  });

  it("shows Maine-et-Loire's places in exports/49/lieux.csv, each record once, under its source id", async () => {
    const lieux = readCsv("49", "lieux.csv");
    expect(lieux.some((l) => l.sources.split("|").includes("territoire-maine-et-loire"))).toBe(true);
    const exported = lieux.flatMap((l) => l.ids.split("|"));
    expect(new Set(exported).size).toBe(exported.length);
    const loaded = await queryRows<{ id: string }>(
      db.connection,
      `SELECT l.id FROM lieux_aide l JOIN communes c USING (code_insee) WHERE l.source = 'territoire-maine-et-loire' AND c.code_departement = '49'`
    );
    expect(loaded.length).toBeGreaterThan(200);
    for (const { id } of loaded) expect(exported, id).toContain(id);
  });
});

describe("one place, counted once", () => {
  it("has no two places with the same normalised name in one commune of Tarn-et-Garonne", () => {
    const lieux = readCsv("82", "lieux.csv");
    const keys = lieux.map((l) => `${l.code_insee} ${normalisePlaceName(l.nom)}`);
    expect(keys.filter((k, i) => keys.indexOf(k) !== i)).toEqual([]);
    // The four structures listed twice before the de-duplication, each now one place with both sources.
    const caylus = lieux.filter((l) => l.code_insee === "82038" && normalisePlaceName(l.nom) === "france services caylus");
    expect(caylus.map((l) => l.sources)).toEqual(["aidants-connect|france-services"]);
    for (const [code, name] of [["82033", "france services castelsarrasin"], ["82117", "france services montaigu"], ["82121", "geronto 82"]]) {
      expect(lieux.filter((l) => l.code_insee === code && normalisePlaceName(l.nom) === name), name).toHaveLength(1);
    }
  });

  it("writes the pairs to review, with both records, the distance and the score", () => {
    const file = path.join(exportsDir, "82", "doublons-a-verifier.csv");
    expect(existsSync(file)).toBe(true);
    expect(readFileSync(file, "utf8").split(/\r?\n/)[0]).toBe(Object.keys(doublonsAVerifierTable.columns).join(","));
    for (const pair of readCsv("82", "doublons-a-verifier.csv")) {
      expect(pair.code_departement).toBe("82");
      expect(Number(pair.score)).toBeGreaterThanOrEqual(0.6);
      expect(Number(pair.score)).toBeLessThan(0.8);
      expect(pair.id_1).not.toBe(pair.id_2);
    }
  });
});

describe("doubtful place records", () => {
  it("lists Aidants Connect's « France Services ESPELETTE » at a Pau address", () => {
    const file = path.join(exportsDir, "64", "lieux-a-verifier.csv");
    expect(readFileSync(file, "utf8").split(/\r?\n/)[0]).toBe(Object.keys(lieuxAVerifierTable.columns).join(","));
    const espelette = readCsv("64", "lieux-a-verifier.csv").filter((l) => l.nom === "France Services ESPELETTE");
    expect(espelette.map((l) => [l.commune, l.motif])).toEqual([
      ["Pau", "autre_commune_dans_le_nom"],
      ["Pau", "sans_coordonnees"]
    ]);
  });
});
