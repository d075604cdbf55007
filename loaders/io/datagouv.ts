import type { DataGouvRule, Resource } from "./resource.ts";

/**
 * data.gouv.fr API client: finds the newest file of a dataset that matches a resource's rule, so that `sdin fetch`
 * downloads the latest edition instead of a URL frozen in the code. Only `GET {api}/datasets/{dataset}/` is used
 * (documented at https://doc.data.gouv.fr/api/reference/): its `resources` carry `url`, `title`, `format`,
 * `last_modified`, `checksum` ({type, value}) and `filesize`.
 */

export const defaultDataGouvApi = "https://www.data.gouv.fr/api/1";

/** The API base: `SDIN_DATAGOUV_API` when set (tests, a proxy), else data.gouv.fr. */
export function dataGouvApi(env: NodeJS.ProcessEnv = process.env): string {
  return (env.SDIN_DATAGOUV_API || defaultDataGouvApi).replace(/\/+$/, "");
}

/** One resource of a dataset, as the API describes it (only the fields used here). */
export interface DataGouvResource {
  id?: string;
  title: string;
  url: string;
  format?: string | null;
  last_modified?: string | null;
  checksum?: { type: string; value: string } | null;
  filesize?: number | null;
}

/** Which URL a resource was downloaded from, and why (recorded in the provenance table). */
export interface Resolution {
  /** `API data.gouv.fr`, `url figée`, `url figée (API injoignable : …)`, `miroir`… (French: shown in status). */
  method: string;
  url: string;
  title?: string | null;
  last_modified?: string | null;
  checksum?: { type: string; value: string } | null;
}

/** The API answered, but no resource of the dataset matches the rule: the caller falls back and says why. */
export class NoMatchingResourceError extends Error {}

const fileName = (url: string) => decodeURIComponent(new URL(url, "http://x").pathname.split("/").pop() ?? "");

/** True when a dataset resource satisfies every part of a rule. */
export function matchesRule(resource: DataGouvResource, match: DataGouvRule["match"]): boolean {
  if (match.format && (resource.format ?? "").toLowerCase() !== match.format.toLowerCase()) return false;
  if (match.title instanceof RegExp && !match.title.test(resource.title ?? "")) return false;
  if (typeof match.title === "string" && !(resource.title ?? "").toLowerCase().includes(match.title.toLowerCase())) return false;
  if (match.file && !match.file.test(fileName(resource.url))) return false;
  return true;
}

/** The newest resource (by `last_modified`) matching the rule, or null. */
export function pickResource(resources: DataGouvResource[], match: DataGouvRule["match"]): DataGouvResource | null {
  const time = (r: DataGouvResource) => Date.parse(r.last_modified ?? "") || 0;
  const matching = resources.filter((r) => r.url && matchesRule(r, match));
  return matching.sort((a, b) => time(b) - time(a))[0] ?? null;
}

function describeRule(match: DataGouvRule["match"]): string {
  const parts = [
    match.title !== undefined ? `titre ${String(match.title)}` : null,
    match.file ? `fichier ${String(match.file)}` : null,
    match.format ? `format ${match.format}` : null
  ].filter(Boolean);
  return parts.join(", ") || "aucun critère";
}

export interface ResolveOptions {
  api?: string;
  fetchImpl?: typeof fetch;
  timeoutMs?: number;
}

/**
 * The newest file of the resource's dataset matching its rule. Throws NoMatchingResourceError when the API
 * answers with no match (the rule or the dataset changed), any other error when the API cannot be used.
 */
export async function resolveDataGouv(resource: Resource, { api = dataGouvApi(), fetchImpl = fetch, timeoutMs = 15_000 }: ResolveOptions = {}): Promise<Resolution> {
  const rule = resource.datagouv;
  if (!rule) throw new Error(`${resource.id} : aucune règle data.gouv.fr déclarée`);
  const endpoint = `${api}/datasets/${encodeURIComponent(rule.dataset)}/`;
  const response = await fetchImpl(endpoint, { signal: AbortSignal.timeout(timeoutMs), headers: { accept: "application/json" } });
  if (!response.ok) throw new Error(`${endpoint} : HTTP ${response.status}`);
  const body = (await response.json()) as { resources?: DataGouvResource[] };
  if (!Array.isArray(body.resources)) throw new Error(`${endpoint} : réponse sans liste « resources »`);
  const picked = pickResource(body.resources, rule.match);
  if (!picked) {
    const titles = body.resources.map((r) => `« ${r.title} » (${fileName(r.url)})`).join(", ");
    throw new NoMatchingResourceError(
      `${resource.id} : aucune ressource du jeu data.gouv.fr ${rule.dataset} ne correspond à la règle (${describeRule(rule.match)}) ; ressources publiées : ${titles || "aucune"}`
    );
  }
  return {
    method: "API data.gouv.fr",
    url: picked.url,
    title: picked.title,
    last_modified: picked.last_modified ?? null,
    checksum: picked.checksum?.value ? picked.checksum : null
  };
}

/**
 * Resolves a resource, falling back to its pinned URL when the API cannot be reached or finds nothing: the
 * method then says so (« url figée (API injoignable : …) »), and status and provenance show it.
 */
export async function resolveOrPinned(resource: Resource, options: ResolveOptions = {}): Promise<Resolution> {
  if (!resource.datagouv) return { method: "url figée", url: resource.url };
  try {
    return await resolveDataGouv(resource, options);
  } catch (error) {
    const reason = error instanceof NoMatchingResourceError ? error.message : `API injoignable : ${describeError(error)}`;
    return { method: `url figée (${reason})`, url: resource.url };
  }
}

function describeError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = (error as { cause?: { code?: string } }).cause;
  return cause?.code ? `${error.message} (${cause.code})` : error.message;
}
