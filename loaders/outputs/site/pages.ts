import { departementCode, regionCode, siteEnv } from "./loader.ts";
import { sanitizeHtml } from "../sanitize.ts";

/**
 * The routes of the site, for observablehq.config.ts. One Framework root (`src/`) and one build whatever the
 * scope: the pages of a département are the parameterized pages `src/[dept]/…` (`/23/publics.html`), a région's
 * page is `src/regions/[region]/index.md`, and `src/index.md` is the entry page. `buildSite` says which
 * départements and régions have pages, and which page a reader lands on, through the environment.
 */

/** The pages of a département, in the order a reader needs them (the sidebar, or the header of each département). */
export const departementPages = [
  { name: "Synthèse", path: "/index" },
  { name: "Publics fragiles", path: "/publics" },
  { name: "Connectivité", path: "/connectivite" },
  { name: "Offre d'accompagnement", path: "/offre" },
  { name: "Priorités", path: "/priorites" },
  { name: "EPCI", path: "/epci" },
  { name: "Fiches communes", path: "/communes/index" },
  { name: "Méthode et sources", path: "/methode" },
  { name: "Exports", path: "/exports" }
] as const;

/** A département or a région that has pages in the site. */
export interface SiteTerritory {
  code: string;
  nom: string;
}

/** Where `index.html` leads: the national page, or straight to a région's or a département's pages. */
export type SiteEntry = { niveau: "france" } | { niveau: "region"; code: string } | { niveau: "departement"; code: string };

/** What one build holds, as `buildSite` passes it to the config and to the entry page's loader. */
export interface SiteShape {
  departements: SiteTerritory[];
  regions: SiteTerritory[];
  entry: SiteEntry;
}


function territories(value: string | undefined, pattern: RegExp, kind: string): SiteTerritory[] {
  const list = value ? (JSON.parse(value) as SiteTerritory[]) : [];
  for (const { code } of list) if (!pattern.test(code)) throw new Error(`code de ${kind} invalide : "${code}"`);
  return list;
}

/** The shape of the site being built, read from the environment (no département outside `sdin build`). */
export function readSiteShape(env: NodeJS.ProcessEnv = process.env): SiteShape {
  const departements = territories(env[siteEnv.departements], departementCode, "département");
  const regions = territories(env[siteEnv.regions], regionCode, "région");
  const [niveau, code] = (env[siteEnv.entry] ?? "france").split(":");
  const entry: SiteEntry =
    niveau === "region" && regions.some((r) => r.code === code) ? { niveau, code }
    : niveau === "departement" && departements.some((d) => d.code === code) ? { niveau, code }
    : { niveau: "france" };
  return { departements, regions, entry };
}

/** The environment `buildSite` gives the build for a shape. */
export function shapeEnv({ departements, regions, entry }: SiteShape): Record<string, string> {
  return {
    [siteEnv.departements]: JSON.stringify(departements),
    [siteEnv.regions]: JSON.stringify(regions),
    [siteEnv.entry]: entry.niveau === "france" ? "france" : `${entry.niveau}:${entry.code}`
  };
}

/** Every page of the parameterized routes: each département's pages and fiche page, each région's page. */
export function dynamicPagePaths({ departements, regions }: SiteShape): string[] {
  return [
    ...departements.flatMap(({ code }) => [...departementPages.map((page) => `/${code}${page.path}`), `/${code}/communes/fiche`]),
    ...regions.map(({ code }) => `/regions/${code}/index`)
  ];
}

/** The address of the page `index.html` leads to (relative to the root), or null when it is the national page. */
export function entryTarget(entry: SiteEntry): string | null {
  if (entry.niveau === "departement") return `./${entry.code}/index.html`;
  if (entry.niveau === "region") return `./regions/${entry.code}/index.html`;
  return null;
}

/**
 * The sidebar of a site of one département: its pages. A site of several has no sidebar (Framework's is the same
 * on every page) but a header on each département's page instead.
 */
export function sidebarPages(shape: SiteShape): { name: string; path: string }[] {
  if (shape.departements.length !== 1 || shape.entry.niveau !== "departement") return [];
  const { code } = shape.departements[0];
  return departementPages.map(({ name, path }) => ({ name, path: `/${code}${path === "/communes/index" ? "/communes/" : path}` }));
}

/** Through the HTML sanitiser: no control characters, one line, escaped. */
const escapeHtml = (text: string) => sanitizeHtml(text);

/**
 * The navigation of a page in a site of several départements: back to the entry page (and the région), then
 * the département's own pages. Nothing on the entry page; the région's name on a région's page.
 */
export function pageHeader(shape: SiteShape, pagePath: string): string | null {
  if (pagePath.startsWith("/regions/")) {
    const region = shape.regions.find((r) => r.code === pagePath.split("/")[2]);
    if (!region || shape.entry.niveau === "region") return null;
    return `<nav class="departement-nav" aria-label="Navigation"><a href="/index.html">Tous les départements</a> › <strong>${escapeHtml(region.nom)}</strong></nav>`;
  }
  const code = pagePath.split("/")[1];
  const departement = shape.departements.find((d) => d.code === code);
  if (!departement) return null;
  const current = pagePath.replace(`/${code}`, "").replace(/\/fiche$/, "/index");
  const links = departementPages.map(({ name, path }) =>
    `<a href="/${code}${path}.html"${path === current ? ' aria-current="page"' : ""}>${escapeHtml(name)}</a>`
  );
  const home = shape.entry.niveau === "region" ? `<a href="/regions/${shape.entry.code}/index.html">${escapeHtml(shape.regions.find((r) => r.code === (shape.entry as { code: string }).code)?.nom ?? "Région")}</a>` : `<a href="/index.html">Tous les départements</a>`;
  return `<nav class="departement-nav" aria-label="Pages du département">${home} › <strong>${escapeHtml(departement.nom)} (${code})</strong> : ${links.join(" · ")}</nav>`;
}
