import { strToU8, zipSync } from "fflate";
import { describe, expect } from "vitest";
import { CogIndex } from "../../loaders/ingest/cog.ts";
import { SourceError } from "../../loaders/io/errors.ts";
import { Ledger } from "../../loaders/io/ledger.ts";
import { filosofi, parseFilosofiCommunes } from "../../loaders/ingest/sources/filosofi.ts";
import { readTextMaybeZipped, readZipEntry } from "../../loaders/io/zip.ts";
import { writeFileSync } from "node:fs";
import path from "node:path";
import { faultDir } from "./tmp.ts";
import { decodeText } from "../../loaders/io/text.ts";
import { latin1 } from "./mirror.ts";
import { counted, fault } from "./harness.ts";
import { mirrorText, tempMirror } from "./mirror.ts";
import { expectRefused, located } from "./pipeline.ts";

/**
 * Filosofi: `;`, decimal commas, `s` for statistical secrecy; INSEE ships it zipped, so the zip reader's faults
 * are fed through this loader (a mirror may hold the zip under the CSV's name).
 */
const FILE = "insee-filosofi-2021/cc_filosofi_2021_COM.csv";
const NAME = "cc_filosofi_2021_COM.csv";
const where = { source: "filosofi", file: NAME };
const original = mirrorText(FILE);
const [HEADER] = original.split("\n", 1);
const gueret = original.split("\n").find((l) => l.startsWith("23096;"))!;
/** Current communes of the small files below, and Saint-Maixant (23023) merged into 23149 on 2025-01-01. */
const cog = new CogIndex(["23096", "23001", "23002", "23003", "23149"], [], [{ date: "2025-01-01", from: "23023", to: "23149", mod: "32" }]);

/** A Filosofi row: code, then the 27 other columns (`s` unless given). */
function row(code: string, values: Record<string, string> = {}): string {
  return HEADER.split(";").map((name, i) => (i === 0 ? code : values[name] ?? "s")).join(";");
}

function parse(lines: string[]) {
  const ledger = new Ledger("filosofi", NAME);
  const parsed = parseFilosofiCommunes([HEADER, ...lines].join("\n") + "\n", ledger, cog);
  return { ledger, parsed, byCode: new Map(parsed.rows.map((r) => [r.code_insee, r])) };
}

/** Writes `value` into the little-endian uint32 at `offset` of a copy of `bytes`. */
function patchUint32(bytes: Uint8Array, offset: number, value: number): Uint8Array {
  const copy = bytes.slice();
  new DataView(copy.buffer).setUint32(offset, value, true);
  return copy;
}

/** A zip whose only entry claims `declared` bytes once expanded (central directory and local header). */
function lyingZip(name: string, content: Uint8Array, declared: number): Uint8Array {
  const zip = zipSync({ [name]: content });
  const view = new DataView(zip.buffer);
  const eocd = zip.length - 22;
  const central = view.getUint32(eocd + 16, true);
  return patchUint32(patchUint32(zip, central + 24, declared), 22, declared);
}

