/**
 * Which loaded files a département's pages and documents name. Most files are national and feed every
 * département; a few cover some départements only: one outline file per département, one list of places per
 * territory. The load records, for each of these, the départements whose figures it feeds (`departements`);
 * a file without that record is national. Pure TypeScript with no Node or DOM import: the pipeline (schéma,
 * exports) and the site's browser code apply this one rule.
 */

/** A file of the provenance register, with the départements it feeds when it does not feed them all. */
export interface FileScope {
  /** Codes of the départements the file feeds; null or absent for a national file. */
  departements?: readonly string[] | null;
}

/** True when `file` feeds département `code`: a national file always, a territorial one when it names `code`. */
export function coversDepartement(file: FileScope, code: string): boolean {
  return !file.departements || file.departements.includes(code);
}

/**
 * The summaries of quarantined rows (by source and file name) left once the files that do not feed département
 * `code` are set aside: another territory's list, another département's outlines.
 */
export function quarantineOf<Q extends { source: string; file: string }>(
  files: readonly (FileScope & { source: string | null; fichier: string | null })[],
  quarantine: readonly Q[],
  code: string
): Q[] {
  const elsewhere = new Set(files.filter((f) => !coversDepartement(f, code)).map((f) => `${f.source}\u0000${f.fichier}`));
  return quarantine.filter((q) => !elsewhere.has(`${q.source}\u0000${q.file}`));
}
