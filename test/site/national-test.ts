import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import type { AddressInfo } from "node:net";
import type { Server } from "node:http";
import path from "node:path";
import { chromium, type Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { readConfig } from "../../loaders/io/config.ts";
import { openDatabase, queryRows, withDatabase } from "../../loaders/io/db.ts";
import { projectRoot } from "../../loaders/io/paths.ts";
import { buildSite } from "../../loaders/outputs/site/build.ts";
import { serveStatic } from "../../loaders/outputs/site/serve.ts";
import { open, pointInCommune, seriousViolations } from "./browser.ts";

/**
 * The site of several départements, built in one run: Creuse and the Aisne with their commune outlines, and the
 * Haute-Vienne without (its outlines are removed from a copy of the suite's database, since the mirror now holds
 * every département's), under a national entry page; then every département of the suite's database, which must
 * build in bounded time with every page's data under 1 Mo.
 */

const chromiumPath = "/usr/bin/chromium";
const hasChromium = existsSync(chromiumPath);
const outputDir = path.join(projectRoot, "test", "output");

/** The data files a département's heaviest page (the fiche) reads, in bytes. */
function ficheDataBytes(site: string, code: string): number {
  const dir = path.join(site, "_file", code, "data");
  return readdirSync(dir)
    .filter((file) => /^(communes|carte|territoire|epci|lieux)\.[0-9a-f]+\.json$/.test(file))
    .reduce((sum, file) => sum + statSync(path.join(dir, file)).size, 0);
}

/** A copy of the suite's data folder whose database has no commune outline for one département. */
async function withoutOutlines(dataDir: string, departement: string): Promise<string> {
  const copy = mkdtempSync(path.join(tmpdir(), "sdin-sans-contours-"));
  copyFileSync(path.join(dataDir, "sdin.duckdb"), path.join(copy, "sdin.duckdb"));
  const db = await openDatabase(path.join(copy, "sdin.duckdb"));
  try {
    await db.connection.run(
      `DELETE FROM contours WHERE code_insee IN (SELECT code_insee FROM communes WHERE code_departement = $dep)`,
      { dep: departement }
    );
  } finally {
    db.close();
  }
  return copy;
}

function textOfSite(site: string): string {
  return readdirSync(site, { recursive: true })
    .map(String)
    .filter((file) => /\.(html|js|css|json)$/.test(file) && !file.includes(`exports${path.sep}`))
    .map((file) => readFileSync(path.join(site, file), "utf8"))
    .join("\n");
}

describe("site of several départements", () => {
  const dir = path.join(outputDir, "site-national");
  let browser: Browser;
  let server: Server;
  let base: string;

  beforeAll(async () => {
    mkdirSync(outputDir, { recursive: true });
    const config = readConfig({ data: await withoutOutlines(inject("dataDir"), "87"), exports: inject("exportsDir"), dept: "23,02,87" }, {});
    const started = Date.now();
    const outputs = await buildSite(config, { outputDir: dir, log: () => {} });
    console.info(`site de 3 départements construit en ${((Date.now() - started) / 1000).toFixed(0)} s`);
    expect(outputs).toEqual(["23", "02", "87"].map((code) => path.join(dir, code)));
    server = await serveStatic(dir, { port: 0 });
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
    if (hasChromium) browser = await chromium.launch({ executablePath: chromiumPath, args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"] });
  }, 600_000);

  afterAll(async () => {
    await browser?.close();
    server?.close();
  });

  it("writes one folder per département, no static fiche, no other host, data under 1 Mo per page", () => {
    for (const code of ["23", "02", "87"]) {
      expect(existsSync(path.join(dir, code, "index.html")), code).toBe(true);
      expect(readdirSync(path.join(dir, code, "communes")).sort(), code).toEqual(["fiche.html", "index.html"]);
      expect(ficheDataBytes(dir, code), code).toBeLessThan(1_000_000);
    }
    expect(textOfSite(dir)).not.toMatch(/cdn\.|jsdelivr|unpkg|googleapis/);
    expect(readFileSync(path.join(dir, "index.html"), "utf8")).toContain('<html lang="fr">');
  });

  it.skipIf(!hasChromium)("draws the départements on the national page and opens Creuse's synthesis on click", async () => {
    const { page, errors } = await open(browser, base + "index.html");
    await expect.poll(() => page.locator("svg g.departements path").count()).toBeGreaterThanOrEqual(90);
    expect(await seriousViolations(page)).toEqual([]);
    // The table lists every département of the database; only those built link to their pages.
    expect(await page.locator('table a[href$="index.html"]').allTextContents()).toEqual(expect.arrayContaining(["Aisne", "Creuse"]));
    await page.screenshot({ path: path.join(outputDir, "site-national-index.png"), fullPage: true });
    const links = await page.locator("svg g.departements a").evaluateAll((as) => as.map((a) => a.getAttribute("href")));
    expect(links.filter(Boolean).sort()).toEqual(["./02/index.html", "./23/index.html", "./87/index.html"]);
    const target = await pointInCommune(page, links.indexOf("./23/index.html"), "departements");
    await Promise.all([page.waitForURL(/\/23\/index\.html$/), page.mouse.click(target.x, target.y)]);
    // The page's data arrive after its script: on a busy machine (the 101-département build runs beside this test) more than the default second.
    await expect.poll(() => page.locator("h1").first().textContent(), { timeout: 15_000 }).toContain("Creuse (23)");
    expect(errors).toEqual([]);
    await page.close();
  });

  it.skipIf(!hasChromium)("shows metropolitan France in the main frame and each overseas département in a legible inset", async () => {
    const { page, errors } = await open(browser, base + "index.html");
    await expect.poll(() => page.locator(".carte-france g.departements path").count()).toBeGreaterThanOrEqual(90);
    const boxes = await page.evaluate(() => {
      const map = document.querySelector(".carte-france")!.getBoundingClientRect();
      const rects = (selector: string) => [...document.querySelectorAll(selector)].map((p) => {
        const r = p.getBoundingClientRect();
        // Plot puts the label on the link when the département has pages here, else on the path itself.
        return { label: (p.closest("a") ?? p).getAttribute("aria-label") ?? "", left: r.left, right: r.right, width: r.width };
      });
      return { mapWidth: map.width, metropole: rects(".carte-metropole g.departements path"), outremer: rects(".carte-encarts g.departements path") };
    });
    const left = Math.min(...boxes.metropole.map((b) => b.left));
    const right = Math.max(...boxes.metropole.map((b) => b.right));
    expect(right - left).toBeGreaterThanOrEqual(boxes.mapWidth / 2);
    // Guadeloupe, Martinique, Guyane, La Réunion, Mayotte: every one whose outline the database holds.
    const overseas = await withDatabase(inject("database"), { readOnly: true }, ({ connection }) =>
      queryRows<{ nom: string }>(connection, "SELECT nom FROM contours_departements WHERE code_departement LIKE '97%' ORDER BY nom"));
    expect(overseas.length).toBeGreaterThan(0);
    expect(boxes.outremer.map((b) => b.label).sort()).toEqual(overseas.map((d) => d.nom).sort());
    for (const inset of boxes.outremer) expect(inset.width, inset.label).toBeGreaterThanOrEqual(20);
    expect(errors).toEqual([]);
    await page.close();
  });

  it.skipIf(!hasChromium)("draws the 255 communes of Creuse and opens a fiche from its table", async () => {
    const { page, errors } = await open(browser, base + "23/publics.html");
    expect(await page.locator("svg g.communes").first().locator("path").count()).toBe(255);
    expect(await seriousViolations(page)).toEqual([]);
    await page.screenshot({ path: path.join(outputDir, "site-national-23-publics.png"), fullPage: true });
    await page.goto(base + "23/communes/index.html", { waitUntil: "networkidle" });
    const first = page.locator('table a[href*="fiche.html?code="]').first();
    const href = (await first.getAttribute("href"))!;
    const code = href.match(/code=(\d{5})$/)![1];
    await Promise.all([page.waitForURL(/\/23\/communes\/fiche\.html\?code=\d{5}$/), first.click()]);
    await expect.poll(() => page.locator("h1").first().textContent()).toContain(`(${code})`);
    expect(await page.locator("svg g.communes").first().locator("path").count()).toBe(255);
    expect(await page.locator(".observablehq--error").count()).toBe(0);
    expect(errors).toEqual([]);
    await page.screenshot({ path: path.join(outputDir, `site-national-23-fiche-${code}.png`), fullPage: true });
    await page.close();
  });

  it.skipIf(!hasChromium)("shows the Haute-Vienne's tables with a note where its map would be", async () => {
    const { page, errors } = await open(browser, base + "87/publics.html");
    await expect.poll(() => page.locator(".carte-indisponible").first().textContent()).toContain(
      "Carte indisponible : aucun contour communal n'est chargé pour ce département (fichier communes-87-"
    );
    expect(await page.locator("svg g.communes").count()).toBe(0);
    const codes = await page.locator("table tbody tr td:nth-child(3)").allTextContents();
    expect(codes.length).toBeGreaterThan(10);
    expect(codes.every((code) => /^87\d{3}$/.test(code.trim()))).toBe(true);
    expect(await page.locator("h1").first().textContent()).toBe("Publics fragiles");
    expect(await page.locator("nav.departement-nav").textContent()).toContain("Haute-Vienne (87)");
    expect(errors).toEqual([]);
    expect(await seriousViolations(page)).toEqual([]);
    await page.screenshot({ path: path.join(outputDir, "site-national-87-publics.png"), fullPage: true });
    await page.close();
  });
});

describe("site of every département", () => {
  it("builds every département in one run, each page's data under 1 Mo", async () => {
    const dir = path.join(outputDir, "site-all");
    const config = readConfig({ data: inject("dataDir"), exports: inject("exportsDir"), dept: "all" }, {});
    const started = Date.now();
    const outputs = await buildSite(config, { outputDir: dir, log: () => {} });
    const seconds = (Date.now() - started) / 1000;
    console.info(`site de ${outputs.length} départements construit en ${seconds.toFixed(0)} s`);
    expect(outputs.length).toBe(101);
    for (const output of outputs) {
      const code = path.basename(output);
      expect(existsSync(path.join(output, "communes", "fiche.html")), code).toBe(true);
      expect(ficheDataBytes(dir, code), code).toBeLessThan(1_000_000);
    }
    expect(seconds).toBeLessThan(900);
  }, 900_000);
});

describe.skipIf(!hasChromium)("site of a région", () => {
  it("opens on the région (Corse): its communes and départements on a map, its EPCI ranked 1..N across départements, links to each département", async () => {
    const dir = path.join(outputDir, "site-region-94");
    const config = readConfig({ data: inject("dataDir"), exports: inject("exportsDir") }, {});
    const outputs = await buildSite(config, { outputDir: dir, regions: ["94"], log: () => {} });
    expect(outputs).toEqual(["2A", "2B"].map((code) => path.join(dir, code)));
    expect(readFileSync(path.join(dir, "index.html"), "utf8")).toContain('content="0; url=./regions/94/index.html"');
    const server = await serveStatic(dir, { port: 0 });
    const browser = await chromium.launch({ executablePath: chromiumPath, args: ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run"] });
    try {
      const { page, errors } = await open(browser, `http://127.0.0.1:${(server.address() as AddressInfo).port}/index.html`);
      await expect.poll(() => page.locator("h1").first().textContent()).toContain("Corse");
      const [{ n }] = await withDatabase(inject("database"), { readOnly: true }, ({ connection }) =>
        queryRows<{ n: number }>(connection, "SELECT count(*)::INTEGER AS n FROM diagnostic_communes WHERE code_region = '94'"));
      expect(await page.locator("svg g.communes a").count()).toBe(n);
      expect(await page.locator('table a[href$="2A/index.html"]').count()).toBeGreaterThan(0);
      // The table's first cell of a row is its (empty) selection cell; the regional rank comes second.
      const ranks = (await page.locator('[aria-label="Classement des EPCI de la région"] tbody tr td:nth-child(2)').allTextContents()).map((t) => Number(t.trim()));
      expect(ranks).toEqual(ranks.map((_, i) => i + 1));
      expect(errors).toEqual([]);
      expect(await seriousViolations(page)).toEqual([]);
      await page.screenshot({ path: path.join(outputDir, "site-region-94.png"), fullPage: true });
    } finally {
      await browser.close();
      server.close();
    }
  }, 600_000);
});
