import { readdir, readFile, stat, writeFile } from "node:fs/promises";
import path from "node:path";

/**
 * The one place that edits or inspects what Framework wrote. Framework 1.13 has no option for the page's
 * language and writes a few words of its interface in English, so the built pages get `lang="fr"` and French
 * labels here; and the check that the site needs no other host reads the site's own code and markup.
 */

async function* files(dir: string, keep: (file: string) => boolean): AsyncGenerator<string> {
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const file = path.join(dir, entry.name);
    if (entry.isDirectory()) yield* files(file, keep);
    else if (keep(file)) yield file;
  }
}

/** `lang="fr"` (screen readers need it), French labels, and the sidebar's close button moved out of its list. */
export function frenchHtml(text: string): string {
  return text
    .replace("<html>", '<html lang="fr">')
    .replace('title="Toggle sidebar"', 'title="Afficher ou masquer le menu" aria-label="Afficher ou masquer le menu"')
    // A list may only hold list items: the sidebar's close button goes just before it.
    .replace(/<ol>(\s*)(<label id="observablehq-sidebar-close"[^>]*><\/label>)/, "$2$1<ol>");
}

export async function fixBuiltHtml(output: string): Promise<void> {
  for await (const file of files(output, (f) => f.endsWith(".html"))) {
    const text = await readFile(file, "utf8");
    const french = frenchHtml(text);
    if (french !== text) await writeFile(file, french);
  }
}

/**
 * The addresses a built file makes the browser load: in HTML, `src` and `href` of scripts, links, images and
 * frames, and the imports of inline scripts; in JavaScript, its static and dynamic imports; in CSS, `url()` and
 * `@import`. Text that is only shown (a place's opening hours mentioning a host, a source's link) is not one.
 */
export function loadedUrls(text: string, kind: "html" | "js" | "css"): string[] {
  const urls: string[] = [];
  const add = (pattern: RegExp, source = text) => {
    for (const match of source.matchAll(pattern)) urls.push(match[1]);
  };
  const imports = (source: string) => {
    add(/\bimport\s*(?:[\w*{}\s,$]+\s*from\s*)?["'`]([^"'`]+)["'`]/g, source);
    add(/\bimport\s*\(\s*["'`]([^"'`]+)["'`]\s*\)/g, source);
    add(/\bexport\s*[\w*{}\s,$]*\s*from\s*["'`]([^"'`]+)["'`]/g, source);
  };
  if (kind === "html") {
    for (const tag of text.matchAll(/<(script|link|img|iframe|source|embed|object)\b[^>]*>/gi)) {
      const attributes = tag[0];
      const rel = attributes.match(/\brel\s*=\s*["']?([^"'\s>]+)/i)?.[1]?.toLowerCase();
      // A link element loads something only as a stylesheet, a preload, an icon or a manifest; never as a plain hyperlink.
      if (tag[1].toLowerCase() === "link" && rel && !/stylesheet|preload|modulepreload|icon|manifest|prefetch|preconnect|dns-prefetch/.test(rel)) continue;
      add(/\b(?:src|href|data)\s*=\s*["']([^"']+)["']/gi, attributes);
    }
    for (const script of text.matchAll(/<script\b[^>]*>([\s\S]*?)<\/script>/gi)) imports(script[1]);
    for (const style of text.matchAll(/<style\b[^>]*>([\s\S]*?)<\/style>/gi)) urls.push(...loadedUrls(style[1], "css"));
  } else if (kind === "js") {
    imports(text);
  } else {
    add(/url\(\s*["']?([^"')]+)["']?\s*\)/g);
    add(/@import\s+["']([^"']+)["']/g);
  }
  return urls;
}

/** True for an address on another host (`https://…`, `//cdn…`); `data:` and paths within the site are fine. */
function isExternal(url: string): boolean {
  return /^(?:[a-z][a-z0-9+.-]*:)?\/\//i.test(url.trim());
}

/**
 * Fails when the built site would load anything from another host (fonts, npm CDNs, tiles): it must work on an
 * intranet with no internet access. Data files (`_file/`) and exports are values, not code: never read.
 */
export async function checkSelfContained(output: string): Promise<void> {
  const isData = (file: string) => {
    const relative = path.relative(output, file).split(path.sep);
    return relative[0] === "_file" || relative.includes("exports");
  };
  for await (const file of files(output, (f) => /\.(html|js|css)$/.test(f) && !isData(f))) {
    if ((await stat(file)).size > 20_000_000) continue;
    const kind = file.endsWith(".html") ? "html" : file.endsWith(".css") ? "css" : "js";
    const external = loadedUrls(await readFile(file, "utf8"), kind).find(isExternal);
    if (external) throw new Error(`le site construit charge une ressource d'un autre hôte (« ${external} ») dans ${path.relative(output, file)}`);
  }
}
