import { describe, expect, it } from "vitest";
import { ageInMonths, annualStatisticsNote, annualStatisticsNoteFor, freshnessBand, freshnessOf, staleFlag, staleFlagText } from "../src/lib/freshness.ts";

describe("freshness", () => {
  it("counts whole months, a month counting once its day is reached", () => {
    expect(ageInMonths("2018-03-31", "2018-04-30")).toBe(0);
    expect(ageInMonths("2018-03-31", "2019-09-30")).toBe(17);
    expect(ageInMonths("2018-03-31", "2019-10-01")).toBe(18);
    expect(ageInMonths("2018-03-31", "2026-12-01T14:28:51.000Z")).toBe(104); // 8 × 12 + 9 − 1
    expect(ageInMonths("2026-01-01", "2025-12-31")).toBe(0);
    expect(ageInMonths("2024-08-01", new Date(Date.UTC(2026, 1, 1)))).toBe(18);
  });
  it("puts ages in the four bands, stale beyond 18 months", () => {
    expect([0, 5, 6, 11, 12, 18, 19].map(freshnessBand)).toEqual([
      "moins de 6 mois", "moins de 6 mois", "6 à 12 mois", "6 à 12 mois", "12 à 18 mois", "12 à 18 mois", "plus de 18 mois"
    ]);
    expect(freshnessOf("2024-08-01", "2026-02-01")).toEqual({ date_reference: "2024-08-01", age_mois: 18, fraicheur: "12 à 18 mois", a_actualiser: false });
    expect(freshnessOf("2024-08-01", "2026-03-01").a_actualiser).toBe(true);
  });
  it("writes the short flag with the data's year", () => {
    expect(staleFlagText("2018-03-31")).toBe("donnée de 2018, à actualiser");
    expect(staleFlag({ date_reference: "2019-09-30", a_actualiser: true })).toBe("donnée de 2019, à actualiser");
    expect(staleFlag({ date_reference: "2025-09-30", a_actualiser: false })).toBeNull();
    expect(() => ageInMonths("T1 2018", "2026-01-01")).toThrow("date illisible : « T1 2018 »");
  });
});

describe("statistics published years after the year they describe", () => {
  it("explains the flag of the census, the legal populations and Filosofi, and of them only", () => {
    // The legal populations 2023, in force since 1 January 2026, are already 47 months old when loaded in December 2026.
    expect(freshnessOf("2023-01-01", "2026-12-02").a_actualiser).toBe(true);
    for (const source of ["populations", "insee-rp", "filosofi"]) expect(annualStatisticsNoteFor([{ source: "contours" }, { source }])).toBe(annualStatisticsNote);
    expect(annualStatisticsNoteFor([{ source: "arcep-deploiements" }, { source: null }])).toBeNull();
    expect(annualStatisticsNoteFor([])).toBeNull();
  });
});

describe("the registry", () => {
  /** Editions published as "the latest": their loader reads the date from the file itself. */
  const datedByTheirFile = new Set(["arcep-ma-connexion-internet-terrestre", "cartographie-nationale-lieux-mediation"]);
  it("gives every resource the date its data describe, as an ISO date", async () => {
    const { sources } = await import("../loaders/ingest/sources/index.ts");
    for (const resource of sources.flatMap((s) => s.resources)) {
      if (datedByTheirFile.has(resource.id)) expect(resource.referenceDate, resource.id).toBeUndefined();
      else expect(resource.referenceDate, resource.id).toMatch(/^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/);
    }
    const byId = new Map(sources.flatMap((s) => s.resources).map((r) => [r.id, r]));
    expect(byId.get("arcep-deploiements-2018t1-communes")?.referenceDate).toBe("2018-03-31");
    expect(byId.get("anct-france-services")?.referenceDate).toBe("2024-08-01");
    expect(byId.get("insee-cog-communes")?.referenceDate).toBe("2026-01-01");
    expect(byId.get("arcep-deploiements-2018t1-ftth-communes")?.replacement).toMatch(/AAAAtN-obs-hd-thd-deploiement\.xlsx.*le-marche-du-haut-et-tres-haut-debit-fixe-deploiements/);
    // The newest legal populations say what replaces them and when it appears.
    expect(byId.get("insee-populations-legales")?.replacement).toMatch(/chaque fin décembre/);
  });
});
