/**
 * A full disk under `ECSLOG_HOME` (a tiny tmpfs, filled; mounting one needs root): taking the
 * lock or making the credentials fails with ENOSPC and leaves no empty `store.lock` behind —
 * which every later command would take for a lock being written, forever.
 */
import { execFileSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureStoreCredentials } from './store-credentials';
import { tryTakeLock } from './store-lock';

function mountFullTmpfs(path: string): (() => void) | undefined {
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', path], { stdio: 'ignore' });
  } catch {
    return undefined;
  }
  return () => execFileSync('umount', [path], { stdio: 'ignore' });
}

describe('a full disk in ECSLOG_HOME', () => {
  let dir: string;
  let unmount: (() => void) | undefined;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ecslog-full-'));
    unmount = mountFullTmpfs(dir);
    if (unmount)
      await writeFile(join(dir, 'filler'), Buffer.alloc(1024 * 1024)).catch(
        (error: NodeJS.ErrnoException) => {
          if (error.code !== 'ENOSPC') throw error;
        },
      );
  });
  afterAll(async () => {
    unmount?.();
    await rm(dir, { recursive: true, force: true });
  });

  const onFullDisk = (name: string, test: () => Promise<void>) =>
    it(name, async () => {
      if (!unmount) return console.warn(`not run: ${name} (mounting a tmpfs needs root)`);
      await test();
    });

  onFullDisk('fails to take the lock with ENOSPC and leaves no empty lock', async () => {
    const attempt = tryTakeLock(join(dir, 'store.lock'), {
      pid: process.pid,
      role: 'command',
      startedAt: '2026-12-01T12:00:00.000Z',
    });

    await expect(attempt).rejects.toMatchObject({ code: 'ENOSPC' });
    expect(readdirSync(dir)).toEqual(['filler']);
  });

  onFullDisk('fails to make the credentials with ENOSPC and leaves no partial file', async () => {
    await expect(ensureStoreCredentials(join(dir, 'store-credentials.json'))).rejects.toMatchObject(
      { code: 'ENOSPC' },
    );
    expect(readdirSync(dir)).toEqual(['filler']);
  });
});
