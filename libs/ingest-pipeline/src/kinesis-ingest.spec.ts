import type { AuditRecord } from '@ecslog/ecs-event-mapper';
import { mapEvent } from '@ecslog/ecs-event-mapper';
import { loadFixture } from '@ecslog/ecs-event-mapper/testing';
import type { KinesisStreamEvent, KinesisStreamRecord } from 'aws-lambda';
import fc from 'fast-check';
import type { IngestDependencies } from './ingest-dependencies';
import { createKinesisHandler } from './kinesis-ingest';
import type { Quarantine, QuarantineEntry } from './quarantine';
import { QuarantineError } from './quarantine';
import {
  TEST_NOW,
  createMemoryWriter,
  createRecordingLogger,
  createRecordingMetrics,
  loadIngestFixture,
  loadKinesisBatch,
} from './testing';

const TASK_A = 'arn:aws:ecs:eu-west-1:111122223333:task/prod-web/7f3c9a1e5b2d4c8f9a6e0b1d2c3f4a5b';
const decode = (record: KinesisStreamRecord) =>
  Buffer.from(record.kinesis.data, 'base64').toString('utf8');

function createHoldingQuarantine(fail: (entry: QuarantineEntry) => boolean = () => false) {
  const held: QuarantineEntry[] = [];
  const quarantine: Quarantine & { held: QuarantineEntry[] } = {
    held,
    async hold(entry) {
      if (fail(entry))
        throw new QuarantineError('could not send the quarantine entry to SQS', {
          cause: new Error('AccessDenied'),
        });
      held.push(entry);
    },
  };
  return quarantine;
}

function setUp(overrides: Partial<IngestDependencies> = {}) {
  const writer = createMemoryWriter();
  const quarantine = createHoldingQuarantine();
  const logger = createRecordingLogger();
  const metrics = createRecordingMetrics();
  const deps = { writer, quarantine, logger, metrics, clock: () => TEST_NOW, ...overrides };
  return { writer, quarantine, logger, metrics, handler: createKinesisHandler(deps) };
}

describe('the Kinesis batch fixture', () => {
  it('carries the mapper fixtures byte for byte (compact JSON), in the order the tests rely on', () => {
    const records = loadKinesisBatch().Records;
    const names = [
      'task-lifecycle-01-provisioning',
      'task-lifecycle-02-pending',
      'service-action-steady-state',
      'task-lifecycle-03-activating',
      'other-source',
    ];
    names.forEach((name, i) =>
      expect(JSON.parse(decode(records[i] as KinesisStreamRecord))).toEqual(
        loadFixture(`eventbridge/${name}.json`),
      ),
    );
    expect(decode(records[5] as KinesisStreamRecord)).toBe('ECS task 7f3c9a1e stopped (exit 137)');
    expect(JSON.parse(decode(records[6] as KinesisStreamRecord))).toEqual(
      loadIngestFixture('eventbridge/invalid-task-state-change.json'),
    );
    for (const record of records) {
      expect(record.eventID).toBe(`shardId-000000000000:${record.kinesis.sequenceNumber}`);
      expect(record.kinesis.approximateArrivalTimestamp).toBeLessThan(2e9); // seconds, not ms
    }
  });
});

