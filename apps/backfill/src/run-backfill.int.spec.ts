/**
 * The backfill loop against a real audit table (DynamoDB Local and dynalite): interrupted runs resume to the same
 * table as an uninterrupted one, a second run writes nothing new, a dry run writes nothing, invalid
 * records are kept. The source is a list of CloudTrail log chunks held in memory; the sources
 * that read LookupEvents, S3 and folders have their own specs.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import type { LocalDynamoDb, LocalDynamoDbKind } from '@ecslog/audit-store/testing';
import { createAuditTable, scanTable, startLocalDynamoDb } from '@ecslog/audit-store/testing';
import { loadFixture, runTaskRecordArb } from '@ecslog/ecs-event-mapper/testing';
import type { BackfillSink } from './backfill-sink';
import type { BackfillSource, SourceChunk } from './backfill-source';
import { readCheckpoint, writeCheckpoint } from './checkpoint';
import type { InvalidRecord } from './run-backfill';
import { BackfillWriteError, runBackfill } from './run-backfill';
import { createStoreSink } from './sinks/store-sink';

const NOW = Date.parse('2026-11-24T12:00:00.000Z');
const CHUNK = 10;

/** 60 RunTask calls (tasks and placement failures), a StopTask, read-only and other-service records, one invalid. */
const RECORDS: unknown[] = [
  ...fc.sample(runTaskRecordArb, { seed: 42, numRuns: 60 }).map((generated) => generated.event),
  loadFixture('cloudtrail/stoptask.json'),
  loadFixture('cloudtrail/describe-tasks.json'),
  loadFixture('cloudtrail/non-ecs-record.json'),
  { eventSource: 'ecs.amazonaws.com', eventName: 'RunTask' },
];

/** Log files of ten records each, resumable after any of them. */
function listSource(records: readonly unknown[] = RECORDS): BackfillSource {
  const chunks: SourceChunk[] = [];
  for (let i = 0; i < records.length; i += CHUNK)
    chunks.push({
      name: `file-${i / CHUNK}.json.gz`,
      records: records
        .slice(i, i + CHUNK)
        .map((value, j) => ({ position: `file-${i / CHUNK}.json.gz: Records[${j}]`, value })),
      bytes: 1000,
      resume: { after: i / CHUNK },
    });
  return {
    description: 'dir test-logs',
    check: async () => undefined,
    async *chunks(resume) {
      const after = (resume as { after: number } | undefined)?.after ?? -1;
      for (const [index, chunk] of chunks.entries()) if (index > after) yield chunk;
    },
    estimate: () => ({ chunks: chunks.length }),
  };
}

