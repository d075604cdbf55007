import { readFile } from "node:fs/promises";
import path from "node:path";
import { Inflate } from "fflate";
import { SourceError } from "./errors.ts";
import { decodeText, type DecodedText } from "./text.ts";

/**
 * Reading one file out of a published zip (INSEE ships its bases zipped), safely: an entry whose path would
 * escape the extraction folder is refused, and so is an archive that expands beyond a size limit, whether it
 * says so in its directory or only reveals it while inflating (a "zip bomb").
 */

/** 500 MB: INSEE's largest commune bases expand to a few tens of MB. */
export const DEFAULT_MAX_BYTES = 500 * 1024 * 1024;

/** One entry of a zip's central directory. */
export interface ZipEntry {
  name: string;
  /** Compression method (0 = stored, 8 = deflate). */
  method: number;
  compressedSize: number;
  /** Size declared by the archive; the real size is checked while inflating. */
  declaredSize: number;
  localHeaderOffset: number;
}

export interface ZipReadOptions {
  /** Source and file named in error messages. */
  source: string;
  file: string;
  /** Largest expanded size accepted, for the entry and for the whole archive as declared. */
  maxBytes?: number;
}

/** True when bytes start like a zip archive (local file header `PK\x03\x04`). */
export function isZip(bytes: Uint8Array): boolean {
  return bytes.length >= 4 && bytes[0] === 0x50 && bytes[1] === 0x4b && bytes[2] === 0x03 && bytes[3] === 0x04;
}

/**
 * Lists a zip's entries from its central directory, refusing unsafe paths and archives whose declared
 * expanded size exceeds `maxBytes`.
 */
export function listZipEntries(bytes: Uint8Array, { source, file, maxBytes = DEFAULT_MAX_BYTES }: ZipReadOptions): ZipEntry[] {
  const where = { source, file };
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const eocd = findEndOfCentralDirectory(view);
  if (eocd < 0) throw new SourceError(where, "archive zip illisible (répertoire central introuvable : fichier tronqué ou pas un zip)");
  const count = view.getUint16(eocd + 10, true);
  let offset = view.getUint32(eocd + 16, true);
  const entries: ZipEntry[] = [];
  let declaredTotal = 0;
  for (let i = 0; i < count; i++) {
    if (offset + 46 > bytes.length || view.getUint32(offset, true) !== 0x02014b50) {
      throw new SourceError(where, `archive zip illisible (entrée ${i + 1} du répertoire central corrompue)`);
    }
    const nameLength = view.getUint16(offset + 28, true);
    const entry: ZipEntry = {
      name: new TextDecoder("utf-8").decode(bytes.subarray(offset + 46, offset + 46 + nameLength)),
      method: view.getUint16(offset + 10, true),
      compressedSize: view.getUint32(offset + 20, true),
      declaredSize: view.getUint32(offset + 24, true),
      localHeaderOffset: view.getUint32(offset + 42, true)
    };
    checkEntryPath(entry.name, where);
    if (entry.declaredSize === 0xffffffff || entry.compressedSize === 0xffffffff) {
      throw new SourceError(where, `archive zip64 non prise en charge (entrée "${entry.name}")`);
    }
    declaredTotal += entry.declaredSize;
    if (declaredTotal > maxBytes) throw new SourceError(where, tooLarge(`${declaredTotal} octets déclarés`, maxBytes));
    entries.push(entry);
    offset += 46 + nameLength + view.getUint16(offset + 30, true) + view.getUint16(offset + 32, true);
  }
  return entries;
}

/**
 * Reads the entry named `match` (exact name, or base name) or the first entry whose base name matches the
 * pattern. Returns its bytes and its name; fails naming the file when no entry matches.
 */
export function readZipEntry(bytes: Uint8Array, match: string | RegExp, options: ZipReadOptions): { name: string; bytes: Uint8Array } {
  const entries = listZipEntries(bytes, options);
  const entry = entries.find((e) => matches(e.name, match));
  if (!entry) {
    const names = entries.map((e) => e.name).join(", ");
    throw new SourceError(
      { source: options.source, file: options.file },
      `fichier ${String(match)} absent de l'archive zip (contenu : ${names || "aucun fichier"})`
    );
  }
  return { name: entry.name, bytes: extractEntry(bytes, entry, options) };
}

