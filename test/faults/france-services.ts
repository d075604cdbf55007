import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { strFromU8, unzipSync } from "fflate";
import Papa from "papaparse";
import { beforeAll, describe, expect } from "vitest";
import { runExport } from "../../loaders/outputs/exports/index.ts";
import { contours } from "../../loaders/ingest/sources/contours.ts";
import { franceServices } from "../../loaders/ingest/sources/france-services.ts";
import { postLoadSteps } from "../../loaders/cli/steps.ts";
import { fault } from "./harness.ts";
import { mirrorText, tempMirror, windows1252 } from "./mirror.ts";
import { expectRefused, load, query, quarantine, resourceCounts, type QuarantineRow } from "./pipeline.ts";

/**
 * France Services: `,`-separated RFC 4180 CSV whose quoted fields hold line breaks (2 845 records). The
 * row-level faults are planted in one copy, loaded with the outlines and the diagnostic, then exported: the
 * same run checks the quarantine, the corrections and what reaches the CSV, XLSX, Markdown and DOCX exports.
 */
const FILE = "france-services/liste-fs-20240801.csv";
const NAME = "liste-fs-20240801.csv";
const where = { source: "france-services", file: NAME };
const original = mirrorText(FILE);
const parsed = Papa.parse<string[]>(original, { skipEmptyLines: true }).data;
const header = parsed[0];
const RECORDS = parsed.length - 1;
const col = (name: string) => header.indexOf(name);

export const FORMULA_NAME = '=HYPERLINK("http://evil","x")';
export const MARKUP_NAME = '<script>alert("x")</script><b>Maison</b> [clic](javascript:alert(1))';
const JAVASCRIPT_URL = "javascript:alert(document.cookie)";

function csv(records: string[][]): string {
  return Papa.unparse(records, { quotes: true, newline: "\n" }) + "\n";
}

function record(id: string): string[] {
  return parsed.find((r, i) => i > 0 && r[0] === id)!;
}

