import type { Series } from "./measure.ts";

/** One line of the benchmark: a measured task against its reference, run in the same pass. */
export interface Measure {
  id: string;
  title: string;
  measured: { label: string; series: Series } | null;
  reference: { label: string; series: Series } | null;
  /** Measured median over reference median; null when either side could not run. */
  ratio: number | null;
  /** The ratio the measure must not exceed (issue 13), when it has one. */
  goal?: number;
  target?: { text: string; met: boolean };
  /** Why the measure could not be taken (a part not written yet, a failure). */
  unavailable?: string;
  notes: string[];
  /** Figures measured beside the ratio (the national site build), kept in results.json. */
  extra?: Record<string, unknown>;
}

export function ratioOf(measured: Series | null, reference: Series | null): number | null {
  if (!measured || !reference || !(reference.medianMs > 0)) return null;
  return measured.medianMs / reference.medianMs;
}

/** The target line of a ratio goal: `≤ 1,5×`, met when the ratio is at most the goal. */
export function goalTarget(ratio: number | null, goal: number): { text: string; met: boolean } {
  return { text: `≤ ${formatGoal(goal)}`, met: ratio !== null && ratio <= goal };
}

/** Peak RSS of the largest process on either side of a measure, in MB (what has to fit in memory). */
export function peakMb(measure: Measure): number | null {
  const kb = Math.max(measure.measured?.series.peakRssKb ?? -Infinity, measure.reference?.series.peakRssKb ?? -Infinity);
  return Number.isFinite(kb) ? Math.round(kb / 1024) : null;
}

/** One line per measure that has a goal: `chargement 1,42× (objectif ≤ 1,5×) atteint`. */
export function summaryLines(measures: Measure[]): string[] {
  return measures
    .filter((m) => m.goal !== undefined)
    .map((m) => `${m.id} ${formatRatio(m.ratio)} (objectif ≤ ${formatGoal(m.goal!)}) ${m.ratio !== null && m.ratio <= m.goal! ? "atteint" : "non atteint"}`);
}

/** The figures of `bench/output/results.json`: each measure's id, ratio, goal and peak memory, then its details. */
export function measureResults(measures: Measure[]): Record<string, unknown>[] {
  return measures.map((m) => ({ ...m, id: m.id, ratio: m.ratio, goal: m.goal ?? null, peak_mb: peakMb(m), met: m.goal === undefined ? null : m.ratio !== null && m.ratio <= m.goal }));
}

/** `1234.5` → `1,2 s`; `87` → `87 ms` (French decimal comma). */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms)) return "—";
  if (ms < 1000) return `${frenchNumber(ms, ms < 10 ? 1 : 0)} ms`;
  if (ms < 60_000) return `${frenchNumber(ms / 1000, 1)} s`;
  const minutes = Math.floor(ms / 60_000);
  return `${minutes} min ${String(Math.round((ms % 60_000) / 1000)).padStart(2, "0")} s`;
}

/** A goal as written in the issue: `1,5×`, `30×`. */
export function formatGoal(goal: number): string {
  return `${String(goal).replace(".", ",")}×`;
}

export function formatRatio(ratio: number | null): string {
  if (ratio === null || !Number.isFinite(ratio)) return "—";
  return `${frenchNumber(ratio, ratio < 10 ? 2 : ratio < 100 ? 1 : 0)}×`;
}

export function formatMemory(kb: number | undefined): string {
  return kb === undefined || !Number.isFinite(kb) ? "—" : `${frenchNumber(kb / 1024, 0)} Mo`;
}

export function frenchNumber(value: number, digits: number): string {
  return value.toFixed(digits).replace(".", ",").replace(/\B(?=(\d{3})+(?!\d))/g, "\u202f");
}

const header = ["mesure", "rapport", "médiane mesurée", "médiane de référence", "mémoire max (mesurée / réf.)", "objectif"];

/** The results as a plain-text table, then each measure's notes. */
export function formatTable(measures: Measure[]): string {
  const rows = measures.map((m) => [
    m.title,
    formatRatio(m.ratio),
    m.measured ? formatDuration(m.measured.series.medianMs) : "—",
    m.reference ? formatDuration(m.reference.series.medianMs) : "—",
    `${formatMemory(m.measured?.series.peakRssKb)} / ${formatMemory(m.reference?.series.peakRssKb)}`,
    m.unavailable ? "mesure indisponible" : m.target ? `${m.target.text} : ${m.target.met ? "atteint" : "non atteint"}` : ""
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i])).join(" │ ").trimEnd();
  const table = [line(header), widths.map((w) => "─".repeat(w)).join("─┼─"), ...rows.map(line)];
  const notes = measures.flatMap((m) => {
    const lines = [`${m.title}`];
    if (m.measured) lines.push(`  mesuré : ${m.measured.label} — essais ${m.measured.series.samples.map((s) => formatDuration(s.ms)).join(", ")}`);
    if (m.reference) lines.push(`  référence : ${m.reference.label} — essais ${m.reference.series.samples.map((s) => formatDuration(s.ms)).join(", ")}`);
    if (m.unavailable) lines.push(`  indisponible : ${m.unavailable}`);
    lines.push(...m.notes.map((n) => `  ${n}`));
    return lines;
  });
  return [...table, "", ...notes].join("\n");
}
