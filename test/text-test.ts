import { describe, expect, it } from "vitest";
import { SourceError } from "../loaders/io/errors.ts";
import { decodeText, parseCsv } from "../loaders/io/text.ts";
import { normaliseCommuneCode, parseArcepCount, parseNumber } from "../loaders/io/values.ts";
import { ledger } from "./helpers.ts";

const where = { source: "essai", file: "essai.csv" };

describe("decoding published files", () => {
  it("reads UTF-8 with or without BOM and falls back to Windows-1252", () => {
    expect(decodeText(new TextEncoder().encode("\ufeffCODGEO;Libellé\n"), where)).toEqual({ text: "CODGEO;Libellé\n", encoding: "utf-8" });
    // "Libellé" in ISO-8859-1: é = 0xE9, not valid UTF-8
    const latin1 = Uint8Array.from([...Buffer.from("Libell", "latin1"), 0xe9]);
    expect(decodeText(latin1, where)).toEqual({ text: "Libellé", encoding: "windows-1252" });
  });

  it("refuses empty files and HTML pages, naming the file", () => {
    expect(() => decodeText(new Uint8Array(), where)).toThrow(/fichier vide — source essai, fichier essai.csv, ligne 1/);
    expect(() => decodeText(new TextEncoder().encode("<!DOCTYPE html><html><body>404</body></html>"), where)).toThrow(SourceError);
  });
});

describe("parsing CSV", () => {
  it("keeps line numbers across quoted line breaks and quarantines short rows", () => {
    const l = ledger();
    const text = 'a;b\n1;"x\ny"\n2;z\n3\n';
    const table = parseCsv(text, l, { delimiter: ";", required: ["a", "b"] });
    expect(table.rows).toEqual([
      { line: 2, values: { a: "1", b: "x\ny" } },
      { line: 4, values: { a: "2", b: "z" } }
    ]);
    expect(l.rowsIn).toBe(3);
    expect(l.quarantined).toEqual([
      { source: "test", file: "fichier.csv", line: 5, column: null, value: "3", reason: "ligne tronquée ou incomplète : 1 champs au lieu de 2" }
    ]);
  });

  it("numbers rows as the parser cut them: a quote inside a field opens no quoted section", () => {
    // `x"y` is read as the text x"y (a quote opens a quoted field only at its start), so each line is a row.
    const table = parseCsv('a;b\n1;x"y\n2;z"w\n3;ok\n', ledger(), { delimiter: ";" });
    expect(table.rows.map((r) => [r.line, r.values.b])).toEqual([[2, 'x"y'], [3, 'z"w'], [4, "ok"]]);
    // CRLF line ends, a blank line and a quoted line break in one file.
    const crlf = parseCsv('a,b\r\n1,"p\r\nq"\r\n\r\n2,r\r\n', ledger(), { delimiter: "," });
    expect(crlf.rows).toEqual([{ line: 2, values: { a: "1", b: "p\r\nq" } }, { line: 5, values: { a: "2", b: "r" } }]);
  });

  it("takes any header text as a column name, a repeated name keeping its last column", () => {
    // Names a file could hold: quotes, a backslash, braces, code-like text, an empty name, `__proto__`, a repeat.
    const names = ['a"b', "c\\d", "}; throw 1; {", "", "__proto__", "x", "x"];
    const text = names.map((n) => `"${n.replaceAll('"', '""')}"`).join(";") + "\n1;2;3;4;5;6;7\n";
    const [row] = parseCsv(text, ledger(), { delimiter: ";" }).rows;
    expect(Object.getPrototypeOf(row.values)).toBe(Object.prototype);
    expect(Object.entries(row.values)).toEqual([['a"b', "1"], ["c\\d", "2"], ["}; throw 1; {", "3"], ["", "4"], ["__proto__", "5"], ["x", "7"]]);
  });

  it("finds a header below title lines and names a missing column", () => {
    const text = "Titre\n\nNote\nCode commune,Locaux\n23096,8 984\n";
    expect(parseCsv(text, ledger(), { headerContains: "Code commune" }).rows[0]).toEqual({ line: 5, values: { "Code commune": "23096", Locaux: "8 984" } });
    expect(() => parseCsv("COM;PMUN_2023\n23096;1\n", ledger(), { required: ["PMUN"] })).toThrow(
      /colonne obligatoire absente \(colonne voisine trouvée : "PMUN_2023".*ligne 1, colonne "PMUN"/
    );
  });
});

describe("values", () => {
  it("reads French and English numbers and secrecy marks", () => {
    expect(parseNumber(" 8 262 ")).toBe(8262);
    expect(parseNumber("12,5")).toBe(12.5);
    expect(parseNumber("8724.0")).toBe(8724);
    expect(parseNumber("s")).toBeNull();
    expect(parseNumber("nd")).toBeNull();
    expect(parseNumber("abc")).toBeNaN();
    expect(parseArcepCount(" -    ")).toBe(0);
  });

  it("re-pads codes that lost their leading zero", () => {
    expect(normaliseCommuneCode("2315")).toBe("02315");
    expect(normaliseCommuneCode("2A004")).toBe("2A004");
    expect(normaliseCommuneCode('="02691"')).toBe("02691");
    expect(normaliseCommuneCode("abc")).toBeNull();
  });
});
