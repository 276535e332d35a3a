/**
 * The guard in front of the local store, against the real dynalite it guards: ecslog's own
 * clients get in; unsigned, forged, expired and wrong-key requests, requests from web pages and
 * requests addressed to another Host do not, and nothing of the store leaks in the refusals.
 */
import { statSync } from 'node:fs';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DescribeTableCommand, DynamoDBClient, ScanCommand } from '@aws-sdk/client-dynamodb';
import { ecslogHome, LOCAL_TABLE_NAME } from './ecslog-home';
import type { LocalStore } from './local-store';
import { openLocalStore } from './local-store';
import type { StoreCredentials } from './store-credentials';
import { readStoreCredentials } from './store-credentials';
import { askWriteGeneration, GENERATION_TARGET } from './store-generation';
import { signDynamoDbCall } from './testing/sign-request';

interface RawAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** Sends exactly these headers and body, as a browser or a script might. */
function rawRequest(
  endpoint: string,
  init: { method?: string; headers?: Record<string, string>; body?: string; path?: string },
): Promise<RawAnswer> {
  const url = new URL(init.path ?? '/', endpoint);
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      { method: init.method ?? 'POST', headers: init.headers ?? {}, agent: false },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: Buffer.concat(chunks).toString('utf8'),
          }),
        );
      },
    );
    req.on('error', reject);
    req.end(init.body);
  });
}

/** Headers of a DynamoDB call signed as the SDK signs it (independently of the guard's code). */
async function signedHeaders(
  endpoint: string,
  credentials: StoreCredentials,
  target: string,
  body: string,
  signingDate = new Date(),
): Promise<Record<string, string>> {
  return signDynamoDbCall({
    credentials,
    host: new URL(endpoint).host,
    target,
    body,
    signingDate,
  });
}

const DESCRIBE = JSON.stringify({ TableName: LOCAL_TABLE_NAME });

