import { beforeAll, describe, expect } from "vitest";
import { arcepDeploiements } from "../../loaders/ingest/sources/arcep-deploiements.ts";
import { fault } from "./harness.ts";
import { mirrorText, tempMirror } from "./mirror.ts";
import { expectRefused, load, query, quarantine, resourceCounts, type QuarantineRow } from "./pipeline.ts";

/** Arcep T1 2018: 4 title lines above the header, numbers as formatted text (`" 8 262    "`, `" -    "`). */
const COMMUNES = "arcep-deploiements-2018t1/communes.csv";
const where = { source: "arcep-deploiements", file: "communes.csv" };
const original = mirrorText(COMMUNES);

describe("Arcep déploiements T1 2018 (title lines, formatted numbers)", () => {
  fault("arcep-deploiements", "header line missing (title lines only, then data)", async () => {
    const headless = original.replace(/^Code commune,.*\n/m, "");
    await expectRefused(tempMirror({ [COMMUNES]: headless }), [arcepDeploiements], /^ligne d'en-tête introuvable \(aucune des 50 premières lignes ne contient "Code commune"\)/, {
      ...where, line: 1, column: "Code commune"
    });
    return { outcome: "refused" };
  });

  describe("two more title lines, an unreadable count, a commune dropped", () => {
    const lines = original.split("\n");
    lines.splice(2, 0, "Source : Arcep, observatoire du haut et très haut débit,,,,,,,,,,,,", ",,,,,,,,,,,,");
    const aast = lines.findIndex((l) => l.startsWith("64001,"));
    lines[aast] = lines[aast].replace(" 81    ", " n/a ");
    const text = lines.join("\n");

    let database = "";
    let quarantined: QuarantineRow[] = [];
    beforeAll(async () => {
      ({ config: { paths: { database } } } = await load(tempMirror({ [COMMUNES]: text }), [arcepDeploiements]));
      quarantined = await quarantine(database, "arcep-deploiements");
    });

    fault("arcep-deploiements", "a different number of title lines above the header", async () => {
      const counts = (await resourceCounts(database)).filter((r) => r.resource.startsWith("arcep"));
      expect(counts.find((r) => r.resource === "arcep-deploiements-2018t1-communes")?.rows_in).toBe(35_361);
      expect(counts.find((r) => r.resource === "arcep-deploiements-2018t1-ftth-communes")?.rows_in).toBe(70_722);
      return { outcome: "loaded", resources: counts };
    });

    fault("arcep-deploiements", "formatted numbers (\" 8 262    \", \" -    \")", async () => {
      const [gueret] = await query(database, `SELECT locaux, locaux_raccordables, zone_fthd, operateur_engage FROM arcep_ftth WHERE code_insee = '23096'`);
      expect(gueret).toEqual({ locaux: 8262 + 722, locaux_raccordables: 1773, zone_fthd: "AMII", operateur_engage: "FRTE" });
      return { outcome: "corrected" };
    });

    fault("arcep-deploiements", "unreadable count: the commune and its FttH rows are quarantined with the reason", async () => {
      expect(quarantined).toContainEqual({ ...where, line: aast + 1, column: "Logements", value: " n/a ", reason: "nombre de locaux illisible" });
      const ftth = quarantined.filter((q) => q.file === "ftthCommunes.csv" && q.value === "64001");
      expect(ftth.map((q) => q.reason)).toEqual(Array(2).fill("commune absente de communes.csv ou écartée (voir sa quarantaine)"));
      expect(await query(database, `SELECT * FROM arcep_ftth WHERE code_insee = '64001'`)).toEqual([]);
      return { outcome: "quarantined", resources: await resourceCounts(database) };
    });
  });
});
