import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { expect, it } from "vitest";
import { pageWeights } from "../bench/page-weight.ts";
import { tempDir } from "./helpers.ts";

it("weighs a built page from its HTML, the code it preloads and the data it registers", async () => {
  const dir = tempDir();
  mkdirSync(path.join(dir, "_observablehq"));
  writeFileSync(path.join(dir, "_observablehq", "client.js"), "x".repeat(1000));
  const html =
    '<link rel="modulepreload" href="./_observablehq/client.js">' +
    'registerFile("./data/a.json", {"name":"./data/a.json","path":"./_file/data/a.json","size":2048})\n' +
    'registerFile("./data/b.json", {"name":"./data/b.json","path":"./_file/data/b.json","size":100})';
  writeFileSync(path.join(dir, "index.html"), html);
  const [weight] = await pageWeights(dir);
  expect(weight).toEqual({ page: "index.html", htmlBytes: html.length, codeBytes: 1000, dataBytes: 2148, totalBytes: html.length + 3148 });
});

it("weighs the pages of a département's folder, whose links go up to the site's root", async () => {
  const dir = tempDir();
  mkdirSync(path.join(dir, "_node"));
  mkdirSync(path.join(dir, "23", "communes"), { recursive: true });
  writeFileSync(path.join(dir, "_node", "d3.js"), "x".repeat(500));
  const html = '<link rel="modulepreload" href="../../_node/d3.js">registerFile("./data/c.json", {"size":300})';
  writeFileSync(path.join(dir, "23", "communes", "fiche.html"), html);
  writeFileSync(path.join(dir, "_node", "ignored.html"), "not a page");
  expect(await pageWeights(dir)).toEqual([{ page: path.join("23", "communes", "fiche.html"), htmlBytes: html.length, codeBytes: 500, dataBytes: 300, totalBytes: html.length + 800 }]);
});
