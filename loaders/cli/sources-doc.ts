import type { Source } from "../ingest/source.ts";

/** « URL à confirmer » marks an official URL that no cited public source confirms (the registry's `urlConfirmedBy`). */
export const unconfirmedUrl = "URL à confirmer";

/**
 * The sources as a Markdown table (README, docs): title, publisher, vintage, the date the data describe, licence,
 * official URL (or « URL à confirmer »), the data.gouv.fr dataset `sdin fetch` resolves, and the mirror path.
 */
export function sourcesMarkdown(sources: Source[]): string {
  const lines = [
    "| source | ressource | éditeur | millésime | données au | licence | URL officielle | jeu data.gouv.fr | chemin dans le miroir |",
    "|---|---|---|---|---|---|---|---|---|"
  ];
  const cell = (s: string) => s.replace(/\|/g, "\\|");
  for (const source of sources) {
    for (const r of source.resources) {
      const flags = [r.derived ? "dérivé, non officiel" : "", r.optional ? "facultatif" : ""].filter(Boolean).join(", ");
      const url = r.urlConfirmedBy ? r.url : `${r.url} (« ${unconfirmedUrl} »)`;
      const dataset = r.datagouv ? `\`${r.datagouv.dataset}\`` : "—";
      const date = r.referenceDate ?? "lue dans le fichier";
      lines.push(
        `| ${cell(source.id)} | ${cell(r.title)}${flags ? ` (${flags})` : ""} | ${cell(r.publisher)} | ${cell(r.vintage)} | ${date} | ${cell(r.licence)} | ${url} | ${dataset} | ${r.path ? `\`${r.path}\`` : "paquet npm"} |`
      );
    }
  }
  return lines.join("\n") + "\n";
}

const start = "<!-- sources:start -->";
const end = "<!-- sources:end -->";

/** Replaces the sources table between its markers in a Markdown document (the README). */
export function withSourcesTable(markdown: string, table: string): string {
  const a = markdown.indexOf(start);
  const b = markdown.indexOf(end);
  if (a < 0 || b < a) throw new Error(`marqueurs ${start} … ${end} introuvables`);
  return markdown.slice(0, a + start.length) + "\n" + table + markdown.slice(b);
}
