import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { projectRoot } from "../loaders/io/paths.ts";

/**
 * The layout is the flow: raw files → parse (io) → DuckDB (ingest) → indicators (diagnostic) → outputs, driven by
 * the CLI, with the diagnostic's rules in a pure core (src/lib) that the pipeline and the browser share. These
 * tests read the import graph and the docs, so that a module importing from a later stage, a rule written twice
 * or a module the architecture page names but nobody wrote fails the suite.
 */

/** Stages in flow order; a module may import from its own stage or an earlier one. */
const stages: { prefix: string; rank: number }[] = [
  { prefix: "src/lib/", rank: 0 },
  { prefix: "loaders/io/", rank: 1 },
  { prefix: "loaders/ingest/", rank: 2 },
  { prefix: "loaders/diagnostic/", rank: 3 },
  { prefix: "loaders/outputs/", rank: 4 },
  // The site's Framework data loaders run the outputs' payloads.
  { prefix: "src/data/", rank: 4 },
  { prefix: "loaders/cli/", rank: 5 }
];

function stageOf(file: string): { prefix: string; rank: number } | null {
  return stages.find((s) => file.startsWith(s.prefix)) ?? null;
}

function listFiles(dir: string, pattern: RegExp): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(path.join(projectRoot, dir), { withFileTypes: true })) {
    const rel = path.posix.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...listFiles(rel, pattern));
    else if (pattern.test(entry.name) && !entry.name.endsWith(".d.ts")) out.push(rel);
  }
  return out;
}

/** Module specifiers of every static import, re-export and dynamic import of a source text. */
export function importSpecifiers(source: string): string[] {
  const specifiers: string[] = [];
  const patterns = [/\b(?:import|export)\s[^;]*?\sfrom\s*["']([^"']+)["']/g, /\bimport\s*["']([^"']+)["']/g, /\bimport\(\s*["']([^"']+)["']\s*\)/g];
  for (const pattern of patterns) for (const match of source.matchAll(pattern)) specifiers.push(match[1]);
  return specifiers;
}

/** The project file a relative specifier points to (`.js` resolves to the `.ts` beside it, as tsx and Framework do). */
function resolveRelative(from: string, specifier: string): string {
  const target = path.posix.normalize(path.posix.join(path.posix.dirname(from), specifier));
  return target.endsWith(".js") && !existsSync(path.join(projectRoot, target)) ? target.replace(/\.js$/, ".ts") : target;
}

const sourceFiles = [...listFiles("loaders", /\.ts$/), ...listFiles("src", /\.ts$/)];
/** Modules and pages: a page's code blocks could define a rule too. */
const codeFiles = [...sourceFiles, ...listFiles("src", /\.md$/), ...listFiles("loaders", /\.md$/)];

describe("import graph", () => {
  it("reads the imports of a module", () => {
    expect(importSpecifiers(`import a from "./a.ts";\nimport type { B } from "../b.ts";\nexport { c } from "./c.js";\nimport "./d.css";\nconst e = await import("./e.ts");`))
      .toEqual(["./a.ts", "../b.ts", "./c.js", "./d.css", "./e.ts"]);
  });

  it("never imports from a later stage", () => {
    expect(sourceFiles.length).toBeGreaterThan(80);
    const violations: string[] = [];
    for (const file of sourceFiles) {
      const stage = stageOf(file);
      const text = readFileSync(path.join(projectRoot, file), "utf8");
      for (const specifier of importSpecifiers(text)) {
        if (!specifier.startsWith(".")) continue;
        const target = resolveRelative(file, specifier);
        const targetStage = stageOf(target);
        if (file.startsWith("src/components/") && !(target.startsWith("src/components/") || target.startsWith("src/lib/"))) {
          violations.push(`${file} → ${target} (le code du navigateur n'importe que src/components et src/lib)`);
        } else if (stage && targetStage && targetStage.rank > stage.rank) {
          violations.push(`${file} → ${target} (${stage.prefix} avant ${targetStage.prefix})`);
        }
      }
    }
    expect(violations).toEqual([]);
  });

  it("keeps the core pure: no Node module, no package, no DOM, nothing outside src/lib", () => {
    const core = sourceFiles.filter((f) => f.startsWith("src/lib/"));
    expect(core.length).toBeGreaterThanOrEqual(6);
    const violations: string[] = [];
    for (const file of core) {
      const text = readFileSync(path.join(projectRoot, file), "utf8");
      for (const specifier of importSpecifiers(text)) {
        if (!specifier.startsWith(".") || !resolveRelative(file, specifier).startsWith("src/lib/")) violations.push(`${file} importe "${specifier}"`);
      }
      const code = text.replace(/\/\*[\s\S]*?\*\/|\/\/.*$/gm, "");
      for (const global of code.match(/\b(document|window|navigator|process|Buffer|HTMLElement|localStorage|require)\b/g) ?? []) violations.push(`${file} utilise ${global}`);
    }
    expect(violations).toEqual([]);
  });
});

