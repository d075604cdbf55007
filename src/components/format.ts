/** French number formats; missing values read "—", never 0. */
const integer = new Intl.NumberFormat("fr-FR", { maximumFractionDigits: 0 });
const decimal1 = new Intl.NumberFormat("fr-FR", { minimumFractionDigits: 1, maximumFractionDigits: 1 });
const percent = new Intl.NumberFormat("fr-FR", { style: "percent", minimumFractionDigits: 1, maximumFractionDigits: 1 });

const missing = (value: unknown): value is null | undefined => value === null || value === undefined || (typeof value === "number" && Number.isNaN(value));

export function formatInteger(value: unknown): string {
  return missing(value) ? "—" : integer.format(Number(value));
}

export function formatDecimal(value: unknown): string {
  return missing(value) ? "—" : decimal1.format(Number(value));
}

/** A share in [0, 1] as a percentage. */
export function formatPercent(value: unknown): string {
  return missing(value) ? "—" : percent.format(Number(value));
}

export function formatKm(value: unknown): string {
  return missing(value) ? "—" : `${decimal1.format(Number(value))} km`;
}

export function formatDate(value: unknown): string {
  if (missing(value)) return "—";
  const date = new Date(String(value));
  return Number.isNaN(date.getTime()) ? String(value) : date.toLocaleDateString("fr-FR", { day: "numeric", month: "long", year: "numeric" });
}
