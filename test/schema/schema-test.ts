import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { strFromU8 } from "fflate";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { queryRows } from "../../loaders/io/db.ts";
import { FICHE_FIELDS } from "../../loaders/outputs/document/axes.ts";
import { buildSchema } from "../../loaders/outputs/document/build.ts";
import { buildContext, type SchemaContext } from "../../loaders/outputs/document/context.ts";
import { readDiagnostic } from "../../loaders/outputs/document/data.ts";
import { nombre } from "../../loaders/outputs/document/format.ts";
import { defaultLeversFile, defaultRulesFile, writeSchema } from "../../loaders/outputs/document/index.ts";
import { readLevers } from "../../loaders/outputs/document/levers.ts";
import { inlineText, type Block, type Field } from "../../loaders/outputs/document/model.ts";
import { readAxisRules } from "../../loaders/outputs/document/rules.ts";
import { tempDir } from "../helpers.ts";
import { docxParts, docxText } from "./docx-text.ts";
import { syntheticDatabase } from "./fixture.ts";

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
  let files: { docx: string; markdown: string };
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
    expect(text).toContain("Source : INSEE, RP, 2021");
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
  });

  it("proposes the axes whose rules the data meets, with the evidence, and lists the others", () => {
    const proposed = ctx.decisions.filter((d) => d.triggered).map((d) => d.axis.id);
    expect(proposed).toEqual(["gouvernance", "proximite", "thd", "seniors", "precarite"]);
    expect(text).toContain(`Part de la population au-delà du seuil de distance d'un lieu d'aide : 12,5${NBSP}% — règle : supérieur à 5,0${NBSP}% → condition remplie`);
    // 18,8 % low diploma is below France's 30,0 %: the axis is examined and not proposed.
    expect(text).toContain("Axes examinés et non retenus");
    expect(text).toMatch(/Développer les compétences numériques des publics peu diplômés\. .*18,8\u00a0% — règle : supérieur à la valeur de la France, soit 30,0\u00a0% → condition non remplie/);
  });

  it("writes at least one fiche per priority EPCI, each with every field", () => {
    expect(ctx.priorityEpci.map((e) => e.epci_nom)).toEqual(["CA du Pays d'Alpha", "CC des Monts & Vallées", "CC Epsilon"]);
    for (const e of ctx.priorityEpci) expect(fiches.filter((f) => f.heading.endsWith(`— ${e.epci_nom}`)).length).toBeGreaterThanOrEqual(1);
    expect(fiches.some((f) => f.heading.includes("CC Zêta"))).toBe(false);
    for (const f of fiches) expect(f.fields.map((x) => x.label)).toEqual([...FICHE_FIELDS]);
    for (const label of FICHE_FIELDS) expect(text.split(label).length - 1).toBeGreaterThanOrEqual(fiches.length);
  });

  it("pre-fills a fiche's findings, partners and baselines, and marks what people decide", () => {
    const seniorsAlpha = fiches.find((f) => f.heading.startsWith("Fiche 4.") && f.heading.endsWith("CA du Pays d'Alpha"))!;
    const field = (label: string) => blocksText(seniorsAlpha.fields.find((x) => x.label === label)!.content);
    expect(field("Constat du diagnostic")).toContain(`Part des 65 ans et plus : 22,6${NBSP}% (département : 23,4${NBSP}% ; France : 21,0${NBSP}%). Source : INSEE, RP, 2021.`); // 1 310 / 5 800
    expect(field("Partenaires")).toContain("Espace numérique d'Alpha (Alpha-Ville) — Lieux de médiation numérique, France Services");
    expect(field("Partenaires")).not.toContain("France Services de Zêta");
    expect(field("Indicateurs de suivi")).toContain(`Part des 65 ans et plus | 22,6${NBSP}% | À compléter | INSEE, RP, 2021`);
    expect(field("Pilote")).toContain("À compléter");
    expect(field("Budget")).toContain("À compléter");
    expect(field("Articulation avec les autres schémas")).toContain("SDTAN");
  });

  it("lists the levers a territory is eligible for, marks expired ones, and names the file for unknown criteria", () => {
    const funding = (prefix: string, epci: string) =>
      blocksText(fiches.find((f) => f.heading.startsWith(prefix) && f.heading.endsWith(epci))!.fields.find((x) => x.label === "Financements mobilisables")!.content);
    const qpvLever = "Crédits de la politique de la ville (contrat de ville)";
    expect(funding("Fiche 5.", "CA du Pays d'Alpha")).toContain(`${qpvLever} (État (ANCT) et collectivités signataires) — ouvert (2024 – 2030)`);
    expect(funding("Fiche 5.", "CA du Pays d'Alpha")).toContain("présence d'un quartier prioritaire (QPV) : oui");
    expect(funding("Fiche 5.", "CC des Monts & Vallées")).not.toContain(qpvLever);
    const epsilon = funding("Fiche 5.", "CC Epsilon");
    expect(epsilon).toContain(qpvLever);
    expect(epsilon).toContain("présence d'un quartier prioritaire (QPV) : inconnu pour ce territoire, à vérifier dans liste des quartiers prioritaires de la politique de la ville 2024");
    expect(funding("Fiche 2.", "CC des Monts & Vallées")).toContain("Fabriques de territoire (tiers-lieux) (État (ANCT)) — PROGRAMME CLOS (juillet 2019 – 2021) — cité pour mémoire");
    // A Hauts-de-France lever never reaches a territory of another région.
    expect(text).not.toContain("Tiers-lieux numériques (Région Hauts-de-France) (");
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

  it("draws the maps from the outlines as PNG in the DOCX and SVG beside the Markdown", () => {
    const pngs = Object.entries(docxParts(files.docx)).filter(([name]) => name.startsWith("word/media/"));
    expect(pngs.length).toBe(2);
    for (const [, bytes] of pngs) expect([...bytes.subarray(0, 8)]).toEqual([137, 80, 78, 71, 13, 10, 26, 10]);
    const svg = readFileSync(path.join(outDir, "carte-indice-99.svg"), "utf8");
    expect(svg.match(/<path /g)).toHaveLength(6);
    expect(readFileSync(files.markdown, "utf8")).toContain("](carte-indice-99.svg)");
    expect(text).toContain("chaque commune par son contour");
  });

  it.skipIf(!hasSoffice())("converts to PDF with LibreOffice (skipped when soffice is absent)", () => {
    const pdfDir = tempDir("sdin-schema-pdf-");
    execFileSync("soffice", ["--headless", "--convert-to", "pdf", "--outdir", pdfDir, files.docx], { stdio: "ignore", timeout: 180_000 });
    const pdf = path.join(pdfDir, "schema-departemental-99.pdf");
    expect(existsSync(pdf)).toBe(true);
    expect(readFileSync(pdf).subarray(0, 5).toString()).toBe("%PDF-");
  });
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
