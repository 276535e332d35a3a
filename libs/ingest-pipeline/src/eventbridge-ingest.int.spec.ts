import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createAuditReader, createAuditWriter } from '@ecslog/audit-store';
import type { LocalDynamoDb } from '@ecslog/audit-store/testing';
import { createAuditTable, startDynalite, startDynamoDbLocal } from '@ecslog/audit-store/testing';
import { mapEvent } from '@ecslog/ecs-event-mapper';
import { loadFixture } from '@ecslog/ecs-event-mapper/testing';
import { AuditWriteError, createEventBridgeHandler } from './eventbridge-ingest';
import { createFileQuarantine } from './file-quarantine';
import { parseQuarantineEntry, QuarantineError } from './quarantine';
import {
  TEST_NOW,
  createRecordingLogger,
  createRecordingMetrics,
  loadIngestFixture,
  itemKeys,
  itemKeysOf,
  scanTable,
} from './testing';

const TASK_ARN =
  'arn:aws:ecs:eu-west-1:111122223333:task/prod-web/7f3c9a1e5b2d4c8f9a6e0b1d2c3f4a5b';
const LIFECYCLE = [
  'task-lifecycle-01-provisioning',
  'task-lifecycle-02-pending',
  'task-lifecycle-03-activating',
  'task-lifecycle-04-running',
  'task-lifecycle-04-running-duplicate',
  'task-lifecycle-05-deactivating',
  'task-lifecycle-06-stopping',
  'task-lifecycle-07-stopped',
].map((name) => loadFixture(`eventbridge/${name}.json`));

/** A handler on a fresh table of `db`, with a file quarantine in a temp dir. */
async function setUp(db: LocalDynamoDb, dir: string) {
  const tableName = await createAuditTable(db.client);
  const now = () => TEST_NOW.getTime();
  const writer = createAuditWriter({ client: db.client, tableName, now });
  const quarantineFile = join(dir, `${tableName}.ndjson`);
  const logger = createRecordingLogger();
  const metrics = createRecordingMetrics();
  const handler = createEventBridgeHandler({
    writer,
    quarantine: createFileQuarantine({ path: quarantineFile }),
    logger,
    metrics,
    clock: () => TEST_NOW,
  });
  const reader = createAuditReader({ client: db.client, tableName, now });
  const quarantined = async () =>
    (await readFile(quarantineFile, 'utf8').catch(() => ''))
      .split('\n')
      .filter(Boolean)
      .map((line) => parseQuarantineEntry(line));
  return { tableName, handler, reader, logger, metrics, quarantineFile, quarantined };
}

