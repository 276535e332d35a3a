/**
 * Who holds the local store. dynalite keeps the table in LevelDB, which one process at a time may
 * open, so the first ecslog process to need the store takes `store.lock` (created exclusively),
 * opens it and serves it on a loopback port; `ecslog local` keeps serving until Ctrl-C, and every
 * other command, while it runs, uses that port. A one-shot command holds the lock only while it
 * runs; a lock whose process has gone is stale and is taken over.
 */
import { open, readFile, rm, writeFile } from 'node:fs/promises';

export interface StoreLock {
  pid: number;
  /** `local`: the long-running stack (serves others); `command`: a one-shot command. */
  role: 'local' | 'command';
  /** Set once the store is served: `http://127.0.0.1:PORT`. */
  endpoint?: string;
  startedAt: string;
}

export type LockAttempt = { taken: true } | { taken: false; holder: StoreLock | undefined };

/** Takes the lock if it is free or stale; otherwise says who holds it. */
export async function tryTakeLock(path: string, lock: StoreLock): Promise<LockAttempt> {
  for (let attempt = 0; attempt < 2; attempt += 1) {
    try {
      const handle = await open(path, 'wx');
      try {
        await handle.writeFile(JSON.stringify(lock));
      } finally {
        await handle.close();
      }
      return { taken: true };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const holder = await readLock(path);
    if (holder === undefined || isAlive(holder.pid)) return { taken: false, holder };
    await rm(path, { force: true }); // stale: its process is gone
  }
  return { taken: false, holder: await readLock(path) };
}

/** Records the endpoint in a lock this process holds. */
export async function updateLock(path: string, lock: StoreLock): Promise<void> {
  await writeFile(path, JSON.stringify(lock));
}

/** Removes the lock if this process holds it. */
export async function releaseLock(path: string, pid: number): Promise<void> {
  const holder = await readLock(path);
  if (holder?.pid === pid) await rm(path, { force: true });
}

/** The lock's content; undefined when there is none or it is being written. */
export async function readLock(path: string): Promise<StoreLock | undefined> {
  try {
    const lock = JSON.parse(await readFile(path, 'utf8')) as StoreLock;
    return typeof lock.pid === 'number' ? lock : undefined;
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
