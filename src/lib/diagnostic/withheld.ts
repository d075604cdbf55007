/**
 * Shares an aggregate (EPCI, département, région, France) leaves empty because some of its communes lack the
 * input: the pipeline writes them in `parts_non_calculees` as `part_x : 7 communes sans contour`, `; `-joined.
 * Part of the core: the site and the pipeline's documents both read it, so that both say the same thing.
 */

/** Why `key` is empty in this row (`7 communes sans contour`), or null when it was not withheld. */
export function withheldReason(row: { parts_non_calculees?: unknown } | null | undefined, key: string): string | null {
  const text = row?.parts_non_calculees;
  if (typeof text !== "string" || text === "") return null;
  const entry = text.split("; ").find((part) => part.startsWith(`${key} : `));
  return entry ? entry.slice(key.length + 3) : null;
}

/** The share formatted, or « non calculée (7 communes sans contour) » when it was withheld. */
export function shareOrReason(row: Record<string, unknown> | null | undefined, key: string, format: (value: number | null) => string): string {
  const value = row?.[key];
  if (typeof value === "number" && Number.isFinite(value)) return format(value);
  const reason = withheldReason(row, key);
  return reason ? `non calculée (${reason})` : format(null);
}
