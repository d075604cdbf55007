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
