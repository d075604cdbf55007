import type { DuckDBConnection } from "@duckdb/node-api";
import { createTable, insertRows, queryPlainRows, queryRows } from "../io/db.ts";
import { contours } from "../ingest/sources/contours.ts";
import { territoireListId, territoires } from "../ingest/sources/territoires.ts";
import { couvertureFichiersTable } from "./tables.ts";

/**
 * The place sources (lieux_aide's `source`) each département's figures rest on, by département code: the nearest
 * places its communes' distances were measured to, wherever those lie (`writeFileCoverage` adds the places
 * located in it).
 */
export type PlaceSourcesUsed = Map<string, Set<string>>;

/** Adds the sources of one place (`a|b` when merged) to those a département uses. */
export function notePlaceSources(used: PlaceSourcesUsed, departement: string, sources: string): void {
  let set = used.get(departement);
  if (!set) used.set(departement, (set = new Set()));
  for (const source of sources.split("|")) set.add(source);
}

/**
 * Writes couverture_fichiers: the départements each file of partial scope feeds, read from what the load made of
 * it, never declared.
 * - An outline file feeds the départements of the communes and départements it gave an outline to
 *   (`source_file` of contours and contours_departements).
 * - A territory's list, and its correspondence file, feed the départements where its places lie and those whose
 *   communes have one of its places as their nearest place of some kind (`used`, from the distances).
 * A file of these sources that feeds no département gets one row without a département, so that it is not taken
 * for a national file. Files of the other sources are national and get no row.
 */
export async function writeFileCoverage(connection: DuckDBConnection, present: Set<string>, used: PlaceSourcesUsed): Promise<void> {
  await createTable(connection, couvertureFichiersTable);
  const files = await queryRows<{ id: string; source: string; nom: string | null }>(
    connection,
    `SELECT id, source, fichier AS nom FROM provenance
     WHERE status = 'chargé' AND source IN ($contours, $territoires) ORDER BY id`,
    { contours: contours.id, territoires: territoires.id }
  );
  if (files.length === 0) return;
  const located = await queryPlainRows<{ code_departement: string; sources: string }>(
    connection,
    "SELECT code_departement, sources FROM diagnostic_lieux WHERE code_departement IS NOT NULL AND sources IS NOT NULL"
  );
  for (const place of located) notePlaceSources(used, place.code_departement, place.sources);
  const outlineDepartements = await outlinesByFile(connection, present);
  const rows: { id: string; code_departement: string | null }[] = [];
  for (const file of files) {
    let departements: Iterable<string> = [];
    if (file.source === contours.id) departements = (file.nom && outlineDepartements.get(file.nom)) || [];
    else {
      const list = territoireListId(file.id);
      departements = [...used].filter(([, sources]) => list !== null && sources.has(list)).map(([code]) => code);
    }
    const sorted = [...departements].sort();
    if (sorted.length === 0) rows.push({ id: file.id, code_departement: null });
    else for (const code of sorted) rows.push({ id: file.id, code_departement: code });
  }
  await insertRows(connection, couvertureFichiersTable, rows);
}

/** The départements each outline file gave an outline to, by file name (contours' `source_file`). */
async function outlinesByFile(connection: DuckDBConnection, present: Set<string>): Promise<Map<string, Set<string>>> {
  const parts = [
    present.has("contours") ? "SELECT DISTINCT t.source_file AS nom, c.code_departement AS code FROM contours t JOIN communes c USING (code_insee)" : null,
    present.has("contours_departements") ? "SELECT DISTINCT source_file AS nom, code_departement AS code FROM contours_departements" : null
  ].filter((sql): sql is string => sql !== null);
  const byFile = new Map<string, Set<string>>();
  if (parts.length === 0) return byFile;
  for (const { nom, code } of await queryRows<{ nom: string; code: string }>(connection, parts.join(" UNION "))) {
    let set = byFile.get(nom);
    if (!set) byFile.set(nom, (set = new Set()));
    set.add(code);
  }
  return byFile;
}
