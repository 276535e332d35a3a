/**
 * The local audit table: dynalite persisted under `$ECSLOG_HOME/store`, with exactly the table
 * definition used in AWS, served on a loopback port by whichever ecslog process holds
 * `store.lock` (see there), behind a guard that lets in only requests signed with the store's own
 * credentials (see `store-guard.ts`). A read-only `ECSLOG_HOME` is still readable: nobody can be
 * writing it, so the store is read from a private copy and writes fail naming the folder. A store
 * made by an older ecslog (another table layout) is migrated before use, or refused in one line
 * (see `store-layout.ts`, `store-migration.ts`).
 */
import type { Server } from 'node:http';
import { cp, mkdir, mkdtemp, rm, stat } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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
import { readProcessStart } from './process-start';
import type { StoreCredentials } from './store-credentials';
import {
  ensureStoreCredentials,
  newStoreCredentials,
  readStoreCredentials,
  StoreCredentialsError,
} from './store-credentials';
import type { WriteGeneration } from './store-generation';
import { askWriteGeneration, createWriteGeneration } from './store-generation';
import { guardStoreServer, STORE_SIGNING } from './store-guard';
import { decideLayout, readRecordedLayout, recordLayout, refusalMessage } from './store-layout';
import type { HolderState, StoreLock } from './store-lock';
import { holderState, readLock, releaseLock, tryTakeLock, updateLock } from './store-lock';
import type { StoreMigration } from './store-migration';
import {
  backupPathOf,
  copyRecords,
  finishInterruptedMigration,
  migratingPathOf,
  swapInMigratedStore,
} from './store-migration';
import { decideUnwritableHome } from './unwritable-home';

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
  /** Set when this process migrated a store made by an older ecslog before opening it. */
  migrated?: StoreMigration;
}

/** The SDK commands that change the store: refused on a read-only home. */
const WRITE_COMMANDS = new Set([
  // PartiQL: the audit writer sends its conditional writes as statements where it can.
  'BatchExecuteStatementCommand',
  'ExecuteStatementCommand',
  'ExecuteTransactionCommand',
  'TransactWriteItemsCommand',
  'BatchWriteItemCommand',
  'CreateTableCommand',
  'DeleteItemCommand',
  'DeleteTableCommand',
  'PutItemCommand',
  'UpdateItemCommand',
  'UpdateTableCommand',
  'UpdateTimeToLiveCommand',
]);

/**
 * Opens the local store: connects to a running `ecslog local` if there is one, otherwise opens
 * the files itself (waiting while another command holds them).
 */
