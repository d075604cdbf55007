import { mkdir, rename, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import type { DuckDBConnection } from "@duckdb/node-api";
import type { Config } from "../../io/config.ts";
import { queryRows, withDatabase } from "../../io/db.ts";
import { safeJoin } from "../../io/paths.ts";
import { rankDescending } from "../../../src/lib/diagnostic/index.ts";
import { diagnosticCommunesTable, diagnosticEpciTable, diagnosticTerritoiresTable } from "../../diagnostic/tables.ts";
import { toCsv, type Cell } from "./cells.ts";
import { writeRegionNote } from "./region-note.ts";

type Row = Record<string, Cell>;

/** A région's tables: the read model of its export, its note and its site. */
export interface RegionTables {
  region: { code: string; nom: string };
  /** One row per département of the région (diagnostic_territoires columns), by code. */
  departements: Row[];
  /** EPCI whose département (the one holding most of their population) is in the région, by `rang_region`. */
  epci: Row[];
  /** Every commune of the région (diagnostic_communes columns), by INSEE code. */
  communes: Row[];
}

/** Columns of the région's files: the département files' columns, plus the rank across the région for EPCI. */
export const regionColumns = {
  departements: Object.keys(diagnosticTerritoiresTable.columns).filter((c) => c !== "niveau"),
  epci: [...Object.keys(diagnosticEpciTable.columns), "rang_region"],
  communes: Object.keys(diagnosticCommunesTable.columns)
};

/** Every région code of the referential (for `--region all`). */
export async function allRegions(connection: DuckDBConnection): Promise<string[]> {
  const rows = await queryRows<{ code: string }>(connection, `SELECT code_region AS code FROM regions ORDER BY 1`);
  return rows.map((r) => r.code);
}

/**
 * Reads a région's départements, EPCI and communes from the diagnostic tables. EPCI are ranked across the
 * région's départements on the same priority score as within a département (`score_priorite`): `rang_region`
 * runs 1..N over the EPCI that have a score, ties broken by SIREN. The referential does not give an EPCI's seat:
 * an EPCI belongs to the région of the département holding most of its population, as in the département ranking.
 */
export async function regionTables(connection: DuckDBConnection, code: string): Promise<RegionTables> {
  const [region] = await queryRows<{ code: string; nom: string }>(connection, `SELECT code_region AS code, nom FROM regions WHERE code_region = $code`, { code });
  if (!region) throw new Error(`région inconnue du référentiel : "${code}"`);
  const departements = await queryRows<Row>(
    connection,
    `SELECT t.* EXCLUDE (niveau) FROM diagnostic_territoires t JOIN departements d ON d.code_departement = t.code
     WHERE t.niveau = 'departement' AND d.code_region = $code ORDER BY t.code`,
    { code }
  );
  const epci = await queryRows<Row>(
    connection,
    `SELECT e.* FROM diagnostic_epci e JOIN departements d USING (code_departement) WHERE d.code_region = $code`,
    { code }
  );
  const ranks = rankDescending(epci, (e) => (e.score_priorite as number | null) ?? null, (e) => String(e.epci_siren));
  const ranked = epci
    .map((e): Row & { rang_region: number | null } => ({ ...e, rang_region: ranks.get(e) ?? null }))
    .sort((a, b) => (a.rang_region ?? Infinity) - (b.rang_region ?? Infinity) || String(a.epci_siren).localeCompare(String(b.epci_siren)));
  const communes = await queryRows<Row>(connection, `SELECT * FROM diagnostic_communes WHERE code_region = $code ORDER BY code_insee`, { code });
  return { region, departements, epci: ranked, communes };
}

/**
 * Writes `exports/region-<code>/` for each région asked (`all` for every one): departements.csv, epci.csv,
 * communes.csv and the note « priorités régionales » (DOCX and Markdown). Each folder is written beside its final
 * place and renamed into it, so a reader never sees half an export.
 */
export async function runRegionExport(config: Config, regions: string[], { documents = true }: { documents?: boolean } = {}): Promise<void> {
  await withDatabase(config.paths.database, { readOnly: true }, async ({ connection }) => {
    const known = await allRegions(connection);
    const codes = regions.includes("all") ? known : regions;
    for (const code of codes) {
      if (!known.includes(code)) throw new Error(`région inconnue du référentiel : "${code}"`);
      const outDir = safeJoin(config.paths.exportsDir, `region-${code}`);
      const partial = `${outDir}.partial-${process.pid}`;
      await rm(partial, { recursive: true, force: true });
      await mkdir(partial, { recursive: true });
      const tables = await regionTables(connection, code);
      await writeFile(path.join(partial, "departements.csv"), toCsv(regionColumns.departements, tables.departements));
      await writeFile(path.join(partial, "epci.csv"), toCsv(regionColumns.epci, tables.epci));
      await writeFile(path.join(partial, "communes.csv"), toCsv(regionColumns.communes, tables.communes));
      if (documents) await writeRegionNote(connection, tables, partial, { seuilKm: config.thresholdKm });
      await rm(outDir, { recursive: true, force: true });
      await rename(partial, outDir);
      process.stderr.write(`exports écrits : ${outDir}\n`);
    }
  });
}
