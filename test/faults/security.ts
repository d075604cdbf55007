import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import Papa from "papaparse";
import { afterAll, beforeAll, describe, expect } from "vitest";
import { readConfig } from "../../loaders/io/config.ts";
import { acquire } from "../../loaders/io/fetch.ts";
import { listMirrorFiles } from "../../loaders/ingest/source.ts";
import { lieuxMediation } from "../../loaders/ingest/sources/lieux-mediation.ts";
import { mirrorDir } from "../helpers.ts";
import { faultDir } from "./tmp.ts";
import { fault } from "./harness.ts";
import { tempMirror } from "./mirror.ts";
import { resource } from "./network.ts";
import { load, query, resourceCounts } from "./pipeline.ts";
import { startServer, type FaultServer } from "./server.ts";

/** Nobody gets in: crafted paths stay inside their folder, links other than http(s) never reach the database. */
describe("crafted paths", () => {
  let server: FaultServer;
  beforeAll(async () => {
    server = await startServer({ "/file": (_q, s) => s.end("secret;x\n1;2\n") });
  });
  afterAll(() => server.close());

  const options = (rawDir: string, mirror: string | null) => ({ mirror, rawDir, timeoutMs: 400, retries: 0, backoffMs: 10, progress: false });

  fault("paths", "mirror resource path ../../etc/passwd or /etc/passwd cannot read outside the mirror", async () => {
    for (const crafted of ["../../etc/passwd", "/etc/passwd", "insee-cog-2026/../../../etc/passwd"]) {
      const error = await acquire(resource(server.url("/file"), { path: crafted }), options(faultDir(), mirrorDir)).catch((e: Error) => e);
      expect(error, crafted).toBeInstanceOf(Error);
      expect((error as Error).message).toBe(`chemin hors du dossier ${mirrorDir} refusé : ${JSON.stringify(crafted)}`);
    }
    return { outcome: "refused" };
  });

  fault("paths", "cache resource path escaping data/raw/: refused before any download, nothing written outside", async () => {
    const rawDir = path.join(faultDir("sdin-fault-data-"), "raw");
    for (const crafted of ["../../planted.csv", "../sdin.duckdb", path.join(faultDir(), "planted.csv"), "a\0b"]) {
      const error = await acquire(resource(server.url("/file"), { path: crafted }), options(rawDir, null)).catch((e: Error) => e);
      expect((error as Error).message, crafted).toMatch(/^(chemin hors du dossier .* refusé|nom de fichier invalide) : /);
      if (!crafted.includes("\0")) expect(existsSync(path.resolve(rawDir, crafted)), crafted).toBe(false);
    }
    expect(server.hits("/file")).toBe(0);
    return { outcome: "refused" };
  });

  fault("paths", "mirror folder listing with ../ cannot list outside the mirror", async () => {
    await expect(listMirrorFiles(mirrorDir, "../..", /.*/)).rejects.toThrow(/^chemin hors du dossier .* refusé : "\.\.\/\.\."$/);
    return { outcome: "refused" };
  });

  fault("paths", "crafted département code cannot name an export folder outside exports/", () => {
    for (const dept of ["../../etc", "23/../../x", "/tmp"]) {
      expect(() => readConfig({ dept, data: faultDir() }, {}), dept).toThrow(`code de département invalide : "${dept.split(/[,\s]+/)[0].toUpperCase()}"`);
    }
    return { outcome: "refused" };
  });
});

describe("links and markup from the data (lieux de médiation numérique, national file)", () => {
  const FILE = "lieux-mediation-numerique/lieux-de-mediation-numerique.csv";
  const example = Papa.parse<Record<string, string>>(readFileSync(path.join(mirrorDir, "lieux-mediation-numerique/exemple-valide.csv"), "utf8"), { header: true, skipEmptyLines: true });
  const base = example.data[0];
  const place = (id: string, nom: string, site_web: string) => ({ ...base, id, pivot: "", nom, commune: "Guéret", code_postal: "23000", code_insee: "23096", latitude: "46.17", longitude: "1.87", site_web });
  const rows = [
    place("fault-1", "Médiathèque", "javascript:alert(document.cookie)"),
    place("fault-2", "Espace numérique", "https://ok.example.fr|javascript:alert(1)|data:text/html,<script>alert(1)</script>"),
    place("fault-3", '<img src=x onerror="alert(1)">', " JaVaScRiPt:alert(1)"),
    place("fault-4", "Tiers-lieu", "java\tscript:alert(1)|vbscript:msgbox(1)|//evil.example")
  ];
  const text = Papa.unparse({ fields: example.meta.fields!, data: rows }, { quotes: true, newline: "\r\n" });

  let database = "";
  beforeAll(async () => {
    ({ config: { paths: { database } } } = await load(tempMirror({ [FILE]: text }), [lieuxMediation]));
  });

  fault("links", "javascript:, data:, vbscript: and scheme-relative links are stored as null; http(s) ones kept", async () => {
    const stored = await query<{ id: string; site_web: string | null }>(database, `SELECT id, site_web FROM lieux_aide WHERE id LIKE 'lieux-mediation:fault-%' ORDER BY id`);
    expect(stored).toEqual([
      { id: "lieux-mediation:fault-1", site_web: null },
      { id: "lieux-mediation:fault-2", site_web: "https://ok.example.fr" },
      { id: "lieux-mediation:fault-3", site_web: null },
      { id: "lieux-mediation:fault-4", site_web: null }
    ]);
    const counts = (await resourceCounts(database)).filter((r) => r.resource === "cartographie-nationale-lieux-mediation");
    expect(counts).toEqual([{ resource: "cartographie-nationale-lieux-mediation", rows_in: 4, rows_loaded: 4, rows_quarantined: 0 }]);
    return { outcome: "corrected", resources: await resourceCounts(database) };
  });

  fault("links", "markup in a name is stored as inert text (escaped by each output)", async () => {
    const [row] = await query<{ nom: string }>(database, `SELECT nom FROM lieux_aide WHERE id = 'lieux-mediation:fault-3'`);
    expect(row.nom).toBe('<img src=x onerror="alert(1)">');
    return { outcome: "loaded" };
  });
});
