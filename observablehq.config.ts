import { communePagePaths } from "./loaders/site/pages.ts";
import { siteEnv } from "./loaders/site/loader.ts";

/**
 * The diagnostic site. `sdin build` runs Framework with the database and département in the environment
 * (see loaders/site/build.ts). Everything is served from the site itself: no font, script or tile from
 * another host, so that it works on an intranet without internet access.
 */
export default {
  title: "Diagnostic d'inclusion numérique",
  root: "src",
  output: process.env[siteEnv.output] ?? "dist",
  lang: "fr",
  pages: [
    { name: "Synthèse", path: "/index" },
    { name: "Publics fragiles", path: "/publics" },
    { name: "Connectivité", path: "/connectivite" },
    { name: "Offre d'accompagnement", path: "/offre" },
    { name: "Priorités", path: "/priorites" },
    { name: "EPCI", path: "/epci" },
    { name: "Fiches communes", path: "/communes/" },
    { name: "Méthode et sources", path: "/methode" },
    { name: "Exports", path: "/exports" }
  ],
  dynamicPaths: () => communePagePaths(),
  // Links end in .html and folders in index.html, so that any static web server (or an intranet share) serves them.
  preserveExtension: true,
  preserveIndex: true,
  // The default theme loads a font from Google: none here.
  globalStylesheets: [],
  style: "style.css",
  // No favicon request (a 404 in every browser console).
  head: '<link rel="icon" href="data:,">',
  footer: "Diagnostic construit avec sdin à partir de données publiques ouvertes. Chaque chiffre porte sa source et son millésime.",
  search: false,
  sidebar: true,
  pager: true,
  toc: false
};
