import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { inflateSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { dateCatalogue, nombre, points, pourcent } from "../../loaders/outputs/document/format.ts";
import { assessLever, boundary, closedLevers, leversFor, leverStatus, readLevers, type Lever, type TerritoryFacts } from "../../loaders/outputs/document/levers.ts";
import { classify, pathData, quantileBreaks, renderChoropleth, SharedGeometry, type MapCommune } from "../../loaders/outputs/document/map.ts";
import { escapeMarkdown, toMarkdown } from "../../loaders/outputs/document/markdown.ts";
import { Canvas, crc32 } from "../../loaders/outputs/document/raster.ts";
import { decideAxis, type Axis } from "../../loaders/outputs/document/rules.ts";
import { defaultLeversFile } from "../../loaders/outputs/document/index.ts";
import { tempDir } from "../helpers.ts";

const NBSP = "\u00a0";

describe("French formats", () => {
  it("writes numbers, shares and dates as a French document does", () => {
    expect(nombre(115527)).toBe(`115${NBSP}527`);
    expect(pourcent(0.2341)).toBe(`23,4${NBSP}%`);
    expect(pourcent(null)).toBe("n.d.");
    expect(points(-0.023)).toBe(`−2,3${NBSP}points`);
    expect(dateCatalogue("2019-07")).toBe("juillet 2019");
    expect(dateCatalogue("2021-06-30")).toBe("30 juin 2021");
  });
});

const facts = (overrides: Partial<TerritoryFacts> = {}): TerritoryFacts => ({ niveau: "epci", codeRegion: "75", qpv: false, frr: true, rural: true, rip: true, ...overrides });
const lever = (overrides: Partial<Lever>): Lever => ({
  id: "x", nom: "X", financeur: "État", montants: [], debut: null, fin: null, thematiques: [], eligibilite: { mode: "toutes", criteres: [] }, note: null, source: "doc", source_url: "https://example.org", date_confirmee: true, ...overrides
});

describe("funding levers", () => {
  it("reads the catalogue, every entry dated or explicitly undated", () => {
    const levers = readLevers(defaultLeversFile);
    expect(levers.length).toBeGreaterThanOrEqual(8);
    expect(levers.find((l) => l.id === "hubs-numerique-inclusif")).toMatchObject({ debut: "2020-11", fin: "2021-06" });
  });

  it("gives every lever of the catalogue its opening and closing dates and the source page that states them", () => {
    const raw = JSON.parse(readFileSync(defaultLeversFile, "utf8")).leviers as Record<string, unknown>[];
    for (const l of raw) {
      expect(typeof l.debut, String(l.id)).toBe("string");
      expect("fin" in l, String(l.id)).toBe(true);
      expect(typeof l.date_confirmee, String(l.id)).toBe("boolean");
      expect(String(l.source_url), String(l.id)).toMatch(/^https:\/\//);
      expect(String(l.source).length, String(l.id)).toBeGreaterThan(10);
    }
  });

  it("offers in a fiche only the levers open on the given date", () => {
    const levers = readLevers(defaultLeversFile);
    const open = (date: string) => leversFor(levers, ["proximite", "mediation", "gouvernance"], facts({ qpv: true }), new Date(date)).map((a) => a.lever.id);
    expect(open("2020-01-15")).toContain("fabriques-de-territoire");
    expect(open("2026-12-01")).not.toContain("fabriques-de-territoire");
    expect(open("2026-12-01")).toContain("label-conseiller-numerique");
    expect(open("2026-07-31")).not.toContain("label-conseiller-numerique");
    expect(closedLevers(levers, new Date("2026-12-01")).map((l) => l.id)).toEqual(
      expect.arrayContaining(["fabriques-de-territoire", "hubs-numerique-inclusif", "pass-numerique", "france-relance-inclusion", "fne-enveloppes-2024"])
    );
  });

  it("rejects an entry with a malformed date, naming it", () => {
    const file = path.join(tempDir(), "leviers.json");
    writeFileSync(file, JSON.stringify({ leviers: [lever({ id: "mauvais", debut: "2020", fin: "juin 2021" })] }));
    expect(() => readLevers(file)).toThrow(/date « fin » invalide pour le levier "mauvais"/);
  });

  it("ends a month or a year on its last day", () => {
    expect(boundary("2021-06", true).toISOString().slice(0, 10)).toBe("2021-06-30");
    expect(boundary("2021", true).toISOString().slice(0, 10)).toBe("2021-12-31");
    const hubs = lever({ debut: "2020-11", fin: "2021-06" });
    expect(leverStatus(hubs, new Date("2021-06-30T12:00:00Z"))).toBe("en cours");
    expect(leverStatus(hubs, new Date("2021-07-01T00:00:00Z"))).toBe("clos");
    expect(leverStatus(hubs, new Date("2020-10-31T00:00:00Z"))).toBe("à venir");
    expect(leverStatus(lever({}), new Date())).toBe("dates inconnues");
  });

  it("checks each criterion: met, failed, or unknown with the file that settles it", () => {
    const qpvOnly = lever({ eligibilite: { mode: "toutes", criteres: [{ critere: "qpv" }] } });
    expect(assessLever(qpvOnly, facts({ qpv: true }), new Date()).eligibility).toBe("eligible");
    expect(assessLever(qpvOnly, facts({ qpv: false }), new Date()).eligibility).toBe("non");
    const unknown = assessLever(qpvOnly, facts({ qpv: null }), new Date());
    expect(unknown.eligibility).toBe("inconnu");
    expect(unknown.criteria[0].officialFile).toMatch(/quartiers prioritaires de la politique de la ville 2024/);
    const either = lever({ eligibilite: { mode: "une", criteres: [{ critere: "qpv" }, { critere: "rural" }] } });
    expect(assessLever(either, facts({ qpv: false, rural: true }), new Date()).eligibility).toBe("eligible");
    expect(assessLever(either, facts({ qpv: false, rural: null }), new Date()).eligibility).toBe("inconnu");
    const region = lever({ eligibilite: { mode: "toutes", criteres: [{ critere: "regions", valeurs: ["32"] }] } });
    expect(assessLever(region, facts(), new Date()).eligibility).toBe("non");
    expect(assessLever(region, facts({ codeRegion: "32" }), new Date()).eligibility).toBe("eligible");
  });
});

describe("axis rules", () => {
  const axis = { id: "seniors", titre: "Seniors", declencheurs: [{ indicateur: "part_65_plus", operateur: ">", reference: "france", marge: 0.02 }] } as Axis;
  it("compares with France plus a margin, and leaves an unknown value unevaluated", () => {
    const france = { part_65_plus: 0.21 };
    expect(decideAxis(axis, { part_65_plus: 0.24 }, { france, region: null })).toMatchObject({ triggered: true, results: [{ met: true }] });
    expect(decideAxis(axis, { part_65_plus: 0.22 }, { france, region: null }).triggered).toBe(false);
    expect(decideAxis(axis, { part_65_plus: null }, { france, region: null }).results[0].met).toBe(null);
    expect(decideAxis(axis, { part_65_plus: 0.24 }, { france, region: null }).results[0].threshold).toBeCloseTo(0.23);
  });
});

describe("Markdown escaping", () => {
  it("turns markup from the data into text", () => {
    expect(escapeMarkdown("<script>alert(1)</script>")).toBe("\\<script\\>alert(1)\\</script\\>");
    expect(escapeMarkdown("[x](javascript:alert(1))")).toBe("\\[x\\](javascript:alert(1))");
    expect(escapeMarkdown("# titre")).toBe("\\# titre");
    expect(escapeMarkdown("1. liste")).toBe("1\\. liste");
    expect(escapeMarkdown("- tiret")).toBe("\\- tiret");
    expect(escapeMarkdown("a | b *c* _d_ `e` &amp;")).toBe("a \\| b \\*c\\* \\_d\\_ \\`e\\` \\&amp;");
  });

  it("escapes table cells and headings", () => {
    const md = toMarkdown({
      title: "t",
      subject: "s",
      blocks: [
        { kind: "heading", level: 1, text: "<b>titre</b>" },
        { kind: "table", headers: ["Nom"], rows: [["a|b <img src=x onerror=alert(1)>"]] }
      ]
    });
    expect(md).toContain("## \\<b\\>titre\\</b\\>");
    expect(md).toContain("| a\\|b \\<img src=x onerror=alert(1)\\> |");
  });
});

describe("map rasteriser", () => {
  it("classifies values and computes quantile breaks", () => {
    // d3 quantiles: 1 + p × 9 for p = 0.2, 0.4, 0.6, 0.8.
    expect(quantileBreaks([1, 2, 3, 4, 5, 6, 7, 8, 9, 10])).toEqual([2.8, 4.6, 6.4, 8.2]);
    expect([classify(1, [2, 4]), classify(3, [2, 4]), classify(9, [2, 4]), classify(null, [2, 4])]).toEqual([0, 1, 2, null]);
  });

  it("draws overseas départements as insets beside metropolitan France, which fills the main frame", () => {
    const square = (lon: number, lat: number, d = 0.3) => JSON.stringify({ type: "Polygon", coordinates: [[[lon, lat], [lon + d, lat], [lon + d, lat + d], [lon, lat + d], [lon, lat]]] });
    const communes: MapCommune[] = [
      { code: "23001", nom: "Creuse", value: 1, lon: null, lat: null, weight: 1, highlighted: false },
      { code: "59001", nom: "Nord", value: 2, lon: null, lat: null, weight: 1, highlighted: false },
      { code: "97411", nom: "Saint-Denis", value: 3, lon: null, lat: null, weight: 1, highlighted: false }
    ];
    const contours = new Map([["23001", square(2, 46)], ["59001", square(3, 50.5)], ["97411", square(55.4, -21)]]);
    const map = renderChoropleth(communes, contours, { breaks: [1.5, 2.5], labels: ["a", "b", "c"], title: "t", width: 600 })!;
    const boxes = [...map.svg.matchAll(/<path d="([^"]+)" fill/g)].map((m) => {
      const xs = absolutePoints(m[1]).map(([x]) => x);
      return [Math.min(...xs), Math.max(...xs)];
    });
    // Metropolitan communes right of the inset column (20 % of the width), La Réunion inside it and labelled.
    expect(boxes[0][0]).toBeGreaterThan(120);
    expect(boxes[1][0]).toBeGreaterThan(120);
    expect(boxes[2][1]).toBeLessThanOrEqual(120);
    expect(boxes[2][1] - boxes[2][0]).toBeGreaterThan(20);
    expect(map.svg).toContain(">La Réunion</text>");
    // A second map of the same communes drawn from the geometry the first one computed is the same drawing.
    const shared = new SharedGeometry();
    const options = { breaks: [1.5, 2.5], labels: ["a", "b", "c"], title: "t", width: 600, shared };
    renderChoropleth(communes.map((c) => ({ ...c, value: 3 - c.value! })), contours, options);
    const again = renderChoropleth(communes, contours, options)!;
    expect(shared.entry).not.toBeNull();
    expect(again.svg).toBe(map.svg);
    expect(Buffer.from(again.png).equals(Buffer.from(map.png))).toBe(true);
  });

  it("writes outlines as steps between points rounded to the pixel, dropping points that round onto the one before", () => {
    const rings: [number, number][][] = [
      [[12.34, 5.06], [12.26, 5.14], [15, 5.04], [15.04, 9.96], [9.95, -0.24], [12.34, 5.06]],
      [[100, 200], [99.5, 200.5], [100, 200]]
    ];
    const d = pathData(rings);
    expect(d).toBe("M12,5l3,0,0,5-5-10,2,5zM100,200l0,1,0-1z");
    // The points the path leads to are the absolute form's, each rounded to the pixel, without the repeated one.
    const rounded = rings.flatMap((ring) => ring.map(([x, y]) => [Math.round(x) + 0, Math.round(y) + 0]).filter((p, i, all) => i === 0 || p[0] !== all[i - 1][0] || p[1] !== all[i - 1][1]));
    expect(absolutePoints(d)).toEqual(rounded);
  });

  it("averages the supersampled pixels of a block, and hands a blank grid to the next canvas", () => {
    const canvas = new Canvas(2, 1, ["#000000"], 3);
    // Half a pixel wide: 1.5 supersampled columns, whose centres at 0.5 and 1.5 are covered: 6 black cells of 9.
    canvas.fillPolygon([[[0, 0], [0.5, 0], [0.5, 1], [0, 1]]], 0);
    const first = pixels(canvas.toPng(), 2);
    expect(first(0, 0)).toEqual([85, 85, 85]); // round(255 × 3 / 9)
    expect(first(1, 0)).toEqual([255, 255, 255]);
    canvas.dispose();
    const next = new Canvas(2, 1, ["#000000"], 3);
    expect(pixels(next.toPng(), 2)(0, 0)).toEqual([255, 255, 255]);
    next.dispose();
  });

  it("averages blocks four at a time where the grid allows it, to the same pixels as one by one", () => {
    // The same drawing on a canvas 12 pixels wide (rows on word boundaries: four blocks at a time) and 13 wide (one by one).
    const draw = (width: number) => {
      const canvas = new Canvas(width, 6, ["#1b9e77", "#d95f02", "#7570b3"], 3);
      canvas.fillPolygon([[[8, 0], [12, 0], [12, 6], [8, 6]]], 1);
      canvas.fillPolygon([[[0.4, 0.2], [7.6, 0.9], [6.1, 5.7], [1.3, 4.8]], [[3, 2], [5, 2.5], [4, 4]]], 0);
      canvas.fillPolygon([[[4.5, 0], [8, 0], [8, 2.2]]], 1);
      canvas.strokeRing([[0.4, 0.2], [7.6, 0.9], [6.1, 5.7], [1.3, 4.8], [0.4, 0.2]], 2);
      canvas.strokeRing([[0, 5.5], [7, 3.1]], 2, 4);
      const read = pixels(canvas.toPng(), width);
      canvas.dispose();
      return Array.from({ length: 6 }, (_, y) => Array.from({ length: 12 }, (_, x) => read(x, y)));
    };
    const byWords = draw(12);
    expect(byWords).toEqual(draw(13));
    // Runs of four blocks of one colour (the rectangle), blocks of one colour alone and mixed blocks (the edges).
    expect(byWords.map((row) => row.slice(8))).toEqual(Array.from({ length: 6 }, () => Array.from({ length: 4 }, () => [0xd9, 0x5f, 0x02])));
    expect(byWords.flat()).toContainEqual([0x1b, 0x9e, 0x77]);
    expect(new Set(byWords.flat().map(String)).size).toBeGreaterThan(8);
  });

  it("fills a polygon and writes a valid PNG", () => {
    const canvas = new Canvas(10, 10, ["#ff0000"], 1);
    canvas.fillPolygon([[[2, 2], [8, 2], [8, 8], [2, 8]]], 0);
    const png = canvas.toPng();
    expect([...png.subarray(0, 8)]).toEqual([137, 80, 78, 71, 13, 10, 26, 10]);
    const view = new DataView(png.buffer, png.byteOffset);
    const idatLength = view.getUint32(33);
    expect(String.fromCharCode(...png.subarray(37, 41))).toBe("IDAT");
    expect(view.getUint32(41 + idatLength)).toBe(crc32(png.subarray(37, 41 + idatLength)));
    const raw = inflateSync(png.subarray(41, 41 + idatLength));
    const pixel = (x: number, y: number) => [...raw.subarray(y * 31 + 1 + x * 3, y * 31 + 4 + x * 3)];
    expect(pixel(5, 5)).toEqual([255, 0, 0]);
    expect(pixel(0, 0)).toEqual([255, 255, 255]);
    expect(pixel(9, 9)).toEqual([255, 255, 255]);
  });
});