describe('the local store guard (dynalite behind SigV4, Host and Origin checks)', () => {
  let dir: string;
  let store: LocalStore;
  let credentials: StoreCredentials;
  const home = () => ecslogHome({ ECSLOG_HOME: join(dir, 'home') }, dir);
  const endpoint = () => store.endpoint as string;
  const sdkClient = (overrides: Partial<StoreCredentials>, offsetMs = 0) => {
    const client = new DynamoDBClient({
      endpoint: endpoint(),
      region: 'us-east-1',
      credentials: { ...credentials, ...overrides },
      maxAttempts: 1,
    });
    client.config.systemClockOffset = offsetMs;
    return client;
  };
  const tableStillThere = async () =>
    (await store.client.send(new DescribeTableCommand({ TableName: LOCAL_TABLE_NAME }))).Table
      ?.TableStatus;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ecslog-guard-'));
    store = await openLocalStore({ home: home(), role: 'local', cwd: dir });
    credentials = (await readStoreCredentials(home().credentials)) as StoreCredentials;
  });
  afterAll(async () => {
    await store?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('keeps random credentials in a file only its owner can read, in a home only its owner can enter', () => {
    expect(statSync(home().credentials).mode & 0o777).toBe(0o600);
    expect(statSync(home().root).mode & 0o777).toBe(0o700);
    expect(credentials.accessKeyId).toMatch(/^ECSLOG[0-9A-F]{32}$/);
    expect(credentials.secretAccessKey).toHaveLength(43);
  });

  it("lets in the serving process's client and another ecslog process connecting through the lock", async () => {
    const other = await openLocalStore({ home: home(), role: 'command', cwd: dir });
    try {
      expect(other.owned).toBe(false);
      const scan = await other.client.send(new ScanCommand({ TableName: LOCAL_TABLE_NAME }));
      expect(scan.Count).toBe(0);
      expect(await tableStillThere()).toBe('ACTIVE');
    } finally {
      await other.close();
    }
  });

  it.each([
    ['a wrong secret', { secretAccessKey: 'x'.repeat(43) }, 0, 'InvalidSignatureException'],
    ['another access key id', { accessKeyId: 'local' }, 0, 'UnrecognizedClientException'],
    ['a signature 10 minutes old', {}, -10 * 60_000, 'InvalidSignatureException'],
    ['a signature 10 minutes ahead', {}, 10 * 60_000, 'InvalidSignatureException'],
  ])('refuses the real SDK client signing with %s', async (_, overrides, offset, name) => {
    const client = sdkClient(overrides, offset);
    try {
      const refused = client.send(new ScanCommand({ TableName: LOCAL_TABLE_NAME }));
      await expect(refused).rejects.toMatchObject({
        name,
        $metadata: { httpStatusCode: 403 },
        message: expect.stringMatching(/^ecslog local store: /),
      });
    } finally {
      client.destroy();
    }
  });

  it('accepts the same SDK client with the right credentials and a clock 4 minutes off', async () => {
    const client = sdkClient({}, 4 * 60_000);
    try {
      const scan = await client.send(new ScanCommand({ TableName: LOCAL_TABLE_NAME }));
      expect(scan.Count).toBe(0);
    } finally {
      client.destroy();
    }
  });

  it('refuses unsigned and forged requests, the health check included, without saying what it is', async () => {
    const host = new URL(endpoint()).host;
    const unsigned = await rawRequest(endpoint(), {
      headers: {
        host,
        'content-type': 'application/x-amz-json-1.0',
        'x-amz-target': 'DynamoDB_20120810.DeleteTable',
      },
      body: DESCRIBE,
    });
    const forged = await rawRequest(endpoint(), {
      headers: {
        host,
        'content-type': 'application/x-amz-json-1.0',
        'x-amz-target': 'DynamoDB_20120810.DeleteTable',
        'x-amz-date': new Date().toISOString().replace(/[-:]|\.\d{3}/g, ''),
        authorization: `AWS4-HMAC-SHA256 Credential=${credentials.accessKeyId}/${new Date().toISOString().slice(0, 10).replace(/-/g, '')}/us-east-1/dynamodb/aws4_request, SignedHeaders=host;x-amz-date;x-amz-target, Signature=${'0'.repeat(64)}`,
      },
      body: DESCRIBE,
    });
    const health = await rawRequest(endpoint(), { method: 'GET', headers: { host } });
    // dynalite accepts any "AWS4-" prefix: the guard does not.
    const anyAws4 = await rawRequest(endpoint(), {
      headers: {
        host,
        'content-type': 'application/x-amz-json-1.0',
        'x-amz-target': 'DynamoDB_20120810.Scan',
        authorization: 'AWS4-anything',
      },
      body: DESCRIBE,
    });

    expect([unsigned.status, forged.status, health.status, anyAws4.status]).toEqual([
      403, 403, 403, 403,
    ]);
    expect(JSON.parse(unsigned.body)).toEqual({
      __type: 'com.amazon.coral.service#MissingAuthenticationTokenException',
      message: 'ecslog local store: request is not signed',
    });
    expect(JSON.parse(forged.body).message).toBe('ecslog local store: signature does not match');
    expect(health.body).not.toMatch(/healthy|dynamodb/);
    expect(anyAws4.body).toMatch(/malformed Authorization header/);
    expect(await tableStillThere()).toBe('ACTIVE');
  });

  it('tells its write generation only to a signed request, and a refused write does not move it', async () => {
    const generation = store.generation as () => number;
    const before = generation();
    const host = new URL(endpoint()).host;
    const headers = { host, 'content-type': 'application/x-amz-json-1.0' };
    const probe = await rawRequest(endpoint(), {
      headers: { ...headers, 'x-amz-target': GENERATION_TARGET },
      body: '{}',
    });
    const write = await rawRequest(endpoint(), {
      headers: { ...headers, 'x-amz-target': 'DynamoDB_20120810.DeleteTable' },
      body: DESCRIBE,
    });

    expect([probe.status, write.status]).toEqual([403, 403]);
    expect(probe.body).not.toMatch(/generation/);
    expect(generation()).toBe(before);
    expect(await askWriteGeneration(endpoint(), credentials)()).toBe(before);
  });

  it('refuses a signed request whose body was changed after signing', async () => {
    const headers = await signedHeaders(endpoint(), credentials, 'DescribeTable', DESCRIBE);
    const swapped = await rawRequest(endpoint(), {
      headers: { ...headers, 'x-amz-target': 'DynamoDB_20120810.DeleteTable' },
      body: DESCRIBE,
    });
    const body = await rawRequest(endpoint(), {
      headers,
      body: JSON.stringify({ TableName: 'other-table' }),
    });
    const intact = await rawRequest(endpoint(), { headers, body: DESCRIBE });

    expect([swapped.status, body.status, intact.status]).toEqual([403, 403, 200]);
    expect(JSON.parse(intact.body).Table.TableName).toBe(LOCAL_TABLE_NAME);
    expect(await tableStillThere()).toBe('ACTIVE');
  });

  it('refuses a validly signed request that a web page sends (Origin) or that names another host', async () => {
    const headers = await signedHeaders(endpoint(), credentials, 'DescribeTable', DESCRIBE);
    const port = new URL(endpoint()).port;
    const fromPage = await rawRequest(endpoint(), {
      headers: { ...headers, origin: 'http://127.0.0.1:9' },
      body: DESCRIBE,
    });
    const rebound = await rawRequest(endpoint(), {
      headers: { ...headers, host: `attacker.example:${port}` },
      body: DESCRIBE,
    });
    const byName = await rawRequest(endpoint(), {
      headers: { ...headers, host: `localhost:${port}` },
      body: DESCRIBE,
    });

    expect(fromPage.status).toBe(403);
    expect(JSON.parse(fromPage.body).message).toBe(
      'ecslog local store: requests from web pages are refused',
    );
    expect([rebound.status, byName.status]).toEqual([421, 421]);
    expect(rebound.body).not.toContain('attacker');
  });

  it('answers a CORS preflight 403 and never sends an Access-Control header', async () => {
    const host = new URL(endpoint()).host;
    const preflight = await rawRequest(endpoint(), {
      method: 'OPTIONS',
      headers: {
        host,
        origin: 'http://127.0.0.1:9',
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'x-amz-target,content-type',
      },
    });
    const signed = await signedHeaders(endpoint(), credentials, 'DescribeTable', DESCRIBE);
    const allowed = await rawRequest(endpoint(), { headers: signed, body: DESCRIBE });

    expect(preflight.status).toBe(403);
    for (const answer of [preflight, allowed])
      expect(
        Object.keys(answer.headers).filter((name) => name.startsWith('access-control')),
      ).toEqual([]);
  });

  it('does not echo what a refused request held', async () => {
    const marker = '<script>ecslog-marker-7f3a</script>';
    const host = new URL(endpoint()).host;
    const answers = await Promise.all([
      rawRequest(endpoint(), { headers: { host, authorization: marker }, body: marker }),
      rawRequest(endpoint(), { headers: { host: marker }, body: marker }),
      rawRequest(endpoint(), { headers: { host, origin: marker }, body: marker }),
      rawRequest(endpoint(), {
        path: `/?X-Amz-Algorithm=${encodeURIComponent(marker)}`,
        headers: { host },
      }),
    ]);

    for (const answer of answers) {
      expect(answer.status).toBeGreaterThanOrEqual(400);
      expect(answer.body).not.toContain('marker');
      expect(answer.body.length).toBeLessThan(160);
    }
  });

  it('refuses to connect with a credentials file others can read, naming the file', async () => {
    await chmod(home().credentials, 0o644);
    try {
      await expect(openLocalStore({ home: home(), role: 'command', cwd: dir })).rejects.toThrow(
        new RegExp(
          `^cannot connect to ecslog local at http://127\\.0\\.0\\.1:\\d+: refusing .*home/store-credentials\\.json: others may read it \\(mode 644\\)`,
        ),
      );
    } finally {
      await chmod(home().credentials, 0o600);
    }
  });
});
