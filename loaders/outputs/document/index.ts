import type { DuckDBConnection } from "@duckdb/node-api";
import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { projectRoot } from "../../io/paths.ts";
import type { DepartementReadModel } from "../read-model.ts";
import { buildSchema } from "./build.ts";
import { buildContext } from "./context.ts";
import { readDiagnostic } from "./data.ts";
import { toDocx } from "./docx.ts";
import { toFeuilleDeRouteCsv, toFeuilleDeRouteJson } from "./feuille-de-route.ts";
import { readLevers } from "./levers.ts";
import { toMarkdown } from "./markdown.ts";
import type { Block, Figure } from "./model.ts";
import { readAxisRules } from "./rules.ts";

/** A map drawn elsewhere (the site), added to the diagnostic's maps: a PNG for the DOCX, its SVG for the Markdown. */
export interface ExtraMap {
  titre: string;
  svg: string;
  png: Uint8Array;
  width: number;
  height: number;
  source: string;
  alt?: string;
}

export interface SchemaOptions {
  /** Date printed in the document and compared with the levers' dates (default: now). */
  date?: Date;
  /** Extra maps to include after the schéma's own maps. */
  mapsSvg?: ExtraMap[];
  /** Distance beyond which a commune is out of reach of help (the run's `thresholdKm`), to name it in the text. */
  seuilKm?: number;
  /** Editable inputs (default: `data/regles-axes.json` and `data/leviers.json` of the project). */
  rulesFile?: string;
  leversFile?: string;
  /** Writes the table of contents' page numbers for applications that do not update fields (slower). */
  pageNumbers?: boolean;
  /** The département's read model, when the caller has already read from it (its rows are not read twice). */
  model?: DepartementReadModel;
}

export const defaultRulesFile = path.join(projectRoot, "data", "regles-axes.json");
export const defaultLeversFile = path.join(projectRoot, "data", "leviers.json");

/**
 * Writes the skeleton of the département's schéma, `schema-departemental-<code>.docx` and `.md` (with the maps'
 * SVG files beside the Markdown), and its actions in the national tool's shape, `feuille-de-route-<code>.json`
 * and `.csv` (one row per action), into `outDir`, from the diagnostic tables of the database.
 */
export async function writeSchema(
  connection: DuckDBConnection,
  departement: string,
  outDir: string,
  options: SchemaOptions = {}
): Promise<{ docx: string; markdown: string; json: string; csv: string }> {
  const { date = new Date(), mapsSvg = [], seuilKm = null, rulesFile = defaultRulesFile, leversFile = defaultLeversFile, pageNumbers = false, model } = options;
  if (model && model.code !== departement) throw new Error(`modèle de lecture du département ${model.code} donné pour le schéma du ${departement}`);
  const data = await readDiagnostic(connection, departement, model);
  const ctx = buildContext(data, readAxisRules(rulesFile), readLevers(leversFile), date, seuilKm);
  const doc = buildSchema(ctx);
  if (mapsSvg.length) insertExtraMaps(doc.blocks, mapsSvg, departement);
  await mkdir(outDir, { recursive: true });
  const base = path.join(outDir, `schema-departemental-${departement}`);
  const roadmap = path.join(outDir, `feuille-de-route-${departement}`);
  const files = { docx: `${base}.docx`, markdown: `${base}.md`, json: `${roadmap}.json`, csv: `${roadmap}.csv` };
  await writeFile(files.docx, await toDocx(doc, { pageNumbers }));
  await writeFile(files.markdown, toMarkdown(doc), "utf8");
  await writeFile(files.json, toFeuilleDeRouteJson(doc), "utf8");
  await writeFile(files.csv, toFeuilleDeRouteCsv(doc), "utf8");
  for (const b of doc.blocks) if (b.kind === "figure" && b.svg) await writeFile(path.join(outDir, b.fileName), b.svg, "utf8");
  return files;
}

/** Puts the caller's maps right after the schéma's own, before the synthesis section. */
function insertExtraMaps(blocks: Block[], maps: ExtraMap[], departement: string): void {
  const synthesis = blocks.findIndex((b) => b.kind === "heading" && b.text.startsWith("2.6"));
  const figures: Figure[] = maps.map((m, i) => ({
    kind: "figure",
    caption: m.titre,
    alt: m.alt ?? m.titre,
    png: m.png,
    svg: m.svg,
    width: m.width,
    height: m.height,
    fileName: `carte-${i + 1}-site-${departement}.svg`,
    source: m.source
  }));
  blocks.splice(synthesis === -1 ? blocks.length : synthesis, 0, ...figures);
}
