import { describe, expect, it } from "vitest";
import { frenchHtml, loadedUrls } from "../../loaders/outputs/site/html.ts";
import { dynamicPagePaths, entryTarget, readSiteShape, shapeEnv, sidebarPages } from "../../loaders/outputs/site/pages.ts";
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { markPrecomputed } from "../../loaders/outputs/site/precompute.ts";
import { dataEnv, handOver, precomputedFile, routeParam } from "../../loaders/outputs/site/precomputed.mjs";
import { tempDir } from "../helpers.ts";

/** The site's routes and the one place that reads or edits Framework's output, without building anything. */
describe("routes", () => {
  const creuse = { code: "23", nom: "Creuse" };
  const aquitaine = { code: "75", nom: "Nouvelle-Aquitaine" };

  it("lists each département's pages and fiche page, and each région's page, for Framework's dynamicPaths", () => {
    const shape = readSiteShape(shapeEnv({ departements: [creuse], regions: [aquitaine], entry: { niveau: "france" } }));
    const paths = dynamicPagePaths(shape);
    expect(paths).toHaveLength(9 + 1 + 1);
    expect(paths).toContain("/23/communes/fiche");
    expect(paths).toContain("/23/communes/index");
    expect(paths).toContain("/regions/75/index");
    expect(sidebarPages(shape)).toEqual([]);
  });

  it("opens a site of one département or one région on its page, with the département's sidebar", () => {
    const one = readSiteShape(shapeEnv({ departements: [creuse], regions: [], entry: { niveau: "departement", code: "23" } }));
    expect(entryTarget(one.entry)).toBe("./23/index.html");
    expect(sidebarPages(one).map((p) => p.path)).toEqual(["/23/index", "/23/publics", "/23/connectivite", "/23/offre", "/23/priorites", "/23/epci", "/23/communes/", "/23/methode", "/23/exports"]);
    const region = readSiteShape(shapeEnv({ departements: [creuse], regions: [aquitaine], entry: { niveau: "region", code: "75" } }));
    expect(entryTarget(region.entry)).toBe("./regions/75/index.html");
    // An entry that names nothing built falls back to the national page.
    expect(readSiteShape({ SDIN_SITE_DEPTS: JSON.stringify([creuse]), SDIN_SITE_ENTRY: "region:76" }).entry).toEqual({ niveau: "france" });
  });

  it("refuses a code that would become a path", () => {
    expect(() => readSiteShape({ SDIN_SITE_DEPTS: JSON.stringify([{ code: "../23", nom: "x" }]) })).toThrow('code de département invalide : "../23"');
    expect(routeParam("dept", /^(\d{2}|2A|2B|97\d)$/, ["node", "loader", "--dept=2A"])).toBe("2A");
    expect(() => routeParam("dept", /^(\d{2}|2A|2B|97\d)$/, ["node", "loader", "--dept=../../etc"])).toThrow('paramètre --dept invalide ou absent : "../../etc"');
  });

  it("finds what a page loads, not what it shows or links to", () => {
    const html =
      '<html><head><link rel="modulepreload" href="./_observablehq/client.js"><link rel="stylesheet" href="https://fonts.googleapis.com/css">' +
      '<script type="module">import {define} from "./_observablehq/client.js";\nimport("https://cdn.jsdelivr.net/npm/d3/+esm");</script></head>' +
      '<body><a href="https://storage.googleapis.com/planning.pdf">planning</a><p>Horaires : voir storage.googleapis.com</p><img src="//tiles.example.org/1.png"></body></html>';
    expect(loadedUrls(html, "html")).toEqual(["./_observablehq/client.js", "https://fonts.googleapis.com/css", "//tiles.example.org/1.png", "./_observablehq/client.js", "https://cdn.jsdelivr.net/npm/d3/+esm"]);
    expect(loadedUrls('export {a} from "./a.js"; const s = "https://www.w3.org/2000/svg";', "js")).toEqual(["./a.js"]);
    expect(loadedUrls('@import "https://fonts.googleapis.com/x.css"; body { background: url(./fond.png) }', "css")).toEqual(["./fond.png", "https://fonts.googleapis.com/x.css"]);
  });

  it("writes the language Framework 1.13 cannot set", () => {
    expect(frenchHtml('<!DOCTYPE html>\n<html>\n<head>')).toBe('<!DOCTYPE html>\n<html lang="fr">\n<head>');
  });

  it("keeps each computed file where its loader looks for it, and fails with the computation's own message", async () => {
    const root = tempDir();
    expect(precomputedFile(root, { kind: "departement", code: "2A" })).toBe(path.join(root, "departements", "2A", "data.zip"));
    expect(precomputedFile(root, { kind: "region", code: "94" })).toBe(path.join(root, "regions", "94", "data.zip"));
    expect(precomputedFile(root, { kind: "national", name: "provenance.json" })).toBe(path.join(root, "provenance.json"));
    const before = process.env[dataEnv];
    try {
      delete process.env[dataEnv];
      await expect(handOver({ kind: "national", name: "provenance.json" })).rejects.toThrow("variable SDIN_SITE_DATA absente : construisez le site avec « sdin build »");
      process.env[dataEnv] = root;
      await markPrecomputed(root, { ready: false, message: "table diagnostic_sources absente" });
      await expect(handOver({ kind: "national", name: "provenance.json" })).rejects.toThrow("calcul des données du site en échec : table diagnostic_sources absente");
      await markPrecomputed(root, { ready: true });
      await expect(handOver({ kind: "departement", code: "23" })).rejects.toThrow(`fichier de données absent : ${path.join(root, "departements", "23", "data.zip")}`);
      mkdirSync(path.join(root, "departements", "23"), { recursive: true });
      writeFileSync(path.join(root, "departements", "23", "data.zip"), "");
      await expect(handOver({ kind: "departement", code: "23" })).resolves.toBeUndefined();
    } finally {
      if (before === undefined) delete process.env[dataEnv];
      else process.env[dataEnv] = before;
    }
  });
});
