import type { AuditRecord } from '@ecslog/ecs-event-mapper';
import { fixtureRecords, TASK_LIFECYCLE_FIXTURES } from '@ecslog/ecs-event-mapper/testing';
import { ORIGIN_ATTRIBUTE, toHistoryItem, toRunItems } from '@ecslog/audit-store';
import { createStreamHandler } from './stream-handler';
import { recordingLogger, recordingMetrics, recordingNotifier } from './testing/recording-notifier';
import { streamEventOf, streamRecordOf } from './testing/stream-events';

const RETENTION_DAYS = 30;
const only = (path: string) => fixtureRecords(path)[0] as AuditRecord;
const OOM = only('eventbridge/task-stopped-oom.json');
const STEADY = only('eventbridge/service-action-steady-state.json');
const LIFECYCLE = TASK_LIFECYCLE_FIXTURES.map(only);
const runItemOf = (record: AuditRecord) => toRunItems(record, RETENTION_DAYS)![0]!.item;

function setup(answers: Parameters<typeof recordingNotifier>[0] = {}) {
  const recording = recordingNotifier(answers);
  const { logger, lines } = recordingLogger();
  const { metrics, published } = recordingMetrics();
  const handler = createStreamHandler({ notifier: recording.notifier, logger, metrics });
  return { ...recording, handler, lines, published };
}

/** A batch: the OOM run, a backfilled lifecycle run, a steady state, a lifecycle run (live). */
function batch() {
  return [
    streamRecordOf(runItemOf(OOM), { eventName: 'MODIFY' }),
    streamRecordOf({ ...runItemOf(LIFECYCLE[3]!), [ORIGIN_ATTRIBUTE]: 'backfill' }),
    streamRecordOf(toHistoryItem(STEADY, RETENTION_DAYS)),
    streamRecordOf(runItemOf(LIFECYCLE[6]!), { eventName: 'MODIFY' }),
  ];
}

describe('createStreamHandler', () => {
  it('observes the live records in one call and reports no failure', async () => {
    const { handler, calls, published } = setup();
    const answer = await handler(streamEventOf(batch()));
    expect(answer).toEqual({ batchItemFailures: [] });
    expect(calls).toEqual([
      {
        method: 'observe',
        records: [OOM, STEADY, LIFECYCLE[6]].map((record) => ({ record, origin: 'live' })),
      },
      { method: 'deliverQueued' },
    ]);
    expect(published).toEqual([
      expect.objectContaining({ recordsObserved: 3, recordsSkipped: 1, recordsRetried: 0 }),
    ]);
  });

  it('sends what the records queued at once, and counts it', async () => {
    const { handler, calls, published } = setup({
      observe: () => ({ changed: 1, ignored: 2, messagesQueued: 2, opened: 1, resolved: 0 }),
      deliver: { sent: 1, retrying: 1, deadLettered: 0 },
    });
    await handler(streamEventOf(batch()));
    expect(calls.map((c) => c.method)).toEqual(['observe', 'deliverQueued']);
    expect(published[0]).toMatchObject({
      messagesQueued: 2,
      messagesSent: 1,
      messagesRetrying: 1,
      messagesDeadLettered: 0,
      incidentsOpened: 1,
      incidentsResolved: 0,
    });
  });

  it('reports an unreadable record and every record after it; observes the ones before', async () => {
    const records = batch();
    records[2]!.dynamodb!.NewImage!['r'] = { B: Buffer.from('not a record').toString('base64') };
    const { handler, calls, lines, published } = setup();
    const answer = await handler(streamEventOf(records));
    expect(answer.batchItemFailures).toEqual(
      records.slice(2).map((r) => ({ itemIdentifier: r.dynamodb!.SequenceNumber })),
    );
    expect(calls).toEqual([
      { method: 'observe', records: [{ record: OOM, origin: 'live' }] },
      { method: 'deliverQueued' },
    ]);
    const logged = lines.find((line) => line.level === 'error');
    expect(logged?.attributes).toMatchObject({ pk: `R#${STEADY.resourceArn}` });
    expect(JSON.stringify(lines)).not.toContain('not a record');
    expect(published[0]).toMatchObject({ recordsInvalid: 1, recordsRetried: 2 });
  });

  it('reports the whole batch when observe fails (an infrastructure failure)', async () => {
    const { handler, fail, published, calls } = setup();
    fail(
      'observe',
      Object.assign(new Error('Throughput exceeds the current capacity'), {
        name: 'ProvisionedThroughputExceededException',
      }),
    );
    const records = batch();
    const answer = await handler(streamEventOf(records));
    expect(answer.batchItemFailures.map((f) => f.itemIdentifier)).toEqual(
      records.map((r) => r.dynamodb!.SequenceNumber),
    );
    expect(published[0]).toMatchObject({ recordsObserved: 0, recordsRetried: 4 });
    expect(calls.map((c) => c.method)).toEqual(['observe']);
  });

  it('does not fail the batch when delivery fails: the outbox keeps the messages for the tick', async () => {
    const { handler, fail, lines } = setup({
      observe: () => ({ changed: 1, ignored: 0, messagesQueued: 1 }),
    });
    fail('deliverQueued', new Error('connect ECONNREFUSED'));
    const answer = await handler(streamEventOf(batch()));
    expect(answer).toEqual({ batchItemFailures: [] });
    expect(lines.some((line) => line.level === 'warn')).toBe(true);
  });

  it('observes nothing for a batch with nothing live (and still sends what waits), publishing its zeros', async () => {
    const { handler, calls, published } = setup();
    const backfilled = streamRecordOf({ ...runItemOf(OOM), [ORIGIN_ATTRIBUTE]: 'backfill' });
    const removed = streamRecordOf(runItemOf(OOM), { eventName: 'REMOVE' });
    expect(await handler(streamEventOf([backfilled, removed]))).toEqual({ batchItemFailures: [] });
    expect(calls).toEqual([{ method: 'deliverQueued' }]);
    expect(published).toEqual([
      expect.objectContaining({ recordsObserved: 0, recordsSkipped: 2, messagesQueued: 0 }),
    ]);
  });
});
