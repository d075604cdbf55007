import type { DuckDBConnection } from "@duckdb/node-api";
import { readModel, type ArretItinerance, type Commune, type Contour, type DepartementReadModel, type Epci, type Lieu, type Provenance, type SourceIndicateur, type Territoire } from "../read-model.ts";

/**
 * What the schéma reads from the database: the diagnostic of one département, from the shared read model
 * (loaders/outputs/read-model.ts). Nothing is computed here beyond choosing rows; sums for a subset of communes
 * (the RIP zone, a priority territory) add up counts and never average rates.
 */
export type { ArretItinerance, Commune, Contour, Epci, Indicators, Lieu, Provenance, SourceIndicateur, Territoire } from "../read-model.ts";

export interface DiagnosticData {
  code: string;
  departement: Territoire;
  region: Territoire | null;
  france: Territoire | null;
  communes: Commune[];
  epci: Epci[];
  lieux: Lieu[];
  sources: Map<string, SourceIndicateur>;
  provenance: Provenance[];
  plan: ArretItinerance[];
  contours: Contour[];
}

/**
 * Reads the diagnostic of `departement`; fails with a French message naming what is missing. `model` is the
 * département's read model when the caller already has one (the export, which has read the same rows for its files).
 */
export async function readDiagnostic(connection: DuckDBConnection, departement: string, model: DepartementReadModel = readModel(connection, departement)): Promise<DiagnosticData> {
  const communes = await model.communes();
  const { departement: departementRow, region, france } = await model.territoires();
  return {
    code: departement,
    departement: departementRow,
    region,
    france,
    communes,
    epci: await model.epci(),
    lieux: await model.lieux(),
    sources: new Map((await model.sources()).map((s) => [s.indicateur, s])),
    provenance: await model.provenance(),
    plan: await model.plan(),
    contours: await model.contours()
  };
}

/** The sum of a count over rows, or null when every value is unknown. */
export function sum<T>(rows: T[], value: (row: T) => number | null | undefined): number | null {
  let total = 0;
  let known = false;
  for (const row of rows) {
    const v = value(row);
    if (v !== null && v !== undefined && Number.isFinite(v)) {
      total += v;
      known = true;
    }
  }
  return known ? total : null;
}

/** A share from summed counts (never a mean of rates); null when the denominator is unknown or zero. */
export function share(numerator: number | null, denominator: number | null): number | null {
  return numerator === null || denominator === null || denominator === 0 ? null : numerator / denominator;
}

/** The communes of an EPCI within the département. */
export function communesOf(data: DiagnosticData, epciSiren: string): Commune[] {
  return data.communes.filter((c) => c.epci_siren === epciSiren);
}
