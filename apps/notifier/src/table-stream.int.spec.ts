/**
 * The writers and the stream handler through a real table stream: DynamoDB Local keeps a
 * NEW_IMAGE stream of the audit table (as infra configures it), read with the DynamoDB Streams
 * API and handed to the handler in Lambda's shape. A backfill's items never reach `observe`; a
 * live writer's do — a live state change of a backfilled run, and a live redelivery of a
 * backfilled record (its history item is put again without the mark); duplicates make no stream
 * record at all.
 */
import { UpdateTableCommand } from '@aws-sdk/client-dynamodb';
import {
  DescribeStreamCommand,
  DynamoDBStreamsClient,
  GetRecordsCommand,
  GetShardIteratorCommand,
} from '@aws-sdk/client-dynamodb-streams';
import type { _Record as StreamRecord } from '@aws-sdk/client-dynamodb-streams';
import { createAuditWriter } from '@ecslog/audit-store';
import type { LocalDynamoDb } from '@ecslog/audit-store/testing';
import { createAuditTable, startDynamoDbLocal } from '@ecslog/audit-store/testing';
import type { AuditRecord } from '@ecslog/ecs-event-mapper';
import { fixtureRecords, TASK_LIFECYCLE_FIXTURES } from '@ecslog/ecs-event-mapper/testing';
import { createStreamHandler } from './stream-handler';
import { recordingLogger, recordingMetrics, recordingNotifier } from './testing/recording-notifier';
import { lambdaRecordOf, streamEventOf } from './testing/stream-events';

const NOW = Date.parse('2026-11-21T12:00:00.000Z');
const only = (path: string) => fixtureRecords(path)[0] as AuditRecord;
const OOM = only('eventbridge/task-stopped-oom.json');
const LIFECYCLE = TASK_LIFECYCLE_FIXTURES.map(only);
const v = (version: number) => LIFECYCLE[version - 1] as AuditRecord;

describe('the table stream, end to end on DynamoDB Local', () => {
  let db: LocalDynamoDb;
  let streams: DynamoDBStreamsClient;
  beforeAll(async () => {
    db = await startDynamoDbLocal();
    streams = new DynamoDBStreamsClient({
      endpoint: db.endpoint,
      region: 'us-east-1',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
      maxAttempts: 1,
    });
  });
  afterAll(async () => {
    streams?.destroy();
    await db?.stop();
  });

  /** Every record of the table's stream so far, in order (one shard here). */
  async function readStream(streamArn: string): Promise<StreamRecord[]> {
    const { StreamDescription } = await streams.send(
      new DescribeStreamCommand({ StreamArn: streamArn }),
    );
    const records: StreamRecord[] = [];
    for (const shard of StreamDescription?.Shards ?? []) {
      let iterator = (
        await streams.send(
          new GetShardIteratorCommand({
            StreamArn: streamArn,
            ShardId: shard.ShardId,
            ShardIteratorType: 'TRIM_HORIZON',
          }),
        )
      ).ShardIterator;
      for (let page = 0; iterator && page < 100; page += 1) {
        const output = await streams.send(new GetRecordsCommand({ ShardIterator: iterator }));
        records.push(...(output.Records ?? []));
        if ((output.Records ?? []).length === 0) break;
        iterator = output.NextShardIterator;
      }
    }
    return records;
  }

  it('hands observe the live records only', async () => {
    const tableName = await createAuditTable(db.client);
    const updated = await db.client.send(
      new UpdateTableCommand({
        TableName: tableName,
        StreamSpecification: { StreamEnabled: true, StreamViewType: 'NEW_IMAGE' },
      }),
    );
    const streamArn = updated.TableDescription?.LatestStreamArn as string;
    const writer = (origin: 'live' | 'backfill') =>
      createAuditWriter({
        client: db.client,
        tableName,
        retentionDays: 3650,
        now: () => NOW,
        origin,
      });

    await writer('backfill').writeRecords([OOM, v(1), v(2), v(3), v(4)]);
    const backfilled = await readStream(streamArn);
    await writer('live').writeRecords([v(5), v(6), v(7), v(4)]);
    const all = await readStream(streamArn);
    const live = all.slice(backfilled.length);
    expect(backfilled.length).toBeGreaterThan(0);
    expect(live.length).toBeGreaterThan(0);

    const recording = recordingNotifier();
    const handler = createStreamHandler({
      notifier: recording.notifier,
      logger: recordingLogger().logger,
      metrics: recordingMetrics().metrics,
    });
    const event = streamEventOf(all.map(lambdaRecordOf));
    expect(await handler(event)).toEqual({ batchItemFailures: [] });

    const observed = recording.calls.flatMap((call) => call.records ?? []);
    expect(observed.every((o) => o.origin === 'live')).toBe(true);
    const ids = new Set(observed.map((o) => o.record.recordId));
    // v4 again: its history item was put by the live writer (a live delivery of that record).
    expect([...ids].sort()).toEqual([v(4), v(5), v(6), v(7)].map((r) => r.recordId).sort());
    expect(ids.has(OOM.recordId)).toBe(false);
    // The run item's change (MODIFY, its mark removed) tells the live run's newest state.
    const runChange = live.find(
      (r) => r.dynamodb?.Keys?.['sk']?.S === 'RUN' && r.eventName === 'MODIFY',
    );
    expect(runChange?.dynamodb?.NewImage?.['src']).toBeUndefined();
    expect(
      backfilled.every(
        (r) =>
          r.dynamodb?.NewImage?.['src'] !== undefined ||
          String(r.dynamodb?.Keys?.['pk']?.S).startsWith('M#'),
      ),
    ).toBe(true);

    // The same live records again change no item, so the stream gets no record (DynamoDB writes
    // none for a put or update that changes nothing): duplicates never reach the notifier.
    const before = all.length;
    await writer('live').writeRecords([v(5), v(6), v(7)]);
    const again = (await readStream(streamArn)).slice(before);
    console.log(
      `table stream: ${backfilled.length} records from the backfill, ${live.length} from the live writes, ${again.length} from writing the live records again`,
    );
    expect(again).toEqual([]);
  });
});