describe('EventBridge handler against dynalite', () => {
  let db: LocalDynamoDb;
  let dir: string;
  beforeAll(async () => {
    db = await startDynalite();
    dir = await mkdtemp(join(tmpdir(), 'ecslog-ingest-eb-'));
  });
  afterAll(async () => {
    await db.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it('writes a mapped event: the record is in the history and the latest state', async () => {
    const { handler, reader, metrics, logger } = await setUp(db, dir);
    const event = loadFixture('eventbridge/task-stopped-oom.json');
    const taskArn = (event['resources'] as string[])[0] as string;

    await handler(event);

    const expected = mapEvent(event);
    if (expected.kind !== 'mapped') throw new Error('fixture should map');
    expect((await reader.history(taskArn)).records).toEqual(expected.records);
    expect(await reader.latest(taskArn)).toEqual(expected.records[0]);
    expect(metrics.published).toEqual([
      { mapped: 1, ignored: 0, invalid: 0, written: 1, stale: 0, expired: 0, retried: 0 },
    ]);
    expect(logger.lines).toEqual([
      {
        level: 'info',
        message: 'event written',
        attributes: {
          eventId: event['id'],
          detailType: 'ECS Task State Change',
          records: 1,
          written: 1,
          stale: 0,
          expired: 0,
          failed: 0,
        },
      },
    ]);
  });

  it('keeps the whole history and the highest version, whatever the delivery order and duplicates', async () => {
    const { handler, reader, metrics } = await setUp(db, dir);
    const deliveries = [...LIFECYCLE].reverse().concat(LIFECYCLE.slice(2, 4));

    for (const event of deliveries) await handler(event);

    const history = (await reader.history(TASK_ARN)).records;
    expect(history.map((r) => r.version)).toEqual([1, 2, 3, 4, 5, 6, 7]); // v4 twice: one change
    expect((await reader.latest(TASK_ARN))?.version).toBe(7);
    const total = (name: 'written' | 'stale') =>
      metrics.published.reduce((sum, tally) => sum + tally[name], 0);
    expect(total('written')).toBe(1); // only v7, delivered first, moved the latest state
    expect(total('stale')).toBe(deliveries.length - 1);
  });

  it('writes nothing for an ignored event and counts it', async () => {
    const { tableName, handler, metrics, logger } = await setUp(db, dir);
    const event = loadFixture('eventbridge/other-source.json');

    await handler(event);

    expect(await scanTable(db.client, tableName)).toEqual([]);
    expect(metrics.published).toEqual([
      { mapped: 0, ignored: 1, invalid: 0, written: 0, stale: 0, expired: 0, retried: 0 },
    ]);
    expect(logger.lines).toEqual([
      {
        level: 'info',
        message: 'event ignored',
        attributes: {
          eventId: event['id'],
          detailType: 'EC2 Instance State-change Notification',
          reason: expect.stringContaining('aws.ec2'),
        },
      },
    ]);
  });

  it('quarantines an invalid event with its original payload and problems, and does not throw', async () => {
    const { tableName, handler, metrics, logger, quarantined } = await setUp(db, dir);
    const event = loadIngestFixture('eventbridge/invalid-task-state-change.json');

    await expect(handler(event)).resolves.toBeUndefined();

    expect(await quarantined()).toEqual([
      {
        source: 'eventbridge',
        receivedAt: TEST_NOW.toISOString(),
        reason:
          'detail.taskArn: is required; detail.version: must be an integer, got "seven"; ' +
          'detail.stoppedAt: is not a timestamp: "yesterday afternoon"',
        problems: [
          { path: 'detail.taskArn', message: 'is required' },
          { path: 'detail.version', message: 'must be an integer, got "seven"' },
          { path: 'detail.stoppedAt', message: 'is not a timestamp: "yesterday afternoon"' },
        ],
        payload: event,
        payloadEncoding: 'json',
        origin: { eventId: 'e0b7c2a4-3f1d-4b8e-9c6a-5d2f1e0a7b93' },
      },
    ]);
    expect(await scanTable(db.client, tableName)).toEqual([]);
    expect(metrics.published).toEqual([
      { mapped: 0, ignored: 0, invalid: 1, written: 0, stale: 0, expired: 0, retried: 0 },
    ]);
    // Logs name the event and its problems, never the payload.
    expect(logger.lines).toHaveLength(1);
    expect(logger.lines[0]).toMatchObject({ level: 'warn', attributes: { problems: 3 } });
    expect(JSON.stringify(logger.lines)).not.toContain('dkr.ecr');
  });

  it('throws (so the event is retried) when the quarantine fails, naming the cause', async () => {
    const blocker = join(dir, 'a-file-not-a-folder');
    await writeFile(blocker, '');
    const metrics = createRecordingMetrics();
    const handler = createEventBridgeHandler({
      writer: { writeRecords: () => Promise.reject(new Error('not called')) },
      quarantine: createFileQuarantine({ path: join(blocker, 'quarantine.ndjson') }),
      logger: createRecordingLogger(),
      metrics,
      clock: () => TEST_NOW,
    });
    const event = loadIngestFixture('eventbridge/invalid-task-state-change.json');

    const failure = handler(event);

    await expect(failure).rejects.toThrow(QuarantineError);
    await expect(failure).rejects.toMatchObject({
      name: 'QuarantineError',
      cause: { code: expect.stringMatching(/^(EEXIST|ENOTDIR)$/) },
    });
    expect(metrics.published).toEqual([
      { mapped: 0, ignored: 0, invalid: 1, written: 0, stale: 0, expired: 0, retried: 1 },
    ]);
  });

  it('throws an AuditWriteError with the DynamoDB error as cause when records are not written', async () => {
    const logger = createRecordingLogger();
    const metrics = createRecordingMetrics();
    const handler = createEventBridgeHandler({
      writer: createAuditWriter({
        client: db.client,
        tableName: 'no-such-table',
        now: () => TEST_NOW.getTime(),
      }),
      quarantine: { hold: () => Promise.reject(new Error('not called')) },
      logger,
      metrics,
      clock: () => TEST_NOW,
    });
    // A RunTask that started 3 tasks and failed 2 placements: 5 records.
    const event = loadIngestFixture(
      'eventbridge/cloudtrail-api-call-runtask-partial-placement.json',
    );

    const failure = handler(event);

    await expect(failure).rejects.toThrow(AuditWriteError);
    const error = (await failure.catch((e: unknown) => e)) as AuditWriteError;
    expect(error.name).toBe('AuditWriteError');
    expect(error.cause).toMatchObject({ name: 'ResourceNotFoundException' });
    expect(error.failedRecordIds).toHaveLength(5);
    expect(error.failedRecordIds.every((id) => id.startsWith('api-call:'))).toBe(true);
    expect(error.message).toMatch(/^5 audit records not written: /);
    // Metrics are flushed even though the invocation fails.
    expect(metrics.published).toEqual([
      { mapped: 1, ignored: 0, invalid: 0, written: 0, stale: 0, expired: 0, retried: 1 },
    ]);
    expect(logger.lines).toMatchObject([
      {
        level: 'error',
        message: 'records not written: the event will be retried',
        attributes: { eventId: event['id'], failedRecordIds: error.failedRecordIds, error },
      },
    ]);
  });

  it('throws when the writer fails only partly, and the retry completes the event', async () => {
    const { tableName, reader } = await setUp(db, dir);
    const writer = createAuditWriter({
      client: db.client,
      tableName,
      now: () => TEST_NOW.getTime(),
    });
    let failNext = true;
    // The first delivery loses every record of the event but the first; the retry writes all.
    const flaky = {
      writeRecords: async (records: Parameters<typeof writer.writeRecords>[0]) => {
        if (!failNext) return writer.writeRecords(records);
        failNext = false;
        const [first, ...rest] = records;
        const written = await writer.writeRecords(first ? [first] : []);
        return [
          ...written,
          ...rest.map((r) => ({
            recordId: r.recordId,
            status: 'failed' as const,
            error: new Error('throttled'),
          })),
        ];
      },
    };
    const handler = createEventBridgeHandler({
      writer: flaky,
      quarantine: { hold: () => Promise.reject(new Error('not called')) },
      logger: createRecordingLogger(),
      metrics: createRecordingMetrics(),
      clock: () => TEST_NOW,
    });
    const event = loadIngestFixture(
      'eventbridge/cloudtrail-api-call-runtask-partial-placement.json',
    );
    const mapped = mapEvent(event);
    if (mapped.kind !== 'mapped') throw new Error('fixture should map');

    await expect(handler(event)).rejects.toMatchObject({
      name: 'AuditWriteError',
      cause: { message: 'throttled' },
    });
    await handler(event); // Lambda's retry

    // Every record's items, each once: its history item or its never-started run, the task's run.
    expect(itemKeys(await scanTable(db.client, tableName))).toEqual(itemKeysOf(mapped.records));
    expect(await reader.storedRecordIds(mapped.records)).toEqual(
      new Set(mapped.records.map((record) => record.recordId)),
    );
  });
});

describe('EventBridge handler against DynamoDB Local', () => {
  let db: LocalDynamoDb;
  let dir: string;
  beforeAll(async () => {
    db = await startDynamoDbLocal();
    dir = await mkdtemp(join(tmpdir(), 'ecslog-ingest-ddb-'));
  });
  afterAll(async () => {
    await db?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it('writes every kind of event, skips the ignored one, quarantines the invalid one', async () => {
    const { tableName, handler, reader, metrics, quarantined } = await setUp(db, dir);
    const names = [
      'task-lifecycle-07-stopped',
      'task-lifecycle-06-stopping',
      'container-instance-draining',
      'service-action-placement-failure',
      'deployment-failed',
      'cloudtrail-api-call-runtask',
      'other-source',
    ];
    const events = names.map((name) => loadFixture(`eventbridge/${name}.json`));
    const invalid = loadIngestFixture('eventbridge/invalid-task-state-change.json');

    for (const event of [...events, invalid, events[0] as Record<string, unknown>])
      await handler(event);

    const records = events.flatMap((event) => {
      const result = mapEvent(event);
      return result.kind === 'mapped' ? result.records : [];
    });
    expect(await reader.storedRecordIds(records)).toEqual(
      new Set(records.map((record) => record.recordId)),
    );
    expect((await reader.history(TASK_ARN)).records).toContainEqual(records[1]);
    expect((await reader.latest(TASK_ARN))?.version).toBe(7);
    // The items these records make, each once: the duplicate delivery changed nothing.
    expect(itemKeys(await scanTable(db.client, tableName))).toEqual(itemKeysOf(records));
    expect(await quarantined()).toMatchObject([{ payload: invalid }]);
    const sum = (name: keyof (typeof metrics.published)[number]) =>
      metrics.published.reduce((total, tally) => total + tally[name], 0);
    expect(sum('mapped')).toBe(7);
    expect(sum('ignored')).toBe(1);
    expect(sum('invalid')).toBe(1);
    expect(sum('retried')).toBe(0);
  });
});
