import { mkdirSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import path from "node:path";
import { strToU8, zipSync } from "fflate";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CogIndex } from "../loaders/ingest/cog.ts";
import type { Database } from "../loaders/io/db.ts";
import { SourceError } from "../loaders/io/errors.ts";
import {
  arrondissementParent,
  filosofi,
  mergeRatesByCode,
  parseFilosofiCommunes,
  parseFilosofiTerritoires
} from "../loaders/ingest/sources/filosofi.ts";
import { inputDir, ledger, loadSources, mirrorDir, queryRows, tempDir } from "./helpers.ts";

const HEADER =
  "CODGEO;NBMENFISC21;NBPERSMENFISC21;MED21;PIMP21;TP6021;TP60AGE121;TP60AGE221;TP60AGE321;TP60AGE421;TP60AGE521;TP60AGE621;TP60TOL121;TP60TOL221;PACT21;PTSA21;PCHO21;PBEN21;PPEN21;PPAT21;PPSOC21;PPFAM21;PPMINI21;PPLOGT21;PIMPOT21;D121;D921;RD21";
const SECRET_TAIL = ";s".repeat(22);

/** A commune row with the four columns the loader reads, the rest secret. */
function communeLine(code: string, menages: string, personnes: string, mediane: string, taux: string): string {
  return `${code};${menages};${personnes};${mediane};s;${taux}${SECRET_TAIL}`;
}

/** A small COG: 23023 merged into 23149 (2025), Paris and two of its arrondissements. */
const cog = new CogIndex(["23149", "23096", "23200", "75056"], [["75101", "75056"], ["75102", "75056"]], [
  { date: "2025-01-01", from: "23023", to: "23149", mod: "32" }
]);

const communesText = [
  HEADER,
  communeLine("23023", "49", "109", "18410", "s"),
  communeLine("23149", "328", "714", "20770", "s"),
  communeLine("23096", "6541", "11525", "20830", "21,0"),
  communeLine("75056", "1007247", "1958437", "29730", "16,0"),
  communeLine("75101", "8414", "14945", "35030", "12,0"),
  communeLine("99999", "1", "1", "1", "s"),
  communeLine("23200", "12", "1 2a", "1", "s")
].join("\n") + "\n";

describe("parseFilosofiCommunes", () => {
  it("merges old communes, keeps whole Paris and quarantines the rest with reasons", () => {
    const l = ledger("filosofi", "cc_filosofi_2021_COM.csv");
    const parsed = parseFilosofiCommunes(communesText, l, cog);
    expect(parsed.millesime).toBe("Filosofi 2021");
    const byCode = Object.fromEntries(parsed.rows.map((r) => [r.code_insee, r]));
    expect(Object.keys(byCode).sort()).toEqual(["23096", "23149", "75056"]);
    // 23149 = 23023 + 23149: 49 + 328 households, 109 + 714 people; median (18410×109 + 20770×714) / 823.
    expect(byCode["23149"]).toMatchObject({ nb_menages_fisc: 377, nb_personnes_fisc: 823, taux_pauvrete: null });
    expect(byCode["23149"].mediane_niveau_vie).toBeCloseTo(20457.436, 2);
    expect(byCode["23096"]).toMatchObject({ taux_pauvrete: 21, mediane_niveau_vie: 20830 });
    expect(byCode["75056"].nb_personnes_fisc).toBe(1958437);
    expect(l.quarantined.map((q) => [q.line, q.column, q.reason])).toEqual([
      [6, "CODGEO", "arrondissement municipal : la commune entière 75056 est chargée à sa place"],
      [7, "CODGEO", "code commune absent du COG et de ses mouvements"],
      [8, "NBPERSMENFISC21", "valeur numérique illisible"]
    ]);
    expect([l.rowsIn, l.rowsLoaded]).toEqual([7, 4]);
    l.check();
    // Weights as published, before harmonisation, arrondissements included (used to roll up other sources).
    expect(parsed.weights.find((w) => w.code_ancien === "23023")).toEqual({ code_ancien: "23023", personnes: 109 });
    expect(parsed.weights.find((w) => w.code_ancien === "75101")).toEqual({ code_ancien: "75101", personnes: 14945 });
  });

  it("makes the rate of a merged commune missing when one part is secret", () => {
    const text = [HEADER, communeLine("23023", "49", "109", "18410", "20,0"), communeLine("23149", "328", "714", "s", "10,0")].join("\n");
    const [row] = parseFilosofiCommunes(text, ledger(), cog).rows;
    // Both rates known: (20×109 + 10×714) / 823; the median is missing because one part is secret.
    expect(row.taux_pauvrete).toBeCloseTo((20 * 109 + 10 * 714) / 823, 9);
    expect(row.mediane_niveau_vie).toBeNull();
  });

  it("quarantines a code published twice instead of adding it twice", () => {
    const l = ledger();
    const text = [HEADER, communeLine("23096", "6541", "11525", "20830", "21,0"), communeLine("23096", "6541", "11525", "20830", "21,0")].join("\n");
    const { rows, weights } = parseFilosofiCommunes(text, l, cog);
    expect(rows.map((r) => r.nb_personnes_fisc)).toEqual([11525]);
    expect(weights).toHaveLength(1);
    expect(l.quarantined).toMatchObject([{ line: 3, reason: expect.stringContaining("en double") }]);
  });

  it("rolls arrondissements up when the whole commune is not published", () => {
    const text = [HEADER, communeLine("75101", "10", "100", "30000", "10,0"), communeLine("75102", "30", "300", "20000", "20,0")].join("\n");
    const l = ledger();
    const [row] = parseFilosofiCommunes(text, l, cog).rows;
    expect(row).toMatchObject({ code_insee: "75056", nb_personnes_fisc: 400, mediane_niveau_vie: 22500, taux_pauvrete: 17.5 });
    expect(l.rowsLoaded).toBe(2);
  });

  it("fails on a renamed column, naming it and the line", () => {
    const text = communesText.replace("TP6021", "TP60_21");
    expect(() => parseFilosofiCommunes(text, ledger("filosofi", "cc.csv"), cog)).toThrow(SourceError);
    expect(() => parseFilosofiCommunes(text, ledger("filosofi", "cc.csv"), cog)).toThrow(/colonne obligatoire absente.*fichier cc\.csv, ligne 1, colonne "TP6021"/);
  });

  it("knows the arrondissements of the three cities", () => {
    expect(["75101", "75120", "75121", "13216", "13217", "69381", "69389", "69123"].map(arrondissementParent)).toEqual([
      "75056", "75056", null, "13055", null, "69123", "69123", null
    ]);
  });
});

