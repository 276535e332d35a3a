import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { StoreLock } from './store-lock';
import { readLock, releaseLock, tryTakeLock, updateLock } from './store-lock';

describe('store lock', () => {
  let dir: string;
  let path: string;
  const mine: StoreLock = {
    pid: process.pid,
    role: 'command',
    startedAt: '2026-11-24T12:00:00.000Z',
  };

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'ecslog-lock-'));
    path = join(dir, 'store.lock');
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('is taken when free, and then names its holder to the next process', async () => {
    expect(await tryTakeLock(path, mine)).toEqual({ taken: true });

    const second = await tryTakeLock(path, { ...mine, role: 'local' });

    expect(second).toEqual({ taken: false, holder: mine });
  });

  it('takes over a lock whose process has gone', async () => {
    const gone = spawnSync(process.execPath, ['-e', '']).pid;
    writeFileSync(
      path,
      JSON.stringify({ ...mine, pid: gone, role: 'local', endpoint: 'http://127.0.0.1:1' }),
    );

    expect(await tryTakeLock(path, mine)).toEqual({ taken: true });
    expect(await readLock(path)).toEqual(mine);
  });

  it('does not take a lock being written (no holder yet)', async () => {
    writeFileSync(path, '');

    expect(await tryTakeLock(path, mine)).toEqual({ taken: false, holder: undefined });
  });

  it('records the endpoint, and is released only by its holder', async () => {
    await tryTakeLock(path, mine);
    await updateLock(path, { ...mine, endpoint: 'http://127.0.0.1:8000' });

    await releaseLock(path, process.pid + 1);
    expect((await readLock(path))?.endpoint).toBe('http://127.0.0.1:8000');
    await releaseLock(path, process.pid);
    expect(await readLock(path)).toBeUndefined();
  });
});