/**
 * The points of path data made of `M x,y` (pairs after it absolute too), `l dx,dy` (pairs after it relative too) and
 * `z` commands, as an SVG reader places them, rounded to the tenth.
 */
function absolutePoints(d: string): [number, number][] {
  const points: [number, number][] = [];
  for (const [, command, numbers] of d.matchAll(/([Mlz])([^Mlz]*)/g)) {
    const values = [...numbers.matchAll(/-?\d+(?:\.\d+)?/g)].map((n) => Number(n[0]));
    for (let i = 0; i + 1 < values.length; i += 2) {
      const [x0, y0] = command === "M" ? [0, 0] : points[points.length - 1];
      points.push([Math.round((x0 + values[i]) * 10) / 10, Math.round((y0 + values[i + 1]) * 10) / 10]);
    }
  }
  return points;
}

/** The RGB pixel at (x, y) of a PNG written by `Canvas.toPng` (one IDAT chunk, filter 0). */
function pixels(png: Uint8Array, width: number): (x: number, y: number) => number[] {
  const view = new DataView(png.buffer, png.byteOffset);
  const raw = inflateSync(png.subarray(41, 41 + view.getUint32(33)));
  return (x, y) => [...raw.subarray(y * (width * 3 + 1) + 1 + x * 3, y * (width * 3 + 1) + 4 + x * 3)];
}
