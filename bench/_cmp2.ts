import { openDatabase, queryRows } from "../loaders/io/db.ts";
const db = await openDatabase(":memory:");
const c = db.connection;
await c.run(`ATTACH '${process.argv[2]}' AS a (READ_ONLY); ATTACH '${process.argv[3]}' AS b (READ_ONLY)`);
const t = process.argv[4];
console.log(await queryRows(c, `DESCRIBE a.main."${t}"`).then(r => r.map((x: any) => x.column_name).join(",")));
console.log(await queryRows(c, `(SELECT 'a' AS w, * FROM (SELECT * FROM a.main."${t}" EXCEPT ALL SELECT * FROM b.main."${t}") LIMIT 3) UNION ALL (SELECT 'b', * FROM (SELECT * FROM b.main."${t}" EXCEPT ALL SELECT * FROM a.main."${t}") LIMIT 3)`));
db.close();
