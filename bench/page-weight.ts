import { readdir, readFile, stat } from "node:fs/promises";
import path from "node:path";
import { frenchNumber } from "./report.ts";

/** What opening one page of the built site transfers: its HTML, the scripts and styles it loads, its data files. */
export interface PageWeight {
  page: string;
  htmlBytes: number;
  codeBytes: number;
  dataBytes: number;
  totalBytes: number;
}

/**
 * Weighs the pages of a built site from its files alone: Framework writes, in each page, the `registerFile`
 * calls of the attachments it may fetch (with their size) and `modulepreload` / stylesheet links for its code.
 * Data counts every registered attachment, an upper bound of what a visit fetches.
 */
export async function pageWeights(siteDir: string, { pattern = /\.html$/ }: { pattern?: RegExp } = {}): Promise<PageWeight[]> {
  const weights: PageWeight[] = [];
  for (const name of await htmlPages(siteDir, pattern)) {
    const html = await readFile(path.join(siteDir, name), "utf8");
    const dataBytes = [...html.matchAll(/registerFile\("[^"]*", \{[^}]*"size":(\d+)\}/g)].reduce((s, m) => s + Number(m[1]), 0);
    // Links are relative to the page (`./_node/…` at the root, `../_node/…` in a département's folder).
    const code = new Set([...html.matchAll(/(?:modulepreload|stylesheet)" (?:type="text\/css" )?href="(\.{1,2}\/[^"]+)"/g)].map((m) => path.join(path.dirname(name), m[1])));
    let codeBytes = 0;
    for (const file of code) codeBytes += (await stat(path.join(siteDir, file)).catch(() => ({ size: 0 }))).size;
    const htmlBytes = Buffer.byteLength(html);
    weights.push({ page: name, htmlBytes, codeBytes, dataBytes, totalBytes: htmlBytes + codeBytes + dataBytes });
  }
  return weights;
}

/** The site's pages, in its folders too (`23/index.html`, `23/communes/fiche.html`), without Framework's own files. */
async function htmlPages(siteDir: string, pattern: RegExp, folder = ""): Promise<string[]> {
  const pages: string[] = [];
  for (const entry of (await readdir(path.join(siteDir, folder), { withFileTypes: true })).sort((a, b) => a.name.localeCompare(b.name))) {
    const name = path.join(folder, entry.name);
    if (entry.isDirectory() && !entry.name.startsWith("_") && entry.name !== "exports") pages.push(...(await htmlPages(siteDir, pattern, name)));
    else if (entry.isFile() && pattern.test(entry.name)) pages.push(name);
  }
  return pages;
}

/** A French table of page weights, heaviest data first. */
export function formatPageWeights(title: string, weights: PageWeight[]): string {
  const ko = (b: number) => `${frenchNumber(b / 1024, 0)} Ko`;
  const rows = [...weights].sort((a, b) => b.dataBytes - a.dataBytes);
  const lines = [title, "  page                      données      code + styles    HTML     total"];
  for (const w of rows) lines.push(`  ${w.page.padEnd(24)} ${ko(w.dataBytes).padStart(10)} ${ko(w.codeBytes).padStart(15)} ${ko(w.htmlBytes).padStart(8)} ${ko(w.totalBytes).padStart(9)}`);
  const max = rows[0];
  if (max) lines.push(`  page la plus lourde en données : ${max.page} (${ko(max.dataBytes)} ; objectif < 1 Mo : ${max.dataBytes < 1024 * 1024 ? "atteint" : "non atteint"})`);
  return lines.join("\n");
}
