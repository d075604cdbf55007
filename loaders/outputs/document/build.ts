import { actionPlanChapter, axesChapter } from "./axes.ts";
import { closingChapters } from "./closing.ts";
import type { SchemaContext } from "./context.ts";
import { diagnosticChapter } from "./diagnostic.ts";
import { frontMatter } from "./front.ts";
import type { SchemaDocument } from "./model.ts";

/** The whole schéma as a plain document model, chapter by chapter (DOMAIN.md §4). */
export function buildSchema(ctx: SchemaContext): SchemaDocument {
  const nom = ctx.data.departement.nom;
  return {
    title: `Schéma départemental d'inclusion numérique — ${nom} (${ctx.data.code})`,
    subject: "Feuille de route territoriale France Numérique Ensemble : diagnostic, axes et fiches actions",
    blocks: [...frontMatter(ctx), ...diagnosticChapter(ctx), ...axesChapter(ctx), ...actionPlanChapter(ctx), ...closingChapters(ctx)]
  };
}
