import { existsSync } from "node:fs";
import { hasTable, queryRows, withDatabase } from "../io/db.ts";
import { ageInMonths } from "../../src/lib/freshness.ts";

/** What `sdin status --json` prints for one département. */
export interface Status {
  departement: string;
  nom: string | null;
  communes: number;
  population: number;
  epci: number;
  france_services: number;
  lieux_aide: number;
  /** When the database was loaded (ISO instant): ages are counted to it. */
  charge_le: string | null;
  sources: {
    id: string;
    source: string;
    vintage: string;
    status: string;
    sha256: string | null;
    rows_in: number;
    rows_loaded: number;
    rows_quarantined: number;
    /** ISO date the data describe; null when neither the registry nor the file gives one. */
    date_reference: string | null;
    /** Whole months from date_reference to the load. */
    age_mois: number | null;
    /** How the file was found (`miroir`, `API data.gouv.fr`, `url figée (API injoignable : …)`). */
    resolution: string | null;
  }[];
}

export async function readStatus(database: string, departement: string): Promise<Status> {
  if (!existsSync(database)) {
    throw new Error(`base introuvable : ${database} ; lancez d'abord « sdin load » (avec SDIN_MIRROR=DOSSIER hors réseau)`);
  }
  return withDatabase(database, { readOnly: true }, async ({ connection }) => {
    const has = (table: string) => hasTable(connection, table);
    const [counts] = await queryRows<{ communes: number; population: number; epci: number }>(
      connection,
      `SELECT count(*)::INTEGER AS communes, coalesce(sum(population), 0)::BIGINT::DOUBLE AS population,
              count(DISTINCT epci_siren)::INTEGER AS epci
       FROM communes WHERE code_departement = $dep`,
      { dep: departement }
    );
    const [dep] = await queryRows<{ nom: string }>(connection, `SELECT nom FROM departements WHERE code_departement = $dep`, { dep: departement });
    const countOffer = async (table: string, where = "") =>
      (await has(table))
        ? (await queryRows<{ n: number }>(
            connection,
            `SELECT count(*)::INTEGER AS n FROM ${table} t JOIN communes c USING (code_insee) WHERE c.code_departement = $dep ${where}`,
            { dep: departement }
          ))[0].n
        : 0;
    // A database built before reference dates were recorded still answers (its sources undated): reload to date them.
    const dated = (await queryRows<{ n: number }>(connection, `SELECT count(*)::INTEGER AS n FROM information_schema.columns WHERE table_name = 'provenance' AND column_name = 'date_reference'`))[0].n > 0;
    const rows = (await has("provenance"))
      ? await queryRows<Omit<Status["sources"][number], "age_mois"> & { loaded_at: string }>(
          connection,
          `SELECT id, source, vintage, status, sha256, rows_in, rows_loaded, rows_quarantined,
                  ${dated ? "date_reference, resolution" : "NULL AS date_reference, NULL AS resolution"}, loaded_at
           FROM provenance ORDER BY source, id`
        )
      : [];
    // The age is counted to the load, not to today: the status describes the database as it was built.
    const sources = rows.map(({ loaded_at, ...s }) => ({
      ...s,
      age_mois: s.date_reference ? ageInMonths(s.date_reference, loaded_at) : null
    }));
    return {
      departement,
      nom: dep?.nom ?? null,
      communes: counts.communes,
      population: counts.population,
      epci: counts.epci,
      france_services: await countOffer("lieux_aide", "AND t.source = 'france-services'"),
      lieux_aide: await countOffer("lieux_aide"),
      charge_le: rows[0]?.loaded_at ?? null,
      sources
    };
  });
}

/** The human-readable status, in French. */
export function formatStatus(status: Status): string {
  const lines = [
    `Département ${status.departement}${status.nom ? ` (${status.nom})` : ""}`,
    `  communes : ${status.communes}   population municipale : ${status.population.toLocaleString("fr-FR")}   EPCI : ${status.epci}`,
    `  France Services : ${status.france_services}   lieux d'aide (toutes sources) : ${status.lieux_aide}`,
    ``,
    `Sources (${status.sources.length}) :`
  ];
  for (const s of status.sources) {
    const counts = s.status === "absent" ? "absent" : `${s.rows_in} lues = ${s.rows_loaded} chargées + ${s.rows_quarantined} en quarantaine`;
    const age = s.date_reference ? `données au ${s.date_reference} (${s.age_mois} mois)` : "date des données inconnue";
    lines.push(`  ${s.id.padEnd(36)} ${s.vintage.padEnd(42)} ${counts} ; ${age}${s.resolution && s.resolution !== "miroir" ? ` ; ${s.resolution}` : ""}`);
  }
  return lines.join("\n");
}
