import type { DuckDBConnection } from "@duckdb/node-api";
import type { DedupSettings } from "../io/config.ts";
import { createTable, insertRows, queryPlainRows, type TableSpec } from "../io/db.ts";
import { lieuPrioritySql, sourceTable } from "./communes-sql.ts";
import { deduplicate, type DedupPlace } from "./dedup.ts";
import { communeNameIndex, doubtfulPlaces, type CommuneName, type CommuneNameIndex, type PlaceToCheck } from "./doubtful.ts";
import { doublonsAVerifierTable, lieuxAVerifierTable } from "./tables.ts";

/** Record id → group id, read by `diagnosticLieuxSql` (dropped after it). */
const groupsTable: TableSpec = { name: "lieux_groupes", columns: { id: "VARCHAR", groupe: "VARCHAR" } };

/**
 * Runs the de-duplication of the places of help over `lieux_aide` (every offer source): writes the groups
 * (`lieux_groupes`) and the pairs to review (`doublons_a_verifier`). Records are fed in priority order, so a
 * group is named after the record the diagnostic keeps.
 */
export async function writeDuplicates(connection: DuckDBConnection, present: Set<string>, settings: DedupSettings): Promise<void> {
  const places = await queryPlainRows<DedupPlace>(
    connection,
    `SELECT l.id, l.source, l.nom, l.code_insee, l.adresse, l.latitude, l.longitude, l.typologie, l.cle_dedoublonnage
     FROM ${sourceTable("lieux_aide", present)} l ORDER BY l.code_insee, ${lieuPrioritySql}, l.id`
  );
  const { groups, review } = deduplicate(places, settings);
  await createTable(connection, groupsTable);
  await insertRows(connection, groupsTable, [...groups].map(([id, groupe]) => ({ id, groupe })));
  const communes = new Map(
    (
      await queryPlainRows<{ code_insee: string; nom: string; code_departement: string }>(
        connection,
        // The communes of the pairs to review: those of the places only.
        `SELECT code_insee, nom, code_departement FROM communes WHERE code_insee IN (SELECT code_insee FROM ${sourceTable("lieux_aide", present)})`
      )
    ).map((c) => [c.code_insee, c])
  );
  await createTable(connection, doublonsAVerifierTable);
  await insertRows(
    connection,
    doublonsAVerifierTable,
    review.map((p) => ({
      code_departement: communes.get(p.a.code_insee)?.code_departement ?? null,
      code_insee: p.a.code_insee,
      commune: communes.get(p.a.code_insee)?.nom ?? null,
      id_1: p.a.id, source_1: p.a.source, nom_1: p.a.nom, adresse_1: p.a.adresse,
      id_2: p.b.id, source_2: p.b.source, nom_2: p.b.nom, adresse_2: p.b.adresse,
      distance_m: p.distanceM === null ? null : Math.round(p.distanceM),
      score_nom: round(p.nom), score_rue: p.rue === null ? null : round(p.rue), score_distance: p.distance === null ? null : round(p.distance),
      score: round(p.score)
    }))
  );
}

/** The communes' names as the doubtful places are checked against them (read and indexed before `diagnostic_lieux` exists). */
export async function readCommuneNames(connection: DuckDBConnection): Promise<CommuneNameIndex> {
  return communeNameIndex(await queryPlainRows<CommuneName>(connection, `SELECT code_insee, nom, code_departement FROM communes`));
}

/** Writes `lieux_a_verifier` from `diagnostic_lieux` (after the de-duplication: one row per place and reason). */
export async function writeDoubtfulPlaces(connection: DuckDBConnection, names: CommuneNameIndex): Promise<void> {
  const places = await queryPlainRows<PlaceToCheck & { sources: string; adresse: string | null }>(
    connection,
    `SELECT id, nom, sources, code_insee, commune, code_departement, adresse, localisation FROM diagnostic_lieux ORDER BY code_insee, nom, id`
  );
  const byId = new Map(places.map((p) => [p.id, p]));
  await createTable(connection, lieuxAVerifierTable);
  await insertRows(
    connection,
    lieuxAVerifierTable,
    doubtfulPlaces(places, names).map((d) => {
      const p = byId.get(d.id)!;
      return { id: p.id, nom: p.nom, sources: p.sources, code_insee: p.code_insee, commune: p.commune, code_departement: p.code_departement, adresse: p.adresse, motif: d.motif, detail: d.detail };
    })
  );
}

function round(x: number): number {
  return Math.round(x * 1000) / 1000;
}
