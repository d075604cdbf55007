import { baselineFiles, rawReadTask } from "./tasks.ts";
const b = await baselineFiles(process.argv[2]);
console.log(b.files.length, "files; excluded", b.excluded.map(e => e.file + " " + e.reason));
const r = await rawReadTask({ database: "/tmp/perf/raw.duckdb", files: b.files });
console.log(Math.round(r.ms), r.info, "rss MB", process.resourceUsage().maxRSS/1024);
