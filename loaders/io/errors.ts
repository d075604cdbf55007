/** Where in a source file a problem was found. Line numbers are 1-based, as a text editor shows them. */
export interface Location {
  source: string;
  file: string;
  line?: number;
  column?: string;
}

/**
 * A data problem that stops a load. Its message names the source, the file, the line and the column,
 * so that a data officer can open the file at the right place without reading a stack trace.
 */
export class SourceError extends Error {
  readonly location: Location;
  /** The problem alone, without its location (to say it again, for instance from a worker thread). */
  readonly problem: string;
  constructor(location: Location, problem: string) {
    super(`${problem} — ${describeLocation(location)}`);
    this.name = "SourceError";
    this.location = location;
    this.problem = problem;
  }
}

/** Raised when neither the network nor a mirror can provide a file. */
export class NoDataAccessError extends Error {
  constructor(what: string) {
    super(
      `impossible d'obtenir ${what} : le réseau ne répond pas et aucun miroir n'est indiqué ; ` +
        `pointez sdin vers une copie locale avec SDIN_MIRROR=DOSSIER ou --mirror DOSSIER.`
    );
    this.name = "NoDataAccessError";
  }
}

export function describeLocation({ source, file, line, column }: Location): string {
  const parts = [`source ${source}`, `fichier ${file}`];
  if (line !== undefined) parts.push(`ligne ${line}`);
  if (column !== undefined) parts.push(`colonne "${column}"`);
  return parts.join(", ");
}

/** Plain words for the system errors a file operation meets. */
const SYSTEM_ERRORS: Record<string, string> = {
  ENOSPC: "disque plein",
  EDQUOT: "quota disque dépassé",
  EACCES: "permission refusée",
  EPERM: "opération non permise",
  EROFS: "système de fichiers en lecture seule",
  ENOENT: "fichier ou dossier introuvable",
  ENOTDIR: "un élément du chemin n'est pas un dossier",
  EISDIR: "c'est un dossier, pas un fichier",
  EEXIST: "existe déjà",
  ENOTEMPTY: "dossier non vide",
  EMFILE: "trop de fichiers ouverts",
  EBUSY: "ressource occupée"
};

/**
 * A file-system failure as a message that names what was being done and the path, whatever Node put in its own
 * message (`ENOSPC: no space left on device, write` names no file): `écriture de l'export … : disque plein (ENOSPC)`.
 */
export function fileFailure(error: unknown, what: string, file: string): Error {
  const { code, path: failing } = (error ?? {}) as { code?: string; path?: string };
  if (!code) return error instanceof Error ? error : new Error(String(error));
  const reason = SYSTEM_ERRORS[code] ?? (error as Error).message;
  const where = failing && failing !== file ? `${file} (${failing})` : file;
  return new Error(`${what} ${where} : ${reason} (${code})`, { cause: error });
}