describe.each<LocalDynamoDbKind>(['dynamodb-local', 'dynalite'])('runBackfill on %s', (kind) => {
  let server: LocalDynamoDb;
  let dir: string;
  beforeAll(async () => {
    server = await startLocalDynamoDb(kind);
  });
  afterAll(async () => server?.stop());
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'ecslog-backfill-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  async function run(
    tableName: string | undefined,
    options: {
      resume?: boolean;
      stopAfter?: number;
      sink?: (sink: BackfillSink) => BackfillSink;
    } = {},
  ) {
    const path = join(dir, 'checkpoint.json');
    const kept: InvalidRecord[] = [];
    let chunks = 0;
    const storeSink =
      tableName === undefined
        ? undefined
        : createStoreSink({
            client: server.client,
            tableName,
            retentionDays: 3650,
            description: `table ${tableName}`,
            now: () => NOW,
          });
    const outcome = await runBackfill({
      source: listSource(),
      sink: storeSink && (options.sink ? options.sink(storeSink) : storeSink),
      checkpoint: { read: () => readCheckpoint(path), write: (c) => writeCheckpoint(path, c) },
      resume: options.resume ?? false,
      quarantine: async (records) => void kept.push(...records),
      onChunk: () => void (chunks += 1),
      stopRequested: () => options.stopAfter !== undefined && chunks >= options.stopAfter,
    });
    return { outcome, kept, checkpoint: await readCheckpoint(path) };
  }

  it('stores every mapped record and counts the rest', async () => {
    const table = await createAuditTable(server.client);

    const { outcome, kept } = await run(table);

    expect(outcome.complete).toBe(true);
    expect(outcome.tally).toMatchObject({
      chunks: 7,
      read: RECORDS.length,
      mapped: 61,
      ignored: 2,
      invalid: 1,
      alreadyPresent: 0,
      failed: 0,
    });
    expect(outcome.tally.written).toBe(outcome.tally.records);
    expect(outcome.tally.byEventName).toEqual({ RunTask: 60, StopTask: 1 });
    expect(kept.map((k) => k.position)).toEqual(['file-6.json.gz: Records[3]']);
  });

  it('after Ctrl-C, resumes to the same table as an uninterrupted run, with the same totals', async () => {
    const whole = await createAuditTable(server.client);
    const interrupted = await createAuditTable(server.client);
    const uninterrupted = await run(whole);

    const stopped = await run(interrupted, { stopAfter: 3 });
    const resumed = await run(interrupted, { resume: true });

    expect(stopped.outcome.complete).toBe(false);
    expect(stopped.checkpoint?.resume).toEqual({ after: 2 });
    expect(resumed.outcome.complete).toBe(true);
    expect(resumed.outcome.tally).toEqual(uninterrupted.outcome.tally);
    expect(await scanTable(server.client, interrupted)).toEqual(
      await scanTable(server.client, whole),
    );
  });

  it('after a failed write, checkpoints nothing of that chunk and resumes to the same table', async () => {
    const whole = await createAuditTable(server.client);
    const crashed = await createAuditTable(server.client);
    await run(whole);
    let writes = 0;
    const failFourth = (sink: BackfillSink): BackfillSink => ({
      ...sink,
      write: async (inputs) =>
        ++writes === 4
          ? { written: 0, alreadyPresent: 0, expired: 0, failed: 1, error: new Error('throttled') }
          : sink.write(inputs),
    });

    await expect(run(crashed, { sink: failFourth })).rejects.toThrow(BackfillWriteError);
    const checkpoint = await readCheckpoint(join(dir, 'checkpoint.json'));
    const resumed = await run(crashed, { resume: true });

    expect(checkpoint?.resume).toEqual({ after: 2 });
    expect(resumed.outcome.complete).toBe(true);
    expect(await scanTable(server.client, crashed)).toEqual(await scanTable(server.client, whole));
  });

  it('writes nothing new when the window is run again', async () => {
    const table = await createAuditTable(server.client);
    const first = await run(table);
    const before = await scanTable(server.client, table);

    const second = await run(table);

    expect(second.outcome.tally.written).toBe(0);
    expect(second.outcome.tally.alreadyPresent).toBe(first.outcome.tally.written);
    expect(await scanTable(server.client, table)).toEqual(before);
  });

  it('maps and reports in a dry run, writing neither records nor a checkpoint', async () => {
    const { outcome, checkpoint } = await run(undefined);

    expect(outcome.tally).toMatchObject({ mapped: 61, written: 0 });
    expect(checkpoint).toBeUndefined();
  });

  it('refuses to resume another source, or with no checkpoint', async () => {
    const table = await createAuditTable(server.client);
    await expect(run(table, { resume: true })).rejects.toThrow(
      '--resume: no checkpoint to resume from',
    );
    await writeCheckpoint(join(dir, 'checkpoint.json'), {
      source: 's3://other',
      resume: undefined,
      tally: (await run(undefined)).outcome.tally,
      complete: false,
      updatedAt: '',
    });
    await expect(run(table, { resume: true })).rejects.toThrow(
      'the checkpoint is for s3://other, not dir test-logs',
    );
  });
});
