import { sanitizeMarkdown } from "../sanitize.ts";
import { asRun, inlineText, type Block, type Field, type Inline, type SchemaDocument, type Table } from "./model.ts";

/**
 * The schéma as Markdown (CommonMark + GFM tables), from the same model as the DOCX. Every text from the data is
 * escaped, so a place named `<script>` or `[x](javascript:…)` is shown as text, never as HTML or a link.
 */

/** Backslash-escapes the characters that would start markup anywhere in a line. */
export function escapeMarkdown(text: string): string {
  return sanitizeMarkdown(text)
    .replace(/[\\`*_{}[\]<>|~&!#]/g, (c) => `\\${c}`)
    .replace(/^(\s*)([-+=]|\d+[.)])(?=\s|$)/, (_, space: string, marker: string) => `${space}${marker.replace(/([-+=.)])$/, "\\$1")}`);
}

function inline(runs: Inline[]): string {
  return runs
    .map((inline) => {
      if (typeof inline === "string") return escapeMarkdown(inline);
      const run = asRun(inline);
      const text = escapeMarkdown(run.text);
      if (run.todo) return `**${text}**`;
      if (run.bold && run.italic) return `***${text}***`;
      if (run.bold) return `**${text}**`;
      if (run.italic) return `*${text}*`;
      return text;
    })
    .join("");
}

function table(t: Table): string {
  const lines: string[] = [];
  if (t.caption) lines.push(`**${escapeMarkdown(t.caption)}**`, "");
  const cells = (row: Inline[]) => `| ${row.map((c) => inline([c]) || " ").join(" | ")} |`;
  lines.push(cells(t.headers), `|${t.headers.map((_, i) => (t.numeric?.[i] ? " ---: " : " --- ")).join("|")}|`);
  t.rows.forEach((row, i) => {
    const swatch = t.swatches?.[i];
    lines.push(cells(swatch ? [`couleur ${swatch} : ${inlineText([row[0]])}`, ...row.slice(1)] : row));
  });
  if (t.source) lines.push("", `*${escapeMarkdown(t.source.startsWith("Source") ? t.source : `Source : ${t.source}`)}*`);
  return lines.join("\n");
}

function fields(entries: Field[], depth: number): string {
  return entries.map((f) => [`${"#".repeat(Math.min(6, depth))} ${escapeMarkdown(f.label)}`, ...f.content.map((b) => block(b, depth))].join("\n\n")).join("\n\n");
}

function block(b: Block, depth = 4): string {
  switch (b.kind) {
    case "heading":
      return `${"#".repeat(b.level + 1)} ${escapeMarkdown(b.text)}`;
    case "paragraph":
      return b.style === "source" || b.style === "note" ? `*${inline(b.runs)}*` : inline(b.runs);
    case "list":
      return b.items.map((item, i) => `${b.ordered ? `${i + 1}.` : "-"} ${inline(item)}`).join("\n");
    case "table":
      return table(b);
    case "fields":
      return fields(b.entries, depth + 1);
    case "figure":
      return [`![${escapeMarkdown(b.alt)}](${encodeURI(b.fileName)})`, `*${escapeMarkdown(b.caption)}*`, `*${escapeMarkdown(`Source : ${b.source}`)}*`].join("\n\n");
    case "cover":
      return [`*${escapeMarkdown(b.surtitre)}*`, `# ${escapeMarkdown(b.titre)}`, `**${escapeMarkdown(b.territoire)}**`, ...b.mentions.map(inline)].join("\n\n");
    case "toc":
      return `## ${escapeMarkdown(b.titre)}`;
    case "pageBreak":
      return "";
  }
}

/** The Markdown text of the document; the table of contents lists the chapters and sections. */
export function toMarkdown(doc: SchemaDocument): string {
  const headings = doc.blocks.filter((b): b is Extract<Block, { kind: "heading" }> => b.kind === "heading" && b.level <= 2);
  const toc = headings.map((h) => `${h.level === 2 ? "  " : ""}- ${escapeMarkdown(h.text)}`).join("\n");
  const parts = doc.blocks.map((b) => (b.kind === "toc" ? `${block(b)}\n\n${toc}` : block(b))).filter((s) => s !== "");
  return parts.join("\n\n") + "\n";
}
