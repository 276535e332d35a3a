import { readdirSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { AuditWriter } from '@ecslog/audit-store';
import { createAuditWriter } from '@ecslog/audit-store';
import type { LocalDynamoDb } from '@ecslog/audit-store/testing';
import { createAuditTable, startDynalite } from '@ecslog/audit-store/testing';
import { FIXTURES_DIR, loadFixture } from '@ecslog/ecs-event-mapper/testing';
import type { KinesisStreamEvent } from 'aws-lambda';
import fc from 'fast-check';
import { createEventBridgeHandler } from './eventbridge-ingest';
import { createFileQuarantine } from './file-quarantine';
import { createKinesisHandler } from './kinesis-ingest';
import { parseQuarantineEntry } from './quarantine';
import {
  TEST_NOW,
  crashingAfter,
  createRecordingLogger,
  createRecordingMetrics,
  loadIngestFixture,
  partitionKeyOf,
  scanTable,
  toKinesisEsmEvent,
} from './testing';

/**
 * A function that dies mid-batch has written part of it; Lambda then delivers the same batch
 * again. Whatever the point of the crash, the table must end up exactly as after one clean
 * delivery: nothing lost, nothing doubled.
 */

const STREAM_ARN = 'arn:aws:kinesis:eu-west-1:111122223333:stream/ecslog-ecs-events';
const events = [
  ...readdirSync(join(FIXTURES_DIR, 'eventbridge'))
    .sort()
    .map((name) => loadFixture(`eventbridge/${name}`)),
  loadIngestFixture('eventbridge/cloudtrail-api-call-runtask-partial-placement.json'),
  loadIngestFixture('eventbridge/invalid-task-state-change.json'),
];
/** One event of each kind of write, and a task's whole lifecycle. */
const REPRESENTATIVE_NAMES = [
  /^task-lifecycle-/,
  /^container-instance-draining/,
  /^service-action-placement-failure/,
  /^deployment-failed/,
  /^cloudtrail-api-call-runtask\.json/,
];
const eventNames = [
  ...readdirSync(join(FIXTURES_DIR, 'eventbridge')).sort(),
  'cloudtrail-api-call-runtask-partial-placement.json',
  'invalid-task-state-change.json',
];
const REPRESENTATIVE = (i: number) =>
  i >= eventNames.length - 2 ||
  REPRESENTATIVE_NAMES.some((name) => name.test(eventNames[i] as string));
const payloads = [
  ...events.map((event) => ({ data: JSON.stringify(event), partitionKey: partitionKeyOf(event) })),
  { data: 'not an event', partitionKey: 'legacy-log-shipper' },
];

/** The ESM event for payloads in this order, as one shard's batch. */
function batchOf(items: readonly { data: string; partitionKey: string }[]): KinesisStreamEvent {
  return toKinesisEsmEvent(
    'shardId-000000000000',
    STREAM_ARN,
    items.map((item, i) => ({
      SequenceNumber: String(49656918204419352768313839463152347210396224716573048834n + BigInt(i)),
      PartitionKey: item.partitionKey,
      Data: Buffer.from(item.data),
      ApproximateArrivalTimestamp: new Date(TEST_NOW.getTime() + i),
    })),
    'eu-west-1',
  );
}

describe('a crash mid-batch, then redelivery of the same batch', () => {
  let db: LocalDynamoDb;
  let dir: string;
  beforeAll(async () => {
    db = await startDynalite();
    dir = await mkdtemp(join(tmpdir(), 'ecslog-ingest-crash-'));
  });
  afterAll(async () => {
    await db.stop();
    await rm(dir, { recursive: true, force: true });
  });

  const writerFor = (client: DynamoDBClient, tableName: string) =>
    // dynalite has no PartiQL: conditional PutItem from the start, so every crash point is a write.
    createAuditWriter({
      client,
      tableName,
      conditionalWrites: 'single',
      now: () => TEST_NOW.getTime(),
    });
  const kinesisHandler = (writer: AuditWriter, quarantineFile: string) =>
    createKinesisHandler({
      writer,
      quarantine: createFileQuarantine({ path: quarantineFile }),
      logger: createRecordingLogger(),
      metrics: createRecordingMetrics(),
      clock: () => TEST_NOW,
    });

  /** The table after one clean delivery, and how many DynamoDB requests that delivery made. */
  async function cleanDelivery(batch: KinesisStreamEvent) {
    const tableName = await createAuditTable(db.client);
    const counting = crashingAfter(db.client, Number.POSITIVE_INFINITY);
    const response = await kinesisHandler(
      writerFor(counting.client, tableName),
      join(dir, `${tableName}.ndjson`),
    )(batch);
    expect(response.batchItemFailures).toEqual([]);
    return { items: await scanTable(db.client, tableName), requests: counting.sent() };
  }

  /** Delivers the batch to a function that crashes after `requests` requests, then again. */
  async function crashThenRedeliver(batch: KinesisStreamEvent, requests: number) {
    const tableName = await createAuditTable(db.client);
    const quarantineFile = join(dir, `${tableName}.ndjson`);
    const crashing = crashingAfter(db.client, requests);
    // The crashed invocation's response never reaches Lambda: the whole batch comes again.
    await kinesisHandler(writerFor(crashing.client, tableName), quarantineFile)(batch);
    const again = await kinesisHandler(writerFor(db.client, tableName), quarantineFile)(batch);
    expect(again.batchItemFailures).toEqual([]);
    const held = (await readFile(quarantineFile, 'utf8').catch(() => ''))
      .split('\n')
      .filter(Boolean)
      .map((line) => parseQuarantineEntry(line));
    return { items: await scanTable(db.client, tableName), held };
  }

  it('ends with the same table as one clean delivery, at every crash point', async () => {
    // Every crash point replays the whole batch, so its cost grows with the square of the batch:
    // one task's whole lifecycle (history batches, its run rewritten, a duplicate) and one event of
    // each other kind of write (latest state, service events, deployments, a never-started run,
    // the quarantine), not every fixture; the property below draws from all of them.
    const batch = batchOf(payloads.filter((_, i) => i >= events.length || REPRESENTATIVE(i)));
    const clean = await cleanDelivery(batch);
    expect(clean.requests).toBeGreaterThan(10); // history batches and latest-state writes

    for (let requests = 0; requests < clean.requests; requests++) {
      const { items, held } = await crashThenRedeliver(batch, requests);
      expect({ requests, items }).toEqual({ requests, items: clean.items });
      // Invalid inputs are held at least once (a redelivery may hold them again: at-least-once).
      expect(new Set(held.map((entry) => entry.origin['sequenceNumber'])).size).toBe(2);
    }
  }, 120_000);

  it('ends with the same table for any batch (order, duplicates) and any crash point', async () => {
    const batchArb = fc
      .array(fc.constantFrom(...payloads), { minLength: 1, maxLength: 30 })
      .map((items) => batchOf(items));
    await fc.assert(
      fc.asyncProperty(batchArb, fc.nat({ max: 40 }), async (batch, crashAt) => {
        const clean = await cleanDelivery(batch);
        const { items } = await crashThenRedeliver(batch, Math.min(crashAt, clean.requests));
        expect(items).toEqual(clean.items);
      }),
      { numRuns: 15 },
    );
  });

  it('also when the writer throws part-way through (the EventBridge path)', async () => {
    const event = loadIngestFixture(
      'eventbridge/cloudtrail-api-call-runtask-partial-placement.json',
    );
    const handlerWith = (writer: AuditWriter) =>
      createEventBridgeHandler({
        writer,
        quarantine: { hold: () => Promise.reject(new Error('not called')) },
        logger: createRecordingLogger(),
        metrics: createRecordingMetrics(),
        clock: () => TEST_NOW,
      });
    const cleanTable = await createAuditTable(db.client);
    await handlerWith(writerFor(db.client, cleanTable))(event);

    for (let written = 0; written < 5; written++) {
      const tableName = await createAuditTable(db.client);
      const writer = writerFor(db.client, tableName);
      // Writes the first `written` records one by one, then the process dies.
      const dying: AuditWriter = {
        async writeRecords(records) {
          for (const record of records.slice(0, written)) await writer.writeRecords([record]);
          throw new Error('the process crashed');
        },
        closeRun: () => Promise.reject(new Error('not called')),
      };
      await expect(handlerWith(dying)(event)).rejects.toMatchObject({
        name: 'AuditWriteError',
        cause: { message: 'the process crashed' },
      });
      await handlerWith(writer)(event); // Lambda's retry of the async invoke
      expect(await scanTable(db.client, tableName)).toEqual(await scanTable(db.client, cleanTable));
    }
  });
});
