import { readFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { openDatabase, queryRows, type Database } from "../../loaders/io/db.ts";
import { kilometres, nombre, pourcent } from "../../loaders/outputs/document/format.ts";
import { writeSchema } from "../../loaders/outputs/document/index.ts";
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
  beforeAll(async () => {
    db = await openDatabase(inject("database"), { readOnly: true });
    const files = await writeSchema(db.connection, dept, tempDir(`sdin-schema-${dept}-`), { date: new Date("2025-11-26T00:00:00Z"), seuilKm: 10 });
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

  it("gives every figure a source and writes a fiche for each of the three priority EPCI", async () => {
    expect(text).not.toContain("source non renseignée");
    const priority = await queryRows<{ epci_nom: string }>(
      db.connection,
      "SELECT epci_nom FROM diagnostic_epci WHERE code_departement = $dept ORDER BY rang_priorite LIMIT 3",
      { dept }
    );
    for (const { epci_nom } of priority) expect(text).toMatch(new RegExp(`Fiche \\d+\\.\\d+ — ${epci_nom.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}\\n`));
    expect(markdown).toContain("## 2\\. Diagnostic");
  });

  it("is the file the export writes", () => {
    const exported = path.join(inject("exportsDir"), dept, `schema-departemental-${dept}.docx`);
    expect(readFileSync(exported).subarray(0, 2).toString()).toBe("PK");
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
    expect(text).toMatch(/raccordables à la fibre optique jusqu'à l'abonné \(FttH\), soit [^\n]*Source : Arcep[^\n]*T1 2018 — donnée de 2018, à actualiser\./);
  });

  it("lists the stale files first in the method section, oldest first, each with its replacement", () => {
    const start = text.indexOf("Données à actualiser");
    expect(start).toBeGreaterThan(0);
    expect(start).toBeLessThan(text.indexOf("Indicateurs, sources et millésimes"));
    const arcep = text.indexOf("Arcep, déploiements FttH T1 2018 : locaux raccordables par commune", start);
    const dataforgood = text.indexOf("Data for Good, indicateurs de fragilité numérique", start);
    expect(dataforgood).toBeGreaterThan(start);
    expect(arcep).toBeGreaterThan(dataforgood); // 2017-01-01 before 2018-03-31
    expect(text.slice(arcep, text.indexOf("\n", arcep))).toMatch(
      /— données au 2018-03-31 \(\d+ mois, donnée de 2018, à actualiser\) ; à remplacer par : classeur trimestriel AAAAtN-obs-hd-thd-deploiement\.xlsx du jeu data\.gouv\.fr le-marche-du-haut-et-tres-haut-debit-fixe-deploiements/
    );
  });
});
