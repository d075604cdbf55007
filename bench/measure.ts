import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { projectRoot } from "../loaders/io/paths.ts";
import type { TaskName } from "./tasks.ts";

/** One run of a task in a child process. */
export interface Sample {
  ms: number;
  /** Peak resident memory: of the whole process tree with GNU time (largest process), else of the child alone. */
  maxRssKb: number;
  info: Record<string, unknown>;
}

/** Several runs of the same task, summarised. */
export interface Series {
  samples: Sample[];
  medianMs: number;
  peakRssKb: number;
}

const gnuTime = "/usr/bin/time";
const childScript = path.join(projectRoot, "bench", "child.ts");

/**
 * Runs `task` in a fresh `node` process (tsx loaded with `--import`) and returns its own timing and peak
 * memory. GNU time, when present, also counts the processes the task spawns (`observable build`): its figure
 * is the peak of the largest process of the tree, which is what has to fit in memory.
 */
export async function runInChild(task: TaskName, args: object): Promise<Sample> {
  const dir = await mkdtemp(path.join(tmpdir(), "sdin-bench-run-"));
  const resultFile = path.join(dir, "result.json");
  const timeFile = path.join(dir, "time.txt");
  const nodeArgs = ["--import", "tsx", childScript, task, JSON.stringify(args), resultFile];
  const [command, commandArgs] = existsSync(gnuTime)
    ? [gnuTime, ["-f", "%M", "-o", timeFile, process.execPath, ...nodeArgs]]
    : [process.execPath, nodeArgs];
  try {
    const { code, stderr } = await runProcess(command, commandArgs, projectRoot);
    if (code !== 0) throw new TaskError(task, code, stderr);
    const result = JSON.parse(await readFile(resultFile, "utf8")) as Sample;
    const treeKb = existsSync(timeFile) ? Number((await readFile(timeFile, "utf8")).trim().split("\n").pop()) : NaN;
    return { ms: result.ms, info: result.info, maxRssKb: Number.isFinite(treeKb) ? Math.max(treeKb, result.maxRssKb) : result.maxRssKb };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/**
 * Runs a command to its end, its output ignored: its exit code and the end of what it wrote on stderr (the last
 * 4 000 characters). Fails only when it cannot be started.
 */
export function runProcess(command: string, args: string[], cwd: string): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd, stdio: ["ignore", "ignore", "pipe"] });
    let stderr = "";
    child.stderr.on("data", (chunk) => (stderr = (stderr + chunk).slice(-4000)));
    child.on("error", reject);
    child.on("exit", (code) => resolve({ code, stderr }));
  });
}

/** A task's child process failed: its exit code and the end of what it wrote on stderr. */
export class TaskError extends Error {
  constructor(readonly task: string, readonly code: number | null, readonly stderr: string) {
    super(`la tâche ${task} a échoué (code ${code}) : ${lastMeaningfulLine(stderr)}`);
  }
}

/** The error line of a Node stack trace (the first line that names an error), else the last line. */
export function lastMeaningfulLine(stderr: string): string {
  const lines = stderr.split("\n").map((l) => l.trim()).filter(Boolean);
  return lines.find((l) => /^(\w*Error|Error)\b|: /.test(l) && !l.startsWith("at ")) ?? lines.at(-1) ?? "";
}

/**
 * Runs two tasks alternately (A, B, A, B…) `runs` times each (A only `runsA` times when it is too long to
 * repeat): a load on the shared machine that comes and goes then weighs on both sides of the ratio alike.
 */
export async function measurePair(a: () => Promise<Sample>, b: () => Promise<Sample>, runs: number, runsA = runs): Promise<[Series, Series]> {
  const as: Sample[] = [];
  const bs: Sample[] = [];
  for (let i = 0; i < Math.max(runs, runsA); i++) {
    if (i < runsA) as.push(await a());
    if (i < runs) bs.push(await b());
  }
  return [summarise(as), summarise(bs)];
}

export function summarise(samples: Sample[]): Series {
  return { samples, medianMs: median(samples.map((s) => s.ms)), peakRssKb: Math.max(...samples.map((s) => s.maxRssKb)) };
}

export function median(values: number[]): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((x, y) => x - y);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}
