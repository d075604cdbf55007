import type { Source } from "../ingest/source.ts";

/** The sources as a Markdown table (README, docs): title, publisher, vintage, licence, official URL, mirror path. */
export function sourcesMarkdown(sources: Source[]): string {
  const lines = [
    "| source | ressource | éditeur | millésime | licence | URL officielle | chemin dans le miroir |",
    "|---|---|---|---|---|---|---|"
  ];
  for (const source of sources) {
    for (const r of source.resources) {
      const flags = [r.derived ? "dérivé, non officiel" : "", r.optional ? "facultatif" : ""].filter(Boolean).join(", ");
      const cell = (s: string) => s.replace(/\|/g, "\\|");
      lines.push(
        `| ${cell(source.id)} | ${cell(r.title)}${flags ? ` (${flags})` : ""} | ${cell(r.publisher)} | ${cell(r.vintage)} | ${cell(r.licence)} | ${r.url} | ${r.path ? `\`${r.path}\`` : "paquet npm"} |`
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