describe("one definition of each rule", () => {
  // A definition: `function name` or `const name =`; looked for in every module of loaders/ and src/.
  const definitions = (pattern: RegExp) =>
    codeFiles.flatMap((file) => {
      const text = readFileSync(path.join(projectRoot, file), "utf8");
      return [...text.matchAll(pattern)].map(() => file);
    });

  it.each([
    ["the haversine distance", /\b(?:function|const|let)\s+\w*haversine\w*/gi],
    ["the Earth radius", /\b6371(?:\.\d+)?\b/g],
    ["Spearman's rho", /\b(?:function|const|let)\s+\w*spearman\w*\s*[(=<]/gi],
    ["the ranking rule", /\b(?:function|const|let)\s+rankDescending\s*[(=<]/g],
    ["the itinerant planner", /\b(?:function|const|let)\s+plan\w*(?:Stops|Itinerance)\w*\s*[(=<]/gi],
    ["the fragility index", /\b(?:function|const|let)\s+(?:fragilityIndex|weightedIndex)\s*[(=<]/g],
    ["the priority score", /\b(?:function|const|let)\s+priorityScore\s*[(=<]/g]
  ])("%s is defined once, in the core", (_name, pattern) => {
    const files = definitions(pattern);
    expect(new Set(files).size).toBe(1);
    expect(files[0]).toMatch(/^src\/lib\/diagnostic\//);
  });

  it("ranks only in the core (every rank* function lives there)", () => {
    expect(new Set(definitions(/\bfunction\s+rank\w*\s*[(<]|\bconst\s+rank\w*\s*=\s*(?:async\s*)?\(/g)).size).toBeGreaterThan(0);
    expect([...new Set(definitions(/\bfunction\s+rank\w*\s*[(<]|\bconst\s+rank\w*\s*=\s*(?:async\s*)?\(/g))].filter((f) => !f.startsWith("src/lib/diagnostic/"))).toEqual([]);
  });

  it("spells the library stop one way, in the core", () => {
    // The stop type's code is `bibliotheque` (plan_itinerance.type_arret); French text says « bibliothèque ».
    const code = /["'`]bibliotheque["'`:]|\b(?:type|kind|type_arret)\s*(?::|===?)\s*["'`]biblioth[eè]que/;
    const spellings = codeFiles.filter((file) => code.test(readFileSync(path.join(projectRoot, file), "utf8")));
    expect(spellings).toEqual(["src/lib/diagnostic/planner.ts"]);
  });
});

describe("docs/architecture.md", () => {
  it("names only modules that exist", () => {
    const text = readFileSync(path.join(projectRoot, "docs", "architecture.md"), "utf8");
    const named = [...new Set([...text.matchAll(/\b((?:loaders|src)\/[\w./\-[\]*{},]+)/g)].map((m) => m[1].replace(/[.,)]+$/, "")))];
    expect(named.length).toBeGreaterThan(10);
    const expand = (p: string): string[] => {
      const brace = p.match(/\{([^}]+)\}/);
      return brace ? brace[1].split(",").flatMap((part) => expand(p.replace(brace[0], part))) : [p];
    };
    const missing = named.flatMap(expand).filter((p) => !p.includes("*") && !existsSync(path.join(projectRoot, p.replace(/\/$/, ""))));
    expect(missing).toEqual([]);
  });
});
