import { existsSync } from "node:fs";
import { queryRows, withDatabase } from "../../io/db.ts";
import { siteEnv } from "./loader.ts";
import { sanitizeHtml } from "../sanitize.ts";

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

/**
 * The fiche commune pages to build (`/communes/<code>`), one per commune of the département, read from the
 * database `buildSite` points to. Without it (Framework run by hand), no fiche is built and the site says so.
 */
export async function* communePagePaths(env: NodeJS.ProcessEnv = process.env): AsyncGenerator<string> {
  const database = env[siteEnv.database];
  const departement = env[siteEnv.departement];
  if (!database || !departement || !existsSync(database)) return;
  const codes = await withDatabase(database, { readOnly: true }, ({ connection }) =>
    queryRows<{ code_insee: string }>(connection, "SELECT code_insee FROM diagnostic_communes WHERE code_departement = $dept ORDER BY code_insee", { dept: departement })
  );
  for (const { code_insee } of codes) {
    // Codes come from the database: refuse anything that is not an INSEE code before it becomes a file name.
    if (!/^[0-9][0-9AB][0-9]{3}$/.test(code_insee)) throw new Error(`code INSEE invalide dans diagnostic_communes : "${code_insee}"`);
    yield `/communes/${code_insee}`;
  }
}

/** A département of the site of several départements, as `buildSite` passes it to the config. */
export interface SiteDepartement {
  code: string;
  nom: string;
}

/** The départements of a site of several départements (null for the site of one), read from the environment. */
export function readSiteDepartements(env: NodeJS.ProcessEnv = process.env): SiteDepartement[] | null {
  const value = env[siteEnv.departements];
  if (!value) return null;
  const departements = JSON.parse(value) as SiteDepartement[];
  for (const { code } of departements) {
    if (!/^(\d{2}|2A|2B|97\d)$/.test(code)) throw new Error(`code de département invalide : "${code}"`);
  }
  return departements;
}

/** The pages of every département (`/<code>/publics`…) and its fiche page (`/<code>/communes/fiche`). */
export function departementPagePaths(departements: SiteDepartement[]): string[] {
  return departements.flatMap(({ code }) => [...departementPages.map((page) => `/${code}${page.path}`), `/${code}/communes/fiche`]);
}

/** Through the HTML sanitiser: no control characters, one line, escaped. */
const escapeHtml = (text: string) => sanitizeHtml(text);

/**
 * The navigation of a département's page in the site of several départements (Framework's sidebar is the same
 * on every page): back to the national page, then the département's own pages. Nothing on the national page.
 */
export function departementHeader(departements: SiteDepartement[], pagePath: string): string | null {
  const code = pagePath.split("/")[1];
  const departement = departements.find((d) => d.code === code);
  if (!departement) return null;
  const current = pagePath.replace(`/${code}`, "").replace(/\/fiche$/, "/index");
  const links = departementPages.map(({ name, path }) =>
    `<a href="/${code}${path}.html"${path === current ? ' aria-current="page"' : ""}>${escapeHtml(name)}</a>`
  );
  return `<nav class="departement-nav" aria-label="Pages du département"><a href="/index.html">Tous les départements</a> › <strong>${escapeHtml(departement.nom)} (${code})</strong> : ${links.join(" · ")}</nav>`;
}
