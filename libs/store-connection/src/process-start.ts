/**
 * When a process started, as Linux tells it: its start time in clock ticks since boot
 * (`/proc/<pid>/stat`, field 22) and the boot's id (`/proc/sys/kernel/random/boot_id`). A pid is
 * reused (containers restart with the same small pids), but a pid together with its start time and
 * the boot id names one process only, so a lock can tell its holder from a newcomer with its pid.
 */
import { readFile } from 'node:fs/promises';

/** One process's start, comparable across processes: same pid + same start = same process. */
export interface ProcessStart {
  bootId: string;
  /** Field 22 of `/proc/<pid>/stat`, as written there (clock ticks since boot). */
  startTicks: string;
}

/** Reads files the way `readProcessStart` needs; injected in tests. */
export type ReadText = (path: string) => Promise<string>;

const readText: ReadText = (path) => readFile(path, 'utf8');

/**
 * The start of process `pid`, or undefined when it cannot be known here (not Linux, no /proc,
 * unreadable, no such process).
 */
export async function readProcessStart(
  pid: number,
  read: ReadText = readText,
): Promise<ProcessStart | undefined> {
  try {
    const [stat, bootId] = await Promise.all([
      read(`/proc/${pid}/stat`),
      read('/proc/sys/kernel/random/boot_id'),
    ]);
    const startTicks = startTicksOf(stat);
    const boot = bootId.trim();
    return startTicks === undefined || boot === '' ? undefined : { bootId: boot, startTicks };
  } catch {
    return undefined;
  }
}

/**
 * Field 22 (starttime) of a `/proc/<pid>/stat` line. Field 2 is the command name in parentheses and
 * may itself hold spaces and parentheses, so fields are counted from after its last `)`.
 */
export function startTicksOf(stat: string): string | undefined {
  const end = stat.lastIndexOf(')');
  if (end < 0) return undefined;
  // After ")" come fields 3 (state), 4, …: field 22 is the 20th of them.
  const field = stat
    .slice(end + 1)
    .trim()
    .split(/\s+/)[19];
  return field !== undefined && /^\d+$/.test(field) ? field : undefined;
}
