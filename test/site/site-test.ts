import { existsSync, mkdirSync, readdirSync, readFileSync, statSync } from "node:fs";
import type { AddressInfo } from "node:net";
import type { Server } from "node:http";
import path from "node:path";
import { chromium, type Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { readConfig } from "../../loaders/io/config.ts";
import { projectRoot } from "../../loaders/io/paths.ts";
import { buildSite } from "../../loaders/outputs/site/build.ts";
import { serveStatic } from "../../loaders/outputs/site/serve.ts";
import { open, pointInCommune, seriousViolations } from "./browser.ts";

/**
 * The built site in headless Chromium, for Creuse and the Aisne, from the suite's database (built from the
 * mirror by test/global-setup.ts): every page loads without error and without a serious accessibility
 * violation, the map draws every commune, a click on a commune opens its fiche, the weights re-rank.
 */

const chromiumPath = "/usr/bin/chromium";
const hasChromium = existsSync(chromiumPath);
if (!hasChromium) console.warn(`tests du site dans le navigateur ignorés (la construction et ses vérifications tournent) : ${chromiumPath} absent (apt-get install -y chromium ; .ci/run l'installe)`);

const outputDir = path.join(projectRoot, "test", "output");
const pages = ["index.html", "publics.html", "connectivite.html", "offre.html", "priorites.html", "epci.html", "communes/index.html", "methode.html", "exports.html"];

interface Site {
  dir: string;
  server: Server;
  base: string;
}

async function buildAndServe(dept: string): Promise<Site> {
  const config = readConfig({ data: inject("dataDir"), exports: inject("exportsDir"), dept }, {});
  const dir = path.join(outputDir, `site-${dept}`);
  await buildSite(config, { outputDir: dir, log: () => {} });
  const server = await serveStatic(dir, { port: 0 });
  return { dir, server, base: `http://127.0.0.1:${(server.address() as AddressInfo).port}/` };
}

function totalBytes(dir: string, pattern: RegExp): number {
  return readdirSync(dir, { recursive: true })
    .map(String)
    .filter((file) => pattern.test(file))
    .reduce((sum, file) => sum + statSync(path.join(dir, file)).size, 0);
}

describe("site", () => {
  let browser: Browser;
  const sites: Record<string, Site> = {};

  beforeAll(async () => {
    mkdirSync(outputDir, { recursive: true });
    sites["23"] = await buildAndServe("23");
    sites["02"] = await buildAndServe("02");
    if (hasChromium) browser = await chromium.launch({
      executablePath: chromiumPath,
      args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"]
    });
  }, 900_000); // two Framework builds; a machine shared with other jobs can take minutes for each

  afterAll(async () => {
    await browser?.close();
    for (const site of Object.values(sites)) site.server.close();
  });

  it("writes a self-contained site with one fiche per commune and data under 1 Mo per page", () => {
    const site = sites["02"];
    expect(readdirSync(path.join(site.dir, "communes")).filter((f) => /^\d{5}\.html$/.test(f))).toHaveLength(797);
    const text = readdirSync(site.dir, { recursive: true })
      .map(String)
      .filter((f) => /\.(html|js|css|json)$/.test(f) && !f.startsWith("communes/"))
      .map((f) => readFileSync(path.join(site.dir, f), "utf8"))
      .join("\n");
    expect(text).not.toMatch(/cdn\.|jsdelivr|unpkg|googleapis/);
    expect(readFileSync(path.join(site.dir, "index.html"), "utf8")).toContain('<html lang="fr">');
    // The heaviest page (a fiche) reads every data file but provenance and exports.
    expect(totalBytes(site.dir, /_file\/data\/(communes|carte|territoire|epci|lieux)\.[0-9a-f]+\.json$/)).toBeLessThan(1_000_000);
  });

  it.skipIf(!hasChromium)("loads every page of Creuse without error nor serious accessibility violation", async () => {
    for (const name of pages) {
      const { page, errors } = await open(browser, sites["23"].base + name);
      expect(errors, name).toEqual([]);
      expect(await seriousViolations(page), name).toEqual([]);
      await page.screenshot({ path: path.join(outputDir, `site-23-${name.replace(/\W+/g, "-")}.png`), fullPage: true });
      await page.close();
    }
  });

  it.skipIf(!hasChromium)("draws the 255 communes of Creuse and opens a fiche on click", async () => {
    const { page, errors } = await open(browser, sites["23"].base + "publics.html");
    await expect.poll(() => page.locator("svg g.communes path").first().count()).toBe(1);
    expect(await page.locator("svg g.communes").first().locator("path").count()).toBe(255);
    const target = await pointInCommune(page, 17);
    await Promise.all([page.waitForURL(/\/communes\/\d{5}\.html$/), page.mouse.click(target.x, target.y)]);
    expect(page.url()).toBe(new URL(target.href, sites["23"].base).href);
    const code = page.url().match(/(\d{5})\.html$/)![1];
    await expect.poll(() => page.locator("h1").first().textContent()).toContain(`(${code})`);
    expect(errors).toEqual([]);
    expect(await seriousViolations(page)).toEqual([]);
    await page.screenshot({ path: path.join(outputDir, `site-23-fiche-${code}.png`), fullPage: true });
    await page.emulateMedia({ media: "print" });
    await page.pdf({ path: path.join(outputDir, `site-23-fiche-${code}.pdf`), format: "A4" });
    await page.close();
  });

  it.skipIf(!hasChromium)("re-ranks the communes when a weight moves", async () => {
    const { page, errors } = await open(browser, sites["23"].base + "priorites.html");
    const top = () => page.locator("#classement tbody tr td:nth-child(2)").allTextContents();
    const before = await top();
    expect(before.length).toBeGreaterThan(10);
    await page.locator('input[type="range"][aria-label="Poids : Part des 65 ans ou plus"]').fill("5");
    await expect.poll(top).not.toEqual(before);
    expect(errors).toEqual([]);
    await page.screenshot({ path: path.join(outputDir, "site-23-priorites-reponderee.png"), fullPage: true });
    await page.close();
  });

  it.skipIf(!hasChromium)("renders text from the data as text", async () => {
    const { page, errors } = await open(browser, sites["23"].base + "offre.html");
    expect(await page.evaluate(() => (window as unknown as { __xss?: number }).__xss)).toBeUndefined();
    expect(await page.locator('a[href^="javascript:"]').count()).toBe(0);
    expect(errors).toEqual([]);
    await page.close();
  });

  it.skipIf(!hasChromium)("shows the same totals as the exports", async () => {
    // Connectivité's default filter (FttH share < 50 %) keeps every Creuse commune in the T1 2018 data:
    // 255 communes and the population légale of the département (115 527, as in communes.csv).
    const { page, errors } = await open(browser, sites["23"].base + "connectivite.html");
    const text = (await page.locator("main").innerText()).replace(/[\s\u202f\u00a0]/g, "");
    expect(text).toContain("255communes,115527habitants");
    expect(errors).toEqual([]);
    await page.close();
  });

  it.skipIf(!hasChromium)("draws the 797 communes of the Aisne", async () => {
    for (const name of ["index.html", "publics.html", "priorites.html"]) {
      const { page, errors } = await open(browser, sites["02"].base + name);
      expect(errors, name).toEqual([]);
      if (name === "publics.html") {
        expect(await page.locator("svg g.communes").first().locator("path").count()).toBe(797);
        expect(await seriousViolations(page)).toEqual([]);
      }
      await page.screenshot({ path: path.join(outputDir, `site-02-${name.replace(/\W+/g, "-")}.png`), fullPage: true });
      await page.close();
    }
  });
});
