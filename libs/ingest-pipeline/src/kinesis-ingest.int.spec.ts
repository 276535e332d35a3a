import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { _Record } from '@aws-sdk/client-kinesis';
import type { AuditWriter } from '@ecslog/audit-store';
import { createAuditReader, createAuditWriter } from '@ecslog/audit-store';
import type { LocalDynamoDb } from '@ecslog/audit-store/testing';
import { createAuditTable, startDynalite } from '@ecslog/audit-store/testing';
import { mapEvent } from '@ecslog/ecs-event-mapper';
import { loadFixture } from '@ecslog/ecs-event-mapper/testing';
import { createFileQuarantine } from './file-quarantine';
import { createKinesisHandler } from './kinesis-ingest';
import { parseQuarantineEntry } from './quarantine';
import type { LocalKinesis, StreamInfo } from './testing';
import {
  TEST_NOW,
  createRecordingLogger,
  createRecordingMetrics,
  createStream,
  failingFor,
  loadIngestFixture,
  partitionKeyOf,
  putRecords,
  readShards,
  itemKeys,
  itemKeysOf,
  scanTable,
  startKinesalite,
  toKinesisEsmEvent,
} from './testing';

const TASK_A = 'arn:aws:ecs:eu-west-1:111122223333:task/prod-web/7f3c9a1e5b2d4c8f9a6e0b1d2c3f4a5b';
const TASK_B = 'arn:aws:ecs:eu-west-1:111122223333:task/prod-web/b1449e8faf40609955463eb597283364';
const NOT_JSON = 'ECS task 7f3c9a1e stopped (exit 137) <- from a log shipper, not an event';

const events = [
  'task-lifecycle-01-provisioning',
  'task-lifecycle-02-pending',
  'service-action-start-impaired',
  'task-lifecycle-03-activating',
  'task-stopped-oom',
  'task-lifecycle-04-running',
  'container-instance-draining',
  'task-lifecycle-04-running-duplicate',
  'other-source',
  'task-lifecycle-05-deactivating',
  'deployment-in-progress',
  'task-lifecycle-06-stopping',
  'service-action-placement-failure',
  'task-lifecycle-07-stopped',
  'cloudtrail-api-call-runtask',
].map((name) => loadFixture(`eventbridge/${name}.json`));
const invalidEvent = loadIngestFixture('eventbridge/invalid-task-state-change.json');
const partialPlacement = loadIngestFixture(
  'eventbridge/cloudtrail-api-call-runtask-partial-placement.json',
);
const allEvents = [...events, partialPlacement];
const expectedRecords = allEvents.flatMap((event) => {
  const result = mapEvent(event);
  return result.kind === 'mapped' ? result.records : [];
});