describe("Filosofi (decimal commas, secrecy marks, zipped)", () => {
  fault("filosofi", "decimal commas, thousands spaces and secret or missing values (s, nd, -, empty)", () => {
    const { ledger, byCode } = parse([
      gueret,
      row("23001", { NBMENFISC21: "663", NBPERSMENFISC21: "1 265", MED21: "21 460,5", TP6021: "nd" }),
      row("23002", { NBMENFISC21: "", NBPERSMENFISC21: "-", MED21: "s" })
    ]);
    expect(byCode.get("23096")).toMatchObject({ nb_menages_fisc: 6541, nb_personnes_fisc: 11525, mediane_niveau_vie: 20830, taux_pauvrete: 21 });
    expect(byCode.get("23001")).toMatchObject({ nb_personnes_fisc: 1265, mediane_niveau_vie: 21460.5, taux_pauvrete: null });
    expect(byCode.get("23002")).toMatchObject({ nb_menages_fisc: null, nb_personnes_fisc: null, mediane_niveau_vie: null, taux_pauvrete: null });
    expect(ledger.quarantined).toEqual([]);
    return { outcome: "corrected", resources: [counted(ledger)] };
  });

  fault("filosofi", "a value that is not a number", () => {
    const { ledger, byCode } = parse([gueret, row("23001", { MED21: "21.460,5 €" })]);
    expect(ledger.quarantined).toEqual([{ ...where, line: 3, column: "MED21", value: "21.460,5 €", reason: "valeur numérique illisible" }]);
    expect(byCode.has("23001")).toBe(false);
    return { outcome: "quarantined", resources: [counted(ledger)] };
  });

  fault("filosofi", "duplicated key", () => {
    const { ledger, parsed } = parse([gueret, row("23001"), gueret]);
    expect(ledger.quarantined).toEqual([
      { ...where, line: 4, column: "CODGEO", value: "23096", reason: "code commune en double dans le fichier : seule la première ligne est chargée" }
    ]);
    expect(parsed.rows).toHaveLength(2);
    return { outcome: "quarantined", resources: [counted(ledger)] };
  });

  fault("filosofi", "INSEE code of a merged commune and an unknown code", () => {
    const { ledger, byCode } = parse([row("23023", { NBMENFISC21: "50" }), row("99999")]);
    expect(byCode.get("23149")?.nb_menages_fisc).toBe(50);
    expect(ledger.quarantined).toEqual([{ ...where, line: 3, column: "CODGEO", value: "99999", reason: "code commune absent du COG et de ses mouvements" }]);
    return { outcome: "quarantined", resources: [counted(ledger)] };
  });

  fault("filosofi", "median column renamed in a new vintage (MED21 → MEDIANE21)", async () => {
    const renamed = original.replace(";MED21;", ";MEDIANE21;");
    await expectRefused(tempMirror({ [FILE]: renamed }), [filosofi], /^colonne de la médiane du niveau de vie \(MEDaa\) introuvable/, { ...where, line: 1, column: "MEDaa" });
    return { outcome: "refused" };
  });

  fault("filosofi", "HTML error page where the zip or the CSV was expected", async () => {
    const file = path.join(faultDir(), NAME);
    writeFileSync(file, "<html>\n<head><title>Page introuvable</title></head>\n<body>Insee</body>\n</html>\n");
    const error = await readTextMaybeZipped(file, NAME, { source: "filosofi" }).then(() => null, (e: Error) => e);
    expect(error?.message).toBe(`page HTML reçue à la place des données (erreur du serveur ou lien périmé ?) — ${located({ ...where, line: 1 })}`);
    return { outcome: "refused" };
  });

  fault("filosofi", "ISO-8859-1 where UTF-8 was published, and UTF-8 where ISO-8859-1 was: both read as written", () => {
    const text = "CODGEO;LIBGEO\n23096;Guéret\n23061;Chénérailles\n";
    expect(decodeText(latin1(text), where)).toEqual({ text, encoding: "windows-1252" });
    expect(decodeText(Buffer.from(text, "utf8"), where)).toEqual({ text, encoding: "utf-8" });
    expect(decodeText(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), latin1(text)]), where).text).toBe(text);
    return { outcome: "loaded" };
  });

  fault("zip", "zip entry whose path escapes its folder (../)", async () => {
    const archive = zipSync({ "../../cc_filosofi_2021_COM.csv": strToU8(original.slice(0, 2000)) });
    await expectRefused(tempMirror({ [FILE]: archive }), [filosofi], /^entrée d'archive refusée, son chemin sort du dossier : "\.\.\/\.\.\/cc_filosofi_2021_COM\.csv"/, where);
    return { outcome: "refused" };
  });

  fault("zip", "zip entry with an absolute path or a drive letter", () => {
    for (const name of ["/etc/cc_filosofi_2021_COM.csv", "C:\\Windows\\cc_filosofi_2021_COM.csv", "data\\..\\..\\cc_filosofi_2021_COM.csv"]) {
      const error = catchError(() => readZipEntry(zipSync({ [name]: strToU8("x") }), NAME, where));
      expect(error?.message, name).toBe(`entrée d'archive refusée, son chemin sort du dossier : "${name}" — ${located(where)}`);
    }
    return { outcome: "refused" };
  });

  fault("zip", "zip that declares far more than a sane size (600 MB)", async () => {
    const archive = lyingZip(NAME, strToU8(original.slice(0, 5000)), 600 * 1024 * 1024);
    await expectRefused(tempMirror({ [FILE]: archive }), [filosofi], /^archive zip refusée : 629145600 octets déclarés, au-delà de la limite de 524288000 octets \(bombe de décompression \?\)/, where);
    return { outcome: "refused" };
  });

  fault("zip", "zip that lies about its size and expands far beyond the limit while inflating", () => {
    const zeros = new Uint8Array(8 * 1024 * 1024); // 8 MB of zeros: a few kB once deflated
    const archive = lyingZip(NAME, zeros, 1000);
    expect(archive.length).toBeLessThan(64 * 1024);
    const error = catchError(() => readZipEntry(archive, NAME, { ...where, maxBytes: 1024 * 1024 }));
    expect(error?.message).toBe(
      `archive zip refusée : plus de 1048576 octets une fois décompressé ("${NAME}"), au-delà de la limite de 1048576 octets (bombe de décompression ?) — ${located(where)}`
    );
    return { outcome: "refused" };
  });

  fault("zip", "zip cut short (download interrupted)", async () => {
    const archive = zipSync({ [NAME]: strToU8(original.slice(0, 50_000)) });
    await expectRefused(tempMirror({ [FILE]: archive.subarray(0, archive.length >> 1) }), [filosofi], /^archive zip illisible \(répertoire central introuvable/, where);
    return { outcome: "refused" };
  });
});

function catchError(run: () => unknown): SourceError | null {
  try {
    run();
    return null;
  } catch (error) {
    expect(error).toBeInstanceOf(SourceError);
    return error as SourceError;
  }
}
