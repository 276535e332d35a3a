/**
 * The local store's write generation: a counter the store guard bumps each time dynalite has
 * answered a request that may have changed the table. Every request to the local table, from any
 * process, passes the guard, so a reader that notes the generation before it sends a read knows,
 * by seeing the same generation later, that no write has completed since: what it read then is
 * what it would read now. Anything not known to be a read counts as a write (PartiQL statements,
 * a future operation), so an unknown request only costs a cache miss, never a stale answer.
 */
import { randomInt } from 'node:crypto';
import { request } from 'node:http';
import { SignatureV4 } from '@smithy/signature-v4';
import { NodeSha256 } from './request-signature';
import type { StoreCredentials } from './store-credentials';
import { STORE_SIGNING } from './store-guard';

/** DynamoDB's operations that never change a table: they leave the generation as it is. */
export const READ_ONLY_OPERATIONS: ReadonlySet<string> = new Set([
  'BatchGetItem',
  'GetItem',
  'Query',
  'Scan',
  'DescribeContinuousBackups',
  'DescribeContributorInsights',
  'DescribeEndpoints',
  'DescribeLimits',
  'DescribeTable',
  'DescribeTableReplicaAutoScaling',
  'DescribeTimeToLive',
  'ListBackups',
  'ListContributorInsights',
  'ListGlobalTables',
  'ListTables',
  'ListTagsOfResource',
]);

/** The `X-Amz-Target` of the guard's own request: "what is the write generation now?". */
export const GENERATION_TARGET = 'EcslogLocalStore.WriteGeneration';

/**
 * True when the request with this `X-Amz-Target` (`DynamoDB_20120810.Query`) is known not to
 * change the table. A missing or foreign target is not.
 */
export function isReadOnlyRequest(target: string | string[] | undefined): boolean {
  if (typeof target !== 'string') return false;
  const [service, operation] = target.split('.');
  return service === 'DynamoDB_20120810' && READ_ONLY_OPERATIONS.has(operation ?? '');
}

/** The counter itself, held by the process that serves the store. */
export interface WriteGeneration {
  current(): number;
  /** A request that may have written has been answered (whether it succeeded or not). */
  bump(): void;
}

/**
 * A new counter. It starts at a random value: a reader compares generations for equality, and a
 * store served again (a new `ecslog local` on the same port) must not count through the values a
 * reader of the previous one holds.
 */
export function createWriteGeneration(): WriteGeneration {
  let generation = randomInt(2 ** 47);
  return {
    current: () => generation,
    bump: () => {
      generation += 1;
    },
  };
}

/**
 * The generation of the store served at `endpoint` (by another process), asked of its guard in one
 * signed request. The guard answers it after every write it has answered, so the value is as
 * exact as the serving process's own.
 */
export function askWriteGeneration(
  endpoint: string,
  credentials: StoreCredentials,
): () => Promise<number> {
  const signer = new SignatureV4({ credentials, ...STORE_SIGNING, sha256: NodeSha256 });
  const url = new URL(endpoint);
  const host = `${url.hostname}:${url.port}`;
  return async () => {
    const body = '{}';
    const signed = await signer.sign({
      method: 'POST',
      protocol: 'http:',
      hostname: url.hostname,
      port: Number(url.port),
      path: '/',
      headers: {
        host,
        'content-type': 'application/x-amz-json-1.0',
        'x-amz-target': GENERATION_TARGET,
      },
      body,
    });
    const answer = await post(url, signed.headers, body);
    const generation = answer.status === 200 ? generationIn(answer.body) : undefined;
    if (generation === undefined)
      throw new Error(
        `the local store did not say its write generation (HTTP ${answer.status}): an ecslog local of another version?`,
      );
    return generation;
  };
}

function generationIn(body: string): number | undefined {
  try {
    const { generation } = JSON.parse(body) as { generation?: unknown };
    return typeof generation === 'number' ? generation : undefined;
  } catch {
    return undefined;
  }
}

function post(
  url: URL,
  headers: Record<string, string>,
  body: string,
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'POST', headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }),
      );
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}
