/** One downloadable file of a source, as published. */
export interface Resource {
  /** Stable identifier, used in the provenance table (`insee-cog-communes`). */
  id: string;
  /** Human title, in French. */
  title: string;
  /** Official URL downloaded in production. */
  url: string;
  /** Path of the file inside a mirror folder (same layout as `../shared/opendata`), and inside `data/raw/`. */
  path: string;
  /** Vintage of the data (`COG 2026`, `RP 2021`, `T1 2018`). */
  vintage: string;
  format: "csv" | "xlsx" | "json" | "geojson" | "zip";
  licence: string;
  /** Publisher in French (`INSEE`, `Arcep`…). */
  publisher: string;
  /** True for files computed by a third party from official data (shown as such). */
  derived?: boolean;
  /** A source that may be missing from a mirror without failing the load (recorded as absent). */
  optional?: boolean;
  /** A file shipped with an npm dependency (absolute path): used as is, never downloaded. */
  local?: string;
  /** Pinned sha256 of the expected content, when the file is immutable. */
  sha256?: string;
  /**
   * ISO date the data describes (not the download date): Arcep T1 2018 → `2018-03-31`, census 2017 →
   * `2017-01-01`, a list "au 1er août 2024" → `2024-08-01`. A loader may refine it from the file's own content
   * (a workbook's latest quarter, a `date` column) through `OpenedResource.referenceDate`. Absent only where the
   * file alone tells (an edition published as "the latest"): the provenance then records the date the loader read.
   */
  referenceDate?: string;
  /** Where the official URL is confirmed (a public page that gives it); absent, the table says « URL à confirmer ». */
  urlConfirmedBy?: string;
  /** The published file that would replace this one when it is old (shown next to stale sources). */
  replacement?: string;
  /** A resource published on data.gouv.fr: `sdin fetch` resolves its newest file through the API. */
  datagouv?: DataGouvRule;
}

/** How to find a resource in a data.gouv.fr dataset: the newest resource matching every given rule wins. */
export interface DataGouvRule {
  /** Dataset slug or id (`le-marche-du-haut-et-tres-haut-debit-fixe-deploiements`). */
  dataset: string;
  match: {
    /** The resource's title (a string must be contained, case-insensitively). */
    title?: RegExp | string;
    /** The last segment of the resource's URL. */
    file?: RegExp;
    /** The resource's `format` (`xlsx`, `csv`), case-insensitive. */
    format?: string;
  };
}
