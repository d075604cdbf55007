import { spawnSync } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { unzipSync, strFromU8 } from "fflate";
import { SaxesParser } from "saxes";
import { describe, expect } from "vitest";
import { toDocx } from "../../loaders/outputs/document/docx.ts";
import { toMarkdown } from "../../loaders/outputs/document/markdown.ts";
import type { SchemaDocument } from "../../loaders/outputs/document/model.ts";
import { toCsv } from "../../loaders/outputs/exports/cells.ts";
import { writeWorkbook } from "../../loaders/outputs/exports/xlsx.ts";
import { sanitizeHtml, SPREADSHEET_CELL_LIMIT } from "../../loaders/outputs/sanitize.ts";
import { fault } from "./harness.ts";
import { faultDir } from "./tmp.ts";

/**
 * Outputs that always open: place names from the data holding characters XML 1.0 forbids (U+FFFE, U+FFFF, a C0
 * control), a lone carriage return, a 100 000-character field and JSON values, written to every format.
 * The DOCX and XLSX XML parts must parse (always); LibreOffice must render both to PDF (when it is installed).
 */
const LONG = "Très long lieu ".repeat(7_000).slice(0, 100_000);
const hostile = {
  fffe: "Espace \ufffenumérique",
  ffff: "Médiathèque\uffff de Guéret",
  control: "Tiers-lieu\u0001\u0008 Ahun",
  cr: "France Services\rAubusson",
  long: LONG,
  object: { nom: "Alpha", horaires: ["lun", "mar"] } as unknown as string,
  array: ["Alpha", "Beta"] as unknown as string
};
const names = Object.values(hostile);

/** Every XML part of an Office file (zip), parsed strictly: the first error names the part. */
function parseXmlParts(bytes: Uint8Array): string[] {
  const parts = Object.entries(unzipSync(bytes)).filter(([name]) => /\.(xml|rels)$/.test(name));
  for (const [name, data] of parts) {
    const parser = new SaxesParser({ xmlns: true });
    let failure: Error | null = null;
    parser.on("error", (e) => (failure ??= new Error(`${name} : ${e.message}`)));
    parser.write(strFromU8(data)).close();
    if (failure) throw failure;
  }
  return parts.map(([name]) => name);
}

const soffice = spawnSync("sh", ["-c", "command -v soffice"], { encoding: "utf8" }).status === 0;
/** LibreOffice Calc (Debian's libreoffice-calc-nogui): a Writer-only install cannot open a workbook at all. */
const calc = soffice && spawnSync("sh", ["-c", "ls $(dirname $(readlink -f $(command -v soffice)))/libsclo.so"]).status === 0;

/** Renders a file to PDF with LibreOffice; true when the PDF was written (skipped, true, without soffice or Calc). */
function opensInLibreOffice(file: string): boolean {
  if (!soffice || (file.endsWith(".xlsx") && !calc)) return true;
  const out = faultDir("sdin-fault-pdf-");
  spawnSync("soffice", ["--headless", "--norestore", `-env:UserInstallation=file://${out}/profile`, "--convert-to", "pdf", "--outdir", out, file], { timeout: 240_000 });
  return existsSync(path.join(out, path.basename(file).replace(/\.\w+$/, ".pdf")));
}

function document(): SchemaDocument {
  return {
    title: `Schéma ${hostile.ffff}`,
    subject: hostile.cr,
    blocks: [
      { kind: "heading", level: 1, text: `Lieux ${hostile.fffe}` },
      { kind: "paragraph", runs: names },
      { kind: "list", items: names.map((n) => [n]) },
      { kind: "table", caption: hostile.control, headers: ["Lieu", "Commune"], rows: names.map((n) => [n, hostile.cr]) },
      { kind: "fields", entries: [{ label: hostile.ffff, content: [{ kind: "paragraph", runs: [hostile.long] }] }] }
    ]
  };
}

