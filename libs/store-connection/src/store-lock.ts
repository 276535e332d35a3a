/**
 * Who holds the local store. dynalite keeps the table in LevelDB, which one process at a time may
 * open, so the first ecslog process to need the store takes `store.lock` (created exclusively),
 * opens it and serves it on a loopback port; `ecslog local` keeps serving until Ctrl-C, and every
 * other command, while it runs, uses that port. A one-shot command holds the lock only while it
 * runs. A lock is stale, and taken over, when its process has gone — or when its pid now belongs
 * to another process (pids are reused, in containers above all): the lock records its holder's
 * start time and boot id, and a live pid that started at another time is not the holder.
 */
import { open, readFile, rename, rm, writeFile } from 'node:fs/promises';
import type { ProcessStart } from './process-start';
import { readProcessStart } from './process-start';

export interface StoreLock {
  pid: number;
  /** `local`: the long-running stack (serves others); `command`: a one-shot command. */
  role: 'local' | 'command';
  /** Set once the store is served: `http://127.0.0.1:PORT`. */
  endpoint?: string;
  startedAt: string;
  /** The holder's start (Linux): tells the holder from a later process given the same pid. */
  processStart?: ProcessStart;
}

/**
 * `sure` is false when a live process has the holder's pid but whether it is the holder cannot be
 * told (no start time in the lock, or none readable for the pid): then only a person can say the
 * lock is stale.
 */
export type LockAttempt =
  { taken: true } | { taken: false; holder: StoreLock | undefined; sure: boolean };

/** Whether a lock's holder still runs, as far as can be told. */
export type HolderState = 'running' | 'gone' | 'undecidable';

/** How the lock learns about processes; injected in tests. */
export interface ProcessProbe {
  isAlive(pid: number): boolean;
  startOf(pid: number): Promise<ProcessStart | undefined>;
}

const SYSTEM_PROBE: ProcessProbe = { isAlive, startOf: (pid) => readProcessStart(pid) };

/** Takes the lock if it is free or stale; otherwise says who holds it. */
export async function tryTakeLock(
  path: string,
  lock: StoreLock,
  probe: ProcessProbe = SYSTEM_PROBE,
): Promise<LockAttempt> {
  for (let attempt = 0; attempt < 2; attempt += 1) {
    try {
      const handle = await open(path, 'wx', 0o600);
      try {
        await handle.writeFile(JSON.stringify(lock));
      } catch (error) {
        // A lock left empty (a full disk) would look "being written" to everyone, forever.
        await handle.close();
        await rm(path, { force: true });
        throw error;
      }
      await handle.close();
      return { taken: true };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const content = await readText(path);
    const holder = parseLock(content);
    if (holder === undefined) return { taken: false, holder, sure: true };
    const state = await holderState(holder, probe);
    if (state !== 'gone') return { taken: false, holder, sure: state === 'running' };
    // Stale. Removed only if unchanged since it was judged, so a lock another process has just
    // taken over is not removed in its place.
    if ((await readText(path)) === content) await rm(path, { force: true });
  }
  const holder = await readLock(path);
  return { taken: false, holder, sure: true };
}

/** Decides whether the process a lock names is still its holder. */
export async function holderState(holder: StoreLock, probe: ProcessProbe): Promise<HolderState> {
  if (!probe.isAlive(holder.pid)) return 'gone';
  const recorded = holder.processStart;
  const current = await probe.startOf(holder.pid);
  if (recorded === undefined || current === undefined) return 'undecidable';
  const same = recorded.bootId === current.bootId && recorded.startTicks === current.startTicks;
  return same ? 'running' : 'gone';
}

/**
 * Records the endpoint in a lock this process holds. Written beside it and renamed over it, so
 * that a write that fails half-way (a full disk) leaves the lock as it was — still naming this
 * process, so {@link releaseLock} removes it — never an empty file that nobody can claim.
 */
export async function updateLock(path: string, lock: StoreLock): Promise<void> {
  const next = `${path}.${process.pid}.next`;
  try {
    await writeFile(next, JSON.stringify(lock), { mode: 0o600 });
    await rename(next, path);
  } catch (error) {
    await rm(next, { force: true, recursive: true }).catch(() => undefined);
    throw error;
  }
}

/** Removes the lock if this process holds it. */
export async function releaseLock(path: string, pid: number): Promise<void> {
  const holder = await readLock(path);
  if (holder?.pid === pid) await rm(path, { force: true });
}

/** The lock's content; undefined when there is none or it is being written. */
export async function readLock(path: string): Promise<StoreLock | undefined> {
  return parseLock(await readText(path));
}

async function readText(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch {
    return undefined;
  }
}

function parseLock(content: string | undefined): StoreLock | undefined {
  if (content === undefined) return undefined;
  try {
    const lock = JSON.parse(content) as StoreLock | null;
    return typeof lock?.pid === 'number' ? lock : undefined;
  } catch {
    return undefined;
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
