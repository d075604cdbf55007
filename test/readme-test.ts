import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { projectRoot } from "../loaders/io/paths.ts";
import { sources } from "../loaders/ingest/sources/index.ts";
import { sourcesMarkdown, withSourcesTable } from "../loaders/cli/sources-doc.ts";

describe("README", () => {
  it("lists every source with its URL, vintage and licence, as the code declares them", () => {
    const readme = readFileSync(path.join(projectRoot, "README.md"), "utf8");
    // regenerate with: node bin/sdin.js sources --readme README.md
    expect(withSourcesTable(readme, sourcesMarkdown(sources))).toBe(readme);
    for (const source of sources) for (const resource of source.resources) expect(readme).toContain(resource.url);
  });
});