describe('createKinesisHandler', () => {
  it('writes every mapped record in one call, quarantines the invalid ones and reports nothing', async () => {
    const { handler, writer, quarantine, metrics, logger } = setUp();
    const event = loadKinesisBatch();

    const response = await handler(event);

    expect(response).toEqual({ batchItemFailures: [] });
    expect(writer.calls).toHaveLength(1);
    const expected = [0, 1, 2, 3, 7, 8].flatMap((i) => {
      const result = mapEvent(JSON.parse(decode(event.Records[i] as KinesisStreamRecord)));
      return result.kind === 'mapped' ? result.records : [];
    });
    expect(expected).toHaveLength(6);
    expect(writer.calls[0]).toEqual(expected);
    const [notJson, invalid] = event.Records.filter((_, i) => i === 5 || i === 6);
    expect(quarantine.held).toEqual([
      {
        source: 'kinesis',
        receivedAt: TEST_NOW.toISOString(),
        reason: expect.stringMatching(/^kinesis\.data: is not JSON: /),
        problems: [{ path: 'kinesis.data', message: expect.stringMatching(/^is not JSON/) }],
        payload: 'ECS task 7f3c9a1e stopped (exit 137)',
        payloadEncoding: 'utf8',
        origin: {
          eventSourceArn: 'arn:aws:kinesis:eu-west-1:111122223333:stream/ecslog-ecs-events',
          eventId: notJson?.eventID,
          partitionKey: 'legacy-log-shipper',
          sequenceNumber: notJson?.kinesis.sequenceNumber,
          approximateArrivalTimestamp: notJson?.kinesis.approximateArrivalTimestamp,
        },
      },
      expect.objectContaining({
        payload: loadIngestFixture('eventbridge/invalid-task-state-change.json'),
        payloadEncoding: 'json',
        problems: expect.arrayContaining([{ path: 'detail.taskArn', message: 'is required' }]),
        origin: expect.objectContaining({ sequenceNumber: invalid?.kinesis.sequenceNumber }),
      }),
    ]);
    expect(metrics.published).toEqual([
      { mapped: 6, ignored: 1, invalid: 2, written: 6, stale: 0, expired: 0, retried: 0 },
    ]);
    expect(logger.lines.at(-1)).toEqual({
      level: 'info',
      message: 'batch processed',
      attributes: {
        eventSourceArn: 'arn:aws:kinesis:eu-west-1:111122223333:stream/ecslog-ecs-events',
        shardId: 'shardId-000000000000',
        firstSequenceNumber: event.Records[0]?.kinesis.sequenceNumber,
        lastSequenceNumber: event.Records.at(-1)?.kinesis.sequenceNumber,
        records: 9,
        auditRecords: 6,
        mapped: 6,
        ignored: 1,
        invalid: 2,
        written: 6,
        stale: 0,
        expired: 0,
        retried: 0,
      },
    });
    // Ids and counts only: no payload reaches the logs.
    expect(JSON.stringify(logger.lines)).not.toMatch(/dkr\.ecr|exit 137/);
  });

  it('reports a failed record and every later record of its partition key, by sequence number', async () => {
    const writer = createMemoryWriter((record) => record.recordId === `task:${TASK_A}:v2`);
    const { handler, metrics } = setUp({ writer });
    const event = loadKinesisBatch();
    const seq = (i: number) => event.Records[i]?.kinesis.sequenceNumber;

    const response = await handler(event);

    // v2 failed (record 1); v3 (record 3) and v4 (record 7) share its key; v1 came before.
    expect(response.batchItemFailures).toEqual([
      { itemIdentifier: seq(1) },
      { itemIdentifier: seq(3) },
      { itemIdentifier: seq(7) },
    ]);
    expect(metrics.published[0]).toMatchObject({ written: 5, retried: 3 });
  });

  it('reports a record whose quarantine failed, and still quarantines the others', async () => {
    const quarantine = createHoldingQuarantine((entry) => entry.payloadEncoding === 'utf8');
    const { handler, logger } = setUp({ quarantine });
    const event = loadKinesisBatch();

    const response = await handler(event);

    expect(response.batchItemFailures).toEqual([
      { itemIdentifier: event.Records[5]?.kinesis.sequenceNumber },
    ]);
    expect(quarantine.held).toHaveLength(1);
    expect(logger.lines).toContainEqual({
      level: 'error',
      message: 'invalid record not quarantined: reported for retry',
      attributes: expect.objectContaining({
        partitionKey: 'legacy-log-shipper',
        error: expect.any(QuarantineError),
      }),
    });
  });

  it('reports every record with audit records when the writer itself rejects, never the quarantined ones', async () => {
    const { handler, quarantine, metrics } = setUp({
      writer: { writeRecords: () => Promise.reject(new Error('socket hang up')) },
    });
    const event = loadKinesisBatch();

    const response = await handler(event);

    const reported = response.batchItemFailures.map((f) => f.itemIdentifier);
    const expected = [0, 1, 2, 3, 7, 8].map((i) => event.Records[i]?.kinesis.sequenceNumber);
    expect(reported).toEqual(expected);
    expect(quarantine.held).toHaveLength(2);
    expect(metrics.published[0]).toMatchObject({ written: 0, retried: 6 });
  });

  it('answers an empty batch with no failures', async () => {
    const { handler, metrics } = setUp();
    await expect(handler({ Records: [] })).resolves.toEqual({ batchItemFailures: [] });
    expect(metrics.published).toHaveLength(1);
  });

  // Batches assembled from known pieces: fixture events (mapped or ignored), text that is not
  // JSON and the invalid event, under a few partition keys; some writes and quarantines fail.
  describe('properties', () => {
    const eventNames = [
      'task-lifecycle-01-provisioning',
      'task-lifecycle-05-deactivating',
      'task-stopped-oom',
      'service-action-start-impaired',
      'deployment-completed',
      'other-source',
      'cloudtrail-api-call-runtask',
    ];
    const payloads = [
      ...eventNames.map((name) => JSON.stringify(loadFixture(`eventbridge/${name}.json`))),
      'not json at all',
      JSON.stringify(loadIngestFixture('eventbridge/invalid-task-state-change.json')),
    ];
    const batchArb = fc
      .array(
        fc.record({
          payload: fc.integer({ min: 0, max: payloads.length - 1 }),
          partitionKey: fc.constantFrom('k1', 'k2', 'k3'),
        }),
        { maxLength: 25 },
      )
      .map((items): KinesisStreamEvent => ({
        Records: items.map(({ payload, partitionKey }, i) => {
          const sequenceNumber = String(
            49656918204419352768313839463152347210396224716573048834n + BigInt(i),
          );
          return {
            kinesis: {
              kinesisSchemaVersion: '1.0',
              partitionKey,
              sequenceNumber,
              data: Buffer.from(payloads[payload] as string).toString('base64'),
              approximateArrivalTimestamp: 1795143605.123 + i,
            },
            eventSource: 'aws:kinesis',
            eventVersion: '1.0',
            eventID: `shardId-000000000001:${sequenceNumber}`,
            eventName: 'aws:kinesis:record',
            invokeIdentityArn: 'arn:aws:iam::111122223333:role/ecslog-ingest-kinesis',
            awsRegion: 'eu-west-1',
            eventSourceARN: 'arn:aws:kinesis:eu-west-1:111122223333:stream/ecslog-ecs-events',
          };
        }),
      }));
    const failingIds = fc.subarray(
      payloads.flatMap((p) => {
        const result = p.startsWith('{') ? mapEvent(JSON.parse(p)) : undefined;
        return result?.kind === 'mapped' ? result.records.map((r) => r.recordId) : [];
      }),
    );

    it('always reports what failed and what follows it per key; never a quarantined record', async () => {
      await fc.assert(
        fc.asyncProperty(batchArb, failingIds, fc.boolean(), async (event, failing, holdFails) => {
          const failSet = new Set(failing);
          const writer = createMemoryWriter((r: AuditRecord) => failSet.has(r.recordId));
          const quarantine = createHoldingQuarantine(() => holdFails);
          const metrics = createRecordingMetrics();
          const handler = createKinesisHandler({
            writer,
            quarantine,
            logger: createRecordingLogger(),
            metrics,
            clock: () => TEST_NOW,
          });

          const response = await handler(event);

          const reported = new Set(response.batchItemFailures.map((f) => f.itemIdentifier));
          expect(writer.calls.length).toBeLessThanOrEqual(1);
          const facts = event.Records.map((record) => {
            const text = decode(record);
            const result = text.startsWith('{') ? mapEvent(JSON.parse(text)) : undefined;
            const invalid = !result || result.kind === 'invalid';
            const writeFailed =
              result?.kind === 'mapped' && result.records.some((r) => failSet.has(r.recordId));
            return {
              key: record.kinesis.partitionKey,
              seq: record.kinesis.sequenceNumber,
              failed: writeFailed || (invalid && holdFails),
              quarantined: invalid && !holdFails,
            };
          });
          facts.forEach((fact, i) => {
            if (fact.failed) expect(reported.has(fact.seq)).toBe(true);
            if (fact.quarantined) expect(reported.has(fact.seq)).toBe(false);
            const failedBefore = facts
              .slice(0, i + 1)
              .some((earlier) => earlier.key === fact.key && earlier.failed);
            if (!fact.quarantined) expect(reported.has(fact.seq)).toBe(failedBefore);
          });
          expect(quarantine.held).toHaveLength(facts.filter((f) => f.quarantined).length);
          expect(metrics.published).toHaveLength(1);
          expect(metrics.published[0]?.retried).toBe(reported.size);
          const tally = metrics.published[0];
          expect((tally?.mapped ?? 0) + (tally?.ignored ?? 0) + (tally?.invalid ?? 0)).toBe(
            event.Records.length,
          );
        }),
        { numRuns: 100 },
      );
    });
  });
});
