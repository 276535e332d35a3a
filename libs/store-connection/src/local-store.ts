/**
 * The local audit table: dynalite persisted under `$ECSLOG_HOME/store`, with exactly the table
 * definition used in AWS, served on a loopback port by whichever ecslog process holds
 * `store.lock` (see there).
 */
import type { Server } from 'node:http';
import { mkdir } from 'node:fs/promises';
import { createRequire } from 'node:module';
import {
  CreateTableCommand,
  DescribeTableCommand,
  DynamoDBClient,
  ResourceNotFoundException,
  UpdateTimeToLiveCommand,
} from '@aws-sdk/client-dynamodb';
import { createAuditReader, createTableInput, timeToLiveInput } from '@ecslog/audit-store';
import type { AuditStoreConnection } from './audit-store-connection';
import { StoreUnavailableError } from './audit-store-connection';
import type { EcslogHome } from './ecslog-home';
import { displayPath, LOCAL_TABLE_NAME } from './ecslog-home';
import type { StoreLock } from './store-lock';
import { releaseLock, tryTakeLock, updateLock } from './store-lock';

export interface LocalStoreOptions {
  home: EcslogHome;
  /** `local`: serve the store until closed (others connect); `command`: open it for one command. */
  role: StoreLock['role'];
  /** Loopback port to serve on (`local` only; default any free port). */
  port?: number;
  /** How long a command waits for another command holding the store (default 60 s). */
  waitMs?: number;
  cwd: string;
}

export interface LocalStore extends AuditStoreConnection {
  /** True when this process opened the store (rather than using a running `ecslog local`). */
  owned: boolean;
  /** True when this process created the table (a first start). */
  created: boolean;
}

/**
 * Opens the local store: connects to a running `ecslog local` if there is one, otherwise opens
 * the files itself (waiting while another command holds them).
 */
export async function openLocalStore(options: LocalStoreOptions): Promise<LocalStore> {
  const { home, role } = options;
  const deadline = Date.now() + (options.waitMs ?? 60_000);
  const where = displayPath(options.cwd, home.root);
  await mkdir(home.root, { recursive: true });
  const lock: StoreLock = { pid: process.pid, role, startedAt: new Date().toISOString() };
  for (;;) {
    const attempt = await tryTakeLock(home.lock, lock);
    if (attempt.taken) return serveStore(options, lock, where);
    const holder = attempt.holder;
    if (holder?.role === 'local' && holder.endpoint) {
      if (role === 'local')
        throw new StoreUnavailableError(
          `ecslog local is already running (pid ${holder.pid}, ${holder.endpoint}); stop it with Ctrl-C first`,
        );
      return connect(holder.endpoint, `the local store in ${where} (served by pid ${holder.pid})`);
    }
    if (Date.now() > deadline)
      throw new StoreUnavailableError(
        `the local store in ${where} is busy in another ecslog process (pid ${holder?.pid ?? '?'}); try again when it has finished`,
      );
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

async function serveStore(
  options: LocalStoreOptions,
  lock: StoreLock,
  where: string,
): Promise<LocalStore> {
  const { home } = options;
  let server: Server | undefined;
  try {
    // dynalite ships no types: this is the part of its API used here.
    const dynalite = createRequire(__filename)('dynalite') as (options: object) => Server;
    const started = dynalite({
      path: home.store,
      createTableMs: 0,
      deleteTableMs: 0,
      updateTableMs: 0,
    });
    server = started;
    await new Promise<void>((resolve, reject) => {
      started.once('error', reject);
      started.listen(options.port ?? 0, '127.0.0.1', () => resolve());
    });
    const address = started.address();
    const endpoint = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
    await updateLock(home.lock, { ...lock, endpoint });
    const client = localClient(endpoint);
    const created = await ensureTable(client);
    return {
      kind: 'local',
      client,
      tableName: LOCAL_TABLE_NAME,
      reader: createAuditReader({ client, tableName: LOCAL_TABLE_NAME }),
      description: `the local store in ${where}`,
      endpoint,
      owned: true,
      created,
      close: async () => {
        client.destroy();
        await closeServer(started);
        await releaseLock(home.lock, lock.pid);
      },
    };
  } catch (error) {
    if (server) await closeServer(server).catch(() => undefined);
    await releaseLock(home.lock, lock.pid);
    throw new StoreUnavailableError(
      `could not open the local store in ${where}: ${(error as Error).message}`,
      { cause: error },
    );
  }
}

async function connect(endpoint: string, description: string): Promise<LocalStore> {
  const client = localClient(endpoint);
  try {
    await client.send(new DescribeTableCommand({ TableName: LOCAL_TABLE_NAME }));
  } catch (error) {
    client.destroy();
    throw new StoreUnavailableError(
      `ecslog local does not answer at ${endpoint}: ${(error as Error).message}`,
      { cause: error },
    );
  }
  return {
    kind: 'local',
    client,
    tableName: LOCAL_TABLE_NAME,
    reader: createAuditReader({ client, tableName: LOCAL_TABLE_NAME }),
    description,
    endpoint,
    owned: false,
    created: false,
    close: async () => client.destroy(),
  };
}

/** Creates the audit table (and turns TTL on, where the server can) unless it exists; true if created. */
async function ensureTable(client: DynamoDBClient): Promise<boolean> {
  try {
    await client.send(new DescribeTableCommand({ TableName: LOCAL_TABLE_NAME }));
    return false;
  } catch (error) {
    if (!(error instanceof ResourceNotFoundException)) throw error;
  }
  await client.send(new CreateTableCommand(createTableInput(LOCAL_TABLE_NAME)));
  try {
    await client.send(new UpdateTimeToLiveCommand(timeToLiveInput(LOCAL_TABLE_NAME)));
  } catch {
    // dynalite has no UpdateTimeToLive; reads filter expired items themselves.
  }
  return true;
}

function localClient(endpoint: string): DynamoDBClient {
  return new DynamoDBClient({
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    // The audit writer retries with backoff itself.
    maxAttempts: 1,
  });
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve, reject) =>
    server.close((error) => (error ? reject(error) : resolve())),
  );
}
