import { actionSheets } from "./actions.ts";
import { actionPlanChapter, axesChapter } from "./axes.ts";
import { closingChapters } from "./closing.ts";
import type { SchemaContext } from "./context.ts";
import { diagnosticChapter } from "./diagnostic.ts";
import { frontMatter } from "./front.ts";
import type { SchemaDocument } from "./model.ts";

/**
 * The whole schéma as a plain document model, chapter by chapter (DOMAIN.md §4), and its actions as records.
 * Chapters are built in reading order, so the short source references (« [3] ») are numbered in that order and
 * the annex « Sources et millésimes », built last, lists them all.
 */
export function buildSchema(ctx: SchemaContext): SchemaDocument {
  const nom = ctx.data.departement.nom;
  const sheets = actionSheets(ctx);
  const blocks = [...frontMatter(ctx), ...diagnosticChapter(ctx), ...axesChapter(ctx), ...actionPlanChapter(ctx, sheets), ...closingChapters(ctx)];
  return {
    title: `Schéma départemental d'inclusion numérique — ${nom} (${ctx.data.code})`,
    subject: "Feuille de route territoriale France Numérique Ensemble : diagnostic, axes et fiches actions",
    blocks,
    feuilleDeRoute: {
      departement: { code: ctx.data.code, nom },
      perimetre: { type: "departement", epci: ctx.data.epci.filter((e) => e.code_departement === ctx.data.code).map((e) => e.epci_siren) },
      contrats: ["SDIN", "CRTE", "SDAASAP", "SDUN"],
      date: ctx.date.toISOString().slice(0, 10),
      actions: sheets
    }
  };
}
