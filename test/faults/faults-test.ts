import { afterAll, expect } from "vitest";
import { summary, summaryLine } from "./harness.ts";
import { removeFaultDirs } from "./tmp.ts";
import "./populations.ts";
import "./france-services.ts";
import "./conseillers-numeriques.ts";
import "./filosofi.ts";
import "./arcep.ts";
import "./contours.ts";
import "./network.ts";
import "./security.ts";
import "./xlsx.ts";
import "./database.ts";
import "./outputs.ts";
import "./hostile.ts";
import "./site.ts";

/**
 * The fault suite: feeds the pipeline the ways open data and networks really break, and ends with one line,
 * `N faults tried, N handled, 0 rows lost`. Every fault is declared in a module of this folder and counted by
 * the harness; this single file runs them all so that the count covers the whole suite.
 */
afterAll(() => {
  removeFaultDirs();
  const s = summary();
  const outcomes = Object.entries(s.byOutcome).map(([k, v]) => `${k} ${v}`).join(", ");
  const unhandled = s.unhandled.map((name) => `  not handled: ${name}\n`).join("");
  console.log(`${unhandled}outcomes: ${outcomes}\n${summaryLine(s)}`);
  expect(s.rowsLost).toBe(0);
});
