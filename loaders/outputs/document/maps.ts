import { kilometres, nombre } from "./format.ts";
import { cite, type SchemaContext } from "./context.ts";
import { quantileBreaks, renderChoropleth, SharedGeometry, type MapCommune, type RenderedMap } from "./map.ts";
import { paragraph, todo, type Block } from "./model.ts";

/**
 * The diagnostic's maps: fragility index and distance to help, drawn from the communes' outlines (or their points
 * when the outlines are not loaded), with the legend and a scale bar in the image and the priority communes outlined.
 */
export function mapBlocks(ctx: SchemaContext): Block[] {
  const { data } = ctx;
  const contours = new Map(data.contours.map((c) => [c.code_insee, c.geometry]));
  const priority = new Set(ctx.priorityCommunes.map((c) => c.code_insee));
  const base = (pick: (c: (typeof data.communes)[number]) => number | null): MapCommune[] =>
    data.communes.map((c) => ({ code: c.code_insee, nom: c.nom, value: pick(c), lon: c.point_lon, lat: c.point_lat, weight: c.population, highlighted: priority.has(c.code_insee), departement: c.code_departement }));

  const indexBreaks = quantileBreaks(data.communes.map((c) => c.indice_fragilite));
  const indexLabels = classLabels(indexBreaks, (v) => nombre(v, 1));
  const distanceBreaks = [2.5, 5, 10, 15];
  const distanceLabels = classLabels(distanceBreaks, (v) => kilometres(v));
  // Both maps draw the same outlines: parsed, fitted and projected once.
  const shared = new SharedGeometry();
  const maps = [
    {
      file: `carte-indice-${data.code}.svg`,
      title: "Indice de fragilité numérique par commune",
      alt: `Carte des communes du département colorées selon l'indice de fragilité numérique, en ${indexLabels.length} classes de même effectif ; les communes prioritaires sont cerclées de bleu foncé.`,
      source: cite(ctx, "indice_fragilite"),
      rendered: indexBreaks.length ? renderChoropleth(base((c) => c.indice_fragilite), contours, { breaks: indexBreaks, labels: indexLabels, title: "Indice de fragilité numérique", shared }) : null
    },
    {
      file: `carte-distance-${data.code}.svg`,
      title: "Distance au lieu d'aide le plus proche",
      alt: "Carte des communes du département colorées selon la distance à vol d'oiseau au lieu d'aide au numérique le plus proche ; les communes prioritaires sont cerclées de bleu foncé.",
      source: cite(ctx, "distance_lieu_km"),
      rendered: renderChoropleth(base((c) => c.distance_lieu_km), contours, { breaks: distanceBreaks, labels: distanceLabels, title: "Distance au lieu d'aide le plus proche", shared })
    }
  ];
  const blocks: Block[] = [];
  const mode = maps.find((m) => m.rendered)?.rendered?.mode;
  blocks.push(
    paragraph(
      mode === "contours"
        ? "Les cartes ci-dessous représentent chaque commune par son contour. Les communes prioritaires (section 2.6) sont cerclées de bleu foncé."
        : mode === "points"
          ? "Les contours des communes n'étant pas chargés dans la base, chaque commune est représentée par un disque placé en son centre, de taille proportionnelle à sa population. Les communes prioritaires (section 2.6) sont cerclées de bleu foncé."
          : "Carte : voir le site. Les coordonnées des communes ne sont pas disponibles dans la base : les cartes n'ont pas pu être dessinées dans ce document ; le tableau des communes prioritaires (section 2.6) en tient lieu."
    )
  );
  for (const m of maps) {
    if (!m.rendered) continue;
    blocks.push(figure(m.rendered, { ...m, alt: `${m.alt} Classes : ${m.rendered.legend.map((l) => l.label).join(" ; ")}.` }));
  }
  blocks.push(paragraph("Cartes complémentaires : ", todo("cartes interactives du site sdin, ou cartes du SIG départemental")));
  return blocks;
}

function figure(rendered: RenderedMap, m: { file: string; title: string; alt: string; source: string }): Block {
  // The caption repeats the classes and the scale for readers that show the PNG fallback (no text in it).
  const classes = rendered.legend.map((l, i) => `${["très clair", "clair", "orangé", "rouge", "rouge foncé"][i + Math.max(0, 5 - rendered.legend.filter((x) => x.label !== "donnée non disponible").length)] ?? "gris"} : ${l.label}`);
  const caption = `${m.title} (${classes.join(" ; ")}${rendered.scaleKm ? ` ; barre d'échelle : ${rendered.scaleKm} km` : ""})`;
  return { kind: "figure", caption, alt: m.alt, png: rendered.png, svg: rendered.svg, width: rendered.width, height: rendered.height, fileName: m.file, source: m.source };
}

/** `jusqu'à 3,2`, `de 3,2 à 4,1`, …, `plus de 6,0`. */
function classLabels(breaks: number[], format: (v: number) => string): string[] {
  if (breaks.length === 0) return [];
  return [`jusqu'à ${format(breaks[0])}`, ...breaks.slice(1).map((b, i) => `de ${format(breaks[i])} à ${format(b)}`), `plus de ${format(breaks[breaks.length - 1])}`];
}