describe("France Services (RFC 4180, multi-line fields)", () => {
  fault("france-services", "`;` instead of `,`", async () => {
    const semicolons = Papa.unparse(parsed, { delimiter: ";", quotes: true, newline: "\n" });
    await expectRefused(tempMirror({ [FILE]: semicolons }), [franceServices], /^colonne obligatoire absente \(séparateur "," attendu, en-tête lu : "id_fs";"insee_dep";"lib_fs"/, {
      ...where, line: 1, column: "id_fs"
    });
    return { outcome: "refused" };
  });

  fault("france-services", "required column renamed in a new vintage (insee_com → code_insee_com)", async () => {
    const renamed = original.replace('"insee_com"', '"code_insee_com"');
    await expectRefused(tempMirror({ [FILE]: renamed }), [franceServices], /^colonne obligatoire absente \(colonne voisine trouvée : "code_insee_com"/, {
      ...where, line: 1, column: "insee_com"
    });
    return { outcome: "refused" };
  });

  fault("france-services", "HTML error page served instead of the CSV", async () => {
    const page = "\n\n<html>\n<body><h1>404 Not Found</h1><p>The resource has moved.</p></body>\n</html>\n";
    await expectRefused(tempMirror({ [FILE]: page }), [franceServices], /^page HTML reçue/, { ...where, line: 1 });
    return { outcome: "refused" };
  });

  fault("france-services", "Windows-1252 (ISO-8859-1 superset) instead of UTF-8: names read as published", async () => {
    const { config } = await load(tempMirror({ [FILE]: windows1252(original) }), [franceServices]);
    const names = await query<{ id: string; nom: string }>(config.paths.database, `SELECT id, nom FROM lieux_aide WHERE code_insee LIKE '23%' ORDER BY id`);
    const expected = parsed.filter((r, i) => i > 0 && r[col("insee_dep")] === "23").map((r) => ({ id: `france-services:${r[0]}`, nom: r[col("lib_fs")].trim() }));
    expect(names).toEqual(expected.sort((a, b) => a.id.localeCompare(b.id)));
    expect(names.map((n) => n.nom)).toContain("France services La Poste de Bénévent-l'Abbaye");
    const counts = await resourceCounts(config.paths.database);
    expect(counts.find((c) => c.resource === "anct-france-services")!.rows_in).toBe(RECORDS);
    return { outcome: "loaded", resources: counts };
  });

  fault("france-services", "two encodings in one file (a UTF-8 file with one row saved as Windows-1252)", async () => {
    const start = original.indexOf('\n"752","23"') + 1;
    const end = original.indexOf("\n", start);
    const mixed = Buffer.concat([Buffer.from(original.slice(0, start)), windows1252(original.slice(start, end)), Buffer.from(original.slice(end))]);
    const line = original.slice(0, start).split("\n").length; // the row of the first non-UTF-8 byte
    await expectRefused(tempMirror({ [FILE]: mixed }), [franceServices], /^encodage mixte : UTF-8 et Windows-1252 dans le même fichier/, { ...where, line });
    return { outcome: "refused" };
  });

  describe("row-level faults in one file, loaded, then exported for the Creuse", () => {
    const records = parsed.map((r) => [...r]);
    const at = (id: string) => records.find((r, i) => i > 0 && r[0] === id)!;
    // Extra column: a site_web the official file does not have, holding a javascript: link.
    records[0].push("site_web");
    for (let i = 1; i < records.length; i++) records[i].push("");
    at("1189")[records[0].length - 1] = JAVASCRIPT_URL;
    [at("137")[col("latitude")], at("137")[col("longitude")]] = [at("137")[col("longitude")], at("137")[col("latitude")]]; // swapped
    at("138")[col("latitude")] = "-33.86"; // Sydney: outside France
    at("138")[col("longitude")] = "151.21";
    at("752")[col("lib_fs")] = FORMULA_NAME;
    at("753")[col("lib_fs")] = MARKUP_NAME;
    at("754")[col("insee_com")] = ""; // no commune code
    at("1726")[col("insee_com")] = "2691"; // Saint-Quentin without its leading zero
    const last = records.pop()!;
    records.push([...at("755")]); // duplicated id_fs
    last[col("commentaire")] = "Accueil sur rendez-vous.\nLe mardi après-midi à la mairie.";
    records.push(last);
    const full = csv(records);
    const text = full.slice(0, full.lastIndexOf("Le mardi") + 5); // cut inside the multi-line field of the last record
    const lineOf = (id: string) => full.slice(0, full.indexOf(`\n"${id}","`) + 1).split("\n").length;
    const duplicateLine = full.slice(0, full.lastIndexOf(`\n"755","`) + 1).split("\n").length;
    const lastLine = full.slice(0, full.lastIndexOf(`\n"${last[0]}","`) + 1).split("\n").length;

    let database = "";
    let exportDir = "";
    let log = "";
    let quarantined: QuarantineRow[] = [];
    beforeAll(async () => {
      const run = await load(tempMirror({ [FILE]: text }), [contours, franceServices], { postLoad: postLoadSteps });
      database = run.config.paths.database;
      log = run.log;
      quarantined = await quarantine(database, "france-services");
      await runExport(run.config);
      exportDir = path.join(run.config.paths.exportsDir, "23");
    });

    const lieu = async (id: string) =>
      (await query<Record<string, unknown>>(database, `SELECT * FROM lieux_aide WHERE id = $id`, { id: `france-services:${id}` }))[0];

    fault("france-services", "every record counted: rows_in = rows_loaded + rows_quarantined", async () => {
      const counts = await resourceCounts(database);
      const own = counts.find((c) => c.resource === "anct-france-services")!;
      // The 3 planted faults, and the 2 Saint-Martin sites of the original file (97801 is not a commune of the COG).
      expect(own).toMatchObject({ rows_in: RECORDS + 1, rows_quarantined: 5, rows_loaded: RECORDS - 4 });
      expect(quarantined.filter((q) => q.value === "97801").map((q) => q.reason)).toEqual(Array(2).fill("code commune absent du COG et de ses mouvements"));
      return { outcome: "loaded", resources: counts };
    });

    fault("france-services", "latitude and longitude swapped", async () => {
      expect(await lieu("137")).toMatchObject({ latitude: 46.34908, longitude: 2.216669, localisation: "point" });
      expect(log).toMatch(/liste-fs-20240801\.csv : 1 coordonnée\(s\) latitude\/longitude inversée\(s\) corrigée\(s\)/);
      return { outcome: "corrected" };
    });

    fault("france-services", "coordinates outside France", async () => {
      expect(await lieu("138")).toMatchObject({ latitude: null, longitude: null, localisation: "commune", code_insee: "23075" });
      expect(log).toMatch(/1 coordonnée\(s\) hors de France écartée\(s\)/);
      return { outcome: "corrected" };
    });

    fault("france-services", "missing commune code", async () => {
      expect(quarantined).toContainEqual({ ...where, line: lineOf("754"), column: "insee_com", value: "", reason: "code commune mal formé" });
      expect(await lieu("754")).toBeUndefined();
      return { outcome: "quarantined" };
    });

    fault("france-services", "INSEE code without its leading zero (2691)", async () => {
      expect((await lieu("1726"))?.code_insee).toBe("02691");
      return { outcome: "corrected" };
    });

    fault("france-services", "duplicated key (id_fs listed twice)", async () => {
      expect(quarantined).toContainEqual({ ...where, line: duplicateLine, column: "id", value: "france-services:755", reason: "identifiant en double dans le fichier" });
      expect(await query(database, `SELECT id FROM lieux_aide WHERE id = 'france-services:755'`)).toHaveLength(1);
      return { outcome: "quarantined" };
    });

    fault("france-services", "file truncated inside a multi-line quoted field", async () => {
      const cut = quarantined.filter((q) => q.line === lastLine);
      expect(cut).toHaveLength(1);
      expect(cut[0]).toMatchObject({ ...where, column: null, reason: `ligne tronquée ou incomplète : ${col("commentaire") + 1} champs au lieu de ${header.length + 1}` });
      expect(cut[0].value).toMatch(/^3\d+,90,/);
      expect(quarantined).toHaveLength(5);
      return { outcome: "quarantined" };
    });

    fault("france-services", "extra column carrying a javascript: link: site_web stays null", async () => {
      expect((await lieu("1189"))?.site_web).toBeNull();
      const [{ n }] = await query<{ n: number }>(database, `SELECT count(*)::INTEGER AS n FROM lieux_aide WHERE site_web IS NOT NULL OR lower(coalesce(site_web, '')) LIKE '%javascript%'`);
      expect(n).toBe(0);
      return { outcome: "loaded" };
    });

    fault("exports", "formula in a place name is neutralised in lieux.csv", async () => {
      const rows = Papa.parse<Record<string, string>>(readFileSync(path.join(exportDir, "lieux.csv"), "utf8"), { header: true, skipEmptyLines: true }).data;
      expect(rows.find((r) => r.id.endsWith(":752"))?.nom).toBe(`'${FORMULA_NAME}`);
      // No text cell of any export CSV may start like a formula.
      for (const file of readdirSync(exportDir).filter((f) => f.endsWith(".csv"))) {
        const cells = Papa.parse<string[]>(readFileSync(path.join(exportDir, file), "utf8"), { skipEmptyLines: true }).data.flat();
        expect(cells.filter((c) => /^[=+@\t\r]/.test(c) || /^-(?!\d)/.test(c)), file).toEqual([]);
      }
      return { outcome: "corrected" };
    });

    fault("exports", "formula in a place name is neutralised in communes.xlsx", async () => {
      const files = unzipSync(new Uint8Array(readFileSync(path.join(exportDir, "communes.xlsx"))));
      const strings = sheetStrings(files);
      expect(strings).toContain(`'${FORMULA_NAME}`);
      expect(strings.filter((s) => /^[=+\-@\t\r]/.test(s))).toEqual([]);
      for (const [name, bytes] of Object.entries(files)) {
        if (name.startsWith("xl/worksheets/")) expect(strFromU8(bytes), name).not.toMatch(/<f[ >]/);
      }
      return { outcome: "corrected" };
    });

    fault("exports", "markup in a place name stays inert text in CSV, Markdown and DOCX", async () => {
      expect((await lieu("753"))?.nom).toBe(MARKUP_NAME); // stored as published: escaping is each output's job
      const rows = Papa.parse<Record<string, string>>(readFileSync(path.join(exportDir, "lieux.csv"), "utf8"), { header: true, skipEmptyLines: true }).data;
      expect(rows.find((r) => r.id.endsWith(":753"))?.nom).toBe(MARKUP_NAME);
      const md = readFileSync(path.join(exportDir, "schema-departemental-23.md"), "utf8");
      expect(md).toContain('\\<script\\>alert("x")\\</script\\>\\<b\\>Maison\\</b\\> \\[clic\\](javascript:alert(1))');
      expect(md).not.toMatch(/(?<!\\)<script|(?<!\\)<b>|\[clic\]\(/);
      const docx = unzipSync(new Uint8Array(readFileSync(path.join(exportDir, "schema-departemental-23.docx"))));
      const body = strFromU8(docx["word/document.xml"]);
      expect(body).toContain("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;");
      expect(body).not.toContain("<script");
      return { outcome: "loaded" };
    });
  });
});

/** Every text of a workbook: shared strings and inline strings, XML entities decoded. */
function sheetStrings(files: Record<string, Uint8Array>): string[] {
  const xml = Object.entries(files)
    .filter(([name]) => name === "xl/sharedStrings.xml" || name.startsWith("xl/worksheets/sheet"))
    .map(([, bytes]) => strFromU8(bytes))
    .join("\n");
  return [...xml.matchAll(/<t(?: [^>]*)?>([^<]*)<\/t>/g)].map((m) =>
    m[1].replace(/&quot;/g, '"').replace(/&apos;/g, "'").replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&amp;/g, "&")
  );
}
