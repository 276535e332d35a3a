import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { StoreLock } from './store-lock';
import { readLock, releaseLock, tryTakeLock, updateLock } from './store-lock';
import { readProcessStart } from './process-start';

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
    const held = { ...mine, processStart: await readProcessStart(process.pid) };
    expect(await tryTakeLock(path, held)).toEqual({ taken: true });

    const second = await tryTakeLock(path, { ...mine, role: 'local' });

    expect(second).toEqual({ taken: false, holder: held, sure: true });
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

    expect(await tryTakeLock(path, mine)).toEqual({ taken: false, holder: undefined, sure: true });
  });

  it('records the endpoint, and is released only by its holder', async () => {
    await tryTakeLock(path, mine);
    await updateLock(path, { ...mine, endpoint: 'http://127.0.0.1:8000' });

    await releaseLock(path, process.pid + 1);
    expect((await readLock(path))?.endpoint).toBe('http://127.0.0.1:8000');
    await releaseLock(path, process.pid);
    expect(await readLock(path)).toBeUndefined();
  });

  it('keeps the lock as it was when recording the endpoint fails half-way, so its holder can release it', async () => {
    await tryTakeLock(path, mine);
    // The file the update is written to first cannot be written (here: a folder is in its way;
    // on a full disk, ENOSPC): the lock must not be left empty, which nobody could ever claim.
    await mkdir(`${path}.${process.pid}.next`);

    await expect(
      updateLock(path, { ...mine, endpoint: 'http://127.0.0.1:8000' }),
    ).rejects.toThrow();
    expect(await readLock(path)).toEqual(mine);
    await releaseLock(path, process.pid);
    expect(await readLock(path)).toBeUndefined();
    expect(readdirSync(dir)).toEqual([]);
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

    expect(attempt).toEqual({ taken: false, holder: undefined, sure: true });
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
        processStart: await readProcessStart(other.pid as number),
      };
      await writeFile(path, JSON.stringify(holder));

      const attempt = await tryTakeLock(path, mine);

      expect(attempt).toEqual({ taken: false, holder, sure: true });
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

describe('store lock: a pid reused by another process', () => {
  let dir: string;
  let path: string;
  const mine: StoreLock = {
    pid: process.pid,
    role: 'command',
    startedAt: '2026-12-01T12:00:00.000Z',
  };

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ecslog-lock-'));
    path = join(dir, 'store.lock');
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it('takes over a lock naming a live pid that started at another time (the pid was reused)', async () => {
    const live = process.ppid;
    const actual = await readProcessStart(live);
    expect(actual).toBeDefined();
    const reused: StoreLock = {
      pid: live,
      role: 'local',
      endpoint: 'http://127.0.0.1:1',
      startedAt: '2026-11-30T08:00:00.000Z',
      processStart: { bootId: actual?.bootId as string, startTicks: '1' },
    };
    await writeFile(path, JSON.stringify(reused));

    expect(await tryTakeLock(path, mine)).toEqual({ taken: true });
    expect(await readLock(path)).toEqual(mine);
  });

  it('takes over a lock written before the last boot, its pid alive again after it', async () => {
    const actual = await readProcessStart(process.ppid);
    await writeFile(
      path,
      JSON.stringify({
        pid: process.ppid,
        role: 'command',
        startedAt: '2026-11-30T08:00:00.000Z',
        processStart: {
          bootId: '00000000-0000-4000-8000-000000000000',
          startTicks: actual?.startTicks,
        },
      }),
    );

    expect(await tryTakeLock(path, mine)).toEqual({ taken: true });
  });

  it('keeps a lock whose live pid has the recorded start: its holder still runs', async () => {
    const holder: StoreLock = {
      pid: process.ppid,
      role: 'command',
      startedAt: '2026-11-30T08:00:00.000Z',
      processStart: await readProcessStart(process.ppid),
    };
    await writeFile(path, JSON.stringify(holder));

    expect(await tryTakeLock(path, mine)).toEqual({ taken: false, holder, sure: true });
  });

  it.each([
    ['records no start time (another system, an older ecslog)', undefined, true],
    ['names a pid whose start cannot be read here', { bootId: 'b', startTicks: '5' }, false],
  ])('neither takes nor trusts a lock that %s', async (_, processStart, readable) => {
    const holder: StoreLock = {
      pid: 1,
      role: 'command',
      startedAt: '2026-11-30T08:00:00.000Z',
      ...(processStart ? { processStart } : {}),
    };
    await writeFile(path, JSON.stringify(holder));
    const probe = {
      isAlive: () => true,
      startOf: async () => (readable ? { bootId: 'b', startTicks: '5' } : undefined),
    };

    expect(await tryTakeLock(path, mine, probe)).toEqual({ taken: false, holder, sure: false });
    expect(await readLock(path)).toEqual(holder);
  });
});
