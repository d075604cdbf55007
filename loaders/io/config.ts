import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { resolvePaths, projectRoot, type Paths } from "./paths.ts";

/** Everything a run needs to know, read once at the edge (CLI flags, environment) and passed down. */
export interface Config {
  /** Département codes to export or build (`["23"]`, or every code for `all`). */
  departements: string[];
  /** Local copy of the official files, laid out like `../shared/opendata`; null to download. */
  mirror: string | null;
  /** Folders outside the mirror that its files may link into (`SDIN_MIRROR_LINKS`, separated like PATH). */
  mirrorLinks: string[];
  paths: Paths;
  /** Distance beyond which a commune is out of reach of help, in km. */
  thresholdKm: number;
  /** Weights of the five criteria of the fragility index. */
  weights: IndexWeights;
  /** Territories' lists of places given on the command line, each with its correspondence file. */
  territoires: { lieux: string; correspondance: string }[];
  /** De-duplication of the places of help (see `docs/methode.md`). */
  dedoublonnage: DedupSettings;
}

/** Thresholds of the de-duplication score (0–1): merged at or above `fusion`, listed for review from `a_verifier`. */
export interface DedupSettings {
  fusion: number;
  a_verifier: number;
}

export const defaultDedup: DedupSettings = { fusion: 0.8, a_verifier: 0.6 };

export interface IndexWeights {
  no_thd: number;
  no_4g: number;
  older_65: number;
  low_diploma: number;
  poverty: number;
}

export const defaultWeights: IndexWeights = { no_thd: 1, no_4g: 1, older_65: 1, low_diploma: 1, poverty: 1 };

export interface ConfigOptions {
  dept?: string;
  mirror?: string;
  data?: string;
  exports?: string;
  threshold?: string | number;
  weights?: string;
  /** `--lieux` files (territories' lists of places), paired in order with `correspondance`. */
  lieux?: string[];
  correspondance?: string[];
}

/** Reads the run's configuration from CLI options, then the environment, then `data/parametres.json`. */
export function readConfig(options: ConfigOptions = {}, env: NodeJS.ProcessEnv = process.env): Config {
  const paths = resolvePaths({
    dataDir: options.data ? path.resolve(options.data) : env.SDIN_DATA ? path.resolve(env.SDIN_DATA) : undefined,
    exportsDir: options.exports ? path.resolve(options.exports) : env.SDIN_EXPORTS ? path.resolve(env.SDIN_EXPORTS) : undefined
  });
  const settings = readSettings(paths.configDir);
  const mirror = options.mirror ?? env.SDIN_MIRROR ?? null;
  return {
    departements: parseDepartements(options.dept ?? env.SDIN_DEPT ?? "23"),
    mirror: mirror ? path.resolve(mirror) : null,
    mirrorLinks: (env.SDIN_MIRROR_LINKS ?? "").split(path.delimiter).filter(Boolean).map((dir) => path.resolve(dir)),
    paths,
    thresholdKm: parseThreshold(options.threshold ?? settings.seuil_km ?? 10),
    weights: parseWeights(options.weights, settings.poids),
    territoires: pairTerritoires(options.lieux ?? [], options.correspondance ?? []),
    dedoublonnage: parseDedup(settings.dedoublonnage)
  };
}

interface Settings {
  seuil_km?: number;
  poids?: Partial<IndexWeights>;
  dedoublonnage?: Partial<DedupSettings>;
}

function readSettings(configDir: string): Settings {
  const file = path.join(configDir, "parametres.json");
  if (!existsSync(file)) return {};
  try {
    return JSON.parse(readFileSync(file, "utf8")) as Settings;
  } catch (error) {
    throw new Error(`fichier de paramètres illisible ${file} : ${(error as Error).message}`);
  }
}

/** `"23"`, `"23,02"`, `"all"` → list of codes (`all` is expanded later, against the referential). */
export function parseDepartements(value: string): string[] {
  const codes = value.split(/[,\s]+/).filter(Boolean).map((code) => code.toUpperCase());
  for (const code of codes) {
    if (code !== "ALL" && !/^(\d{2}|2A|2B|97\d)$/.test(code)) throw new Error(`code de département invalide : "${code}"`);
  }
  return codes.map((code) => (code === "ALL" ? "all" : code));
}

function parseThreshold(value: string | number): number {
  const km = Number(value);
  if (!Number.isFinite(km) || km <= 0) throw new Error(`seuil de distance invalide : "${value}" (kilomètres attendus)`);
  return km;
}

/** `"no_thd=1,older_65=2"` on the command line overrides the file's weights, which override the defaults. */
export function parseWeights(cli: string | undefined, fromFile: Partial<IndexWeights> = {}): IndexWeights {
  const weights: IndexWeights = { ...defaultWeights, ...fromFile };
  for (const pair of (cli ?? "").split(",").filter(Boolean)) {
    const [key, raw] = pair.split("=");
    if (!(key in defaultWeights)) throw new Error(`critère de pondération inconnu : "${key}" (attendus : ${Object.keys(defaultWeights).join(", ")})`);
    const weight = Number(raw);
    if (!Number.isFinite(weight) || weight < 0) throw new Error(`poids invalide pour ${key} : "${raw}"`);
    weights[key as keyof IndexWeights] = weight;
  }
  // Every criterion at 0 leaves no index to compute, yet a ranking would still be drawn from nothing.
  if (Object.values(weights).reduce((sum, w) => sum + w, 0) === 0) {
    throw new Error(`pondération invalide : tous les poids sont nuls (${Object.keys(weights).map((k) => `${k}=0`).join(",")}) ; donnez un poids positif à au moins un critère`);
  }
  return weights;
}

export { projectRoot };

/** `--lieux A --correspondance A.config.json`: one correspondence file per list, in the same order. */
export function pairTerritoires(lieux: string[], correspondance: string[]): { lieux: string; correspondance: string }[] {
  if (lieux.length !== correspondance.length) {
    throw new Error(`chaque fichier --lieux demande son fichier --correspondance (${lieux.length} --lieux, ${correspondance.length} --correspondance)`);
  }
  return lieux.map((file, i) => ({ lieux: path.resolve(file), correspondance: path.resolve(correspondance[i]) }));
}

/** The de-duplication thresholds of `parametres.json`, checked: 0 ≤ a_verifier ≤ fusion ≤ 1. */
export function parseDedup(fromFile: Partial<DedupSettings> = {}): DedupSettings {
  const settings = { ...defaultDedup, ...fromFile };
  const { fusion, a_verifier } = settings;
  if (![fusion, a_verifier].every((v) => typeof v === "number" && v >= 0 && v <= 1) || a_verifier > fusion) {
    throw new Error(`seuils de dédoublonnage invalides : fusion ${fusion}, a_verifier ${a_verifier} (0 ≤ a_verifier ≤ fusion ≤ 1 attendu)`);
  }
  return { fusion, a_verifier };
}
