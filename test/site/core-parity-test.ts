import { readFileSync } from "node:fs";
import path from "node:path";
import Papa from "papaparse";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { openDatabase, type Database } from "../../loaders/io/db.ts";
import { readParameters } from "../../loaders/diagnostic/parameters.ts";
import { roundForExport } from "../../loaders/outputs/exports/cells.ts";
import { communesPayload, itinerancePayload, territoirePayload } from "../../loaders/outputs/site/payloads.ts";
import type { SiteSettings } from "../../loaders/outputs/site/loader.ts";
import { fromColumnar, type Columnar } from "../../src/components/data.ts";
import { candidateStops, demandsBeyondReach, planItinerantStops, rankCommunes, type CommuneReachRow, type LibraryRow, type PriorityRow, type Weights } from "../../src/lib/diagnostic/index.ts";

/**
 * The browser and the exports agree: with the diagnostic's own settings, the Priorités page's functions
 * (src/lib/diagnostic, run here on the site's data files exactly as the page receives them) find the
 * `rang_priorite` of every commune of communes.csv and the stops of plan-itinerance.csv, for the Creuse and the
 * Aisne of the suite's database (test/global-setup.ts). No browser needed: the page runs the same module.
 */

let db: Database;
beforeAll(async () => {
  db = await openDatabase(inject("database"), { readOnly: true });
});
afterAll(() => db?.close());

function readCsv(dept: string, file: string): Record<string, string>[] {
  const parsed = Papa.parse<Record<string, string>>(readFileSync(path.join(inject("exportsDir"), dept, file), "utf8"), { header: true, skipEmptyLines: true });
  expect(parsed.errors).toEqual([]);
  return parsed.data;
}

/** A payload as the page reads it: serialised by the data loader, parsed by the browser. */
const overTheWire = <T>(payload: unknown): T => JSON.parse(JSON.stringify(payload)) as T;

/** A number as the exports write it. */
const exported = (value: number | null | undefined) => (value === null || value === undefined ? "" : String(roundForExport(value)));

describe.each(["23", "02"])("site and exports of département %s", (dept) => {
  let settings: SiteSettings;
  let communes: (PriorityRow & CommuneReachRow)[];
  let territoire: { seuil_km: number; poids: Weights };

  beforeAll(async () => {
    const parameters = await readParameters(db.connection);
    expect(parameters).not.toBeNull();
    settings = { departement: dept, thresholdKm: parameters!.thresholdKm, weights: parameters!.weights, exportsDir: null };
    communes = fromColumnar(overTheWire<Columnar>(await communesPayload(db.connection, settings)));
    territoire = overTheWire(await territoirePayload(db.connection, settings));
  });

  it("ranks every commune as communes.csv does", () => {
    const expected = new Map(readCsv(dept, "communes.csv").map((r) => [r.code_insee, r.rang_priorite]));
    const ranked = rankCommunes(communes, territoire.poids, territoire.seuil_km);
    expect(ranked).toHaveLength(expected.size);
    expect(ranked.filter((r) => r.rank !== null).length).toBeGreaterThan(expected.size * 0.9);
    const mismatches = ranked.filter((r) => String(r.rank ?? "") !== expected.get(r.item.code_insee)).map((r) => `${r.item.code_insee}: ${r.rank} ≠ ${expected.get(r.item.code_insee)}`);
    expect(mismatches).toEqual([]);
  });

  it("plans the stops of plan-itinerance.csv", async () => {
    const itinerance = overTheWire<{ bibliotheques: LibraryRow[] }>(await itinerancePayload(db.connection, settings));
    const expected = readCsv(dept, "plan-itinerance.csv");
    expect(expected.length).toBeGreaterThan(0);
    const plan = planItinerantStops(candidateStops(itinerance.bibliotheques, communes), demandsBeyondReach(communes, territoire.seuil_km), expected.length, territoire.seuil_km);
    expect(plan.map((p, i) => ({
      ordre: String(i + 1), type_arret: p.stop.kind, nom: p.stop.nom, code_insee: p.stop.code_insee,
      latitude: exported(p.stop.lat), longitude: exported(p.stop.lon), population_gagnee: exported(p.gain), population_cumulee: exported(p.cumulative)
    }))).toEqual(expected);
  });
});