describe('Kinesis handler fed real Kinesis records (kinesalite → ESM event → dynalite)', () => {
  let kinesis: LocalKinesis;
  let db: LocalDynamoDb;
  let dir: string;
  let stream: StreamInfo;
  let shards: { shardId: string; records: _Record[] }[];

  beforeAll(async () => {
    [kinesis, db] = await Promise.all([startKinesalite(), startDynalite()]);
    dir = await mkdtemp(join(tmpdir(), 'ecslog-ingest-kinesis-'));
    stream = await createStream(kinesis.client, 'ecslog-ecs-events', 2);
    // Producers: one PutRecords per source, the resource ARN as partition key.
    await putRecords(
      kinesis.client,
      stream.streamName,
      events.map((event) => ({ data: JSON.stringify(event), partitionKey: partitionKeyOf(event) })),
    );
    await putRecords(kinesis.client, stream.streamName, [
      { data: NOT_JSON, partitionKey: 'legacy-log-shipper' },
      { data: JSON.stringify(invalidEvent), partitionKey: partitionKeyOf(invalidEvent) },
      { data: JSON.stringify(partialPlacement), partitionKey: partitionKeyOf(partialPlacement) },
    ]);
    shards = await readShards(kinesis.client, stream);
  });
  afterAll(async () => {
    await Promise.all([kinesis?.stop(), db?.stop()]);
    await rm(dir, { recursive: true, force: true });
  });

  function setUp(tableName: string, writer?: Pick<AuditWriter, 'writeRecords'>) {
    const quarantineFile = join(dir, `${tableName}.ndjson`);
    const metrics = createRecordingMetrics();
    const handler = createKinesisHandler({
      writer:
        writer ??
        createAuditWriter({ client: db.client, tableName, now: () => TEST_NOW.getTime() }),
      quarantine: createFileQuarantine({ path: quarantineFile }),
      logger: createRecordingLogger(),
      metrics,
      clock: () => TEST_NOW,
    });
    const quarantined = async () =>
      (await readFile(quarantineFile, 'utf8').catch(() => ''))
        .split('\n')
        .filter(Boolean)
        .map((line) => parseQuarantineEntry(line));
    return { handler, metrics, quarantined };
  }

  it('reads back every record put, spread over both shards, in the ESM event shape', () => {
    expect(shards.map((s) => s.shardId).sort()).toEqual([
      'shardId-000000000000',
      'shardId-000000000001',
    ]);
    expect(shards.reduce((n, s) => n + s.records.length, 0)).toBe(events.length + 3);
    const [first] = shards.filter((s) => s.records.length > 0);
    const esm = toKinesisEsmEvent(first?.shardId ?? '', stream.streamArn, first?.records ?? []);
    const record = esm.Records[0];
    expect(record?.eventID).toBe(`${first?.shardId}:${record?.kinesis.sequenceNumber}`);
    expect(record?.eventSourceARN).toBe(stream.streamArn);
    expect(record?.kinesis.approximateArrivalTimestamp).toBeCloseTo(Date.now() / 1000, -2);
    expect(Buffer.from(record?.kinesis.data ?? '', 'base64').toString('utf8')).toMatch(/^\{/);
  });

  it('writes the records, quarantines what is invalid and reports no failures', async () => {
    const tableName = await createAuditTable(db.client);
    const { handler, metrics, quarantined } = setUp(tableName);

    for (const shard of shards) {
      const response = await handler(
        toKinesisEsmEvent(shard.shardId, stream.streamArn, shard.records),
      );
      expect(response).toEqual({ batchItemFailures: [] });
    }

    const reader = createAuditReader({
      client: db.client,
      tableName,
      now: () => TEST_NOW.getTime(),
    });
    expect(await reader.storedRecordIds(expectedRecords)).toEqual(
      new Set(expectedRecords.map((record) => record.recordId)),
    );
    // Each record's items, once: a history item or a never-started run, and the runs they tell.
    expect(itemKeys(await scanTable(db.client, tableName))).toEqual(itemKeysOf(expectedRecords));
    const taskA = expectedRecords.filter((record) => record.resourceArn === TASK_A);
    expect((await reader.history(TASK_A, { limit: 1000 })).records).toEqual(
      expect.arrayContaining(taskA),
    );
    expect((await reader.latest(TASK_A))?.version).toBe(7);
    const held = await quarantined();
    expect(held).toHaveLength(2);
    expect(held).toContainEqual(
      expect.objectContaining({ payload: NOT_JSON, payloadEncoding: 'utf8' }),
    );
    expect(held).toContainEqual(
      expect.objectContaining({
        payload: invalidEvent,
        payloadEncoding: 'json',
        origin: expect.objectContaining({
          eventSourceArn: stream.streamArn,
          partitionKey: partitionKeyOf(invalidEvent),
        }),
      }),
    );
    const total = (name: 'mapped' | 'ignored' | 'invalid' | 'retried') =>
      metrics.published.reduce((sum, tally) => sum + tally[name], 0);
    expect([total('mapped'), total('ignored'), total('invalid'), total('retried')]).toEqual([
      allEvents.length - 1,
      1,
      2,
      0,
    ]);
  });

  it('reports exactly the failed records and every later record of their partition key; the redelivery completes the table', async () => {
    const clean = await createAuditTable(db.client);
    const cleanRun = setUp(clean);
    for (const shard of shards)
      await cleanRun.handler(toKinesisEsmEvent(shard.shardId, stream.streamArn, shard.records));

    const tableName = await createAuditTable(db.client);
    const writer = createAuditWriter({
      client: db.client,
      tableName,
      now: () => TEST_NOW.getTime(),
    });
    // Task A's v3 and every record of task B are throttled for good in the first delivery.
    const fails = (r: { recordId: string; resourceArn: string }) =>
      r.recordId === `task:${TASK_A}:v3` || r.resourceArn === TASK_B;
    const flaky = setUp(tableName, failingFor(writer, fails));
    const retry = setUp(tableName, writer);
    let reportedInAll = 0;

    for (const shard of shards) {
      const event = toKinesisEsmEvent(shard.shardId, stream.streamArn, shard.records);
      const response = await flaky.handler(event);

      // Expected from the records themselves: the first failing record of each key, then
      // every record of that key from its sequence number on — except invalid ones, which are
      // quarantined, never reported (the invalid event shares task B's partition key).
      const mapped = (record: _Record) => {
        const text = Buffer.from(record.Data ?? []).toString('utf8');
        return text === NOT_JSON ? undefined : mapEvent(JSON.parse(text));
      };
      const failing = shard.records.filter((record) => {
        const result = mapped(record);
        return result?.kind === 'mapped' && result.records.some(fails);
      });
      const expected = shard.records
        .filter(
          (record) =>
            mapped(record)?.kind !== 'invalid' &&
            failing.some(
              (f) =>
                f.PartitionKey === record.PartitionKey &&
                BigInt(f.SequenceNumber ?? 0) <= BigInt(record.SequenceNumber ?? 0),
            ),
        )
        .map((record) => ({ itemIdentifier: record.SequenceNumber }));
      expect(response.batchItemFailures).toEqual(expected);
      reportedInAll += expected.length;
      if (expected.length === 0) continue;

      // Lambda restarts the shard from the lowest reported sequence number.
      const lowest = BigInt(expected[0]?.itemIdentifier ?? 0);
      const redelivered = shard.records.filter((r) => BigInt(r.SequenceNumber ?? 0) >= lowest);
      const again = await retry.handler(
        toKinesisEsmEvent(shard.shardId, stream.streamArn, redelivered),
      );
      expect(again).toEqual({ batchItemFailures: [] });
    }

    // Task B's record; task A's v3, v4, v4 again, v5, v6, v7.
    expect(reportedInAll).toBe(7);
    expect(flaky.metrics.published.reduce((sum, tally) => sum + tally.retried, 0)).toBe(7);
    expect(await scanTable(db.client, tableName)).toEqual(await scanTable(db.client, clean));
  });
});
