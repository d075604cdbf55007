import { unzipSync, strFromU8 } from "fflate";
import { readFileSync } from "node:fs";

/** The parts of a DOCX (a zip), by path. */
export function docxParts(file: string): Record<string, Uint8Array> {
  return unzipSync(new Uint8Array(readFileSync(file)));
}

/** The text of word/document.xml: one line per paragraph, tags stripped, entities decoded. */
export function docxText(file: string): string {
  const xml = strFromU8(docxParts(file)["word/document.xml"]);
  return xml
    .replace(/<\/w:p>/g, "\n")
    .replace(/<w:tab\/>/g, "\t")
    .replace(/<[^>]+>/g, "")
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'")
    .replace(/&amp;/g, "&");
}
