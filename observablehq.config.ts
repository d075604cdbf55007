import { dynamicPagePaths, entryTarget, pageHeader, readSiteShape, sidebarPages } from "./loaders/outputs/site/pages.ts";
import { siteEnv } from "./loaders/outputs/site/loader.ts";

/**
 * The diagnostic site. `sdin build` runs Framework with the database, the départements and régions that have
 * pages, and the entry page in the environment (see loaders/outputs/site/build.ts and pages.ts). One root, one
 * set of pages whatever the scope: `src/index.md` (entry: every département, or a redirect to the only région or
 * département built), `src/[dept]/…` (a département's pages, parameterized by its code), `src/regions/[region]/`.
 * Everything is served from the site itself: no font, script or tile from another host, so that it works on an
 * intranet without internet access.
 *
 * Framework 1.13 has no option for the page's language: `<html lang="fr">` is written into the built pages by
 * loaders/outputs/site/html.ts, the one place that edits Framework's output.
 */
const shape = readSiteShape();
const sidebar = sidebarPages(shape);
const entry = entryTarget(shape.entry);
// No favicon request (a 404 in every browser console).
const favicon = '<link rel="icon" href="data:,">';

export default {
  root: "src",
  title: "Diagnostic d'inclusion numérique",
  output: process.env[siteEnv.output] ?? "dist",
  // Links end in .html and folders in index.html, so that any static web server (or an intranet share) serves them.
  preserveExtension: true,
  preserveIndex: true,
  // The default theme loads a font from Google: none here.
  globalStylesheets: [],
  style: "style.css",
  // A site of one région or one département opens on its own page.
  head: ({ path }: { path: string }) => (path === "/index" && entry ? `${favicon}<meta http-equiv="refresh" content="0; url=${entry}">` : favicon),
  footer: "Diagnostic construit avec sdin à partir de données publiques ouvertes. Chaque chiffre porte sa source et son millésime.",
  search: false,
  toc: false,
  pages: sidebar,
  sidebar: sidebar.length > 0,
  pager: sidebar.length > 0,
  header: ({ path }: { path: string }) => (sidebar.length ? null : pageHeader(shape, path)),
  dynamicPaths: dynamicPagePaths(shape)
};
