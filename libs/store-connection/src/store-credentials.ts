/**
 * The local store's own credentials: a random access key id and secret made once per
 * `$ECSLOG_HOME`, kept in `store-credentials.json` that only its owner may read (mode 0600). The
 * process serving the store accepts only requests signed (SigV4) with them, and every ecslog
 * process that connects reads them from the file — so reaching the store takes the right to read
 * that file, which a web page, or another user, has not.
 */
import { randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { link, open, rm } from 'node:fs/promises';

/** Static credentials the SDK signs with. */
export interface StoreCredentials {
  accessKeyId: string;
  secretAccessKey: string;
}

/** Why the credentials file cannot be used; the message is one line for people. */
export class StoreCredentialsError extends Error {
  override readonly name = 'StoreCredentialsError';
}

/** Fresh random credentials: 128 bits of key id, 256 bits of secret. */
export function newStoreCredentials(): StoreCredentials {
  return {
    accessKeyId: `ECSLOG${randomBytes(16).toString('hex').toUpperCase()}`,
    secretAccessKey: randomBytes(32).toString('base64url'),
  };
}

/**
 * The credentials in `path`, made there first when there are none. The file is written whole
 * under a temporary name (created exclusively, mode 0600) and then linked into place, so a reader
 * never sees half a file and two processes making it at once end up with the same credentials.
 */
export async function ensureStoreCredentials(path: string): Promise<StoreCredentials> {
  const existing = await readStoreCredentials(path, { missingOk: true });
  if (existing) return existing;
  const made = newStoreCredentials();
  const temporary = `${path}.${process.pid}.${randomBytes(6).toString('hex')}`;
  const handle = await open(
    temporary,
    constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL,
    0o600,
  );
  try {
    await handle.writeFile(`${JSON.stringify(made)}\n`);
    await handle.sync();
  } catch (error) {
    await handle.close();
    await rm(temporary, { force: true });
    throw error;
  }
  await handle.close();
  try {
    await link(temporary, path);
    return made;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    return (await readStoreCredentials(path)) as StoreCredentials; // another process made them first
  } finally {
    await rm(temporary, { force: true });
  }
}

/**
 * Reads the credentials, refusing a file that others could have read (group or other permission
 * bits, another owner): credentials seen by others no longer tell ecslog's processes apart.
 */
export async function readStoreCredentials(
  path: string,
  options: { missingOk?: boolean } = {},
): Promise<StoreCredentials | undefined> {
  let handle;
  try {
    handle = await open(path, constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0));
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' && options.missingOk) return undefined;
    throw new StoreCredentialsError(
      code === 'ENOENT'
        ? `${path} is missing: the process serving the local store makes it; stop that process and start again`
        : code === 'ELOOP'
          ? `refusing ${path}: it is a symbolic link`
          : `cannot read ${path} (${code ?? 'error'})`,
    );
  }
  try {
    const info = await handle.stat();
    if (process.platform !== 'win32') {
      if ((info.mode & 0o077) !== 0)
        throw new StoreCredentialsError(
          `refusing ${path}: others may read it (mode ${(info.mode & 0o777).toString(8)}); delete it to make new credentials, or chmod 600 it`,
        );
      if (typeof process.getuid === 'function' && info.uid !== process.getuid())
        throw new StoreCredentialsError(`refusing ${path}: it belongs to another user`);
    }
    const parsed = parseCredentials(await handle.readFile('utf8'));
    if (!parsed)
      throw new StoreCredentialsError(
        `${path} does not hold the local store's credentials: delete it to make new ones`,
      );
    return parsed;
  } finally {
    await handle.close();
  }
}

function parseCredentials(text: string): StoreCredentials | undefined {
  try {
    const value = JSON.parse(text) as Partial<StoreCredentials> | null;
    const { accessKeyId, secretAccessKey } = value ?? {};
    return typeof accessKeyId === 'string' &&
      accessKeyId !== '' &&
      typeof secretAccessKey === 'string' &&
      secretAccessKey.length >= 32
      ? { accessKeyId, secretAccessKey }
      : undefined;
  } catch {
    return undefined;
  }
}
