/**
 * `ecslog redrive` against real local servers: the project's loopback SQS server (receive,
 * delete, visibility), kinesalite (pointer-only stream failures), s3rver (the stream's failure
 * bucket) and dynalite (the audit table).
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { CreateBucketCommand, ListObjectsV2Command, PutObjectCommand } from '@aws-sdk/client-s3';
import type { SQSClient } from '@aws-sdk/client-sqs';
import { SendMessageCommand } from '@aws-sdk/client-sqs';
import { DeleteStreamCommand } from '@aws-sdk/client-kinesis';
import { createAuditReader, createAuditWriter } from '@ecslog/audit-store';
import type { LocalDynamoDb } from '@ecslog/audit-store/testing';
import { createAuditTable, scanTable, startDynalite } from '@ecslog/audit-store/testing';
import type { QuarantineEntry } from '@ecslog/ingest-pipeline';
import { createSqsQuarantine } from '@ecslog/ingest-pipeline';
import type { LocalKinesis, LocalSqsServer } from '@ecslog/ingest-pipeline/testing';
import {
  createStream,
  crashingAfter,
  loadIngestFixture,
  localSqsClient,
  putRecords,
  readShards,
  startKinesalite,
  startLocalSqsServer,
} from '@ecslog/ingest-pipeline/testing';
import type { AuditStoreConnection } from '@ecslog/store-connection';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { simulateDay } from '@ecslog/simulator';
import type { LocalS3 } from '../testing/local-s3';
import { startLocalS3 } from '../testing/local-s3';
import { createEventIngest } from '../pipeline/event-ingest';
import type { CliIo } from './cli-io';
import type { RedriveCommandOptions } from './redrive.command';
import { runRedrive } from './redrive.run';

type Parked = Record<string, unknown>[];
/** The fixtures' events are from 2026-11-20: keep them whatever day the tests run. */
const RETENTION_DAYS = 36_500;

// Each test parks and replays through five servers; the outage test waits out ingest's retries.
jest.setTimeout(60_000);

