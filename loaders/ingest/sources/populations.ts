import { currentCodeOrQuarantine, sumByCode } from "../cog.ts";
import { createTable, insertRows, type TableSpec } from "../../io/db.ts";
import type { Resource } from "../../io/resource.ts";
import type { Source } from "../source.ts";
import { parseCsv, readText } from "../../io/text.ts";
import { normaliseCommuneCode, parseNumber } from "../../io/values.ts";

/** INSEE populations légales: the population municipale in force on 1 January, per commune. */
export const populationsResource: Resource = {
  id: "insee-populations-legales",
  title: "INSEE, populations légales des communes (population municipale, comptée à part, totale)",
  publisher: "INSEE",
  url: "https://www.insee.fr/fr/statistiques/fichier/8680726/donnees_communes.csv",
  path: "insee-populations-legales/donnees_communes.csv",
  vintage: "Populations légales 2023, en vigueur au 1er janvier 2026",
  referenceDate: "2023-01-01",
  format: "csv",
  licence: "Licence Ouverte 2.0"
};

export const populationLegaleTable: TableSpec = {
  name: "population_legale",
  columns: { code_insee: "VARCHAR", pmun: "INTEGER", pcap: "INTEGER", ptot: "INTEGER" },
  primaryKey: ["code_insee"]
};

interface PopulationRow {
  code_insee: string;
  pmun: number | null;
  pcap: number | null;
  ptot: number | null;
}

export const populations: Source = {
  id: "populations",
  title: "Populations légales (INSEE)",
  resources: [populationsResource],
  async load(context) {
    const opened = await context.open(populationsResource);
    if (!opened) return;
    const { ledger } = opened;
    const { text } = await readText(opened.acquired.file, populations.id);
    const table = parseCsv(text, ledger, { delimiter: ";", required: ["COM", "PMUN", "PCAP", "PTOT"] });
    const rows: PopulationRow[] = [];
    const seen = new Map<string, number>();
    for (const { line, values } of table.rows) {
      // Old codes merged into one commune are added up below; the same code twice would count its people twice.
      const published = normaliseCommuneCode(values.COM);
      if (published && seen.has(published)) {
        ledger.quarantine(line, "COM", values.COM, `code commune en double dans le fichier (déjà ligne ${seen.get(published)})`);
        continue;
      }
      if (published) seen.set(published, line);
      const code = currentCodeOrQuarantine(context.cog, published, values.COM, ledger, line, "COM");
      if (!code) continue;
      const pmun = parseNumber(values.PMUN);
      if (pmun === null || Number.isNaN(pmun)) {
        ledger.quarantine(line, "PMUN", values.PMUN, "population municipale illisible");
        continue;
      }
      rows.push({ code_insee: code, pmun, pcap: parseNumber(values.PCAP), ptot: parseNumber(values.PTOT) });
      ledger.loaded();
    }
    await createTable(context.connection, populationLegaleTable);
    await insertRows(context.connection, populationLegaleTable, sumByCode(rows, ["pmun", "pcap", "ptot"]));
    // The referential's population is replaced by the official file's, when present.
    await context.connection.run(
      `UPDATE communes SET population = p.pmun FROM population_legale p WHERE p.code_insee = communes.code_insee`
    );
  }
};
