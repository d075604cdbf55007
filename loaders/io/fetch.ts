import { createHash, webcrypto } from "node:crypto";
import { createReadStream, existsSync } from "node:fs";
import { mkdir, readFile, realpath, rename, rm, stat, open, writeFile } from "node:fs/promises";
import path from "node:path";
import { SingleBar } from "cli-progress";
import { NoDataAccessError } from "./errors.ts";
import { safeJoin } from "./paths.ts";
import { resolveOrPinned, type Resolution } from "./datagouv.ts";
import type { Resource } from "./resource.ts";

/** A file ready to be parsed, and where it came from. */
export interface AcquiredFile {
  resource: Resource;
  /** Absolute path on disk. */
  file: string;
  /** The official URL or the mirror path it came from (recorded in the provenance table). */
  origin: string;
  sha256: string;
  bytes: number;
  /** Where the file was resolved (data.gouv.fr API or pinned URL); absent for a mirror or a packaged file. */
  resolution?: Resolution;
}

export interface AcquireOptions {
  /** Local copy laid out like the official files' mirror; when set, nothing is downloaded. */
  mirror: string | null;
  /** Download cache (`data/raw/`). */
  rawDir: string;
  timeoutMs?: number;
  retries?: number;
  /** Base delay of the exponential backoff between tries. */
  backoffMs?: number;
  /** Show a progress bar (on a terminal only). */
  progress?: boolean;
  fetchImpl?: typeof fetch;
  /**
   * Folders outside the mirror into which its files may link (a test mirror made of links to the shared one, a
   * mirror assembled from several disks): `SDIN_MIRROR_LINKS`. Any other link out of the mirror is refused.
   */
  linkRoots?: string[];
  /** Largest file read, in bytes (default 4 Gio: more than any official file, less than a sparse or runaway one). */
  maxBytes?: number;
  /** Longest time reading one file may take before it is abandoned (default 10 min). */
  readTimeoutMs?: number;
  /** data.gouv.fr API base (default: SDIN_DATAGOUV_API, else https://www.data.gouv.fr/api/1). */
  datagouvApi?: string;
}

/** The acquisition options of a run: its mirror, its cache, and the folders mirror files may link into. */
export function acquireOptions(config: { mirror: string | null; mirrorLinks?: string[]; paths: { rawDir: string } }): AcquireOptions {
  return { mirror: config.mirror, rawDir: config.paths.rawDir, linkRoots: config.mirrorLinks ?? [] };
}

/** A checksum to verify, as data.gouv.fr publishes it (`sha1`, `sha256`, `md5`). */
export interface Checksum {
  type: string;
  value: string;
}

/** Thrown when a mirror is given but lacks an optional resource. */
export class MissingResourceError extends Error {}

/** Thrown when a mirror or cache file is not one that may be read (a link out of the mirror, a pipe, a device, too large); names the file. */
export class RefusedFileError extends Error {}

/**
 * Gets a resource's file: from the mirror when one is given, else from the download cache,
 * else by downloading its official URL.
 */
export async function acquire(resource: Resource, options: AcquireOptions): Promise<AcquiredFile> {
  if (resource.local) {
    const real = await guardedFile(resource.local, null, options);
    const { sha256, bytes } = await hashFile(real, options);
    return { resource, file: resource.local, origin: resource.local, sha256, bytes };
  }
  if (options.mirror) {
    const file = safeJoin(options.mirror, resource.path);
    if (!existsSync(file)) {
      throw new MissingResourceError(`fichier absent du miroir : ${file} (${resource.title})`);
    }
    const real = await guardedFile(file, [options.mirror, ...(options.linkRoots ?? [])], options);
    const { sha256, bytes } = await hashFile(real, options);
    checkPinned(resource, sha256, file);
    return { resource, file, origin: real === file ? file : `${file} (lien vers ${real})`, sha256, bytes };
  }
  const file = safeJoin(options.rawDir, resource.path);
  if (resource.datagouv) return acquireFromDataGouv(resource, file, options);
  if (existsSync(file)) {
    const real = await guardedFile(file, [options.rawDir], options);
    const { sha256, bytes } = await hashFile(real, options);
    return { resource, file, origin: resource.url, sha256, bytes, resolution: { method: "url figée", url: resource.url } };
  }
  const { sha256, bytes } = await download(resource.url, file, options, resource.sha256);
  return { resource, file, origin: resource.url, sha256, bytes, resolution: { method: "url figée", url: resource.url } };
}

/** What was downloaded into the cache for a data.gouv.fr resource, kept beside the file (`<file>.source.json`). */
const sidecarOf = (file: string) => `${file}.source.json`;

async function readSidecar(file: string): Promise<Resolution | null> {
  try {
    return JSON.parse(await readFile(sidecarOf(file), "utf8")) as Resolution;
  } catch {
    return null;
  }
}

const sameFile = (a: Resolution | null, b: Resolution) =>
  a !== null && a.url === b.url && (a.last_modified ?? null) === (b.last_modified ?? null) && (a.checksum?.value ?? null) === (b.checksum?.value ?? null);

