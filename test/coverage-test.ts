import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { openDatabase, queryRows, type Database } from "../loaders/io/db.ts";
import { nationalReads, quarantineReasonsPerFile, readModel } from "../loaders/outputs/read-model.ts";
import { staleGroups } from "../loaders/outputs/document/freshness.ts";
import type { DiagnosticData } from "../loaders/outputs/document/data.ts";
import { coversDepartement, quarantineOf } from "../src/lib/coverage.ts";

describe("which files a département names", () => {
  it("keeps national files everywhere and territorial files where they feed", () => {
    expect(coversDepartement({ departements: null }, "23")).toBe(true);
    expect(coversDepartement({}, "23")).toBe(true);
    expect(coversDepartement({ departements: ["23", "87"] }, "87")).toBe(true);
    expect(coversDepartement({ departements: ["23", "87"] }, "02")).toBe(false);
    // A territorial file that feeds no département is named by none.
    expect(coversDepartement({ departements: [] }, "23")).toBe(false);
  });
  it("keeps the quarantined rows of the files a département names, known by source and file name", () => {
    const files = [
      { source: "territoires", fichier: "corse.json", departements: ["2A", "2B"] },
      { source: "territoires", fichier: "la-creuse.json", departements: ["23"] },
      { source: "populations", fichier: "donnees_communes.csv", departements: null }
    ];
    const rows = [
      { source: "territoires", file: "corse.json", reason: "a" },
      { source: "territoires", file: "la-creuse.json", reason: "b" },
      { source: "populations", file: "donnees_communes.csv", reason: "c" },
      // A file name shared by two sources is told apart by its source.
      { source: "bibliotheques", file: "corse.json", reason: "d" }
    ];
    expect(quarantineOf(files, rows, "23").map((r) => r.reason)).toEqual(["b", "c", "d"]);
    expect(quarantineOf(files, rows, "2A").map((r) => r.reason)).toEqual(["a", "c", "d"]);
  });
});

