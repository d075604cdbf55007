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