/**
 * A resource published on data.gouv.fr: asks the API for the newest matching file; downloads it unless the cache
 * already holds that very file. When the API cannot be used, the cached file (or else the pinned URL) is used and
 * the resolution says so. A checksum mismatch fails before anything in the cache is replaced.
 */
async function acquireFromDataGouv(resource: Resource, file: string, options: AcquireOptions): Promise<AcquiredFile> {
  const resolved = await resolveOrPinned(resource, { api: options.datagouvApi, fetchImpl: options.fetchImpl });
  const cached = existsSync(file) ? await readSidecar(file) : null;
  const viaApi = resolved.method === "API data.gouv.fr";
  if (existsSync(file) && (!viaApi || sameFile(cached, resolved))) {
    const { sha256, bytes } = await hashFile(await guardedFile(file, [options.rawDir], options), options);
    const resolution = viaApi ? resolved : { ...(cached ?? { url: resource.url }), method: `${resolved.method}, fichier déjà en cache` };
    return { resource, file, origin: resolution.url, sha256, bytes, resolution };
  }
  const pinned = resolved.url === resource.url ? resource.sha256 : undefined;
  const { sha256, bytes } = await download(resolved.url, file, options, { sha256: pinned, checksum: resolved.checksum ?? undefined, label: resource.id });
  await writeFile(sidecarOf(file), JSON.stringify(resolved, null, 2) + "\n");
  return { resource, file, origin: resolved.url, sha256, bytes, resolution: resolved };
}

const DEFAULT_MAX_BYTES = 4 * 1024 ** 3;
const DEFAULT_READ_TIMEOUT_MS = 10 * 60_000;

/**
 * Opens a mirror or cache file only if it is a regular file (not a named pipe, a device such as `/dev/zero` or a
 * folder, each of which would hang or exhaust a read) whose real path lies inside one of `roots`, and not larger
 * than the ceiling. The message names the mirror path and never shows anything read from the target.
 * Resolves with the real path, which is what gets read.
 */
export async function guardedFile(file: string, roots: string[] | null, { maxBytes = DEFAULT_MAX_BYTES }: AcquireOptions): Promise<string> {
  const real = await realpath(file);
  if (roots) {
    const realRoots = await Promise.all(roots.map((root) => realpath(root).catch(() => path.resolve(root))));
    if (!realRoots.some((root) => real === root || real.startsWith(root + path.sep))) {
      throw new RefusedFileError(`fichier refusé : ${file} est un lien qui sort du dossier ${roots[0]} (cible hors miroir ; ajoutez son dossier à SDIN_MIRROR_LINKS si ce lien est voulu)`);
    }
  }
  const info = await stat(real);
  if (!info.isFile()) {
    const kind = info.isFIFO() ? "un tube nommé" : info.isCharacterDevice() || info.isBlockDevice() ? "un périphérique" : info.isDirectory() ? "un dossier" : info.isSocket() ? "une socket" : "un fichier spécial";
    throw new RefusedFileError(`fichier refusé : ${file} n'est pas un fichier ordinaire (c'est ${kind})`);
  }
  if (info.size > maxBytes) {
    throw new RefusedFileError(`fichier refusé : ${file} pèse ${info.size} octets, au-delà du plafond de ${maxBytes} octets`);
  }
  return real;
}

function checkPinned(resource: Resource, sha256: string, file: string): void {
  if (resource.sha256 && resource.sha256 !== sha256) {
    throw new Error(`empreinte sha256 inattendue pour ${file} : ${sha256} au lieu de ${resource.sha256}`);
  }
}

/** Files up to this size are read whole to be hashed; larger ones are read and hashed piece by piece. */
const WHOLE_FILE_HASH_BYTES = 64 * 1024 * 1024;

/** Hashes a file, giving up (with its path) when reading takes longer than the time limit. */
export async function hashFile(file: string, { readTimeoutMs = DEFAULT_READ_TIMEOUT_MS }: { readTimeoutMs?: number } = {}): Promise<{ sha256: string; bytes: number }> {
  const abandoned = () => new Error(`lecture de ${file} abandonnée après ${Math.round(readTimeoutMs / 1000)} s`);
  if ((await stat(file)).size <= WHOLE_FILE_HASH_BYTES) {
    // Read whole and hashed by WebCrypto, whose digest runs on libuv's thread pool: the files of a national load
    // (≈ 100 MB) are not hashed on the thread that parses the sources.
    const abort = new AbortController();
    const timer = setTimeout(() => abort.abort(), readTimeoutMs);
    try {
      const data = await readFile(file, { signal: abort.signal });
      return { sha256: Buffer.from(await webcrypto.subtle.digest("SHA-256", data)).toString("hex"), bytes: data.length };
    } catch (error) {
      throw abort.signal.aborted ? abandoned() : error;
    } finally {
      clearTimeout(timer);
    }
  }
  const hash = createHash("sha256");
  const stream = createReadStream(file);
  const timer = setTimeout(() => stream.destroy(abandoned()), readTimeoutMs);
  try {
    for await (const chunk of stream) hash.update(chunk as Buffer);
  } finally {
    clearTimeout(timer);
  }
  return { sha256: hash.digest("hex"), bytes: (await stat(file)).size };
}