/** The suite's database, loaded from the whole mirror (test/global-setup.ts). */
describe("files of partial scope in the suite's database", () => {
  let db: Database;
  let coverage: Map<string, string[]>;
  beforeAll(async () => {
    db = await openDatabase(inject("database"), { readOnly: true });
    const rows = await queryRows<{ id: string; departements: string[] }>(
      db.connection,
      `SELECT id, list(code_departement ORDER BY code_departement) FILTER (WHERE code_departement IS NOT NULL) AS departements FROM couverture_fichiers GROUP BY id`
    );
    coverage = new Map(rows.map((r) => [r.id, r.departements ?? []]));
  });
  afterAll(() => db?.close());

  it("gives each per-département outline file the département its name carries", async () => {
    const files = await queryRows<{ id: string; fichier: string }>(
      db.connection,
      "SELECT id, fichier FROM provenance WHERE status = 'chargé' AND regexp_matches(fichier, '^(communes|departement)-[0-9AB]{2,3}-.+[.]geojson$')"
    );
    expect(files.length).toBeGreaterThan(0);
    for (const { id, fichier } of files) {
      const code = /^(?:communes|departement)-([0-9AB]{2,3})-.+\.geojson$/.exec(fichier)![1];
      expect(coverage.get(id), id).toEqual([code]);
    }
  });

  it("gives each territory's list the départements of its places and of the communes it is nearest to", async () => {
    const lists = await queryRows<{ id: string; located: string[] | null; nearest: string[] | null }>(
      db.connection,
      `SELECT p.id,
              (SELECT list(DISTINCT c.code_departement) FROM lieux_aide l JOIN communes c USING (code_insee) WHERE l.source = p.id) AS located,
              (SELECT list(DISTINCT d.code_departement) FROM diagnostic_communes d JOIN diagnostic_lieux l ON l.id = d.lieu_le_plus_proche_id
                WHERE list_contains(string_split(l.sources, '|'), p.id)) AS nearest
       FROM provenance p WHERE p.source = 'territoires' AND p.status = 'chargé' AND p.id NOT LIKE '%-correspondance'`
    );
    expect(lists.length).toBeGreaterThan(0);
    for (const { id, located, nearest } of lists) {
      const expected = new Set([...(located ?? []), ...(nearest ?? [])]);
      expect(expected.size, id).toBeGreaterThan(0);
      const covered = coverage.get(id) ?? [];
      for (const code of expected) expect(covered, `${id} ${code}`).toContain(code);
      // The correspondence file feeds what its list feeds.
      expect(coverage.get(`${id}-correspondance`), id).toEqual(covered);
    }
  });

  it("names in the Creuse's register its own outlines and list, no other département's outlines, and every national file", async () => {
    const all = await queryRows<{ id: string }>(db.connection, "SELECT id FROM provenance");
    const scoped = new Set(coverage.keys());
    const own = (await readModel(db.connection, "23").provenance()).map((p) => p.id);
    expect(own).toContain("france-geojson-communes-23-creuse");
    expect(own).toContain("territoire-la-creuse");
    expect(own.filter((id) => /^france-geojson-communes-/.test(id))).toEqual(["france-geojson-communes-23-creuse"]);
    for (const { id } of all) if (!scoped.has(id)) expect(own, id).toContain(id);
    // A territory's list that neither has a place in the Creuse nor is nearest to one of its communes is left out.
    for (const [id, departements] of coverage) if (id.startsWith("territoire-") && !departements.includes("23")) expect(own).not.toContain(id);
    expect(own.length).toBe(all.length - [...coverage].filter(([, d]) => !d.includes("23")).length);
  });

  it("summarises for the Creuse the quarantined rows of its files only", async () => {
    // The national summary (each file's most frequent reasons, the rest of the file added up), as the site's method page receives it.
    const national = await nationalReads(db.connection).quarantine();
    const elsewhere = await queryRows<{ source: string; fichier: string }>(
      db.connection,
      `SELECT source, fichier FROM provenance WHERE id IN (SELECT id FROM couverture_fichiers)
         AND id NOT IN (SELECT id FROM couverture_fichiers WHERE code_departement = '23')`
    );
    const key = (source: string, file: string) => `${source}|${file}`;
    const excluded = new Set(elsewhere.map((f) => key(f.source, f.fichier)));
    const own = await readModel(db.connection, "23").quarantine();
    expect(own.filter((q) => excluded.has(key(q.source, q.file)))).toEqual([]);
    // Every other group is kept, in the same order.
    expect(own).toEqual(national.filter((q) => !excluded.has(key(q.source, q.file))));
    expect(own.length).toBeGreaterThan(0);
  });

  it("lists every file with quarantined rows, its reasons adding up to the rows it lost", async () => {
    const summary = await nationalReads(db.connection).quarantine();
    const lost = await queryRows<{ source: string; file: string; lignes: number; raisons: number }>(
      db.connection,
      `SELECT source, file, count(*)::INTEGER AS lignes, count(DISTINCT reason)::INTEGER AS raisons FROM quarantine GROUP BY ALL ORDER BY ALL`
    );
    expect(lost.length).toBeGreaterThan(0);
    for (const { source, file, lignes, raisons } of lost) {
      const rows = summary.filter((q) => q.source === source && q.file === file);
      expect(rows.reduce((n, q) => n + q.lignes, 0), `${source} ${file}`).toBe(lignes);
      // A file with many reasons shows its most frequent ones and one row for the others.
      expect(rows.length, `${source} ${file}`).toBe(Math.min(raisons, quarantineReasonsPerFile + 1));
      const others = rows.filter((q) => /^et \d+ autres raisons/.test(q.reason));
      expect(others.map((q) => q.reason.split(" ")[1]), `${source} ${file}`).toEqual(raisons > quarantineReasonsPerFile + 1 ? [String(raisons - quarantineReasonsPerFile)] : []);
    }
  });

  it("counts in the schéma's list of stale files only the files that feed the département", async () => {
    for (const code of ["23", "02"]) {
      const provenance = await readModel(db.connection, code).provenance();
      const groups = staleGroups({ provenance } as unknown as DiagnosticData);
      const files = groups.reduce((n, g) => n + g.files, 0);
      // Outlines: the département's communes file and its own outline, never the hundred others.
      expect(groups.find((g) => g.source === "contours")?.files, code).toBe(2);
      const [{ n }] = await queryRows<{ n: number }>(
        db.connection,
        `SELECT count(*)::INTEGER AS n FROM provenance p
         WHERE status <> 'absent' AND date_reference IS NOT NULL AND date_diff('month', date_reference::DATE, loaded_at::DATE)
               - CASE WHEN day(loaded_at::DATE) < day(date_reference::DATE) THEN 1 ELSE 0 END > 18
           AND (id NOT IN (SELECT id FROM couverture_fichiers) OR id IN (SELECT id FROM couverture_fichiers WHERE code_departement = $code))`,
        { code }
      );
      expect(files, code).toBe(n);
    }
  });

  it("names in an indicator's sources only the lists of places that feed the département", async () => {
    const publisher = async (id: string) =>
      (await queryRows<{ publisher: string }>(db.connection, "SELECT publisher FROM provenance WHERE id = $id", { id }))[0].publisher;
    const creuse = await publisher("territoire-la-creuse");
    for (const code of ["23", "02"]) {
      const sources = await readModel(db.connection, code).sources();
      const lieux = sources.find((s) => s.indicateur === "nb_lieux")!;
      const distance = sources.find((s) => s.indicateur === "distance_lieu_km")!;
      for (const [id, departements] of coverage) {
        if (!id.startsWith("territoire-") || id.endsWith("-correspondance")) continue;
        const named = lieux.source!.includes(await publisher(id));
        expect(named, `${code} ${id}`).toBe(departements.includes(code));
        expect(distance.source!.includes(await publisher(id)), `${code} ${id}`).toBe(departements.includes(code));
      }
      expect(lieux.source!.includes(creuse)).toBe(code === "23" || coverage.get("territoire-la-creuse")!.includes(code));
    }
    // The national rows still name every list.
    const national = await queryRows<{ source: string }>(db.connection, "SELECT source FROM diagnostic_sources WHERE indicateur = 'nb_lieux'");
    expect(national[0].source).toContain(creuse);
  });
});