describe("parseFilosofiTerritoires (fixtures)", () => {
  it("reads the EPCI file and quarantines a malformed SIREN", () => {
    const l = ledger("filosofi", "cc_filosofi_2021_EPCI.csv");
    const rows = parseFilosofiTerritoires(readFileSync(path.join(inputDir, "filosofi/cc_filosofi_2021_EPCI.csv"), "utf8"), l, "epci", /^\d{9}$/);
    expect(rows).toEqual([
      { niveau: "epci", code: "200034825", millesime: "Filosofi 2021", taux_pauvrete: 15.4, mediane_niveau_vie: 21420 },
      { niveau: "epci", code: "242320109", millesime: "Filosofi 2021", taux_pauvrete: 18.1, mediane_niveau_vie: 19750 }
    ]);
    expect(l.quarantined).toMatchObject([{ line: 4, column: "CODGEO", value: "20003482X" }]);
  });
});

describe("mergeRatesByCode", () => {
  const parts = [
    { code_insee: "23149", code_ancien: "23023", tx: 10 },
    { code_insee: "23149", code_ancien: "23149", tx: 20 }
  ];
  it("weights by people when every part has a weight, equally otherwise", () => {
    expect(mergeRatesByCode(parts, ["tx"], new Map([["23023", 100], ["23149", 300]]))[0].tx).toBe(17.5);
    expect(mergeRatesByCode(parts, ["tx"], new Map([["23149", 300]]))[0].tx).toBe(15);
    expect(mergeRatesByCode(parts, ["tx"], null)[0].tx).toBe(15);
    expect(mergeRatesByCode([parts[0], { ...parts[1], tx: null }], ["tx"], null)[0].tx).toBeNull();
    // Lacq (64300) absorbed Urdès (64541) in 2024: Filosofi 2021 (geography 2024) has no people for Urdès, so the
    // premises of the Arcep T1 2018 file (logements + établissements: 343 + 59 and 121 + 4, in arcep-deploiements-2018t1/communes.csv) weight them.
    const lacq = [
      { code_insee: "64300", code_ancien: "64300", tx: 26.101986520082782 },
      { code_insee: "64300", code_ancien: "64541", tx: 18.33333333333333 }
    ];
    const people = new Map([["64300", 1034]]);
    const premises = new Map([["64300", 402], ["64541", 125]]);
    expect(mergeRatesByCode(lacq, ["tx"], [people, premises])[0].tx).toBeCloseTo((26.101986520082782 * 402 + 18.33333333333333 * 125) / 527, 10);
    expect(mergeRatesByCode(lacq, ["tx"], [new Map([["64300", 10], ["64541", 30]]), premises])[0].tx).toBeCloseTo((26.101986520082782 * 10 + 18.33333333333333 * 30) / 40, 10);
    expect(mergeRatesByCode(lacq, ["tx"], [people])[0].tx).toBeCloseTo((26.101986520082782 + 18.33333333333333) / 2, 10);
  });
});

