import path from "node:path";
import { readdir } from "node:fs/promises";
import type { DuckDBConnection } from "@duckdb/node-api";
import type { CogIndex } from "./cog.ts";
import type { AcquiredFile } from "../io/fetch.ts";
import { Ledger } from "../io/ledger.ts";
import { safeJoin } from "../io/paths.ts";
import type { Resource } from "../io/resource.ts";
import type { ComputeThread } from "../io/worker.ts";

/** A resource opened for loading: its file on disk and the ledger that counts its rows. */
export interface OpenedResource {
  acquired: AcquiredFile;
  ledger: Ledger;
  /** File name shown in messages. */
  name: string;
  /**
   * The date the file's own content gives (a workbook's latest quarter, the newest value of a `date` column),
   * set by the loader when it refines the resource's declared `referenceDate`; recorded in the provenance.
   */
  referenceDate?: string;
}

/** What a source's load step receives. */
export interface LoadContext {
  connection: DuckDBConnection;
  /** Another connection to the same database, for a query to run beside this connection's work (closed with it). */
  connect(): Promise<DuckDBConnection>;
  /** Current-COG mapping (built by the referential source, which loads first). */
  cog: CogIndex;
  /** Gets the file of a resource and opens its ledger; null when an optional resource is absent. */
  open(resource: Resource): Promise<OpenedResource | null>;
  /** Files of a mirror folder whose names match `pattern` (empty without a mirror). */
  listMirror(folder: string, pattern: RegExp): Promise<string[]>;
  /** True when files come from a local mirror rather than the official URLs. */
  fromMirror: boolean;
  log(message: string): void;
  /**
   * An object shared by every source of one load, and by nothing else: the key under which a source hands a
   * later one what it computed (the outlines, for placing points in communes).
   */
  session: object;
  /** The load's worker thread, started with the load: CPU-bound work runs there while this thread goes on. */
  thread: ComputeThread;
}

/** One open-data source: its resources and how to load them. */
export interface Source {
  id: string;
  title: string;
  resources: Resource[];
  /**
   * The sources this one needs loaded first (it reads their tables, the COG index or the outlines); absent, every
   * source before it in the list. A source starts as soon as those are loaded, beside the others running then,
   * each on its own connection: declare every need, or leave `after` out.
   */
  after?: readonly string[];
  /**
   * Called as the load starts, before the sources in `after` are loaded, for what needs nothing loaded: the code a
   * source runs in the load's worker thread is imported there meanwhile (`thread.preload`).
   */
  prepare?(context: Pick<LoadContext, "thread">): void;
  load(context: LoadContext): Promise<void>;
}

export async function listMirrorFiles(mirror: string | null, folder: string, pattern: RegExp): Promise<string[]> {
  if (!mirror) return [];
  const dir = safeJoin(mirror, folder);
  try {
    return (await readdir(dir)).filter((name) => pattern.test(name)).sort().map((name) => path.posix.join(folder, name));
  } catch {
    return [];
  }
}