/**
 * Downloads `url` into `target` with a timeout, retries with exponential backoff, a sha256 check and an
 * atomic rename: a partial download never takes the place of a good file.
 */
export async function download(
  url: string,
  target: string,
  { timeoutMs = 60_000, retries = 3, backoffMs = 1_000, progress = process.stderr.isTTY, fetchImpl = fetch }: AcquireOptions,
  expected?: string | { sha256?: string; checksum?: Checksum; label?: string }
): Promise<{ sha256: string; bytes: number }> {
  const { sha256: expectedSha256, checksum, label } = typeof expected === "string" ? { sha256: expected, checksum: undefined, label: undefined } : expected ?? {};
  const algorithm = checksum ? checksumAlgorithm(checksum, label ?? url) : null;
  await mkdir(path.dirname(target), { recursive: true });
  let lastError: unknown;
  for (let attempt = 0; attempt <= retries; attempt++) {
    if (attempt > 0) await sleep(backoffMs * 2 ** (attempt - 1));
    const partial = `${target}.part-${process.pid}`;
    try {
      const result = await downloadOnce(url, partial, timeoutMs, progress, fetchImpl, algorithm);
      if (expectedSha256 && result.sha256 !== expectedSha256) {
        throw new PermanentError(`empreinte sha256 inattendue pour ${url} : ${result.sha256} au lieu de ${expectedSha256}`);
      }
      if (checksum && result.checksum !== checksum.value.toLowerCase()) {
        throw new PermanentError(
          `empreinte ${checksum.type} inattendue pour ${label ?? url} (${url}) : ${result.checksum} au lieu de ${checksum.value} annoncée par data.gouv.fr ; fichier précédent conservé`
        );
      }
      await rename(partial, target);
      return { sha256: result.sha256, bytes: result.bytes };
    } catch (error) {
      await rm(partial, { force: true });
      lastError = error;
      if (error instanceof PermanentError) throw error;
    }
  }
  if (isNetworkUnreachable(lastError)) throw new NoDataAccessError(url);
  throw new Error(`échec du téléchargement de ${url} après ${retries + 1} essais : ${describe(lastError)}`);
}

class PermanentError extends Error {}

/** Node's name of a data.gouv.fr checksum type; an unknown type is an error, never a skipped check. */
function checksumAlgorithm(checksum: Checksum, label: string): string {
  const algorithm = { sha1: "sha1", sha256: "sha256", md5: "md5" }[checksum.type.toLowerCase()];
  if (!algorithm) throw new Error(`${label} : type d'empreinte inconnu « ${checksum.type} »`);
  return algorithm;
}

const HTML_START = /^\s*<(!doctype html|html[\s>]|\?xml[^>]*>\s*<html)/i;

async function downloadOnce(url: string, partial: string, timeoutMs: number, progress: boolean, fetchImpl: typeof fetch, algorithm: string | null) {
  const response = await fetchImpl(url, { signal: AbortSignal.timeout(timeoutMs), redirect: "follow" });
  if (!response.ok || !response.body) {
    const error = new Error(`HTTP ${response.status} ${response.statusText}`.trim());
    // A missing file will not appear on retry; a server error might.
    if (response.status >= 400 && response.status < 500) throw new PermanentError(`${url} : ${error.message}`);
    throw error;
  }
  const total = Number(response.headers.get("content-length")) || 0;
  const bar = progress ? new SingleBar({ format: `${path.basename(partial).replace(/\.part-\d+$/, "")} [{bar}] {percentage}% {value}/{total} o` }) : null;
  bar?.start(total, 0);
  const hash = createHash("sha256");
  const extra = algorithm ? createHash(algorithm) : null;
  const handle = await open(partial, "w");
  let bytes = 0;
  try {
    for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
      // An error page served with status 200 (a portal, a moved dataset) must never enter the cache as the file.
      if (bytes === 0 && HTML_START.test(Buffer.from(chunk.subarray(0, 512)).toString("latin1"))) {
        throw new PermanentError(`${url} : page HTML reçue à la place du fichier (erreur du serveur ou lien périmé ?)`);
      }
      hash.update(chunk);
      extra?.update(chunk);
      await handle.write(chunk);
      bytes += chunk.length;
      bar?.update(bytes);
    }
  } finally {
    await handle.close();
    bar?.stop();
  }
  if (total && bytes !== total) throw new Error(`réponse tronquée : ${bytes} octets reçus sur ${total} annoncés`);
  return { sha256: hash.digest("hex"), bytes, checksum: extra?.digest("hex") ?? null };
}

function isNetworkUnreachable(error: unknown): boolean {
  const code = (error as { cause?: { code?: string } })?.cause?.code;
  return ["ENOTFOUND", "EAI_AGAIN", "ECONNREFUSED", "ENETUNREACH", "EHOSTUNREACH"].includes(code ?? "");
}

function describe(error: unknown): string {
  if (error instanceof Error) {
    const cause = (error as { cause?: { code?: string; message?: string } }).cause;
    return cause ? `${error.message} (${cause.code ?? cause.message})` : error.message;
  }
  return String(error);
}

function sleep(ms: number) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

