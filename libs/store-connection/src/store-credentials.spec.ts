import { chmodSync, readdirSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureStoreCredentials, readStoreCredentials } from './store-credentials';

describe('store credentials', () => {
  let dir: string;
  let path: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ecslog-credentials-'));
    path = join(dir, 'store-credentials.json');
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it('are made once, mode 0600, and the same for processes making them at the same time', async () => {
    const made = await Promise.all(Array.from({ length: 8 }, () => ensureStoreCredentials(path)));

    expect(new Set(made.map((c) => JSON.stringify(c))).size).toBe(1);
    expect(await readStoreCredentials(path)).toEqual(made[0]);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(readdirSync(dir)).toEqual(['store-credentials.json']);
  });

  it('differ from one home to the next', async () => {
    const other = join(dir, 'other.json');

    expect(await ensureStoreCredentials(path)).not.toEqual(await ensureStoreCredentials(other));
  });

  it.each([
    ['640', 0o640],
    ['604', 0o604],
    ['660', 0o660],
  ])('are refused from a file with mode %s', async (_, mode) => {
    await ensureStoreCredentials(path);
    chmodSync(path, mode);

    await expect(readStoreCredentials(path)).rejects.toThrow(
      `refusing ${path}: others may read it (mode ${mode.toString(8)}); delete it to make new credentials, or chmod 600 it`,
    );
    await expect(ensureStoreCredentials(path)).rejects.toThrow(/others may read it/);
  });

  it('are refused through a symbolic link', async () => {
    const real = join(dir, 'real.json');
    await ensureStoreCredentials(real);
    symlinkSync(real, path);

    await expect(readStoreCredentials(path)).rejects.toThrow(
      `refusing ${path}: it is a symbolic link`,
    );
  });

  it('are refused from a file that holds something else, and named when missing', async () => {
    writeFileSync(path, '{"accessKeyId":"local","secretAccessKey":"local"}', { mode: 0o600 });

    await expect(readStoreCredentials(path)).rejects.toThrow(
      `${path} does not hold the local store's credentials: delete it to make new ones`,
    );
    await expect(readStoreCredentials(join(dir, 'none.json'))).rejects.toThrow(
      /none\.json is missing/,
    );
    expect(await readStoreCredentials(join(dir, 'none.json'), { missingOk: true })).toBeUndefined();
  });
});
