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
 * A département's pages are under `<code>/` (the parameterized pages `src/[dept]/…`); `index.html` leads there.
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
  return { dir, server, base: `http://127.0.0.1:${(server.address() as AddressInfo).port}/${dept}/` };
}

/** The path of the first data file of a département's pages matching `pattern` (Framework adds a content hash to names). */
function dataFile(dir: string, dept: string, pattern: RegExp): string {
  const data = path.join(dir, "_file", dept, "data");
  const name = readdirSync(data).find((n) => pattern.test(n));
  if (!name) throw new Error(`aucun fichier ${pattern} dans ${data}`);
  return path.join(data, name);
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

  it("writes a self-contained site with one fiche page for every commune and data under 1 Mo per page", () => {
    const site = sites["02"];
    // One fiche page that reads the commune from its address, not one rendered page per commune.
    expect(readdirSync(path.join(site.dir, "02", "communes")).sort()).toEqual(["fiche.html", "index.html"]);
    const text = readdirSync(site.dir, { recursive: true })
      .map(String)
      .filter((f) => /\.(html|js|css|json)$/.test(f))
      .map((f) => readFileSync(path.join(site.dir, f), "utf8"))
      .join("\n");
    expect(text).not.toMatch(/cdn\.|jsdelivr|unpkg|googleapis/);
    expect(readFileSync(path.join(site.dir, "02", "index.html"), "utf8")).toContain('<html lang="fr">');
    expect(readFileSync(path.join(site.dir, "index.html"), "utf8")).toContain('<meta http-equiv="refresh" content="0; url=./02/index.html">');
    // The heaviest page (a fiche) reads every data file but provenance and exports.
    const ficheData = totalBytes(site.dir, /_file\/02\/data\/(communes|carte|territoire|epci|lieux)\.[0-9a-f]+\.json$/);
    expect(ficheData).toBeGreaterThan(100_000);
    expect(ficheData).toBeLessThan(1_000_000);
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
    await Promise.all([page.waitForURL(/\/23\/communes\/fiche\.html\?code=\d{5}$/), page.mouse.click(target.x, target.y)]);
    expect(page.url()).toBe(new URL(target.href, sites["23"].base).href);
    const code = page.url().match(/code=(\d{5})$/)![1];
    await expect.poll(() => page.locator("h1").first().textContent()).toContain(`(${code})`);
    expect(errors).toEqual([]);
    expect(await seriousViolations(page)).toEqual([]);
    await page.screenshot({ path: path.join(outputDir, `site-23-fiche-${code}.png`), fullPage: true });
    await page.emulateMedia({ media: "print" });
    await page.pdf({ path: path.join(outputDir, `site-23-fiche-${code}.pdf`), format: "A4" });
    await page.close();
  });

  it.skipIf(!hasChromium)("opens the synthèse with a map of every commune and short source references, each full source sentence at most once", async () => {
    const { page, errors } = await open(browser, sites["23"].base + "index.html");
    await expect.poll(() => page.locator("figure.carte-synthese svg g.communes path").count()).toBe(255);
    // The map comes before the key-figure cards.
    const order = await page.evaluate(() => {
      const map = document.querySelector("figure.carte-synthese");
      const card = document.querySelector(".card");
      return map && card ? map.compareDocumentPosition(card) & Node.DOCUMENT_POSITION_FOLLOWING : 0;
    });
    expect(order).toBeGreaterThan(0);
    const main = await page.locator("main").innerText();
    const sources = JSON.parse(readFileSync(dataFile(sites["23"].dir, "23", /^territoire\.[0-9a-f]+\.json$/), "utf8")).sources as { source: string | null; millesime: string | null }[];
    for (const s of sources.filter((s) => s.source && s.source.length > 30)) {
      const sentence = [s.source, s.millesime ? `millésime ${s.millesime}` : null].filter(Boolean).join(", ");
      expect(main.split(sentence).length - 1, sentence).toBeLessThanOrEqual(1);
    }
    // Every key-figure card names its source in a few words linking to the method page (the sources table, or
    // the page itself for a figure sdin computes).
    const cards = page.locator(".card", { has: page.locator("div.big") });
    expect(await cards.count()).toBeGreaterThanOrEqual(7);
    for (const card of await cards.all()) expect(await card.locator('a[href^="./methode.html"]').count()).toBeGreaterThanOrEqual(1);
    expect(await page.locator('.card a[href="./methode.html#indicateurs-source-et-millesime"]').count()).toBeGreaterThanOrEqual(6);
    expect(errors).toEqual([]);
    await page.close();
  });

  it.skipIf(!hasChromium)("never scrolls sideways at 390 px wide", async () => {
    for (const name of pages) {
      const page = await browser.newPage({ viewport: { width: 390, height: 844 } });
      await page.goto(sites["23"].base + name, { waitUntil: "networkidle" });
      const widths = await page.evaluate(() => ({ scroll: document.documentElement.scrollWidth, client: document.documentElement.clientWidth }));
      expect(widths.scroll, name).toBeLessThanOrEqual(widths.client);
      await page.screenshot({ path: path.join(outputDir, `site-23-390-${name.replace(/\W+/g, "-")}.png`), fullPage: true });
      await page.close();
    }
  });

  it.skipIf(!hasChromium)("prints a fiche commune on one A4 page", async () => {
    const { page } = await open(browser, sites["23"].base + "communes/fiche.html?code=23096");
    await page.emulateMedia({ media: "print" });
    const pdf = await page.pdf({ format: "A4" });
    expect(pdf.toString("latin1").match(/\/Type\s*\/Page[^s]/g)).toHaveLength(1);
    await page.close();
  });

  it.skipIf(!hasChromium)("re-ranks the communes when a weight moves", async () => {
    const { page, errors } = await open(browser, sites["23"].base + "priorites.html");
    // The commune column (the rank column comes first and always reads 1, 2, 3…).
    const top = () => page.locator("#classement tbody tr td:nth-child(3)").allTextContents();
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

  it.skipIf(!hasChromium)("flags the FttH share of Creuse as 2018 data next to the figure, linking to how to update it", async () => {
    // The mirror holds only the Arcep T1 2018 edition: diagnostic_sources dates part_locaux_ftth 2018-03-31.
    const territoire = JSON.parse(readFileSync(dataFile(sites["23"].dir, "23", /^territoire\..*\.json$/), "utf8"));
    expect(territoire.sources.find((s: { indicateur: string }) => s.indicateur === "part_locaux_ftth")).toMatchObject({ date_reference: "2018-03-31", a_actualiser: true });
    const { page, errors } = await open(browser, sites["23"].base + "connectivite.html");
    const card = page.locator(".card", { has: page.locator("h2", { hasText: "Locaux raccordables à la fibre" }) });
    const flag = card.locator("a.stale-flag");
    expect(await flag.innerText()).toBe("donnée de 2018, à actualiser");
    expect(await flag.getAttribute("href")).toBe("./methode.html#mettre-a-jour-les-donnees");
    expect(errors).toEqual([]);
    await page.close();
    const methode = await open(browser, sites["23"].base + "methode.html");
    const section = methode.page.locator("#mettre-a-jour-les-donnees");
    expect(await section.innerText()).toBe("Mettre à jour les données");
    expect(await methode.page.locator("main").innerText()).toContain("classeur trimestriel AAAAtN-obs-hd-thd-deploiement.xlsx");
    expect(methode.errors).toEqual([]);
    await methode.page.close();
    const fiche = await open(browser, sites["23"].base + "communes/fiche.html?code=23096");
    expect(await fiche.page.locator("a.stale-flag").first().getAttribute("href")).toBe("../methode.html#mettre-a-jour-les-donnees");
    expect(fiche.errors).toEqual([]);
    await fiche.page.close();
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
