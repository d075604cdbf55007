import type { Series } from "./measure.ts";

/** One line of the benchmark: a measured task against its reference, run in the same pass. */
export interface Measure {
  id: string;
  title: string;
  measured: { label: string; series: Series } | null;
  reference: { label: string; series: Series } | null;
  /** Measured median over reference median; null when either side could not run. */
  ratio: number | null;
  target?: { text: string; met: boolean };
  /** Why the measure could not be taken (a part not written yet, a failure). */
  unavailable?: string;
  notes: string[];
}

export function ratioOf(measured: Series | null, reference: Series | null): number | null {
  if (!measured || !reference || !(reference.medianMs > 0)) return null;
  return measured.medianMs / reference.medianMs;
}

/** `1234.5` → `1,2 s`; `87` → `87 ms` (French decimal comma). */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms)) return "—";
  if (ms < 1000) return `${frenchNumber(ms, ms < 10 ? 1 : 0)} ms`;
  if (ms < 60_000) return `${frenchNumber(ms / 1000, 1)} s`;
  const minutes = Math.floor(ms / 60_000);
  return `${minutes} min ${String(Math.round((ms % 60_000) / 1000)).padStart(2, "0")} s`;
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
