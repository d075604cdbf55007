import { currentCodeOrQuarantine, sumByCode } from "../cog.ts";
import { createTable, insertRows, queryRows, type TableSpec } from "../../io/db.ts";
import { SourceError } from "../../io/errors.ts";
import type { Ledger } from "../../io/ledger.ts";
import type { Resource } from "../../io/resource.ts";
import type { LoadContext, Source } from "../source.ts";
import { readCsv, readText } from "../../io/text.ts";
import { normaliseCommuneCode, parseCount } from "../../io/values.ts";

/** INSEE populations légales: the population municipale in force on 1 January, per commune. */
export const populationsResource: Resource = {
  id: "insee-populations-legales",
  title: "INSEE, populations légales des communes (population municipale, comptée à part, totale)",
  publisher: "INSEE",
  url: "https://www.insee.fr/fr/statistiques/fichier/8680726/donnees_communes.csv",
  path: "insee-populations-legales/donnees_communes.csv",
  vintage: "Populations légales 2023, en vigueur au 1er janvier 2026",
  referenceDate: "2023-01-01",
  replacement: "les populations légales suivantes, que l'INSEE publie chaque fin décembre pour le 1er janvier (jusque-là, ce fichier est la dernière édition)",
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
  // Reads the COG index and updates `communes`.
  after: ["referentiel"],
  resources: [populationsResource],
  async load(context) {
    const opened = await context.open(populationsResource);
    if (!opened) return;
    const { ledger } = opened;
    const { text } = await readText(opened.acquired.file, populations.id);
    const table = readCsv(text, ledger, { delimiter: ";", required: ["COM", "PMUN", "PCAP", "PTOT"] });
    const rows: PopulationRow[] = [];
    const seen = new Map<string, { line: number; counts: string }>();
    const quarantinedLine = new Map<string, { line: number; reason: string }>();
    table.forEach(({ line, values }) => {
      // Old codes merged into one commune are added up below; the same code twice would count its people twice,
      // and the same code with two different figures means the file cannot be trusted to say which one is right.
      const published = normaliseCommuneCode(values.COM);
      const counts = COUNTS.map((c) => `${c} ${values[c].trim()}`).join(", ");
      const first = published ? seen.get(published) : undefined;
      if (first && first.counts !== counts) {
        throw new SourceError(
          ledger.at(line, "COM"),
          `code commune ${published} en double avec des effectifs différents : ligne ${first.line} (${first.counts}) et ligne ${line} (${counts})`
        );
      }
      if (first) {
        ledger.quarantine(line, "COM", values.COM, `code commune en double dans le fichier (déjà ligne ${first.line})`);
        return;
      }
      if (published) seen.set(published, { line, counts });
      const code = currentCodeOrQuarantine(context.cog, published, values.COM, ledger, line, "COM");
      if (!code) return;
      const read = readCounts(values);
      if ("problem" in read) {
        ledger.quarantine(line, read.column, values[read.column], read.problem);
        quarantinedLine.set(code, { line, reason: read.problem });
        return;
      }
      rows.push({ code_insee: code, ...read });
      ledger.loaded();
    });
    await createTable(context.connection, populationLegaleTable);
    await insertRows(context.connection, populationLegaleTable, sumByCode(rows, ["pmun", "pcap", "ptot"]));
    await requireEveryCommune(context, ledger, quarantinedLine);
    // The referential's population is replaced by the official file's.
    await context.connection.run(
      `UPDATE communes SET population = p.pmun FROM population_legale p WHERE p.code_insee = communes.code_insee`
    );
  }
};

const COUNTS = ["PMUN", "PCAP", "PTOT"] as const;

/** The three populations of a row, or the first one that is not a plausible count (PMUN required). */
function readCounts(values: Record<string, string>): Omit<PopulationRow, "code_insee"> | { column: string; problem: string } {
  const [pmun, pcap, ptot] = COUNTS.map((column) => ({ column, ...parseCount(values[column]) }));
  if (pmun.value === null) return { column: "PMUN", problem: "population municipale illisible" };
  for (const c of [pmun, pcap, ptot]) if (c.problem !== undefined) return { column: c.column, problem: c.problem };
  return { pmun: pmun.value!, pcap: pcap.value ?? null, ptot: ptot.value ?? null };
}

/**
 * Every commune of the referential must get its official population: falling back on the referential's own
 * figure (another vintage, another source) would pass unnoticed. A whole département absent from the file
 * (Mayotte, whose census follows its own calendar) is not a gap in the file but outside its coverage: that is
 * said in the load's log, and those communes keep the referential's figure.
 */
async function requireEveryCommune(context: LoadContext, ledger: Ledger, quarantinedLine: Map<string, { line: number; reason: string }>): Promise<void> {
  const missing = await queryRows<{ code_insee: string; nom: string; code_departement: string; covered: boolean }>(
    context.connection,
    `SELECT c.code_insee, c.nom, c.code_departement,
            c.code_departement IN (SELECT DISTINCT k.code_departement FROM communes k JOIN population_legale p USING (code_insee)) AS covered
       FROM communes c LEFT JOIN population_legale p USING (code_insee)
      WHERE p.code_insee IS NULL ORDER BY c.code_insee`
  );
  const gaps = missing.filter((m) => m.covered);
  if (gaps.length > 0) {
    const causes = gaps.map((g) => ({ ...g, cause: quarantinedLine.get(g.code_insee) }));
    // A row cut or malformed before its code could be read cannot be tied to its commune: point at the first one.
    const unreadable = ledger.quarantined.find((q) => q.column === null);
    const describe = ({ code_insee, nom, cause }: (typeof causes)[number]) =>
      cause ? `${code_insee} (${nom}) : ligne ${cause.line} en quarantaine, ${cause.reason}` : `${code_insee} (${nom}) : absente du fichier`;
    const listed = causes.slice(0, 10).map(describe).join(" ; ") + (gaps.length > 10 ? ` ; et ${gaps.length - 10} autres` : "");
    const first = causes.find((c) => c.cause)?.cause;
    const where = first ? ledger.at(first.line, "PMUN") : unreadable?.line ? ledger.at(unreadable.line) : ledger.at();
    const hint = !first && unreadable ? ` (ligne ${unreadable.line} illisible : ${unreadable.reason})` : "";
    const count = gaps.length === 1 ? "1 commune du référentiel" : `${gaps.length} communes du référentiel`;
    throw new SourceError(where, `${count} sans population légale${hint} — ${listed}`);
  }
  const uncovered = [...new Set(missing.map((m) => m.code_departement))];
  for (const dept of uncovered) {
    const n = missing.filter((m) => m.code_departement === dept).length;
    context.log(`  département ${dept} absent du fichier des populations légales : ${n} communes gardent la population du référentiel`);
  }
}