describe("filosofi source on the mirror", () => {
  let db: Database;
  beforeAll(async () => ({ db } = await loadSources([filosofi])));
  afterAll(() => db?.close());

  it("keys Creuse on COG 2026 with the published secrecy", async () => {
    const [creuse] = await queryRows<{ n: number; med: number; tp: number }>(
      db.connection,
      `SELECT count(*)::INTEGER AS n, count(mediane_niveau_vie)::INTEGER AS med, count(taux_pauvrete)::INTEGER AS tp
       FROM filosofi WHERE code_insee LIKE '23%'`
    );
    // Mirror: 256 Creuse rows, MED21 known for 231 and TP6021 for 4 (grep '^23' | cut -d';' -f4,6);
    // 23023 merges into 23149 (both medians known), so 255 communes and 230 medians.
    expect(creuse).toEqual({ n: 255, med: 230, tp: 4 });
    const [gueret] = await queryRows(db.connection, `SELECT * FROM filosofi WHERE code_insee = '23096'`);
    // Mirror line 23096: 6541;11525;20830;47,0;21,0
    expect(gueret).toEqual({ code_insee: "23096", millesime: "Filosofi 2021", nb_menages_fisc: 6541, nb_personnes_fisc: 11525, mediane_niveau_vie: 20830, taux_pauvrete: 21 });
    const [merged] = await queryRows<{ p: number; m: number }>(db.connection, `SELECT nb_personnes_fisc AS p, mediane_niveau_vie AS m FROM filosofi WHERE code_insee = '23149'`);
    expect(merged.p).toBe(823); // 109 (23023) + 714 (23149)
    expect(merged.m).toBeCloseTo(20457.44, 1);
  });

  it("quarantines the 45 arrondissement rows and records weights per published code", async () => {
    const [q] = await queryRows<{ n: number }>(db.connection, `SELECT count(*)::INTEGER AS n FROM quarantine WHERE source = 'filosofi' AND reason LIKE 'arrondissement municipal%'`);
    expect(q.n).toBe(45);
    const [p] = await queryRows<{ rows_in: number; rows_loaded: number; rows_quarantined: number }>(
      db.connection,
      `SELECT rows_in, rows_loaded, rows_quarantined FROM provenance WHERE id = 'insee-filosofi-com'`
    );
    expect(p.rows_in).toBe(34909); // wc -l minus the header
    expect(p.rows_in).toBe(p.rows_loaded + p.rows_quarantined);
    const [w] = await queryRows<{ n: number; gueret: number }>(
      db.connection,
      `SELECT count(*)::INTEGER AS n, max(personnes) FILTER (WHERE code_ancien = '23023') AS gueret FROM poids_communes_anciennes`
    );
    expect(w).toEqual({ n: 34909, gueret: 109 });
    const [t] = await queryRows<{ n: number }>(db.connection, `SELECT count(*)::INTEGER AS n FROM filosofi_territoires`);
    expect(t.n).toBe(0); // the mirror has only the commune file: the table exists, empty
  });
});

describe("filosofi source on the official zip (temporary mirror)", () => {
  let db: Database;
  beforeAll(async () => {
    const mirror = tempDir("sdin-filosofi-mirror-");
    symlinkSync(path.join(mirrorDir, "insee-cog-2026"), path.join(mirror, "insee-cog-2026"));
    mkdirSync(path.join(mirror, "insee-filosofi-2021"));
    const fixture = (name: string) => strToU8(readFileSync(path.join(inputDir, "filosofi", name), "utf8"));
    const zip = zipSync({
      "cc_filosofi_2021_COM.csv": strToU8(communesText.split("\n").slice(0, 6).join("\n") + "\n"),
      "cc_filosofi_2021_EPCI.csv": fixture("cc_filosofi_2021_EPCI.csv"),
      "cc_filosofi_2021_DEP.csv": fixture("cc_filosofi_2021_DEP.csv"),
      "cc_filosofi_2021_REG.csv": fixture("cc_filosofi_2021_REG.csv"),
      "meta_cc_filosofi_2021_COM.csv": strToU8("COD_VAR;LIB_VAR\n")
    });
    // A download cache stores the zip under every resource's path: each resource opens its own entry.
    for (const level of ["COM", "EPCI", "DEP", "REG"]) writeFileSync(path.join(mirror, "insee-filosofi-2021", `cc_filosofi_2021_${level}.csv`), zip);
    ({ db } = await loadSources([filosofi], { mirror }));
  });
  afterAll(() => db?.close());

  it("loads communes and every level above from the zip", async () => {
    const communes = await queryRows(db.connection, `SELECT code_insee, nb_personnes_fisc FROM filosofi ORDER BY code_insee`);
    expect(communes).toEqual([
      { code_insee: "23096", nb_personnes_fisc: 11525 },
      { code_insee: "23149", nb_personnes_fisc: 823 },
      { code_insee: "75056", nb_personnes_fisc: 1958437 }
    ]);
    const levels = await queryRows(db.connection, `SELECT niveau, code, taux_pauvrete FROM filosofi_territoires ORDER BY niveau, code`);
    expect(levels).toEqual([
      { niveau: "departement", code: "02", taux_pauvrete: 18.4 },
      { niveau: "departement", code: "23", taux_pauvrete: 18.2 },
      { niveau: "epci", code: "200034825", taux_pauvrete: 15.4 },
      { niveau: "epci", code: "242320109", taux_pauvrete: 18.1 },
      { niveau: "region", code: "32", taux_pauvrete: 18 },
      { niveau: "region", code: "75", taux_pauvrete: 14.5 }
    ]);
  });
});
