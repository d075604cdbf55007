import { strToU8, zipSync } from "fflate";
import { describe, expect, it } from "vitest";
import { SourceError } from "../loaders/io/errors.ts";
import { findZipEntries, isZip, listZipEntries, readZipEntry } from "../loaders/io/zip.ts";

const where = { source: "insee-rp", file: "base-cc-test_csv.zip" };

/** Writes `value` into a little-endian uint32 at `offset` of a copy of `bytes`. */
function patchUint32(bytes: Uint8Array, offset: number, value: number): Uint8Array {
  const copy = bytes.slice();
  new DataView(copy.buffer).setUint32(offset, value, true);
  return copy;
}

describe("readZipEntry", () => {
  const text = "CODGEO;P21_POP\n23096;12345.6\n";
  const archive = zipSync({
    "base-cc-test-2021.CSV": strToU8(text),
    "base-cc-test-2021-COM.CSV": strToU8("CODGEO;P21_POP\n97501;5974\n"),
    "meta_base-cc-test-2021.CSV": strToU8("COD_VAR;LIB_VAR\n")
  });

  it("reads an entry by name and by pattern", () => {
    expect(isZip(archive)).toBe(true);
    expect(isZip(strToU8(text))).toBe(false);
    expect(new TextDecoder().decode(readZipEntry(archive, "base-cc-test-2021.CSV", where).bytes)).toBe(text);
    const byPattern = readZipEntry(archive, /^base-cc-.*-\d{4}\.csv$/i, where);
    expect(byPattern.name).toBe("base-cc-test-2021.CSV");
    expect(findZipEntries(archive, /\.csv$/i, where)).toHaveLength(3);
  });

  it("round-trips a large entry inflated in several steps", () => {
    // 200 000 lines of varied text: far more than one 16 KiB input step once compressed.
    const lines = Array.from({ length: 200_000 }, (_, i) => `${String(i).padStart(5, "0")};${(i * 7919) % 100_003}`);
    const big = strToU8(lines.join("\n"));
    const read = readZipEntry(zipSync({ "big.csv": big }), "big.csv", where).bytes;
    expect(read.length).toBe(big.length);
    expect(Buffer.from(read).equals(Buffer.from(big))).toBe(true);
  });

  it("names the file and lists the content when the entry is missing", () => {
    expect(() => readZipEntry(archive, "absent.csv", where)).toThrow(/absent\.csv absent de l'archive zip.*base-cc-test-2021\.CSV.*fichier base-cc-test_csv\.zip/);
  });

  it("refuses entries whose path escapes the folder", () => {
    for (const name of ["../evil.csv", "data/../../evil.csv", "/etc/passwd", "C:/evil.csv", "a\\..\\..\\evil.csv"]) {
      const bad = zipSync({ [name]: strToU8("x") });
      expect(() => listZipEntries(bad, where), name).toThrow(SourceError);
      expect(() => readZipEntry(bad, /evil|passwd/, where), name).toThrow(/chemin sort du dossier/);
    }
  });

  it("refuses a bomb that expands past the limit while inflating", () => {
    const bomb = zipSync({ "bomb.csv": new Uint8Array(5_000_000) }, { level: 9 });
    expect(bomb.length).toBeLessThan(20_000); // highly compressible: ~1 000 times smaller
    expect(() => readZipEntry(bomb, "bomb.csv", { ...where, maxBytes: 1_000_000 })).toThrow(/déclarés, au-delà de la limite de 1000000 octets/);
    // Same archive lying about its size in the central directory: caught while inflating.
    const entrySizeOffset = findCentralDirectory(bomb) + 24;
    const liar = patchUint32(bomb, entrySizeOffset, 100);
    expect(listZipEntries(liar, where)[0].declaredSize).toBe(100);
    expect(() => readZipEntry(liar, "bomb.csv", { ...where, maxBytes: 1_000_000 })).toThrow(/plus de 1000000 octets une fois décompressé/);
    // Under a generous limit the same archive reads fine.
    expect(readZipEntry(bomb, "bomb.csv", { ...where, maxBytes: 10_000_000 }).bytes.length).toBe(5_000_000);
  });

  it("refuses a truncated archive naming the file", () => {
    expect(() => readZipEntry(archive.subarray(0, archive.length - 30), /csv/i, where)).toThrow(/répertoire central introuvable.*base-cc-test_csv\.zip/);
  });
});

function findCentralDirectory(bytes: Uint8Array): number {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (let i = 0; i < bytes.length - 4; i++) if (view.getUint32(i, true) === 0x02014b50) return i;
  throw new Error("no central directory");
}
