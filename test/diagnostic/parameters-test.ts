import path from "node:path";
import { describe, expect, it, vi } from "vitest";
import { defaultWeights, readConfig } from "../../loaders/io/config.ts";
import { withDatabase } from "../../loaders/io/db.ts";
import { readParameters, writeParameters } from "../../loaders/diagnostic/parameters.ts";
import { withDatabaseParameters } from "../../loaders/cli/ensure.ts";
import { tempDir } from "../helpers.ts";

describe("parameters of the diagnostic", () => {
  it("makes exports and the site follow the database's threshold and weights, and says when they differ", async () => {
    const data = tempDir();
    await withDatabase(path.join(data, "sdin.duckdb"), {}, ({ connection }) =>
      writeParameters(connection, { thresholdKm: 5, weights: { ...defaultWeights, older_65: 2 } })
    );
    const warn = vi.spyOn(process.stderr, "write").mockImplementation(() => true);
    try {
      const config = await withDatabaseParameters(readConfig({ data, threshold: 10 }, {}));
      expect(config.thresholdKm).toBe(5);
      expect(config.weights.older_65).toBe(2);
      expect(String(warn.mock.calls[0]?.[0])).toMatch(/ont changé depuis le chargement.*seuil 5 km/);
      warn.mockClear();
      await withDatabaseParameters(readConfig({ data, threshold: 5, weights: "older_65=2" }, {}));
      expect(warn).not.toHaveBeenCalled();
    } finally {
      warn.mockRestore();
    }
  });

  it("keeps the de-duplication's thresholds and says when parametres.json asks for others", async () => {
    const data = tempDir();
    const database = path.join(data, "sdin.duckdb");
    await withDatabase(database, {}, ({ connection }) =>
      writeParameters(connection, { thresholdKm: 10, weights: defaultWeights, dedoublonnage: { fusion: 0.9, a_verifier: 0.5 } })
    );
    expect((await withDatabase(database, { readOnly: true }, ({ connection }) => readParameters(connection)))?.dedoublonnage).toEqual({ fusion: 0.9, a_verifier: 0.5 });
    const warn = vi.spyOn(process.stderr, "write").mockImplementation(() => true);
    try {
      // The default thresholds (0.8 and 0.6) differ from the database's.
      const config = await withDatabaseParameters(readConfig({ data, threshold: 10 }, {}));
      expect(config.dedoublonnage).toEqual({ fusion: 0.9, a_verifier: 0.5 });
      expect(String(warn.mock.calls[0]?.[0])).toMatch(/ont changé depuis le chargement.*dédoublonnage fusion 0.9 et à vérifier 0.5/);
    } finally {
      warn.mockRestore();
    }
  });
});
