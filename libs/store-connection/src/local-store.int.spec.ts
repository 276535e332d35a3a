/**
 * openLocalStore against real dynalite stores in temporary homes: a lock it cannot judge is left
 * alone and named, and a read-only home is still readable while writes fail naming the folder.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PutItemCommand, ScanCommand } from '@aws-sdk/client-dynamodb';
import { StoreUnavailableError } from './audit-store-connection';
import { ecslogHome, LOCAL_TABLE_NAME } from './ecslog-home';
import { openLocalStore } from './local-store';

describe('openLocalStore: a lock whose holder cannot be told', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ecslog-store-'));
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it('leaves a lock naming a live pid with no start time, and says to delete store.lock', async () => {
    const home = ecslogHome({ ECSLOG_HOME: 'home' }, dir);
    await openLocalStore({ home, role: 'command', cwd: dir }).then((store) => store.close());
    const content = JSON.stringify({ pid: 1, role: 'command', startedAt: '2026-11-30T08:00:00Z' });
    await writeFile(home.lock, content);

    const opening = openLocalStore({ home, role: 'command', cwd: dir, waitMs: 300 });

    await expect(opening).rejects.toThrow(
      new StoreUnavailableError(
        'the local store in home is locked by pid 1, which may not be ecslog (its start time cannot be checked here); if no ecslog is running, delete home/store.lock',
      ),
    );
  });

  it('names store.lock to delete when the lock stays unreadable (a crash while writing it)', async () => {
    const home = ecslogHome({ ECSLOG_HOME: 'home' }, dir);
    await openLocalStore({ home, role: 'command', cwd: dir }).then((store) => store.close());
    await writeFile(home.lock, '');

    const opening = openLocalStore({ home, role: 'command', cwd: dir, waitMs: 300 });

    await expect(opening).rejects.toThrow(
      new StoreUnavailableError(
        'the local store in home is locked, but home/store.lock cannot be read; if no ecslog is running, delete it',
      ),
    );
  });

  it('takes over a lock naming a live pid that started at another time', async () => {
    const home = ecslogHome({ ECSLOG_HOME: 'home' }, dir);
    await openLocalStore({ home, role: 'command', cwd: dir }).then((store) => store.close());
    await writeFile(
      home.lock,
      JSON.stringify({
        pid: 1,
        role: 'local',
        endpoint: 'http://127.0.0.1:1',
        startedAt: '2026-11-30T08:00:00Z',
        processStart: { bootId: 'a-previous-boot', startTicks: '17' },
      }),
    );

    const store = await openLocalStore({ home, role: 'command', cwd: dir, waitMs: 300 });
    try {
      expect(store.owned).toBe(true);
    } finally {
      await store.close();
    }
  });
});

/**
 * Makes `path` read-only for this process: a read-only bind mount when running as root (root
 * ignores mode bits), mode 0555 otherwise. Undefined when neither is possible here.
 */
function makeReadOnly(path: string): (() => Promise<void>) | undefined {
  if (process.getuid?.() !== 0)
    return process.platform === 'win32'
      ? undefined
      : (chmodSyncReadOnly(path), () => chmod(path, 0o700));
  try {
    execFileSync('mount', ['--bind', path, path], { stdio: 'ignore' });
  } catch {
    return undefined;
  }
  try {
    execFileSync('mount', ['-o', 'remount,bind,ro', path], { stdio: 'ignore' });
  } catch {
    execFileSync('umount', [path], { stdio: 'ignore' });
    return undefined;
  }
  return async () => {
    execFileSync('umount', [path], { stdio: 'ignore' });
  };
}

function chmodSyncReadOnly(path: string): void {
  execFileSync('chmod', ['0555', path]);
}

describe('openLocalStore: a read-only ECSLOG_HOME', () => {
  let dir: string;
  let undo: (() => Promise<void>) | undefined;
  const item = { pk: { S: 'TASK#a' }, sk: { S: 'v#1' }, note: { S: 'stored before' } };

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ecslog-read-only-home-'));
    const home = ecslogHome({ ECSLOG_HOME: 'home' }, dir);
    const store = await openLocalStore({ home, role: 'command', cwd: dir });
    try {
      await store.client.send(new PutItemCommand({ TableName: LOCAL_TABLE_NAME, Item: item }));
    } finally {
      await store.close();
    }
    undo = makeReadOnly(home.root);
  });
  afterAll(async () => {
    await undo?.();
    await rm(dir, { recursive: true, force: true });
  });

  const readOnlyIt = (name: string, test: () => Promise<void>) =>
    it(name, async () => {
      // Root without the right to mount: nothing here can make a folder read-only to it (the
      // decision itself is covered by unwritable-home.spec.ts). Said, not hidden.
      if (!undo) return console.warn(`not run: ${name} (root cannot bind-mount read-only here)`);
      await test();
    });

  readOnlyIt('is really read-only for this process', async () => {
    await expect(writeFile(join(dir, 'home', 'probe'), '')).rejects.toMatchObject({
      code: expect.stringMatching(/^(EROFS|EACCES)$/),
    });
  });

  readOnlyIt('still reads the store, without taking store.lock', async () => {
    const home = ecslogHome({ ECSLOG_HOME: 'home' }, dir);
    const before = readdirSync(home.root).sort();

    const store = await openLocalStore({ home, role: 'command', cwd: dir });
    try {
      const scan = await store.client.send(new ScanCommand({ TableName: LOCAL_TABLE_NAME }));
      expect(scan.Items).toEqual([expect.objectContaining(item)]);
      expect(store.readOnly).toBe('cannot write to the local store: home is a read-only folder');
    } finally {
      await store.close();
    }
    expect(existsSync(home.lock)).toBe(false);
    expect(readdirSync(home.root).sort()).toEqual(before);
  });

  readOnlyIt('refuses writes at once, in one line naming the folder', async () => {
    const home = ecslogHome({ ECSLOG_HOME: 'home' }, dir);
    const store = await openLocalStore({ home, role: 'command', cwd: dir });
    try {
      const write = store.client.send(
        new PutItemCommand({ TableName: LOCAL_TABLE_NAME, Item: { ...item, note: { S: 'new' } } }),
      );
      await expect(write).rejects.toThrow(
        new StoreUnavailableError('cannot write to the local store: home is a read-only folder'),
      );
      await expect(write).rejects.toMatchObject({
        code: expect.stringMatching(/^(EROFS|EACCES)$/),
        fatal: true,
      });
    } finally {
      await store.close();
    }
  });

  readOnlyIt('refuses ecslog local, which must write, naming the folder', async () => {
    const home = ecslogHome({ ECSLOG_HOME: 'home' }, dir);

    await expect(openLocalStore({ home, role: 'local', cwd: dir })).rejects.toThrow(
      /^ecslog local needs to write to home, a read-only folder \((EROFS|EACCES)\); set ECSLOG_HOME to a folder you can write$/,
    );
  });
});
