import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { strFromU8, unzipSync } from "fflate";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { queryRows } from "../../loaders/io/db.ts";
import { FICHE_FIELDS } from "../../loaders/outputs/document/axes.ts";
import { BESOINS } from "../../loaders/outputs/document/besoins.ts";
import { columnWidths, toDocx } from "../../loaders/outputs/document/docx.ts";
import { csvColumns } from "../../loaders/outputs/document/feuille-de-route.ts";
import { buildSchema } from "../../loaders/outputs/document/build.ts";
import { buildContext, type SchemaContext } from "../../loaders/outputs/document/context.ts";
import { readDiagnostic } from "../../loaders/outputs/document/data.ts";
import { nombre } from "../../loaders/outputs/document/format.ts";
import { defaultLeversFile, defaultRulesFile, writeSchema } from "../../loaders/outputs/document/index.ts";
import { closedLevers, readLevers } from "../../loaders/outputs/document/levers.ts";
import { inlineText, type Block, type Field } from "../../loaders/outputs/document/model.ts";
import { readAxisRules } from "../../loaders/outputs/document/rules.ts";
import { tempDir } from "../helpers.ts";
import { docxParts, docxText } from "./docx-text.ts";
import { communeSeeds, epciNames, syntheticDatabase } from "./fixture.ts";

const date = new Date("2025-11-26T00:00:00Z");
const NBSP = "\u00a0";

/** Every text of a list of blocks, for searching. */
function blocksText(blocks: Block[]): string {
  return blocks
    .map((b) => {
      if (b.kind === "paragraph") return inlineText(b.runs);
      if (b.kind === "list") return b.items.map(inlineText).join("\n");
      if (b.kind === "table") return [b.headers.join(" "), ...b.rows.map((row) => row.map((cell) => inlineText([cell])).join(" | "))].join("\n");
      if (b.kind === "fields") return b.entries.map((e) => `${e.label}\n${blocksText(e.content)}`).join("\n");
      if (b.kind === "heading") return b.text;
      return "";
    })
    .join("\n");
}

