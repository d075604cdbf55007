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
  constructor(location: Location, problem: string) {
    super(`${problem} — ${describeLocation(location)}`);
    this.name = "SourceError";
    this.location = location;
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