/** Names of the entries whose base name matches `pattern`, in archive order. */
export function findZipEntries(bytes: Uint8Array, pattern: RegExp, options: ZipReadOptions): string[] {
  return listZipEntries(bytes, options).map((e) => e.name).filter((name) => matches(name, pattern));
}

function matches(name: string, match: string | RegExp): boolean {
  if (name.endsWith("/")) return false; // a folder
  const base = name.slice(name.lastIndexOf("/") + 1);
  return typeof match === "string" ? name === match || base === match : match.test(base);
}

/** Refuses `..` segments, absolute paths and drive letters: extracting such a name would write outside its folder. */
function checkEntryPath(name: string, where: { source: string; file: string }): void {
  const parts = name.split(/[\\/]/);
  if (name.includes("\0") || /^([\\/]|[a-zA-Z]:)/.test(name) || parts.includes("..")) {
    throw new SourceError(where, `entrée d'archive refusée, son chemin sort du dossier : "${name}"`);
  }
}

function extractEntry(bytes: Uint8Array, entry: ZipEntry, { source, file, maxBytes = DEFAULT_MAX_BYTES }: ZipReadOptions): Uint8Array {
  const where = { source, file };
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const local = entry.localHeaderOffset;
  if (local + 30 > bytes.length || view.getUint32(local, true) !== 0x04034b50) {
    throw new SourceError(where, `archive zip illisible (en-tête local de "${entry.name}" introuvable)`);
  }
  const start = local + 30 + view.getUint16(local + 26, true) + view.getUint16(local + 28, true);
  const data = bytes.subarray(start, start + entry.compressedSize);
  if (data.length < entry.compressedSize) throw new SourceError(where, `archive zip tronquée ("${entry.name}" incomplet)`);
  if (entry.method === 0) {
    if (data.length > maxBytes) throw new SourceError(where, tooLarge(`${data.length} octets`, maxBytes));
    return data;
  }
  if (entry.method !== 8) throw new SourceError(where, `méthode de compression ${entry.method} non prise en charge pour "${entry.name}"`);
  return inflateWithLimit(data, maxBytes, where, entry.name);
}

/** Inflates chunk by chunk and stops as soon as the output passes the limit, before it can fill the memory. */
function inflateWithLimit(data: Uint8Array, maxBytes: number, where: { source: string; file: string }, name: string): Uint8Array {
  const chunks: Uint8Array[] = [];
  let total = 0;
  let exceeded = false;
  const inflater = new Inflate((chunk) => {
    total += chunk.length;
    if (total > maxBytes) exceeded = true;
    else chunks.push(chunk);
  });
  // Small input steps bound the overshoot: deflate expands at most ~1 000 times, so ~16 MB past the limit.
  const step = 16 * 1024;
  for (let i = 0; i < data.length && !exceeded; i += step) {
    inflater.push(data.subarray(i, i + step), i + step >= data.length);
  }
  if (exceeded) throw new SourceError(where, tooLarge(`plus de ${maxBytes} octets une fois décompressé ("${name}")`, maxBytes));
  const out = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.length;
  }
  return out;
}

function tooLarge(what: string, maxBytes: number): string {
  return `archive zip refusée : ${what}, au-delà de la limite de ${maxBytes} octets (bombe de décompression ?)`;
}

/** The end-of-central-directory record is within the last 64 KiB + 22 bytes (its comment is at most 64 KiB). */
function findEndOfCentralDirectory(view: DataView): number {
  const min = Math.max(0, view.byteLength - 22 - 0xffff);
  for (let i = view.byteLength - 22; i >= min; i--) if (view.getUint32(i, true) === 0x06054b50) return i;
  return -1;
}

/**
 * Reads a published text file that may come as is (a mirror's CSV) or zipped as the publisher ships it:
 * a zip is opened and its entry matching `entry` decoded, anything else is decoded directly.
 */
export async function readTextMaybeZipped(
  file: string,
  entry: string | RegExp,
  { source, maxBytes }: { source: string; maxBytes?: number }
): Promise<DecodedText & { entry: string | null }> {
  const bytes = new Uint8Array(await readFile(file));
  const name = path.basename(file);
  if (!isZip(bytes)) return { ...decodeText(bytes, { source, file: name }), entry: null };
  const found = readZipEntry(bytes, entry, { source, file: name, maxBytes });
  return { ...decodeText(found.bytes, { source, file: `${name}/${found.name}` }), entry: found.name };
}
