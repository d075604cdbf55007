/** True when a process with this id is running (used to tell abandoned work files and locks from live ones). */
export function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
