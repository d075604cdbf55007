import { readFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { openDatabase, queryRows, type Database } from "../../loaders/io/db.ts";
import { kilometres, nombre, pourcent } from "../../loaders/outputs/document/format.ts";
import { FICHE_FIELDS } from "../../loaders/outputs/document/axes.ts";
import { BESOINS } from "../../loaders/outputs/document/besoins.ts";
import { defaultLeversFile, writeSchema } from "../../loaders/outputs/document/index.ts";
import { closedLevers, readLevers } from "../../loaders/outputs/document/levers.ts";
import { annualStatisticsNote } from "../../src/lib/freshness.ts";
import { tempDir } from "../helpers.ts";
import { docxText } from "./docx-text.ts";

/** The schéma of Creuse and of the Aisne, written from the suite's database built from the real mirror (test/global-setup.ts). */
describe.each([
  ["23", 115527, 255],
  ["02", 523342, 797]
])("schéma of département %s from the real diagnostic", (dept, population, communes) => {
  let db: Database;
  let text: string;
  let markdown: string;
  let files: Awaited<ReturnType<typeof writeSchema>>;
  const date = new Date("2025-11-26T00:00:00Z");
  beforeAll(async () => {
    db = await openDatabase(inject("database"), { readOnly: true });
    files = await writeSchema(db.connection, dept, tempDir(`sdin-schema-${dept}-`), { date, seuilKm: 10 });
    text = docxText(files.docx);
    markdown = readFileSync(files.markdown, "utf8");
  });
  afterAll(() => db?.close());

  it("states the diagnostic chapter's totals as sums over diagnostic_communes", async () => {
    const [sums] = await queryRows<{ population: number; communes: number; epci: number; lieux: number; hors_portee: number; locaux: number; ftth: number }>(
      db.connection,
      `SELECT sum(population)::INTEGER AS population, count(*)::INTEGER AS communes, count(DISTINCT epci_siren)::INTEGER AS epci,
              sum(nb_lieux)::INTEGER AS lieux, sum(population_hors_portee) AS hors_portee, sum(locaux) AS locaux, sum(locaux_ftth) AS ftth
       FROM diagnostic_communes WHERE code_departement = $dept`,
      { dept }
    );
    expect([sums.population, sums.communes]).toEqual([population, communes]);
    expect(text).toContain(`compte ${nombre(sums.population)} habitants`);
    expect(text).toContain(`répartis dans ${nombre(sums.communes)} communes et ${nombre(sums.epci)} intercommunalités`);
    expect(text).toContain(`Le diagnostic recense ${nombre(sums.lieux)} lieux d'aide`);
    expect(text).toContain(`${nombre(sums.hors_portee)} habitants, soit ${pourcent(sums.hors_portee / sums.population)}`);
    expect(text).toContain(`${nombre(sums.ftth)} des ${nombre(sums.locaux)} locaux du département`);
    expect(text).toContain(`à plus de ${kilometres(10)}`);
  });

  it("gives every figure a source and names the three priority EPCI among the territories a fiche targets", async () => {
    expect(text).not.toContain("source non renseignée");
    const priority = await queryRows<{ epci_nom: string; epci_siren: string }>(
      db.connection,
      "SELECT epci_nom, epci_siren FROM diagnostic_epci WHERE code_departement = $dept ORDER BY rang_priorite LIMIT 3",
      { dept }
    );
    // The table of contents lists the fiches too (with a tab and PAGEREF): start at the first fiche's heading.
    const fichesText = text.slice(text.search(/\nFiche 1 — [^\t\n]*\n/), text.lastIndexOf("\n5. Budget et financements\n"));
    for (const { epci_nom, epci_siren } of priority) expect(fichesText).toContain(`${epci_nom}\nEPCI\n${epci_siren}\n`);
    expect(markdown).toContain("## 2\\. Diagnostic");
  });

  it("writes 6 to 15 numbered fiches with distinct intitulés, each with every field, and only open levers", () => {
    const headings = text.split("\n").filter((l) => /^Fiche \d+ — [^\t]*$/.test(l));
    expect(headings.length).toBeGreaterThanOrEqual(6);
    expect(headings.length).toBeLessThanOrEqual(15);
    expect(headings.map((h) => Number(h.match(/^Fiche (\d+)/)![1]))).toEqual(headings.map((_, i) => i + 1));
    expect(new Set(headings.map((h) => h.replace(/^Fiche \d+ — /, ""))).size).toBe(headings.length);
    const bodies = text.split(/\nFiche \d+ — (?=[^\t\n]*\n)/).slice(1).map((b) => b.split("\n5. Budget et financements\n")[0]);
    const closed = closedLevers(readLevers(defaultLeversFile), date).map((l) => l.nom);
    for (const body of bodies) {
      let at = 0;
      for (const label of FICHE_FIELDS) {
        const found = body.indexOf(`\n${label}\n`, at);
        expect(found, label).toBeGreaterThan(-1);
        at = found;
      }
      for (const name of closed) expect(body).not.toContain(name);
    }
  });

  it("explains why the census, the legal populations and Filosofi carry the stale flag, when they do", async () => {
    // Stale as the load dated them: each file's age at its own load, from the register.
    const stale = await queryRows<{ source: string }>(
      db.connection,
      `SELECT DISTINCT source FROM provenance
       WHERE source IN ('populations', 'insee-rp', 'filosofi') AND status = 'chargé' AND date_reference IS NOT NULL
         AND date_diff('month', date_reference::DATE, loaded_at::DATE) - CASE WHEN day(loaded_at::DATE) < day(date_reference::DATE) THEN 1 ELSE 0 END > 18`
    );
    expect(text.includes(annualStatisticsNote)).toBe(stale.length > 0);
    if (stale.some((s) => s.source === "populations")) expect(text).toMatch(/populations légales suivantes, que l'INSEE publie chaque fin décembre/);
  });

  it("puts the annex « Sources et millésimes » after the last fiche and no provenance table before chapter 1", () => {
    const lines = text.split("\n");
    expect(lines.indexOf("Annexe D — Sources et millésimes")).toBeGreaterThan(lines.findLastIndex((l) => /^Fiche \d+ — [^\t]*$/.test(l)));
    expect(lines.indexOf("Fichiers de données chargés")).toBeGreaterThan(lines.indexOf("Annexe D — Sources et millésimes"));
    expect(lines.indexOf("1. Contexte et cadre")).toBeLessThan(lines.indexOf("2. Diagnostic"));
    expect(lines.slice(0, lines.indexOf("1. Contexte et cadre")).join("\n")).not.toMatch(/Fichiers de données chargés|Indicateurs, sources et millésimes/);
  });

  it("writes the feuille de route in the national tool's shape (JSON, and a CSV row per action)", async () => {
    const json = JSON.parse(readFileSync(files.json, "utf8"));
    expect(json.actions.length).toBeGreaterThanOrEqual(6);
    const codes = await queryRows<{ code: string }>(
      db.connection,
      `SELECT code_insee AS code FROM diagnostic_communes WHERE code_departement = $dept
       UNION SELECT epci_siren FROM diagnostic_epci WHERE code_departement = $dept`,
      { dept }
    );
    const known = new Set(codes.map((c) => c.code));
    for (const a of json.actions) {
      for (const b of a.besoins) expect(BESOINS).toContain(b);
      for (const code of a.perimetre) expect(known.has(code), code).toBe(true);
    }
    expect(readFileSync(files.csv, "utf8").trim().split("\r\n").length - 1).toBe(json.actions.length);
  });

  it("is the file the export writes, with the feuille de route beside it", () => {
    const exported = path.join(inject("exportsDir"), dept, `schema-departemental-${dept}.docx`);
    expect(readFileSync(exported).subarray(0, 2).toString()).toBe("PK");
    expect(JSON.parse(readFileSync(path.join(inject("exportsDir"), dept, `feuille-de-route-${dept}.json`), "utf8")).actions.length).toBeGreaterThanOrEqual(6);
  });
});

describe("schéma of Creuse: freshness", () => {
  let text: string;
  beforeAll(async () => {
    const db = await openDatabase(inject("database"), { readOnly: true });
    try {
      const files = await writeSchema(db.connection, "23", tempDir("sdin-schema-23-fraicheur-"), { date: new Date("2025-11-26T00:00:00Z"), seuilKm: 10 });
      text = docxText(files.docx);
    } finally {
      db.close();
    }
  });

  it("flags the FttH share as 2018 data in the connectivity section", () => {
    // The mirror holds only the Arcep T1 2018 edition (2018-03-31), more than 18 months before any load.
    // The flag stays next to the figure; the short reference « [n] » resolves to the Arcep edition in the annex.
    const match = /raccordables à la fibre optique jusqu'à l'abonné \(FttH\), soit [^\n]*\[(\d+)\] donnée de 2018, à actualiser\./.exec(text);
    expect(match).not.toBeNull();
    const annex = text.slice(text.lastIndexOf("Annexe D — Sources et millésimes"));
    expect(annex).toMatch(new RegExp(`\\[${match![1]}\\]\\nArcep[^\\n]*T1 2018 — donnée de 2018, à actualiser`));
  });

  it("lists the stale files first in the method section, oldest first, each with its replacement", () => {
    const start = text.indexOf("Données à actualiser");
    expect(start).toBeGreaterThan(0);
    expect(start).toBeLessThan(text.indexOf("Indicateurs, sources et millésimes"));
    // One line per data set: the two CSV exports of the Arcep T1 2018 workbook (communes, FttH) share theirs.
    const arcepLine = text.slice(start).split("\n").find((line) => line.includes("— données au 2018-03-31"));
    expect(arcepLine).toBeDefined();
    const arcep = text.indexOf(arcepLine!, start);
    const dataforgood = text.indexOf("Data for Good, indicateurs de fragilité numérique", start);
    expect(dataforgood).toBeGreaterThan(start);
    expect(arcep).toBeGreaterThan(dataforgood); // 2017-01-01 before 2018-03-31
    expect(arcepLine).toMatch(
      /Arcep\) \(2 fichiers\) — données au 2018-03-31 \(\d+ mois, donnée de 2018, à actualiser\) ; à remplacer par : classeur trimestriel AAAAtN-obs-hd-thd-deploiement\.xlsx du jeu data\.gouv\.fr le-marche-du-haut-et-tres-haut-debit-fixe-deploiements/
    );
  });
});