describe('ecslog redrive (loopback SQS, kinesalite, s3rver, dynalite)', () => {
  let dynamo: LocalDynamoDb;
  let sqsServer: LocalSqsServer;
  let sqs: SQSClient;
  let kinesis: LocalKinesis;
  let s3: LocalS3;
  let home: string;
  let queueCounter = 0;
  const day = simulateDay({ seed: 23, day: '2026-11-20' });
  const events = day.events.slice(0, 40) as Record<string, unknown>[];

  beforeAll(async () => {
    [dynamo, sqsServer, kinesis, s3] = await Promise.all([
      startDynalite(),
      startLocalSqsServer(),
      startKinesalite(),
      startLocalS3([]),
    ]);
    sqs = localSqsClient(sqsServer.endpoint);
  });
  afterAll(async () => {
    sqs?.destroy();
    await Promise.all([dynamo?.stop(), sqsServer?.stop(), kinesis?.stop(), s3?.stop()]);
  });
  beforeEach(() => {
    home = mkdtempSync(join(tmpdir(), 'ecslog-redrive-'));
  });
  afterEach(() => rmSync(home, { recursive: true, force: true }));

  const storeOf = (
    tableName: string,
    client: DynamoDBClient = dynamo.client,
  ): AuditStoreConnection => ({
    kind: 'aws',
    client,
    tableName,
    reader: createAuditReader({ client, tableName }),
    description: `table ${tableName}`,
    close: async () => undefined,
  });

  const output = () => {
    let text = '';
    const stream = new Writable({
      write(chunk: Buffer, _encoding, done) {
        text += chunk.toString('utf8');
        done();
      },
    });
    return { stream, text: () => text };
  };

  async function redrive(options: Partial<RedriveCommandOptions>, store: AuditStoreConnection) {
    const stdout = output();
    const stderr = output();
    const io: CliIo = {
      stdout: stdout.stream,
      stderr: stderr.stream,
      readStdin: async () => Buffer.alloc(0),
      env: { ECSLOG_HOME: home },
      cwd: home,
      now: Date.now,
      waitForStop: () => new Promise(() => undefined),
    };
    const code = await runRedrive(
      {
        queue: [],
        failureBucket: [],
        visibilityTimeout: 900,
        retentionDays: RETENTION_DAYS,
        json: true,
        ...options,
      },
      io,
      { sqs, s3: s3.client, kinesis: kinesis.client, store, pause: async () => undefined },
    );
    const summary = JSON.parse(stdout.text()) as {
      exitCode: number;
      sources: {
        source: string;
        read: number;
        replayed: number;
        stillInvalid: number;
        failed: number;
        events: number;
        written: number;
        alreadyStored: number;
      }[];
    };
    return { code, summary, stderr: stderr.text() };
  }

  const send = async (queueUrl: string, bodies: readonly string[]) => {
    for (const body of bodies)
      await sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: body }));
  };
  const newQueue = (name: string) => sqsServer.createQueue(`${name}-${++queueCounter}`);
  const bucketKeys = async (bucket: string) =>
    ((await s3.client.send(new ListObjectsV2Command({ Bucket: bucket }))).Contents ?? []).map(
      (o) => o.Key,
    );

  /**
   * The table the same events make through `ecslog ingest`'s path, marked as redriven (the
   * notifier's origin mark): what redrive must land.
   */
  async function referenceTable(inputs: readonly unknown[]) {
    const tableName = await createAuditTable(dynamo.client);
    const ingest = createEventIngest({
      writer: createAuditWriter({
        client: dynamo.client,
        tableName,
        retentionDays: RETENTION_DAYS,
        origin: 'redrive',
      }),
      quarantine: { hold: async () => undefined },
      report: () => undefined,
    });
    await ingest(inputs.map((value, i) => ({ position: `ref:${i}`, value })));
    return scanTable(dynamo.client, tableName);
  }

  /** Parks `events` the ways the pipeline does; returns where, and the events in park order. */
  async function parkEverywhere(prefix: string) {
    const [dlqEvents, asyncEvents, quarantined, bucketEvents, streamEvents] = [
      events.slice(0, 8),
      events.slice(8, 14),
      events.slice(14, 20),
      events.slice(20, 30),
      events.slice(30, 40),
    ] as [Parked, Parked, Parked, Parked, Parked];
    const dlq = newQueue('rule-dlq');
    await send(
      dlq,
      dlqEvents.map((e) => JSON.stringify(e)),
    );

    const failures = newQueue('ingest-failures');
    const asyncRecord = loadIngestFixture('redrive/lambda-async-failure.json');
    await send(
      failures,
      asyncEvents.map((e) => JSON.stringify({ ...asyncRecord, requestPayload: e })),
    );

    // Entries the mapper of the day rejected and today's maps (a mapper fix); one split in parts.
    const quarantineQueue = newQueue('quarantine');
    const entryOf = (payload: unknown) => ({
      source: 'eventbridge' as const,
      receivedAt: '2026-11-20T06:00:00.000Z',
      reason: 'detail.launchType: unknown value (mapper 1.0)',
      problems: [{ path: 'detail.launchType', message: 'unknown value (mapper 1.0)' }],
      payload,
      payloadEncoding: 'json' as const,
      origin: { eventId: String((payload as { id?: string }).id) },
    });
    const whole = createSqsQuarantine({ client: sqs, queueUrl: quarantineQueue });
    const split = createSqsQuarantine({
      client: sqs,
      queueUrl: quarantineQueue,
      maxMessageBytes: 1_500,
    });
    for (const [i, e] of quarantined.entries()) await (i === 0 ? split : whole).hold(entryOf(e));

    // A bucket of its own, laid out as Lambda writes it, with an object that is not a failure.
    const bucket = `failures-${prefix}`;
    await s3.client.send(new CreateBucketCommand({ Bucket: bucket }));
    await s3.client.send(
      new PutObjectCommand({ Bucket: bucket, Key: 'notes/README.txt', Body: 'not a failure' }),
    );
    const s3Object = loadIngestFixture('redrive/kinesis-failure-s3-object.json');
    for (let i = 0; i < bucketEvents.length; i += 5) {
      const records = bucketEvents.slice(i, i + 5).map((e, j) => ({
        kinesis: {
          sequenceNumber: String(1000 + i + j),
          partitionKey: 'k',
          data: Buffer.from(JSON.stringify(e)).toString('base64'),
        },
      }));
      await s3.client.send(
        new PutObjectCommand({
          Bucket: bucket,
          Key: `aws/lambda/esm-1/shardId-000000000000/2026/11/20/2026-11-20T05.0${i}.00-${i}`,
          Body: JSON.stringify({ ...s3Object, payload: JSON.stringify({ Records: records }) }),
        }),
      );
    }

    const streamName = `events-${++queueCounter}`;
    const stream = await createStream(kinesis.client, streamName, 1);
    await putRecords(
      kinesis.client,
      streamName,
      streamEvents.map((e) => ({ data: JSON.stringify(e), partitionKey: 'k' })),
    );
    const [{ shardId, records } = { shardId: '', records: [] }] = await readShards(
      kinesis.client,
      stream,
    );
    const pointerQueue = newQueue('stream-failures');
    const pointer = loadIngestFixture('redrive/kinesis-failure-pointer.json');
    // Two failed batches of 5 records each.
    for (const batch of [records.slice(0, 5), records.slice(5, 10)])
      await send(pointerQueue, [
        JSON.stringify({
          ...pointer,
          KinesisBatchInfo: {
            ...(pointer['KinesisBatchInfo'] as object),
            shardId,
            startSequenceNumber: batch[0]?.SequenceNumber,
            endSequenceNumber: batch.at(-1)?.SequenceNumber,
            batchSize: batch.length,
            streamArn: stream.streamArn,
          },
        }),
      ]);
    return {
      queues: [dlq, failures, quarantineQueue, pointerQueue],
      bucket,
      streamName,
      parked: [...dlqEvents, ...asyncEvents, ...quarantined, ...bucketEvents, ...streamEvents],
    };
  }

  it('lands every parked event, deletes what it stored, and a second replay stores nothing new', async () => {
    const tableName = await createAuditTable(dynamo.client);
    const parking = await parkEverywhere('lands');

    const first = await redrive(
      { queue: parking.queues, failureBucket: [parking.bucket] },
      storeOf(tableName),
    );
    expect(first.code).toBe(0);
    expect(first.summary.sources.map((s) => [s.read, s.replayed, s.events])).toEqual([
      [8, 8, 8],
      [6, 6, 6],
      [6, 6, 6], // the split entry's parts count as one entry
      [2, 2, 10],
      [2, 2, 10],
    ]);
    const table = await scanTable(dynamo.client, tableName);
    expect(table).toEqual(await referenceTable(parking.parked));
    for (const queue of parking.queues) {
      expect(sqsServer.messages(queue)).toEqual([]);
    }
    // The failure objects are gone; what Lambda did not write under aws/lambda/ is not read.
    expect(await bucketKeys(parking.bucket)).toEqual(['notes/README.txt']);

    // Parked again (a pipeline retry, or a redrive stopped before its deletes): nothing new.
    const again = await parkEverywhere('lands-again');
    const second = await redrive(
      { queue: again.queues.slice(0, 3), failureBucket: [again.bucket] },
      storeOf(tableName),
    );
    expect(second.code).toBe(0);
    expect(second.summary.sources.every((s) => s.written === 0 && s.alreadyStored > 0)).toBe(true);
    expect(await scanTable(dynamo.client, tableName)).toEqual(table);
  });

  it('--dry-run reads and reports, and changes nothing: no write, no delete, every message visible', async () => {
    const tableName = await createAuditTable(dynamo.client);
    const parking = await parkEverywhere('dry');
    const before = parking.queues.map((q) => sqsServer.messages(q));

    const run = await redrive(
      { queue: parking.queues, failureBucket: [parking.bucket], dryRun: true },
      storeOf(tableName),
    );
    expect(run.code).toBe(0);
    expect(run.summary.sources.reduce((n, s) => n + s.events, 0)).toBe(parking.parked.length);
    expect(await scanTable(dynamo.client, tableName)).toEqual([]);
    expect(parking.queues.map((q) => sqsServer.messages(q))).toEqual(before);
    expect(parking.queues.map((q) => sqsServer.inFlight(q))).toEqual([0, 0, 0, 0]);
    expect(await bucketKeys(parking.bucket)).toHaveLength(3);
    expect(run.stderr).toContain('dry run: nothing written');
  });

  it('keeps a still-invalid event where it is parked (exit 2) and replays the rest', async () => {
    const tableName = await createAuditTable(dynamo.client);
    const invalid = loadIngestFixture('eventbridge/invalid-task-state-change.json');
    const dlq = newQueue('invalid-dlq');
    await send(dlq, [JSON.stringify(events[0]), JSON.stringify(invalid)]);
    const quarantineQueue = newQueue('invalid-quarantine');
    const entry = loadIngestFixture('redrive/quarantine-entry-invalid.json');
    await send(quarantineQueue, [JSON.stringify(entry)]);

    const run = await redrive({ queue: [dlq, quarantineQueue] }, storeOf(tableName));
    expect(run.code).toBe(2);
    expect(sqsServer.messages(dlq)).toEqual([JSON.stringify(invalid)]);
    expect(sqsServer.messages(quarantineQueue)).toEqual([JSON.stringify(entry)]);
    expect(sqsServer.inFlight(dlq) + sqsServer.inFlight(quarantineQueue)).toBe(0);
    expect(run.summary.sources.map((s) => [s.replayed, s.stillInvalid])).toEqual([
      [1, 1],
      [0, 1],
    ]);
    expect(run.stderr).toMatch(/still invalid: detail\.taskArn: is required.*\(kept\)/);
  });

  it('keeps a split quarantine entry whose parts are not all in the queue, and says which it has', async () => {
    const tableName = await createAuditTable(dynamo.client);
    const scratch = newQueue('scratch');
    await createSqsQuarantine({ client: sqs, queueUrl: scratch, maxMessageBytes: 1_500 }).hold({
      ...loadIngestFixture<QuarantineEntry>('redrive/quarantine-entry-invalid.json'),
      payload: events[2],
    });
    const parts = sqsServer.messages(scratch);
    expect(parts.length).toBeGreaterThan(2);
    const quarantineQueue = newQueue('partial-quarantine');
    await send(quarantineQueue, parts.slice(0, 2));

    const run = await redrive({ queue: [quarantineQueue] }, storeOf(tableName));
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(`has only parts 1, 2 of ${parts.length} in the queue`);
    expect(sqsServer.messages(quarantineQueue)).toEqual(parts.slice(0, 2));
    expect(sqsServer.inFlight(quarantineQueue)).toBe(0);

    // The rest arrives: the whole entry is replayed and every part deleted.
    await send(quarantineQueue, parts.slice(2));
    const complete = await redrive({ queue: [quarantineQueue] }, storeOf(tableName));
    expect(complete.code).toBe(0);
    expect(sqsServer.messages(quarantineQueue)).toEqual([]);
    expect(await scanTable(dynamo.client, tableName)).toEqual(await referenceTable([events[2]]));
  });

  it('deletes nothing it did not store when the table fails mid-redrive; the next run lands the rest', async () => {
    const tableName = await createAuditTable(dynamo.client);
    const dlq = newQueue('outage-dlq');
    const parked = events.slice(0, 30);
    await send(
      dlq,
      parked.map((e) => JSON.stringify(e)),
    );

    // The table stops answering after a few requests: the first page or so is stored.
    const crashing = crashingAfter(dynamo.client, 12);
    const run = await redrive({ queue: [dlq] }, storeOf(tableName, crashing.client));
    expect(run.code).toBe(1);
    const left = sqsServer.messages(dlq);
    expect(left.length).toBeGreaterThan(0);
    expect(left.length).toBeLessThan(parked.length);
    expect(sqsServer.inFlight(dlq)).toBe(0);
    // Every deleted message's records are in the table as ingest would store them: their history
    // items (H#…). A run, its carries and a latest state are the task's, not one record's: a
    // record of a kept message may already have moved them on.
    const deleted = parked.filter((e) => !left.includes(JSON.stringify(e)));
    const stored = await scanTable(dynamo.client, tableName);
    const history = (await referenceTable(deleted)).filter((item) =>
      ((item['sk'] as { S?: string } | undefined)?.S ?? '').startsWith('H#'),
    );
    expect(history.length).toBeGreaterThan(0);
    expect(stored).toEqual(expect.arrayContaining(history));

    const retry = await redrive({ queue: [dlq] }, storeOf(tableName));
    expect(retry.code).toBe(0);
    expect(sqsServer.messages(dlq)).toEqual([]);
    expect(await scanTable(dynamo.client, tableName)).toEqual(await referenceTable(parked));
  });

  it('says the stream no longer holds a pointed-at batch, and keeps the message', async () => {
    const tableName = await createAuditTable(dynamo.client);
    const parking = await parkEverywhere('gone');
    const pointerQueue = parking.queues[3] as string;
    await kinesis.client.send(new DeleteStreamCommand({ StreamName: parking.streamName }));

    const run = await redrive({ queue: [pointerQueue] }, storeOf(tableName));
    expect(run.code).toBe(1);
    expect(run.summary.sources[0]).toMatchObject({ read: 2, failed: 2, replayed: 0 });
    expect(sqsServer.messages(pointerQueue)).toHaveLength(2);
    expect(run.stderr).toMatch(/does not exist, so it no longer holds the batch/);
  });

  it('says the stream no longer holds a batch whose first record it does not hold, and keeps the message', async () => {
    const tableName = await createAuditTable(dynamo.client);
    const parking = await parkEverywhere('trimmed');
    const pointerQueue = parking.queues[3] as string;
    const [body = ''] = sqsServer.messages(pointerQueue);
    const pointer = JSON.parse(body) as { KinesisBatchInfo: { startSequenceNumber: string } };
    // A record before the first the shard holds: what a batch past the retention period points at.
    pointer.KinesisBatchInfo.startSequenceNumber = String(
      BigInt(pointer.KinesisBatchInfo.startSequenceNumber) - 1000n,
    );
    const trimmedQueue = newQueue('trimmed-pointers');
    await send(trimmedQueue, [JSON.stringify(pointer)]);

    const run = await redrive({ queue: [trimmedQueue] }, storeOf(tableName));
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(
      /no longer holds the batch's first record \d+ \(past the stream's retention\?\)/,
    );
    expect(sqsServer.messages(trimmedQueue)).toEqual([JSON.stringify(pointer)]);
    expect(await scanTable(dynamo.client, tableName)).toEqual([]);
  });

  it('reads pointers from the stream --stream names, whatever stream their ARN names', async () => {
    const tableName = await createAuditTable(dynamo.client);
    const parking = await parkEverywhere('renamed');
    const pointerQueue = parking.queues[3] as string;
    const bodies = sqsServer.messages(pointerQueue);
    const renamedQueue = newQueue('renamed-pointers');
    // As if the ARN were of another partition or account: only --stream finds the records.
    await send(
      renamedQueue,
      bodies.map((body) => body.replaceAll(`stream/${parking.streamName}`, 'stream/elsewhere')),
    );

    const without = await redrive({ queue: [renamedQueue] }, storeOf(tableName));
    expect(without.code).toBe(1);
    expect(without.stderr).toMatch(/stream elsewhere shard \S+ does not exist/);
    const run = await redrive(
      { queue: [renamedQueue], stream: parking.streamName },
      storeOf(tableName),
    );
    expect(run.code).toBe(0);
    expect(run.summary.sources[0]).toMatchObject({ read: 2, replayed: 2, events: 10 });
    expect(sqsServer.messages(renamedQueue)).toEqual([]);
  });

  it('replays the local quarantine file, keeping only the lines it could not store', async () => {
    const tableName = await createAuditTable(dynamo.client);
    const invalidEntry = readFileSync(
      join(
        __dirname,
        '../../../../libs/ingest-pipeline/tests/events/redrive/quarantine-entry-invalid.json',
      ),
      'utf8',
    );
    const invalidLine = JSON.stringify(JSON.parse(invalidEntry));
    const fixedLine = JSON.stringify({ ...JSON.parse(invalidEntry), payload: events[1] });
    const path = join(home, 'quarantine.ndjson');
    writeFileSync(path, `${fixedLine}\n${invalidLine}\nnot json\n`);

    const run = await redrive({ quarantine: true }, storeOf(tableName));
    expect(run.code).toBe(1); // the line that is not JSON cannot be replayed
    expect(readFileSync(path, 'utf8')).toBe(`${invalidLine}\nnot json\n`);
    expect(await scanTable(dynamo.client, tableName)).toEqual(await referenceTable([events[1]]));
  });
});
