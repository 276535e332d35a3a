import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
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

describe('store lock: holders that cannot be read, and other live processes', () => {
  let dir: string;
  let path: string;
  const mine: StoreLock = {
    pid: process.pid,
    role: 'command',
    startedAt: '2026-11-24T12:00:00.000Z',
  };

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ecslog-lock-'));
    path = join(dir, 'store.lock');
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it('reads no holder when there is no lock', async () => {
    expect(await readLock(path)).toBeUndefined();
  });

  it.each([
    ['half-written JSON', '{"pid": 48213, "role": "lo'],
    [
      'a pid that is not a number',
      '{"pid":"48213","role":"local","startedAt":"2026-11-24T11:00:00.000Z"}',
    ],
    ['JSON null', 'null'],
  ])('neither takes nor removes a lock holding %s', async (_, content) => {
    await writeFile(path, content);

    const attempt = await tryTakeLock(path, mine);

    expect(attempt).toEqual({ taken: false, holder: undefined });
    expect(await readFile(path, 'utf8')).toBe(content);
  });

  it('is not taken while another live process holds it, and that holder is named', async () => {
    const other = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60_000)'], {
      stdio: 'ignore',
    });
    try {
      const holder: StoreLock = {
        pid: other.pid as number,
        role: 'local',
        endpoint: 'http://127.0.0.1:50321',
        startedAt: '2026-11-24T11:00:00.000Z',
      };
      await writeFile(path, JSON.stringify(holder));

      const attempt = await tryTakeLock(path, mine);

      expect(attempt).toEqual({ taken: false, holder });
      expect(await readLock(path)).toEqual(holder);
    } finally {
      other.kill();
      await once(other, 'exit');
    }
  });

  it('takes over the lock of a process that has exited', async () => {
    const gone = spawn(process.execPath, ['-e', '']);
    await once(gone, 'exit');
    await writeFile(
      path,
      JSON.stringify({ pid: gone.pid, role: 'command', startedAt: '2026-11-24T11:00:00.000Z' }),
    );

    expect(await tryTakeLock(path, mine)).toEqual({ taken: true });
    expect(JSON.parse(await readFile(path, 'utf8'))).toEqual(mine);
  });

  it('releases nothing when there is no lock or it cannot be read', async () => {
    await expect(releaseLock(path, process.pid)).resolves.toBeUndefined();
    await writeFile(path, '{"pid":');

    await releaseLock(path, process.pid);

    expect(await readFile(path, 'utf8')).toBe('{"pid":');
  });

  it('can be taken again once released', async () => {
    await tryTakeLock(path, mine);
    await releaseLock(path, process.pid);

    const again = await tryTakeLock(path, { ...mine, role: 'local' });

    expect(again).toEqual({ taken: true });
    expect((await readLock(path))?.role).toBe('local');
  });
});