describe("schéma départemental on the synthetic diagnostic", () => {
  let db: Awaited<ReturnType<typeof syntheticDatabase>>;
  let files: { docx: string; markdown: string; json: string; csv: string };
  let outDir: string;
  let text: string;
  let ctx: SchemaContext;
  let fiches: { heading: string; fields: Field[] }[];

  beforeAll(async () => {
    db = await syntheticDatabase();
    outDir = tempDir("sdin-schema-");
    files = await writeSchema(db.connection, "99", outDir, { date, seuilKm: 10 });
    text = docxText(files.docx);
    ctx = buildContext(await readDiagnostic(db.connection, "99"), readAxisRules(defaultRulesFile), readLevers(defaultLeversFile), date, 10);
    const blocks = buildSchema(ctx).blocks;
    fiches = blocks.flatMap((b, i) => {
      const fields = blocks.slice(i + 1).find((n) => n.kind === "fields");
      return b.kind === "heading" && b.text.startsWith("Fiche ") && fields?.kind === "fields" ? [{ heading: b.text, fields: fields.entries }] : [];
    });
  });
  afterAll(() => db?.close());

  it("writes a DOCX zip with word/document.xml and a Markdown file named after the département", () => {
    expect(path.basename(files.docx)).toBe("schema-departemental-99.docx");
    expect(path.basename(files.markdown)).toBe("schema-departemental-99.md");
    const parts = docxParts(files.docx);
    expect(Object.keys(parts)).toContain("word/document.xml");
    expect(strFromU8(parts["word/settings.xml"])).toContain("w:updateFields");
    expect(strFromU8(parts["word/document.xml"])).toContain("TOC \\h \\o &quot;1-2&quot;");
  });

  it("prints the database's figures, in French format, with their source", async () => {
    const [{ population, p65 }] = await queryRows<{ population: number; p65: number }>(
      db.connection,
      "SELECT sum(population)::INTEGER AS population, sum(pop_65_plus) AS p65 FROM diagnostic_communes WHERE code_departement = '99'"
    );
    expect(population).toBe(8000);
    expect(text).toContain(`compte ${nombre(population)} habitants`);
    expect(text).toContain(`compte 8${NBSP}000 habitants`);
    expect(text).toContain(`Les personnes de 65 ans et plus sont 1${NBSP}872, soit 23,4${NBSP}% (région : 22,0${NBSP}% ; France : 21,0${NBSP}%) de la population`);
    expect(p65 / population).toBeCloseTo(0.234, 3);
    expect(text).toMatch(/Les personnes de 65 ans et plus sont 1\u00a0872, .* \[\d+(, \d+)*\]\n/);
    expect(text).toContain(`soit 56,0${NBSP}% (région : 82,0${NBSP}% ; France : 85,0${NBSP}%)`); // FttH 2 800 / 5 000
    expect(text).toContain(`1${NBSP}000 habitants, soit 12,5${NBSP}%`); // beyond reach
    expect(text).toContain(`à plus de 10,0${NBSP}km`);
    // The other département's commune (99 999 inhabitants) never leaks in.
    expect(text).not.toContain("Ailleurs");
  });

  it("shows the poverty fallback as a fallback", () => {
    expect(text).toContain("Filosofi ne publie ce taux que pour 2 communes sur 6");
    expect(text).toContain("du département (4 communes)");
    expect(text).toMatch(/17,0\u00a0% dép\./);
    // In the EPCI ranking, a short mark in the cell (CC Epsilon), explained once under the table.
    const ranking = text.slice(text.indexOf("Les intercommunalités du département, par rang de priorité"), text.indexOf("prioritaires", text.indexOf("Les intercommunalités du département, par rang de priorité")));
    expect(ranking).toMatch(/CC Epsilon[^]*17,0\u00a0% dép\./);
    expect(ranking).toContain("« dép. » : taux du département");
    expect(ranking).not.toContain("(valeur");
  });

  it("proposes the axes whose rules the data meets, with the evidence, and lists the others", () => {
    const proposed = ctx.decisions.filter((d) => d.triggered).map((d) => d.axis.id);
    expect(proposed).toEqual(["gouvernance", "proximite", "thd", "seniors", "precarite"]);
    expect(text).toContain(`Part de la population au-delà du seuil de distance d'un lieu d'aide : 12,5${NBSP}% — règle : supérieur à 5,0${NBSP}% → condition remplie`);
    // 18,8 % low diploma is below France's 30,0 %: the axis is examined and not proposed.
    expect(text).toContain("Axes examinés et non retenus");
    expect(text).toMatch(/Développer les compétences numériques des publics peu diplômés\. .*18,8\u00a0% — règle : supérieur à la valeur de la France, soit 30,0\u00a0% → condition non remplie/);
  });

  it("writes one numbered fiche per action, 6 to 15, each with every field and its own intitulé", () => {
    expect(fiches.length).toBe(10); // gouvernance 3, proximité 2, THD 1, seniors 2, précarité 2
    expect(fiches.map((f) => f.heading.match(/^Fiche (\d+) — /)?.[1])).toEqual(fiches.map((_, i) => String(i + 1)));
    expect(new Set(fiches.map((f) => f.heading.replace(/^Fiche \d+ — /, ""))).size).toBe(fiches.length);
    for (const f of fiches) expect(f.fields.map((x) => x.label)).toEqual([...FICHE_FIELDS]);
    for (const label of FICHE_FIELDS) expect(text.split(`${label}\n`).length - 1).toBeGreaterThanOrEqual(fiches.length);
    // No fiche repeats another's text per EPCI: the constats differ.
    const constats = fiches.map((f) => blocksText(f.fields.find((x) => x.label === "Constat")!.content));
    expect(new Set(constats).size).toBe(fiches.length);
  });

  it("names the territories an action targets with the figures that put them there", () => {
    const itinerance = fiches.find((f) => f.heading.includes("médiation numérique itinérante"))!;
    const targets = blocksText(itinerance.fields.find((x) => x.label === "Territoires ciblés")!.content);
    // Habitants hors de portée: CC des Monts & Vallées 300 + 150 = 450, CC Epsilon 400, CC Zêta 150; communes Epsilon 400, Gamma 300, …
    expect(targets).toContain(`CC des Monts & Vallées | EPCI | 200000002 | 450 | 450 | 2`);
    expect(targets).toContain(`CC Epsilon | EPCI | 200000003 | 400 | 400 | 3`);
    expect(targets).toContain(`Epsilon | commune | 99005 | 400 | 400 | 5`);
    expect(targets.indexOf("Epsilon | commune")).toBeLessThan(targets.indexOf("Gamma | commune"));
    expect(targets).not.toContain("Alpha-Ville"); // nobody beyond reach there
  });

  it("pre-fills a fiche's findings, besoins, baselines and cofunding, and marks what people decide", () => {
    const seniors = fiches.find((f) => f.heading.includes("Ateliers numériques pour les personnes âgées"))!;
    const field = (label: string) => blocksText(seniors.fields.find((x) => x.label === label)!.content);
    expect(field("Constat")).toMatch(new RegExp(`Part des 65 ans et plus : 23,4${NBSP}% \\(France : 21,0${NBSP}%\\) \\[\\d+\\], millésime 2021\\.`)); // 1 872 / 8 000
    expect(field("Indicateurs")).toMatch(new RegExp(`Part des 65 ans et plus \\| 23,4${NBSP}% \\| 2021 \\| À compléter \\| \\[\\d+\\]`));
    expect(field("Besoins d'accompagnement")).toContain("Monter des dossiers de subvention complexes");
    expect(field("Porteur")).toContain("À compléter");
    expect(field("Budget")).toContain("Tablettes en prêt | À compléter");
    expect(field("Cofinancements")).toContain("Conférence des financeurs");
    expect(field("Calendrier")).toContain("Début proposé : janvier 2026 ; fin proposée : décembre 2028");
    expect(field("Articulation avec les autres schémas")).toContain("SDTAN");
    expect(field("Articulation avec les autres schémas")).toContain("CRTE");
  });

  it("offers only levers open on the document's date, with their criteria; closed ones in the annex « pour mémoire »", () => {
    const funding = (words: string) => blocksText(fiches.find((f) => f.heading.includes(words))!.fields.find((x) => x.label === "Financements mobilisables")!.content);
    const closed = closedLevers(readLevers(defaultLeversFile), date).map((l) => l.nom);
    expect(closed).toContain("Fabriques de territoire (tiers-lieux)");
    for (const f of fiches) {
      const content = blocksText(f.fields.find((x) => x.label === "Financements mobilisables")!.content);
      for (const name of closed) expect(content).not.toContain(name);
      // Opens in August 2026: not yet open on 26 November 2025.
      expect(content).not.toContain("Label « conseiller numérique »");
    }
    const qpvLever = "Crédits de la politique de la ville (contrats de ville « Engagements Quartiers 2030 »)";
    expect(funding("Aidants Connect")).toContain(qpvLever);
    expect(funding("Aidants Connect")).toContain("présence d'un quartier prioritaire (QPV) : oui"); // Alpha-Ville is targeted
    const annex = text.slice(text.indexOf("Annexe C — Programmes clos, pour mémoire"));
    expect(annex).toContain("Fabriques de territoire (tiers-lieux)");
    // A Hauts-de-France lever never reaches a territory of another région.
    expect(text).not.toContain("Tiers-lieux numériques (Région Hauts-de-France) (");
  });

  it("says in the conseillers numériques fiche that the State's co-funding ends, and names the relays", () => {
    const cnum = fiches.find((f) => f.heading.includes("conseillers numériques"))!;
    const constat = blocksText(cnum.fields.find((x) => x.label === "Constat")!.content);
    expect(constat).toContain("s'achève pour l'essentiel en 2026 et l'État se retire en 2027");
    const objectifs = blocksText(cnum.fields.find((x) => x.label === "Objectifs")!.content);
    for (const relay of ["France Services", "Conférence des financeurs", "politique de la ville", "FSE+", "fondations"]) expect(objectifs).toContain(relay);
  });

  it("opens chapter 1 right after the contents and ends with the annex « Sources et millésimes » resolving the [n] references", () => {
    const lines = text.split("\n");
    const chapter1 = lines.indexOf("1. Contexte et cadre");
    const lastFiche = lines.findLastIndex((l) => /^Fiche \d+ — /.test(l));
    const annex = lines.indexOf("Annexe D — Sources et millésimes");
    expect(chapter1).toBeGreaterThan(lines.indexOf("Sommaire"));
    expect(annex).toBeGreaterThan(lastFiche);
    expect(lines.indexOf("Fichiers de données chargés")).toBeGreaterThan(annex);
    expect(lines.indexOf("Indicateurs, sources et millésimes")).toBeGreaterThan(annex);
    expect(text.slice(0, text.indexOf("1. Contexte et cadre", text.indexOf("Sommaire") + 10))).not.toContain("Populations légales 2022");
    const refs = [...text.slice(0, text.indexOf("Annexe D — Sources et millésimes", text.indexOf("Sommaire") + 10)).matchAll(/\[(\d+(?:, \d+)*)\]/g)].flatMap((m) => m[1].split(", ").map(Number));
    const listed = text.slice(text.lastIndexOf("Annexe D — Sources et millésimes"));
    for (const n of new Set(refs)) expect(listed).toContain(`[${n}]`);
    expect(listed).toMatch(/\[\d+\]\nINSEE, RP, 2021/);
  });

  it("writes the feuille de route in the national tool's shape, JSON and one CSV row per action", async () => {
    const json = JSON.parse(readFileSync(files.json, "utf8"));
    expect(json.departement).toEqual({ code: "99", nom: "Territoire témoin" });
    expect(json.actions).toHaveLength(fiches.length);
    const codes = new Set([...Object.keys(epciNames), ...communeSeeds.map((c) => c.code)]);
    for (const a of json.actions) {
      expect(a.besoins.length).toBeGreaterThan(0);
      for (const b of a.besoins) expect(BESOINS).toContain(b);
      for (const code of a.perimetre) expect(codes.has(code)).toBe(true);
      expect(Object.keys(a)).toEqual(expect.arrayContaining(["intitule", "axe", "besoins", "porteur", "budget", "cofinancements", "date_debut", "date_fin", "perimetre", "indicateurs"]));
      for (const i of a.indicateurs) expect(Object.keys(i)).toEqual(expect.arrayContaining(["libelle", "valeur_reference", "date_reference", "cible"]));
    }
    const seniors = json.actions.find((a: { intitule: string }) => a.intitule.startsWith("Ateliers numériques pour les personnes âgées"));
    expect(seniors.indicateurs[0]).toMatchObject({ libelle: "Part des 65 ans et plus", valeur_reference: 0.234, date_reference: "2021", cible: null });
    const csv = readFileSync(files.csv, "utf8").trim().split("\r\n");
    expect(csv[0]).toBe(csvColumns.join(","));
    expect(csv.length - 1).toBe(json.actions.length);
  });

  it("gives table columns the width of their longest word", () => {
    const widths = columnWidths({ kind: "table", headers: ["Commune", "Code", "Population", "65 ans et plus", "Peu diplômés", "Pauvreté", "FttH", "Zone", "Lieux", "Distance", "Rang"], rows: [] });
    expect(widths[2]).toBeGreaterThanOrEqual(10 * 92 + 210); // « Population » unbroken
    expect(widths[10]).toBeGreaterThanOrEqual(4 * 92 + 210); // « Rang »
    expect(widths.reduce((a, b) => a + b, 0)).toBeLessThanOrEqual(9638 + 11);
  });

  it("keeps a table's header with its first three rows, so that no table starts at the foot of a page with one row", async () => {
    const rows = Array.from({ length: 5 }, (_, i) => [`ligne ${i + 1}`, String(i + 1)]);
    const docx = await toDocx({ title: "t", subject: "t", blocks: [{ kind: "table", headers: ["Nom", "Valeur"], rows }] });
    const parts = unzipSync(new Uint8Array(docx));
    const xml = strFromU8(parts["word/document.xml"]);
    // The header row is kept with the next by its paragraph style, the first rows by their own paragraphs.
    const headerStyle = /<w:style w:type="paragraph" w:styleId="TableauEntete">.*?<\/w:style>/s.exec(strFromU8(parts["word/styles.xml"]))?.[0] ?? "";
    expect(headerStyle).toContain("<w:keepNext/>");
    const kept = [...xml.matchAll(/<w:tr\b.*?<\/w:tr>/gs)].map(([row]) => row.includes("<w:keepNext/>") || row.includes('<w:pStyle w:val="TableauEntete"/>'));
    // Header, rows 1 and 2 keep with the next row; row 3 is kept by them; the rest of the table may break.
    expect(kept).toEqual([true, true, true, false, false, false]);
  });

  it("inserts place names as text in the DOCX and escapes them in the Markdown", () => {
    const xml = strFromU8(docxParts(files.docx)["word/document.xml"]);
    expect(xml).toContain("&lt;script&gt;alert(1)&lt;/script&gt;");
    expect(xml).not.toContain("<script>");
    expect(text).toContain("<script>alert(1)</script>");
    const md = readFileSync(files.markdown, "utf8");
    expect(md).toContain("\\<script\\>alert(1)\\</script\\>");
    expect(md).toContain("\\[x\\](javascript:alert(1))");
    expect(md).not.toMatch(/(^|[^\\])<script>/);
    expect(md).not.toMatch(/(^|[^\\])\[x\]\(/);
    expect(md).toContain("CC des Monts \\& Vallées");
  });

  it("draws the maps from the outlines as SVG with legend and scale, PNG fallback in the DOCX, SVG beside the Markdown", () => {
    const media = Object.entries(docxParts(files.docx)).filter(([name]) => name.startsWith("word/media/"));
    const pngs = media.filter(([name]) => name.endsWith(".png"));
    const svgs = media.filter(([name]) => name.endsWith(".svg")).map(([, bytes]) => strFromU8(bytes));
    expect(pngs.length).toBe(2);
    expect(svgs.length).toBe(2);
    for (const svg of svgs) {
      expect(svg).toContain("commune prioritaire");
      expect(svg).toMatch(/<g class="echelle">.*>\d+ km<\/text>/);
    }
    for (const [, bytes] of pngs) expect([...bytes.subarray(0, 8)]).toEqual([137, 80, 78, 71, 13, 10, 26, 10]);
    const svg = readFileSync(path.join(outDir, "carte-indice-99.svg"), "utf8");
    expect(svg.match(/<path [^>]*><title>/g)).toHaveLength(6);
    expect(readFileSync(files.markdown, "utf8")).toContain("](carte-indice-99.svg)");
    expect(text).toContain("chaque commune par son contour");
  });

  it.skipIf(!hasSoffice())("converts to PDF with LibreOffice (skipped when soffice is absent)", () => {
    const pdfDir = tempDir("sdin-schema-pdf-");
    execFileSync("soffice", ["--headless", "--convert-to", "pdf", "--outdir", pdfDir, files.docx], { stdio: "ignore", timeout: 180_000 });
    const pdf = path.join(pdfDir, "schema-departemental-99.pdf");
    expect(existsSync(pdf)).toBe(true);
    expect(readFileSync(pdf).subarray(0, 5).toString()).toBe("%PDF-");
  }, 300_000);
});

describe("schéma maps without outlines or points", () => {
  it("draws discs at the communes' points when the outlines are not loaded", async () => {
    const db = await syntheticDatabase({ contours: false });
    try {
      const files = await writeSchema(db.connection, "99", tempDir("sdin-schema-"), { date });
      expect(docxText(files.docx)).toContain("chaque commune est représentée par un disque");
      expect(readFileSync(path.join(path.dirname(files.docx), "carte-indice-99.svg"), "utf8").match(/<circle /g)).toHaveLength(6);
    } finally {
      db.close();
    }
  });

  it("says « Carte : voir le site » when the communes have no coordinates", async () => {
    const db = await syntheticDatabase({ contours: false });
    try {
      await db.connection.run("UPDATE diagnostic_communes SET point_lon = NULL, point_lat = NULL");
      const files = await writeSchema(db.connection, "99", tempDir("sdin-schema-"), { date });
      expect(docxText(files.docx)).toContain("Carte : voir le site");
      expect(Object.keys(docxParts(files.docx)).some((name) => name.startsWith("word/media/"))).toBe(false);
    } finally {
      db.close();
    }
  });
});

function hasSoffice(): boolean {
  const found = spawnSync("sh", ["-c", "command -v soffice"], { encoding: "utf8" }).status === 0;
  if (!found) console.warn("soffice absent : la conversion PDF du schéma n'est pas testée (apt-get install libreoffice-writer-nogui)");
  return found;
}
