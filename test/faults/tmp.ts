import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

/** Temporary folders of the fault suite (mirrors, data folders, exports), removed when it ends: a run writes ~1 GB. */
const created: string[] = [];

export function faultDir(prefix = "sdin-fault-"): string {
  const dir = mkdtempSync(path.join(tmpdir(), prefix));
  created.push(dir);
  return dir;
}

export function removeFaultDirs(): void {
  for (const dir of created.splice(0)) rmSync(dir, { recursive: true, force: true });
}