export async function openLocalStore(options: LocalStoreOptions): Promise<LocalStore> {
  const { home, role } = options;
  const deadline = Date.now() + (options.waitMs ?? 60_000);
  const where = displayPath(options.cwd, home.root);
  const lockFile = displayPath(options.cwd, home.lock);
  await makeHome(home.root, where);
  const lock: StoreLock = {
    pid: process.pid,
    role,
    startedAt: new Date().toISOString(),
    ...(await startOfThisProcess()),
  };
  for (;;) {
    let attempt;
    try {
      attempt = await tryTakeLock(home.lock, lock);
    } catch (error) {
      const holder = await readLock(home.lock);
      const state = holder && (await holderStateOf(holder));
      const decision = decideUnwritableHome({
        code: (error as NodeJS.ErrnoException).code,
        role,
        holder,
        holderState: state,
        where,
      });
      if (decision.action === 'rethrow')
        throw new StoreUnavailableError(`could not take ${lockFile}: ${(error as Error).message}`, {
          cause: error,
        });
      if (decision.action === 'refuse') throw new StoreUnavailableError(decision.message);
      if (decision.action === 'read-copy')
        return openReadOnlyCopy(options, where, (error as NodeJS.ErrnoException).code as string);
      attempt = { taken: false as const, holder, sure: state === 'running' };
    }
    if (attempt.taken) return serveStore(options, lock, where);
    const holder = attempt.holder;
    if (holder?.role === 'local' && holder.endpoint) {
      if (role === 'local')
        throw new StoreUnavailableError(
          `ecslog local is already running (pid ${holder.pid}, ${holder.endpoint}); stop it with Ctrl-C first` +
            (attempt.sure ? '' : ` (if it is not, delete ${lockFile})`),
        );
      return connect(
        holder.endpoint,
        `the local store in ${where} (served by pid ${holder.pid})`,
        home,
        attempt.sure ? undefined : lockFile,
      );
    }
    if (Date.now() > deadline)
      throw new StoreUnavailableError(
        holder === undefined
          ? `the local store in ${where} is locked, but ${lockFile} cannot be read; if no ecslog is running, delete it`
          : attempt.sure
            ? `the local store in ${where} is busy in another ecslog process (pid ${holder.pid}); try again when it has finished`
            : `the local store in ${where} is locked by pid ${holder.pid}, which may not be ecslog (its start time cannot be checked here); if no ecslog is running, delete ${lockFile}`,
      );
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Makes `ECSLOG_HOME` when missing, for its owner only (it holds the store's credentials). */
async function makeHome(root: string, where: string): Promise<void> {
  try {
    await mkdir(root, { recursive: true, mode: 0o700 });
  } catch (error) {
    throw new StoreUnavailableError(
      `could not create ${where}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
      { cause: error },
    );
  }
}

async function startOfThisProcess(): Promise<Pick<StoreLock, 'processStart'>> {
  const processStart = await readProcessStart(process.pid);
  return processStart ? { processStart } : {};
}

function holderStateOf(holder: StoreLock): Promise<HolderState> {
  return holderState(holder, {
    isAlive: (pid) => {
      try {
        process.kill(pid, 0);
        return true;
      } catch (error) {
        return (error as NodeJS.ErrnoException).code === 'EPERM';
      }
    },
    startOf: (pid) => readProcessStart(pid),
  });
}

// dynalite ships no types: this is the part of its API used here.
type Dynalite = (options: object) => Server;
const dynalite = (): Dynalite => createRequire(__filename)('dynalite') as Dynalite;

/** dynalite on `path`, guarded, listening on loopback; its endpoint. */
async function startGuardedDynalite(
  path: string,
  credentials: StoreCredentials,
  port: number | undefined,
  generation: WriteGeneration,
  started: (server: Server) => void,
): Promise<string> {
  const server = dynalite()({ path, createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  started(server);
  guardStoreServer(server, { credentials, generation });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port ?? 0, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  return `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
}

async function serveStore(
  options: LocalStoreOptions,
  lock: StoreLock,
  where: string,
): Promise<LocalStore> {
  const { home } = options;
  let opened: OpenedTable | undefined;
  try {
    const credentials = await ensureStoreCredentials(home.credentials);
    opened = await openTable({
      path: home.store,
      credentials,
      port: options.port,
      layoutFile: home.storeLayout,
      writable: true,
      where,
      store: displayPath(options.cwd, home.store),
    });
    await updateLock(home.lock, { ...lock, endpoint: opened.endpoint });
    return servedStore({
      ...opened,
      where,
      cleanUp: () => releaseLock(home.lock, lock.pid),
    });
  } catch (error) {
    if (opened) await shutDown(opened).catch(() => undefined);
    await releaseLock(home.lock, lock.pid);
    if (error instanceof StoreUnavailableError) throw error;
    throw new StoreUnavailableError(
      `could not open the local store in ${where}: ${(error as Error).message}`,
      { cause: error },
    );
  }
}

/** dynalite serving a store, and a client of it. */
interface ServedTable {
  server: Server;
  endpoint: string;
  client: DynamoDBClient;
  generation: WriteGeneration;
}

interface OpenedTable extends ServedTable {
  created: boolean;
  migrated?: StoreMigration;
}

async function serveTable(
  path: string,
  credentials: StoreCredentials,
  port: number | undefined,
): Promise<ServedTable> {
  let server: Server | undefined;
  const generation = createWriteGeneration();
  try {
    const endpoint = await startGuardedDynalite(path, credentials, port, generation, (s) => {
      server = s;
    });
    return {
      server: server as unknown as Server,
      endpoint,
      client: localClient(endpoint, credentials),
      generation,
    };
  } catch (error) {
    if (server) await closeServer(server).catch(() => undefined);
    throw error;
  }
}

async function shutDown(served: ServedTable): Promise<void> {
  served.client.destroy();
  await closeServer(served.server);
}

/**
 * The store at `path` served with this version's audit table: the table created when missing
 * (and its layout recorded in `layoutFile`), a store of table layout 1 or 2 migrated first, one of a
 * layout this version cannot read refused in one line. `writable: false` (a private copy of a
 * read-only home): migrates the copy, records nothing.
 */
async function openTable(at: {
  path: string;
  credentials: StoreCredentials;
  port: number | undefined;
  layoutFile: string;
  writable: boolean;
  /** For messages: the home and the store folder. */
  where: string;
  store: string;
}): Promise<OpenedTable> {
  await finishInterruptedMigration(at.path);
  let served: ServedTable | undefined = await serveTable(at.path, at.credentials, at.port);
  try {
    const table = await ensureTable(served.client);
    if (table.created) {
      if (at.writable) await recordLayout(at.layoutFile);
      return { ...served, created: true };
    }
    const decision = decideLayout({
      indexes: table.indexes,
      recorded: await readRecordedLayout(at.layoutFile),
    });
    if (decision.action === 'refuse')
      throw new StoreUnavailableError(refusalMessage(decision, at.where, at.store));
    if (decision.action === 'use') {
      if (decision.record && at.writable) await recordLayout(at.layoutFile);
      return { ...served, created: false };
    }
    const records = await migrateStore(served.client, at.path, at.credentials, decision.from);
    const closing = served;
    served = undefined;
    await shutDown(closing);
    const backup = await backupPathOf(at.path, decision.from);
    await swapInMigratedStore(at.path, backup);
    if (at.writable) await recordLayout(at.layoutFile);
    served = await serveTable(at.path, at.credentials, at.port);
    return { ...served, created: false, migrated: { fromLayout: decision.from, records, backup } };
  } catch (error) {
    if (served) await shutDown(served).catch(() => undefined);
    throw error;
  }
}

/**
 * Builds the migrated store in `<path>.migrating` from the old table `source` (left as it is);
 * the records copied. On failure the half-built store is deleted.
 */
async function migrateStore(
  source: DynamoDBClient,
  path: string,
  credentials: StoreCredentials,
  fromLayout: number,
): Promise<number> {
  const migrating = migratingPathOf(path);
  await rm(migrating, { recursive: true, force: true });
  const target = await serveTable(migrating, credentials, undefined);
  try {
    await ensureTable(target.client);
    const records = await copyRecords(
      { client: source, tableName: LOCAL_TABLE_NAME },
      { client: target.client, tableName: LOCAL_TABLE_NAME },
      fromLayout,
    );
    await shutDown(target);
    return records;
  } catch (error) {
    await shutDown(target).catch(() => undefined);
    await rm(migrating, { recursive: true, force: true });
    throw new Error(
      `could not migrate it from the older table layout (it is unchanged): ${(error as Error).message}`,
      { cause: error },
    );
  }
}

/**
 * A read-only home: LevelDB cannot open files it may not write (it writes its own lock and log),
 * so the store is copied to a private temporary folder and served from there, unlocked — nobody
 * can be writing a read-only folder — with credentials only this process knows. The copy is
 * deleted on close; writes are refused before they leave the client.
 */
async function openReadOnlyCopy(
  options: LocalStoreOptions,
  where: string,
  code: string,
): Promise<LocalStore> {
  const readOnly = `cannot write to the local store: ${where} is a read-only folder`;
  const copies = await mkdtemp(join(tmpdir(), 'ecslog-read-only-'));
  const copy = join(copies, 'store');
  let opened: OpenedTable | undefined;
  try {
    const { home } = options;
    if (await exists(home.store)) await cp(home.store, copy, { recursive: true, force: true });
    // A migration that stopped between its renames: its complete store is the store.
    else if (await exists(migratingPathOf(home.store)))
      await cp(migratingPathOf(home.store), migratingPathOf(copy), { recursive: true });
    // An empty copy (no store yet) reads as an empty store; an older layout is migrated in the copy.
    opened = await openTable({
      path: copy,
      credentials: newStoreCredentials(),
      port: undefined,
      layoutFile: home.storeLayout,
      writable: false,
      where,
      store: displayPath(options.cwd, home.store),
    });
    refuseWrites(opened.client, readOnly, code);
    return servedStore({
      ...opened,
      created: false,
      where,
      readOnly,
      cleanUp: () => rm(copies, { recursive: true, force: true }),
    });
  } catch (error) {
    if (opened) await shutDown(opened).catch(() => undefined);
    await rm(copies, { recursive: true, force: true });
    if (error instanceof StoreUnavailableError) throw error;
    throw new StoreUnavailableError(
      `could not read the local store in ${where} (a read-only folder): ${(error as Error).message}`,
      { cause: error },
    );
  }
}

/**
 * A store this process serves itself: closing it stops the client, then the server, then
 * `cleanUp` (releasing the lock, or deleting a read-only copy).
 */
function servedStore(
  served: OpenedTable & { where: string; readOnly?: string; cleanUp: () => Promise<void> },
): LocalStore {
  const { client, server, cleanUp } = served;
  return {
    kind: 'local',
    client,
    tableName: LOCAL_TABLE_NAME,
    reader: createAuditReader({ client, tableName: LOCAL_TABLE_NAME }),
    description: `the local store in ${served.where}`,
    endpoint: served.endpoint,
    generation: () => served.generation.current(),
    owned: true,
    created: served.created,
    ...(served.migrated === undefined ? {} : { migrated: served.migrated }),
    ...(served.readOnly === undefined ? {} : { readOnly: served.readOnly }),
    close: async () => {
      client.destroy();
      await closeServer(server);
      await cleanUp();
    },
  };
}

/**
 * Makes every write through `client` fail at once, before any request is sent, with `message` and
 * the file system's `code` (EROFS, EACCES): a storage error no retry can help, as writers know.
 */
function refuseWrites(client: DynamoDBClient, message: string, code: string): void {
  client.middlewareStack.add(
    (next, context) => (args) => {
      if (WRITE_COMMANDS.has(context.commandName ?? ''))
        // `fatal`: no retry can help; writers that look for it (ingest) stop at once.
        return Promise.reject(
          Object.assign(new StoreUnavailableError(message), { code, fatal: true }),
        );
      return next(args);
    },
    { step: 'initialize', name: 'ecslogReadOnlyStore' },
  );
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch {
    return false;
  }
}

async function connect(
  endpoint: string,
  description: string,
  home: EcslogHome,
  lockFileIfUnsure: string | undefined,
): Promise<LocalStore> {
  let credentials: StoreCredentials;
  try {
    credentials = (await readStoreCredentials(home.credentials)) as StoreCredentials;
  } catch (error) {
    throw new StoreUnavailableError(
      error instanceof StoreCredentialsError
        ? `cannot connect to ecslog local at ${endpoint}: ${error.message}`
        : `cannot connect to ecslog local at ${endpoint}: ${(error as Error).message}`,
      { cause: error },
    );
  }
  const client = localClient(endpoint, credentials);
  let indexes: string[];
  try {
    const { Table } = await client.send(new DescribeTableCommand({ TableName: LOCAL_TABLE_NAME }));
    indexes = indexNamesOf(Table?.GlobalSecondaryIndexes);
  } catch (error) {
    client.destroy();
    throw new StoreUnavailableError(
      `ecslog local does not answer at ${endpoint}: ${(error as Error).message}` +
        (lockFileIfUnsure ? ` (if it is not running, delete ${lockFileIfUnsure})` : ''),
      { cause: error },
    );
  }
  // An ecslog local of another version serves the table as it found it.
  const decision = decideLayout({
    indexes,
    recorded: await readRecordedLayout(home.storeLayout).catch(() => undefined),
  });
  if (decision.action !== 'use') {
    client.destroy();
    throw new StoreUnavailableError(
      decision.action === 'migrate'
        ? `${description} has table layout ${decision.from}, made by an older ecslog: stop that ecslog local and start this version's, which migrates it`
        : `${description} has a table layout this ecslog cannot read (indexes: ${decision.indexes.join(', ') || 'none'}): stop that ecslog local and use the ecslog that made it`,
    );
  }
  return {
    kind: 'local',
    client,
    tableName: LOCAL_TABLE_NAME,
    reader: createAuditReader({ client, tableName: LOCAL_TABLE_NAME }),
    description,
    endpoint,
    generation: askWriteGeneration(endpoint, credentials),
    owned: false,
    created: false,
    close: async () => client.destroy(),
  };
}

/**
 * Creates the audit table (and turns TTL on, where the server can) unless it exists; an existing
 * table's index names, to tell its layout.
 */
async function ensureTable(
  client: DynamoDBClient,
): Promise<{ created: true } | { created: false; indexes: string[] }> {
  try {
    const { Table } = await client.send(new DescribeTableCommand({ TableName: LOCAL_TABLE_NAME }));
    return { created: false, indexes: indexNamesOf(Table?.GlobalSecondaryIndexes) };
  } catch (error) {
    if (!(error instanceof ResourceNotFoundException)) throw error;
  }
  await client.send(new CreateTableCommand(createTableInput(LOCAL_TABLE_NAME)));
  await untilActive(client);
  try {
    await client.send(new UpdateTimeToLiveCommand(timeToLiveInput(LOCAL_TABLE_NAME)));
  } catch {
    // dynalite has no UpdateTimeToLive; reads filter expired items themselves.
  }
  return { created: true };
}

/**
 * Waits for a new table to be ACTIVE: dynalite answers CreateTable with CREATING and refuses
 * writes (ResourceNotFoundException) until then, even with `createTableMs: 0`.
 */
async function untilActive(client: DynamoDBClient): Promise<void> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const { Table } = await client.send(new DescribeTableCommand({ TableName: LOCAL_TABLE_NAME }));
    if (Table?.TableStatus === 'ACTIVE') return;
    if (Date.now() > deadline)
      throw new Error(`table ${LOCAL_TABLE_NAME} stays ${Table?.TableStatus}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

function indexNamesOf(indexes: readonly { IndexName?: string }[] | undefined): string[] {
  return (indexes ?? []).map((index) => index.IndexName ?? '');
}

/** A client of the local store, signing with its credentials. */
export function localClient(endpoint: string, credentials: StoreCredentials): DynamoDBClient {
  return new DynamoDBClient({
    endpoint,
    region: STORE_SIGNING.region,
    credentials,
    // The audit writer retries with backoff itself.
    maxAttempts: 1,
  });
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve, reject) =>
    server.close((error) => (error ? reject(error) : resolve())),
  );
}
