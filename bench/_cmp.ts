import { openDatabase, queryRows } from "../loaders/io/db.ts";
const db = await openDatabase(":memory:");
const c = db.connection;
await c.run(`ATTACH '${process.argv[2]}' AS a (READ_ONLY); ATTACH '${process.argv[3]}' AS b (READ_ONLY)`);
const tables = await queryRows<{ t: string }>(c, `SELECT table_name AS t FROM duckdb_tables() WHERE database_name = 'a' ORDER BY 1`);
for (const { t } of tables) {
  const cols = t === "diagnostic_lieux" ? "* EXCLUDE (dispositifs, sources)" : t === "provenance" ? "* EXCLUDE (duration_ms, loaded_at)" : t === "parametres" ? "* " : "*";
  try {
    const [r] = await queryRows<{ x: number; y: number; n: number }>(c, `SELECT (SELECT count(*) FROM (SELECT ${cols} FROM a.main."${t}" EXCEPT ALL SELECT ${cols} FROM b.main."${t}"))::INTEGER AS x, (SELECT count(*) FROM (SELECT ${cols} FROM b.main."${t}" EXCEPT ALL SELECT ${cols} FROM a.main."${t}"))::INTEGER AS y, (SELECT count(*) FROM a.main."${t}")::INTEGER AS n`);
    console.log(t, r.n, r.x === 0 && r.y === 0 ? "same" : `DIFF ${r.x}/${r.y}`);
  } catch (e) { console.log(t, "ERR", (e as Error).message.slice(0, 100)); }
}
db.close();
