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
}
