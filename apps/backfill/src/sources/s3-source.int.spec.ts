import type { S3Client } from '@aws-sdk/client-s3';
import { CreateBucketCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import type { SourceChunk } from '../backfill-source';
import { BackfillSetupError } from '../backfill-source';
import type { CloudTrailLogFile, LocalS3 } from '../testing';
import {
  buildCloudTrailLogFiles,
  putCloudTrailLogFiles,
  s3rverClient,
  startS3rver,
} from '../testing';
import { LogFileReadError } from './log-file';
import { createS3Source } from './s3-source';

const PREFIX = 'trails/main';
const ORG = 'o-a1b2c3d4e5';
const set = buildCloudTrailLogFiles({
  seed: 7,
  prefix: PREFIX,
  accounts: ['111122223333', '222233334444'],
  organization: { id: ORG, accounts: ['444455556666'] },
  regions: ['eu-west-1', 'us-east-1'],
  days: ['2026-11-18', '2026-11-19', '2026-11-20', '2026-11-21', '2026-11-22'],
  filesPerDay: 3,
  recordsPerFile: 4,
});
const FROM = new Date('2026-11-19T06:00:00Z');
const TO = new Date('2026-11-20T22:00:00Z');
/** Files the window can hold: day folders 19 and 20 (to + 1 h is still the 20th), times ± 1 h. */
const inWindow = set.files.filter(
  (f) =>
    /\/2026\/11\/(19|20)\//.test(f.key) &&
    f.deliveredAt.getTime() >= FROM.getTime() - 3_600_000 &&
    f.deliveredAt.getTime() <= TO.getTime() + 3_600_000,
);

let s3: LocalS3;
beforeAll(async () => {
  s3 = await startS3rver({ buckets: ['trail-logs'] });
  await putCloudTrailLogFiles(s3.client, 'trail-logs', set);
  // What else sits under AWSLogs/ in real buckets: not accounts, not read.
  await s3.client.send(
    new PutObjectCommand({ Bucket: 'trail-logs', Key: `${PREFIX}/AWSLogs/README.txt`, Body: 'x' }),
  );
});
afterAll(async () => {
  await s3?.stop();
});

/** A client that records the Prefix of every ListObjectsV2 and the GetObject requests in flight. */
function recordingClient(): {
  client: S3Client;
  listed: string[];
  continued: string[];
  mostInFlight: () => number;
} {
  const client = s3rverClient(s3.endpoint);
  const listed: string[] = [];
  const continued: string[] = [];
  let inFlight = 0;
  let most = 0;
  client.middlewareStack.add(
    (next, context) => async (args) => {
      if (context.commandName === 'ListObjectsV2Command') {
        const input = args.input as { Prefix: string; ContinuationToken?: string };
        listed.push(input.Prefix);
        if (input.ContinuationToken) continued.push(input.Prefix);
      }
      if (context.commandName !== 'GetObjectCommand') return next(args);
      inFlight++;
      most = Math.max(most, inFlight);
      try {
        return await next(args);
      } finally {
        inFlight--;
      }
    },
    { step: 'initialize', name: 'recordRequests' },
  );
  return { client, listed, continued, mostInFlight: () => most };
}

async function readAll(chunks: AsyncIterable<SourceChunk>): Promise<SourceChunk[]> {
  const all: SourceChunk[] = [];
  for await (const chunk of chunks) all.push(chunk);
  return all;
}

const eventIdsOf = (chunks: readonly SourceChunk[]) =>
  chunks.flatMap((chunk) => chunk.records.map((r) => (r.value as { eventID: string }).eventID));
const uriOf = (file: CloudTrailLogFile, bucket = 'trail-logs') => `s3://${bucket}/${file.key}`;

describe('createS3Source on s3rver', () => {
  it('discovers accounts, the organization trail and regions, and lists only the window’s day folders', async () => {
    const { client, listed } = recordingClient();
    const source = createS3Source({
      client,
      bucket: 'trail-logs',
      prefix: PREFIX,
      from: FROM,
      to: TO,
    });

    await source.check();

    const trails = [
      `${PREFIX}/AWSLogs/111122223333/`,
      `${PREFIX}/AWSLogs/222233334444/`,
      `${PREFIX}/AWSLogs/${ORG}/444455556666/`,
    ];
    const dayFolders = trails.flatMap((trail) =>
      ['eu-west-1', 'us-east-1'].flatMap((region) =>
        ['2026/11/19', '2026/11/20'].map((day) => `${trail}CloudTrail/${region}/${day}/`),
      ),
    );
    expect([...listed].sort()).toEqual(
      [
        `${PREFIX}/AWSLogs/`,
        `${PREFIX}/AWSLogs/${ORG}/`,
        ...trails.map((trail) => `${trail}CloudTrail/`),
        ...dayFolders,
      ].sort(),
    );
    expect(source.estimate?.()).toEqual({ chunks: inWindow.length });
    expect(source.description).toBe(`s3://trail-logs/${PREFIX}`);
  });

  it('reads every record once, file by file in key order, while reads overlap', async () => {
    const { client, mostInFlight } = recordingClient();
    const source = createS3Source({
      client,
      bucket: 'trail-logs',
      prefix: `${PREFIX}/`,
      from: FROM,
      to: TO,
      concurrency: 4,
    });

    await source.check();
    const chunks = await readAll(source.chunks(undefined));

    expect(chunks.map((c) => c.name)).toEqual(inWindow.map((f) => uriOf(f)));
    expect(eventIdsOf(chunks)).toEqual(inWindow.flatMap((f) => f.eventIds));
    expect(chunks.map((c) => c.bytes)).toEqual(inWindow.map((f) => f.body.length));
    expect(chunks.every((c) => c.problem === undefined)).toBe(true);
    expect(chunks.map((c) => c.resume)).toEqual(inWindow.map((f) => ({ after: f.key })));
    expect(chunks[0]?.records[1]?.position).toBe(
      `${uriOf(inWindow[0] as CloudTrailLogFile)}: Records[1]`,
    );
    expect(mostInFlight()).toBeGreaterThan(1);
    expect(mostInFlight()).toBeLessThanOrEqual(4);
  });

  it('pages through listings (continuation tokens) with the same result', async () => {
    const { client, continued } = recordingClient();
    const source = createS3Source({
      client,
      bucket: 'trail-logs',
      prefix: PREFIX,
      from: FROM,
      to: TO,
      pageSize: 1,
    });

    const chunks = await readAll(source.chunks(undefined));

    expect(eventIdsOf(chunks)).toEqual(inWindow.flatMap((f) => f.eventIds));
    // A page per key: every day folder's keys after its first come with a continuation token.
    expect(continued.filter((prefix) => /\/\d{2}\/$/.test(prefix)).length).toBeGreaterThanOrEqual(
      inWindow.length - 12,
    );
  });

  it('reads only the accounts and regions asked for, without discovering regions', async () => {
    const { client, listed } = recordingClient();
    const source = createS3Source({
      client,
      bucket: 'trail-logs',
      prefix: PREFIX,
      from: FROM,
      to: TO,
      accounts: ['444455556666'],
      regions: ['us-east-1'],
    });

    const chunks = await readAll(source.chunks(undefined));

    const expected = inWindow.filter(
      (f) => f.account === '444455556666' && f.region === 'us-east-1',
    );
    expect(chunks.map((c) => c.name)).toEqual(expected.map((f) => uriOf(f)));
    expect(listed.filter((prefix) => prefix.endsWith('/CloudTrail/'))).toEqual([]);
    expect(listed).toHaveLength(2 + 2);
  });

  it('resumed from a chunk’s saved state, reads exactly the files after it', async () => {
    const client = s3rverClient(s3.endpoint);
    const options = { client, bucket: 'trail-logs', prefix: PREFIX, from: FROM, to: TO };
    const first = await readAll(createS3Source(options).chunks(undefined));
    const saved: unknown = JSON.parse(JSON.stringify(first[4]?.resume));

    const rest = await readAll(createS3Source(options).chunks(saved));

    expect(rest.map((c) => c.name)).toEqual(first.slice(5).map((c) => c.name));
    expect(eventIdsOf(rest)).toEqual(eventIdsOf(first.slice(5)));
    client.destroy();
  });

  it('names a corrupt file in its chunk’s problem and reads on', async () => {
    const client = s3rverClient(s3.endpoint);
    await client.send(new CreateBucketCommand({ Bucket: 'damaged-logs' }));
    const small = buildCloudTrailLogFiles({
      seed: 3,
      days: ['2026-11-20'],
      regions: ['eu-west-1'],
      filesPerDay: 3,
      digests: false,
    });
    const [, middle] = small.files as [CloudTrailLogFile, CloudTrailLogFile, CloudTrailLogFile];
    middle.body = Buffer.concat([middle.body.subarray(0, 10), Buffer.alloc(40, 0xff)]);
    await putCloudTrailLogFiles(client, 'damaged-logs', small);
    const source = createS3Source({
      client,
      bucket: 'damaged-logs',
      from: new Date('2026-11-20T00:00:00Z'),
      to: new Date('2026-11-20T23:59:59Z'),
    });

    const chunks = await readAll(source.chunks(undefined));

    expect(chunks.map((c) => c.name)).toEqual(small.files.map((f) => uriOf(f, 'damaged-logs')));
    expect(chunks[1]).toMatchObject({ name: uriOf(middle, 'damaged-logs'), records: [] });
    expect(chunks[1]?.problem).toMatch(/^corrupt gzip: /);
    expect(chunks[2]?.records).toHaveLength(small.files[2]?.eventIds.length ?? -1);
    client.destroy();
  });

  it('fails the check in one line: no such bucket, nothing under the prefix, an unknown account', async () => {
    const client = s3rverClient(s3.endpoint);
    const window = { from: FROM, to: TO };

    const noBucket = createS3Source({ client, bucket: 'no-such-bucket', ...window }).check();
    const noLogs = createS3Source({
      client,
      bucket: 'trail-logs',
      prefix: 'elsewhere',
      ...window,
    }).check();
    const noAccount = createS3Source({
      client,
      bucket: 'trail-logs',
      prefix: PREFIX,
      accounts: ['999999999999'],
      ...window,
    }).check();

    await expect(noBucket).rejects.toBeInstanceOf(BackfillSetupError);
    await expect(noBucket).rejects.toMatchObject({
      message: 'bucket no-such-bucket does not exist',
    });
    await expect(noLogs).rejects.toMatchObject({
      message: 'no CloudTrail logs under s3://trail-logs/elsewhere/AWSLogs/ (is the prefix right?)',
    });
    await expect(noAccount).rejects.toMatchObject({
      message: `no CloudTrail logs of account 999999999999 under s3://trail-logs/${PREFIX}/AWSLogs/ (found 111122223333, 222233334444, 444455556666)`,
    });
    client.destroy();
  });

  it('says what is missing when S3 refuses access or there are no credentials', async () => {
    // s3rver has no access policies: the refusals are made at the client's edge, as S3 sends them.
    const refusing = (error: Error & { $metadata?: unknown }, command?: string) => {
      const client = s3rverClient(s3.endpoint);
      client.middlewareStack.add(
        (next, context) => async (args) => {
          if (command !== undefined && context.commandName !== command) return next(args);
          throw error;
        },
        { step: 'finalizeRequest', name: 'refuse' },
      );
      return client;
    };
    const accessDenied = Object.assign(new Error('Access Denied'), {
      name: 'AccessDenied',
      $metadata: { httpStatusCode: 403 },
    });
    const noCredentials = Object.assign(
      new Error('Could not load credentials from any providers'),
      {
        name: 'CredentialsProviderError',
      },
    );
    const window = { bucket: 'trail-logs', prefix: PREFIX, from: FROM, to: TO };

    const denied = createS3Source({ client: refusing(accessDenied), ...window }).check();
    const anonymous = createS3Source({ client: refusing(noCredentials), ...window }).check();
    const unreadable = createS3Source({
      client: refusing(accessDenied, 'GetObjectCommand'),
      ...window,
    }).check();

    await expect(denied).rejects.toMatchObject({
      name: 'BackfillSetupError',
      message: `not allowed to list s3://trail-logs/${PREFIX}/AWSLogs/ (s3:ListBucket)`,
    });
    await expect(anonymous).rejects.toMatchObject({
      name: 'BackfillSetupError',
      message: expect.stringMatching(
        /^no AWS credentials found \(.*\): Could not load credentials from any providers$/,
      ),
    });
    await expect(unreadable).rejects.toMatchObject({
      name: 'BackfillSetupError',
      message: `not allowed to read ${uriOf(inWindow[0] as CloudTrailLogFile)} (s3:GetObject, and kms:Decrypt when the trail encrypts its logs with KMS)`,
    });
  });

  it('zero files in the window is no error', async () => {
    const client = s3rverClient(s3.endpoint);
    const source = createS3Source({
      client,
      bucket: 'trail-logs',
      prefix: PREFIX,
      from: new Date('2025-01-01T00:00:00Z'),
      to: new Date('2025-01-02T00:00:00Z'),
    });

    await source.check();

    expect(source.estimate?.()).toEqual({ chunks: 0 });
    expect(await readAll(source.chunks(undefined))).toEqual([]);
    client.destroy();
  });
});

describe('a body stream that fails part-way', () => {
  /** A client whose first `failures` GetObject bodies break after 10 bytes, as a reset connection does. */
  function breakingClient(failures: number): { client: S3Client; gets: () => number } {
    const client = s3rverClient(s3.endpoint);
    let gets = 0;
    client.middlewareStack.add(
      (next, context) => async (args) => {
        const result = await next(args);
        if (context.commandName !== 'GetObjectCommand') return result;
        if (++gets > failures) return result;
        const output = result.output as { Body?: Readable };
        const head = Buffer.alloc(10);
        output.Body?.destroy();
        output.Body = new Readable({
          read() {
            this.push(head);
            this.destroy(Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' }));
          },
        });
        return result;
      },
      { step: 'initialize', name: 'breakBodies' },
    );
    return { client, gets: () => gets };
  }
  const window = {
    bucket: 'trail-logs',
    prefix: PREFIX,
    accounts: ['111122223333'],
    regions: ['eu-west-1'],
    from: new Date('2026-11-19T00:00:00Z'),
    to: new Date('2026-11-19T22:00:00Z'),
    concurrency: 1,
  };
  const expected = set.files.filter(
    (f) =>
      f.account === '111122223333' &&
      f.region === 'eu-west-1' &&
      f.key.includes('/2026/11/19/') &&
      f.deliveredAt.getTime() <= window.to.getTime() + 3_600_000,
  );

  it('is read again, up to three times, and the file comes out whole', async () => {
    const { client, gets } = breakingClient(2);

    const chunks = await readAll(createS3Source({ client, ...window }).chunks(undefined));

    expect(expected.length).toBeGreaterThan(0);
    expect(eventIdsOf(chunks)).toEqual(expected.flatMap((f) => f.eventIds));
    expect(gets()).toBe(expected.length + 2);
    client.destroy();
  });

  it('ends the run with the read error when it keeps failing', async () => {
    const { client, gets } = breakingClient(3);

    const reading = readAll(createS3Source({ client, ...window }).chunks(undefined));

    await expect(reading).rejects.toBeInstanceOf(LogFileReadError);
    await expect(reading).rejects.toMatchObject({
      message: `reading ${uriOf(expected[0] as CloudTrailLogFile)}: read ECONNRESET`,
    });
    expect(gets()).toBe(3);
    client.destroy();
  });
});

describe('reading a damaged object', () => {
  it('keeps what can be trusted of a truncated .json.gz object', async () => {
    const client = s3rverClient(s3.endpoint);
    await client.send(new CreateBucketCommand({ Bucket: 'cut-logs' }));
    const key =
      'AWSLogs/111122223333/CloudTrail/eu-west-1/2026/11/20/111122223333_CloudTrail_eu-west-1_20261120T0100Z_cut.json.gz';
    const whole = gzipSync(
      JSON.stringify({
        Records: Array.from({ length: 200 }, (_, i) => ({ eventID: `e${i}`, pad: 'x'.repeat(i) })),
      }),
    );
    await client.send(
      new PutObjectCommand({
        Bucket: 'cut-logs',
        Key: key,
        Body: whole.subarray(0, whole.length - 100),
      }),
    );
    const source = createS3Source({
      client,
      bucket: 'cut-logs',
      from: new Date('2026-11-20T00:00:00Z'),
      to: new Date('2026-11-20T02:00:00Z'),
    });

    const [chunk] = await readAll(source.chunks(undefined));

    expect(chunk?.problem).toMatch(/^truncated gzip .*: kept the \d+ records before the damage$/);
    expect(chunk?.records.map((r) => (r.value as { eventID: string }).eventID)).toEqual(
      Array.from({ length: chunk?.records.length ?? 0 }, (_, i) => `e${i}`),
    );
    expect(chunk?.records.length).toBeGreaterThan(100);
    client.destroy();
  });
});
