import { exportTask } from "./tasks.ts";
const cpu = () => { const u = process.cpuUsage(); return (u.user + u.system) / 1000; };
const c = cpu();
const r = await exportTask({ dataDir: process.argv[2], exportsDir: "/tmp/perf/exp", departements: process.argv[3].split(",") });
console.log("wall", Math.round(r.ms), "cpu", Math.round(cpu() - c), "rss", Math.round(process.resourceUsage().maxRSS / 1024));
