import { writeFile } from "node:fs/promises";
import path from "node:path";
import type { DuckDBConnection } from "@duckdb/node-api";
import { queryRows } from "../../io/db.ts";
import { toDocx } from "../document/docx.ts";
import { nombre, pourcent } from "../document/format.ts";
import { toMarkdown } from "../document/markdown.ts";
import { heading, list, paragraph, sourceLine, type Block, type Inline, type SchemaDocument } from "../document/model.ts";
import type { RegionTables } from "./region.ts";
import { shareOrReason as shareReason } from "../../../src/lib/diagnostic/index.ts";

/** How many EPCI and communes the note lists. */
export const noteTop = { epci: 10, communes: 15 } as const;

type Value = string | number | boolean | null | undefined;

interface SourceRow {
  indicateur: string;
  libelle: string;
  source: string;
  millesime: string | null;
}

const num = (v: Value) => (typeof v === "number" ? v : null);

/** A share, or « non calculée (motif) » when the aggregate withheld it (see `parts_non_calculees`). */
function shareOrReason(row: Record<string, Value>, key: string): string {
  return shareReason(row, key, (v) => pourcent(v));
}

/** The source line of a group of indicators: publisher and vintage, each once. */
function sourcesText(sources: SourceRow[], keys: string[]): string {
  const used = keys.map((k) => sources.find((s) => s.indicateur === k)).filter((s): s is SourceRow => Boolean(s));
  return [...new Set(used.map((s) => `${s.source}${s.millesime ? ` (${s.millesime})` : ""}`))].join(" ; ");
}

/**
 * The note « priorités régionales »: the région's départements side by side, the EPCI to support first (ranked
 * across the région) and the communes with the highest priority score, each figure with its source and vintage.
 */
export function regionNote(tables: RegionTables, sources: SourceRow[], { seuilKm = null as number | null, date = new Date() } = {}): SchemaDocument {
  const { region, departements, epci, communes } = tables;
  const seuil = seuilKm === null ? "du seuil retenu" : `${nombre(seuilKm)} km`;
  const topCommunes = [...communes]
    .filter((c) => num(c.score_priorite) !== null)
    .sort((a, b) => num(b.score_priorite)! - num(a.score_priorite)! || String(a.code_insee).localeCompare(String(b.code_insee)))
    .slice(0, noteTop.communes);
  const depName = new Map(departements.map((d) => [String(d.code), String(d.nom)]));
  const blocks: Block[] = [
    heading(1, `Priorités régionales : ${region.nom}`),
    paragraph(
      `Note produite le ${date.toISOString().slice(0, 10)} à partir du diagnostic d'inclusion numérique : ${nombre(departements.length)} départements, `,
      `${nombre(epci.length)} intercommunalités et ${nombre(communes.length)} communes. Les EPCI sont classés à travers les départements de la région `,
      "avec le même score de priorité que dans chaque département (indice de fragilité, éloignement d'un lieu d'aide, accès au très haut débit)."
    ),
    heading(2, "Les départements"),
    {
      kind: "table",
      caption: "Départements de la région",
      headers: ["Département", "Population", "Indice de fragilité (1 à 10)", `Population à plus de ${seuil} d'un lieu d'aide`, "Locaux raccordables FttH"],
      rows: departements.map((d) => [
        `${d.nom} (${d.code})`, nombre(num(d.population)), nombre(num(d.indice_fragilite), 1),
        shareOrReason(d, "part_population_hors_portee"), shareOrReason(d, "part_locaux_ftth")
      ]),
      numeric: [false, true, true, true, true],
      source: sourcesText(sources, ["population", "distance_lieu_km", "part_locaux_ftth"])
    },
    heading(2, `Les ${nombre(Math.min(noteTop.epci, epci.length))} intercommunalités à soutenir d'abord`),
    {
      kind: "table",
      caption: "EPCI par rang de priorité dans la région",
      headers: ["Rang", "EPCI", "Département", "Population", "Indice de fragilité", "Part hors de portée", "Score"],
      rows: epci.slice(0, noteTop.epci).map((e) => [
        nombre(num(e.rang_region)), String(e.epci_nom ?? e.epci_siren), depName.get(String(e.code_departement)) ?? String(e.code_departement),
        nombre(num(e.population)), nombre(num(e.indice_fragilite), 1), shareOrReason(e, "part_population_hors_portee"), nombre(num(e.score_priorite), 2)
      ]),
      numeric: [true, false, false, true, true, true, true],
      source: sourcesText(sources, ["population", "part_65_plus", "part_peu_diplomes", "taux_pauvrete", "part_eligible_thd30", "distance_lieu_km"])
    },
    heading(2, `Les ${nombre(topCommunes.length)} communes au score de priorité le plus élevé`),
    list(topCommunes.map((c): Inline[] => [
      { text: `${c.nom} (${c.code_insee})`, bold: true },
      ` : ${depName.get(String(c.code_departement)) ?? c.code_departement}, ${nombre(num(c.population))} habitants, indice ${nombre(num(c.indice_fragilite), 1)}, `,
      num(c.distance_lieu_km) === null ? "distance à un lieu d'aide inconnue" : `lieu d'aide le plus proche à ${nombre(num(c.distance_lieu_km), 1)} km`,
      `, score ${nombre(num(c.score_priorite), 2)}.`
    ]), true),
    sourceLine(sourcesText(sources, ["population", "part_65_plus", "part_peu_diplomes", "taux_pauvrete", "part_eligible_thd30", "distance_lieu_km"])),
    heading(2, "Sources et millésimes"),
    list(sources.filter((s) => s.source !== "non disponible").map((s): Inline[] => [`${s.libelle} : ${s.source}${s.millesime ? `, ${s.millesime}` : ""}.`]))
  ];
  return { title: `Priorités régionales : ${region.nom}`, subject: "Diagnostic d'inclusion numérique, note régionale", blocks };
}

/** Writes `priorites-regionales-<code>.docx` and `.md` into `dir`. */
export async function writeRegionNote(connection: DuckDBConnection, tables: RegionTables, dir: string, options: { seuilKm?: number | null } = {}): Promise<void> {
  const sources = await queryRows<SourceRow>(connection, "SELECT indicateur, libelle, source, millesime FROM diagnostic_sources ORDER BY indicateur");
  const doc = regionNote(tables, sources, { seuilKm: options.seuilKm ?? null });
  const base = path.join(dir, `priorites-regionales-${tables.region.code}`);
  await writeFile(`${base}.docx`, await toDocx(doc));
  await writeFile(`${base}.md`, toMarkdown(doc), "utf8");
}
