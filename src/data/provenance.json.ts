import { queryRows } from "../../loaders/db.ts";
import { hasTable, runLoader } from "../../loaders/site/loader.ts";

/** Every file loaded (source, vintage, URL, sha256, rows) and the quarantined rows summarised by reason. */
await runLoader("provenance.json", async (connection) => {
  const fichiers = (await hasTable(connection, "provenance"))
    ? await queryRows(
        connection,
        `SELECT id, source, title, publisher, url, origin, vintage, licence, derived, status, sha256, bytes,
                rows_in, rows_loaded, rows_quarantined, loaded_at FROM provenance ORDER BY source, id`
      )
    : [];
  const quarantaine = (await hasTable(connection, "quarantine"))
    ? await queryRows(
        connection,
        `SELECT source, file, reason, count(*)::INTEGER AS lignes, min(line)::INTEGER AS premiere_ligne, any_value("column") AS colonne
         FROM quarantine GROUP BY source, file, reason ORDER BY lignes DESC LIMIT 200`
      )
    : [];
  return { fichiers, quarantaine };
});
