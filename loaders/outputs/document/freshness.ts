import { annualStatisticsNoteFor, freshnessOf, gatherFiles, staleFlag } from "../../../src/lib/freshness.ts";
import { sources } from "../../ingest/sources/index.ts";
import type { SchemaContext } from "./context.ts";
import type { DiagnosticData } from "./data.ts";
import { nombre } from "./format.ts";
import { list, paragraph, type Block } from "./model.ts";

/**
 * How old the schéma's figures are: the flag next to a figure whose data are older than 18 months, and the
 * list of the stale files (oldest first) with the file that would replace each. The rule itself (months, bands,
 * wording) is the one of src/lib/freshness.ts, shared with the site and the exports.
 */

/** « donnée de 2018, à actualiser » when the data behind an indicator are older than 18 months, else null. */
export function staleFlagOf(data: DiagnosticData, indicator: string): string | null {
  const row = data.sources.get(indicator);
  if (!row?.date_reference) return null;
  return staleFlag({ date_reference: row.date_reference, a_actualiser: Boolean(row.a_actualiser) });
}

/** The loaded files older than 18 months, oldest first, with their age and their replacement. */
export function staleFiles(data: DiagnosticData) {
  return data.provenance
    .filter((p) => p.status !== "absent" && p.date_reference && p.loaded_at)
    .map((p) => ({ ...p, ...freshnessOf(p.date_reference!, p.loaded_at!) }))
    .filter((p) => p.a_actualiser)
    .sort((a, b) => a.date_reference.localeCompare(b.date_reference) || String(a.title).localeCompare(String(b.title)));
}

/**
 * The stale files gathered by source, date and replacement: the outlines come as one file per département, and a
 * reader needs one line saying they are old, not a hundred.
 */
export function staleGroups(data: DiagnosticData) {
  const titles = new Map(sources.map((source) => [source.id, source.title]));
  return gatherFiles(staleFiles(data)).map((group) => ({
    ...group,
    label: group.files === 1 ? (group.title ?? group.source ?? "fichier") : `${(group.source && titles.get(group.source)) ?? group.title ?? group.source} (${nombre(group.files)} fichiers)`
  }));
}

/** The method section's first word on the data: which sources are old, and the file that would replace each. */
export function staleSources(ctx: SchemaContext): Block[] {
  const stale = staleGroups(ctx.data);
  const files = stale.reduce((sum, group) => sum + group.files, 0);
  const annual = annualStatisticsNoteFor(stale);
  if (!stale.length) return [paragraph("Fraîcheur des données : aucun fichier chargé n'a plus de 18 mois à la date du chargement.")];
  return [
    paragraph(
      `Données à actualiser : ${nombre(files)} fichier${files > 1 ? "s" : ""} chargé${files > 1 ? "s ont" : " a"} plus de 18 mois` +
        (stale.length < files ? ` (${nombre(stale.length)} jeux de données)` : "") +
        ". Les chiffres qui en dépendent portent la mention « donnée de AAAA, à actualiser ». Fichiers à remplacer, du plus ancien au plus récent :"
    ),
    list(
      stale.map((p) => [
        { text: p.label, bold: true },
        ` — données au ${p.date_reference} (${nombre(p.age_mois)} mois, ${staleFlag(p)}) ; à remplacer par : ${p.remplacement ?? "l'édition la plus récente du même jeu de données"}.`
      ])
    ),
    ...(annual ? [paragraph(annual)] : []),
    paragraph("Pour actualiser : « sdin fetch » télécharge la dernière édition publiée sur data.gouv.fr, puis « sdin load » et « sdin export » régénèrent la base et ce document (voir le guide, « Mettre à jour les données »).")
  ];
}
