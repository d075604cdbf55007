import { describe, expect, it } from "vitest";
import type { DiagnosticData } from "../../loaders/outputs/document/data.ts";
import { staleGroups } from "../../loaders/outputs/document/freshness.ts";

/** A provenance row as the read model gives it, with only what the freshness list reads. */
function file(id: string, source: string, title: string, date: string) {
  return { id, source, title, status: "chargé", date_reference: date, loaded_at: "2026-12-01T10:00:00Z", remplacement: "contours Etalab" };
}

describe("stale files in the schéma's method section", () => {
  it("gathers one source's files into one line, oldest first", () => {
    const data = {
      provenance: [
        file("france-geojson-communes-01-ain", "contours", "Contours des communes du département 01 (france-geojson)", "2018-01-01"),
        file("france-geojson-communes-02-aisne", "contours", "Contours des communes du département 02 (france-geojson)", "2018-01-01"),
        file("france-geojson-departement-02-aisne", "contours", "Contour du département 02 (france-geojson)", "2018-01-01"),
        file("arcep-communes", "arcep-deploiements", "Arcep, déploiements FttH T1 2018", "2018-03-31"),
        file("filosofi", "filosofi", "Filosofi 2021", "2025-12-31")
      ]
    } as unknown as DiagnosticData;
    const groups = staleGroups(data);
    // 2018-01-01 → 2026-12-01: 107 months; 2018-03-31 → 2026-12-01: 104 months; Filosofi (11 months) is not stale.
    expect(groups.map((g) => [g.label, g.files, g.age_mois])).toEqual([
      ["Contours des communes et des départements (3 fichiers)", 3, 107],
      ["Arcep, déploiements FttH T1 2018", 1, 104]
    ]);
  });
});
