import { mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import path from "node:path";
import { mirrorDir } from "../helpers.ts";
import { faultDir } from "./tmp.ts";

/**
 * A temporary mirror: every folder of the shared mirror linked (never copied), except the files replaced by a
 * broken variant, written in a real folder whose other files are linked in turn.
 */
export function tempMirror(replaced: Record<string, string | Uint8Array> = {}): string {
  const dir = faultDir("sdin-fault-mirror-");
  const touched = new Set(Object.keys(replaced).map((p) => p.split("/")[0]));
  for (const entry of readdirSync(mirrorDir)) {
    if (!touched.has(entry)) symlinkSync(path.join(mirrorDir, entry), path.join(dir, entry));
  }
  for (const folder of touched) {
    mkdirSync(path.join(dir, folder), { recursive: true });
    const original = path.join(mirrorDir, folder);
    let names: string[] = [];
    try {
      names = readdirSync(original);
    } catch {
      // a folder the shared mirror does not have (a resource only production has)
    }
    for (const name of names) {
      if (!(`${folder}/${name}` in replaced)) symlinkSync(path.join(original, name), path.join(dir, folder, name));
    }
  }
  for (const [file, content] of Object.entries(replaced)) {
    mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
    writeFileSync(path.join(dir, file), content);
  }
  return dir;
}

/** A mirror file's bytes. */
export function mirrorBytes(file: string): Buffer {
  return readFileSync(path.join(mirrorDir, file));
}

/** A mirror file's text (UTF-8). */
export function mirrorText(file: string): string {
  return mirrorBytes(file).toString("utf8");
}

/** Encodes text as ISO-8859-1 (every character must be in Latin-1). */
export function latin1(text: string): Buffer {
  return Buffer.from(text, "latin1");
}

/** Windows-1252 bytes above 0x7f that are not Latin-1 (the characters French files use: ’ œ – € …). */
const CP1252: Record<string, number> = {
  "€": 0x80, "‚": 0x82, "„": 0x84, "…": 0x85, "‘": 0x91, "’": 0x92, "“": 0x93, "”": 0x94, "–": 0x96, "—": 0x97,
  "œ": 0x9c, "Œ": 0x8c, "Ÿ": 0x9f
};

/** Encodes text as Windows-1252, as spreadsheets save "CSV (séparateur : point-virgule)"; fails on a character it cannot hold. */
export function windows1252(text: string): Buffer {
  const bytes = Buffer.alloc(text.length);
  let i = 0;
  for (const c of text) {
    const code = c.charCodeAt(0);
    const byte = code < 0x80 || (code >= 0xa0 && code <= 0xff) ? code : CP1252[c];
    if (byte === undefined) throw new Error(`character ${JSON.stringify(c)} has no Windows-1252 byte`);
    bytes[i++] = byte;
  }
  return bytes.subarray(0, i);
}