describe("outputs that always open (DOCX, XLSX, CSV, Markdown, HTML)", () => {
  fault("outputs", "DOCX with U+FFFE, U+FFFF, a control, a lone CR, 100 000 characters and JSON in place names: XML parts parse, LibreOffice opens it", async () => {
    const bytes = await toDocx(document());
    const parts = parseXmlParts(bytes);
    expect(parts).toContain("word/document.xml");
    const xml = strFromU8(unzipSync(bytes)["word/document.xml"]).replace(/&quot;/g, '"');
    expect(xml).not.toMatch(/[\ufffe\uffff\u0001\u0008\r]|\[object Object\]/);
    expect(xml).toContain("Espace numérique");
    expect(xml).toContain('{"nom":"Alpha","horaires":["lun","mar"]}');
    expect(xml).toContain("Alpha ; Beta");
    const file = path.join(faultDir("sdin-fault-docx-"), "schema.docx");
    writeFileSync(file, bytes);
    expect(opensInLibreOffice(file), "LibreOffice could not render the DOCX").toBe(true);
    return { outcome: "corrected" };
  }, 300_000);

  fault("outputs", "XLSX with the same names: shared strings parse, a 100 000-character field capped at 32 767 with an ellipsis, LibreOffice opens it", async () => {
    const file = path.join(faultDir("sdin-fault-xlsx-"), "communes.xlsx");
    await writeWorkbook(file, [{ name: "Lieux", columns: ["nom", "commune"], rows: names.map((n) => ({ nom: n, commune: hostile.cr })) }]);
    const bytes = readFileSync(file);
    expect(parseXmlParts(bytes)).toContain("xl/worksheets/sheet1.xml");
    const entries = unzipSync(bytes);
    const strings = strFromU8(entries["xl/sharedStrings.xml"] ?? new Uint8Array()) + strFromU8(entries["xl/worksheets/sheet1.xml"]);
    expect(strings).not.toMatch(/[\ufffe\uffff\u0001\u0008\r]|\[object Object\]/);
    const cells = [...strings.matchAll(/<t[^>]*>([^<]*)<\/t>/g)].map((m) => m[1]);
    const long = cells.find((c) => c.startsWith("Très long lieu"))!;
    expect(long).toHaveLength(SPREADSHEET_CELL_LIMIT);
    expect(long.endsWith("…")).toBe(true);
    expect(cells).toContain("France Services Aubusson");
    expect(cells).toContain("Alpha ; Beta");
    expect(opensInLibreOffice(file), "LibreOffice could not render the XLSX").toBe(true);
    return { outcome: "corrected" };
  }, 300_000);

  fault("outputs", "CSV: a lone CR or LF never splits a record, forbidden characters removed, fields capped, JSON rendered", () => {
    const csv = toCsv(["nom"], names.map((nom) => ({ nom })));
    const records = csv.split("\r\n");
    expect(records).toHaveLength(names.length + 2); // header, one record per name, the final line end
    expect(records[4]).toBe("France Services Aubusson");
    expect(csv).not.toMatch(/[\ufffe\uffff\u0001\u0008]|\[object Object\]/);
    expect(records[5]).toHaveLength(SPREADSHEET_CELL_LIMIT);
    expect(records[6]).toBe(`"{""nom"":""Alpha"",""horaires"":[""lun"",""mar""]}"`);
    return { outcome: "corrected" };
  });

  fault("outputs", "Markdown: a lone CR keeps a table row whole; HTML: forbidden characters removed, text escaped", () => {
    const md = toMarkdown(document());
    const rows = md.split("\n").filter((l) => l.startsWith("| "));
    expect(rows).toHaveLength(names.length + 2); // header, separator, one row per name
    for (const row of rows) expect(row.endsWith(" |"), row.slice(0, 60)).toBe(true);
    expect(md).not.toMatch(/[\ufffe\uffff\u0001\u0008\r]|\[object Object\]/);
    expect(sanitizeHtml(`<b>${hostile.cr}\uffff</b>`)).toBe("&#60;b&#62;France Services Aubusson&#60;/b&#62;");
    return { outcome: "corrected" };
  });
});
