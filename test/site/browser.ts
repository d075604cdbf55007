import { readFileSync } from "node:fs";
import path from "node:path";
import type { Browser, Page } from "playwright-core";
import { projectRoot } from "../../loaders/io/paths.ts";

/** Browser helpers shared by the site's tests (headless Chromium through playwright-core). */

const axeSource = () => readFileSync(path.join(projectRoot, "node_modules", "axe-core", "axe.min.js"), "utf8");

/** Opens a page and collects what would show in the browser's console as an error. */
export async function open(browser: Browser, url: string): Promise<{ page: Page; errors: string[] }> {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  const errors: string[] = [];
  page.on("console", (message) => message.type() === "error" && errors.push(message.text()));
  page.on("pageerror", (error) => errors.push(error.message));
  page.on("dialog", (dialog) => {
    errors.push(`boîte de dialogue inattendue : ${dialog.message()}`);
    void dialog.dismiss();
  });
  page.on("request", (request) => {
    if (!request.url().startsWith(url.slice(0, url.indexOf("/", 8))) && !request.url().startsWith("data:")) errors.push(`requête vers un autre hôte : ${request.url()}`);
  });
  await page.goto(url, { waitUntil: "networkidle" });
  // Framework shows a failed cell inline rather than throwing.
  const cellErrors = await page.locator(".observablehq--error").allTextContents();
  errors.push(...cellErrors.map((text) => `cellule en erreur : ${text}`));
  return { page, errors };
}

export async function seriousViolations(page: Page): Promise<string[]> {
  await page.addScriptTag({ content: axeSource() });
  const violations = await page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run(context: Document, options: object): Promise<{ violations: { id: string; impact: string; nodes: { target: string[] }[] }[] }> } }).axe;
    const result = await axe.run(document, { resultTypes: ["violations"] });
    return result.violations.map((v) => ({ id: v.id, impact: v.impact, targets: v.nodes.slice(0, 3).map((n) => n.target.join(" ")) }));
  });
  return violations.filter((v) => v.impact === "serious" || v.impact === "critical").map((v) => `${v.id} (${v.impact}) : ${v.targets.join(", ")}`);
}

/** A point inside the nth commune's outline, in page coordinates (the centre of its box can be a neighbour). */
export async function pointInCommune(page: Page, index: number, group = "communes"): Promise<{ x: number; y: number; href: string }> {
  return page.evaluate(([n, g]) => {
    const link = document.querySelectorAll(`svg g.${g} a`)[n] as SVGAElement;
    const shape = link.querySelector("path") as SVGPathElement;
    const box = shape.getBBox();
    const matrix = shape.getScreenCTM()!;
    for (let i = 1; i < 20; i++) {
      for (let j = 1; j < 20; j++) {
        const point = new DOMPoint(box.x + (box.width * i) / 20, box.y + (box.height * j) / 20);
        if (!shape.isPointInFill(point)) continue;
        const screen = point.matrixTransform(matrix);
        const hit = document.elementFromPoint(screen.x, screen.y);
        if (hit === shape) return { x: screen.x, y: screen.y, href: link.getAttribute("href") ?? link.getAttribute("xlink:href") ?? "" };
      }
    }
    throw new Error(`aucun point cliquable dans la commune n° ${n}`);
  }, [index, group] as const);
}

