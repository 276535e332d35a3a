import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AuditRecord } from '@ecslog/ecs-event-mapper';
import { mapEvent, toLakeRow } from '@ecslog/ecs-event-mapper';
import { loadFixture, sampleLiveTraffic } from '@ecslog/ecs-event-mapper/testing';
import type { LocalLakeWriterOptions } from './local-lake-writer';
import { filesUnder } from './testing';
import { createLocalLakeWriter } from './local-lake-writer';

const NOW = new Date('2026-11-21T08:30:05.250Z');

/** A timer the test fires by hand. */
function createManualTimer() {
  const pending: { callback: () => void; ms: number; cancelled: boolean }[] = [];
  return {
    pending,
    setTimer(callback: () => void, ms: number) {
      const entry = { callback, ms, cancelled: false };
      pending.push(entry);
      return () => {
        entry.cancelled = true;
      };
    },
    fire() {
      for (const entry of pending.splice(0)) if (!entry.cancelled) entry.callback();
    },
    active: () => pending.filter((entry) => !entry.cancelled).length,
  };
}

const recordsOf = (events: readonly unknown[]): AuditRecord[] =>
  events.flatMap((event) => {
    const result = mapEvent(event);
    return result.kind === 'mapped' ? result.records : [];
  });

const linesOf = (text: string) => text.split('\n').slice(0, -1);

describe('createLocalLakeWriter', () => {
  let root: string;
  let timer: ReturnType<typeof createManualTimer>;
  let ids: number;
  const writer = (options: Partial<LocalLakeWriterOptions> = {}) =>
    createLocalLakeWriter({
      root,
      clock: () => NOW,
      setTimer: timer.setTimer,
      uniqueId: () => `id${ids++}`,
      ...options,
    });

  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), 'ecslog-lake-'));
    timer = createManualTimer();
    ids = 0;
  });
  afterEach(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('writes a transform response as Firehose does: Ok rows by dt, failed records with their raw data under errors/, Dropped nowhere', async () => {
    const rows = recordsOf([
      loadFixture('eventbridge/task-stopped-oom.json'),
      loadFixture('cloudtrail/runtask-partial-placement.json'),
    ]).map((r) => JSON.stringify(toLakeRow(r)) + '\n');
    const ok = (recordId: string, text: string) => ({
      recordId,
      result: 'Ok' as const,
      data: Buffer.from(text).toString('base64'),
      metadata: { partitionKeys: { dt: '2026-11-20' } },
    });
    const failed = { recordId: 'c', result: 'ProcessingFailed' as const, data: 'bm90IGpzb24=' };
    const lake = writer();

    await lake.writeTransformed([
      ok('a', rows[0] as string),
      { recordId: 'b', result: 'Dropped', data: 'e30K' },
      failed,
      ok('d', rows.slice(1).join('')),
    ]);
    expect(await filesUnder(root)).toEqual(new Map()); // buffered
    await lake.close();

    expect(await filesUnder(root)).toEqual(
      new Map([
        ['lake/dt=2026-11-20/ecslog-2026-11-21-08-30-05-id0.ndjson', rows.join('')],
        [
          'lake/errors/processing-failed/dt=2026-11-21/ecslog-2026-11-21-08-30-05-id1.ndjson',
          JSON.stringify({
            attemptsMade: 1,
            arrivalTimestamp: NOW.getTime(),
            errorCode: 'ProcessingFailed',
            errorMessage: 'the transform returned ProcessingFailed',
            attemptEndingTimestamp: NOW.getTime(),
            rawData: 'bm90IGpzb24=',
            recordId: 'c',
          }) + '\n',
        ],
      ]),
    );
  });

  it('puts an Ok record without a usable dt under errors/partitioning-failed', async () => {
    const lake = writer();

    await lake.writeTransformed([
      { recordId: 'a', result: 'Ok', data: 'e30K' },
      {
        recordId: 'b',
        result: 'Ok',
        data: 'e30K',
        metadata: { partitionKeys: { dt: '../../etc' } },
      },
    ]);
    await lake.close();

    const files = await filesUnder(root);
    expect([...files.keys()]).toEqual([
      'lake/errors/partitioning-failed/dt=2026-11-21/ecslog-2026-11-21-08-30-05-id0.ndjson',
    ]);
    expect(linesOf([...files.values()][0] as string).map((l) => JSON.parse(l) as unknown)).toEqual([
      expect.objectContaining({
        recordId: 'a',
        rawData: 'e30K',
        errorCode: 'PartitionKeysMissing',
      }),
      expect.objectContaining({ recordId: 'b', rawData: 'e30K' }),
    ]);
  });

  it('flushes when the buffer reaches its size, one file per partition, rows in order', async () => {
    const records = recordsOf(sampleLiveTraffic({ events: 300, seed: 7 }));
    const line = (r: AuditRecord) => JSON.stringify(toLakeRow(r));
    const dayOf = (r: AuditRecord) => r.eventTime.slice(0, 10);
    const maxBufferBytes = records
      .slice(0, 100)
      .reduce((sum, r) => sum + Buffer.byteLength(line(r)) + 1, 0);
    const lake = writer({ maxBufferBytes });

    await lake.writeAuditRecords(records.slice(0, 99));
    expect(await filesUnder(root)).toEqual(new Map());
    await lake.writeAuditRecords(records.slice(99, 100));
    const firstFlush = await filesUnder(root);
    const firstDays = new Set(records.slice(0, 100).map(dayOf));
    expect([...firstFlush.keys()].map((path) => path.split('/')[1]).sort()).toEqual(
      [...firstDays].map((day) => `dt=${day}`).sort(),
    );
    await lake.writeAuditRecords(records.slice(100));
    await lake.close();

    const files = await filesUnder(root);
    for (const path of files.keys())
      expect(path).toMatch(/^lake\/dt=\d{4}-\d\d-\d\d\/ecslog-[-0-9]+-id\d+\.ndjson$/);
    for (const day of new Set(records.map(dayOf))) {
      const written = [...files]
        .filter(([path]) => path.startsWith(`lake/dt=${day}/`))
        .sort(([a], [b]) => Number(/id(\d+)/.exec(a)?.[1]) - Number(/id(\d+)/.exec(b)?.[1]))
        .flatMap(([, text]) => linesOf(text));
      expect(written).toEqual(records.filter((r) => dayOf(r) === day).map(line));
    }
    expect([...files.values()].flatMap(linesOf)).toHaveLength(records.length);
  });

  it('flushes once the interval has passed since the first buffered row', async () => {
    const lake = writer({ flushIntervalMs: 30_000 });
    const records = recordsOf([loadFixture('eventbridge/task-stopped-oom.json')]);

    await lake.writeAuditRecords(records);
    await lake.writeAuditRecords(records);
    expect(timer.pending.map((t) => t.ms)).toEqual([30_000]); // one timer per buffer fill
    expect(await filesUnder(root)).toEqual(new Map());
    timer.fire();
    await lake.flush(); // waits for the timed flush

    const files = await filesUnder(root);
    expect([...files.values()].flatMap(linesOf)).toHaveLength(2);
    await lake.writeAuditRecords(records);
    expect(timer.active()).toBe(1);
    await lake.flush();
    expect(timer.active()).toBe(0); // a flush cancels the pending timer
  });

  it('never collides with another writer on the same folder, with the default file names', async () => {
    const records = recordsOf([loadFixture('eventbridge/task-stopped-oom.json')]);
    const lakes = Array.from({ length: 4 }, () =>
      createLocalLakeWriter({ root, clock: () => NOW }),
    );

    await Promise.all(
      lakes.map((lake) => lake.writeAuditRecords(records).then(() => lake.close())),
    );

    const files = await filesUnder(root);
    expect(files.size).toBe(4);
    for (const path of files.keys())
      expect(path).toMatch(
        /^lake\/dt=2026-11-20\/ecslog-2026-11-21-08-30-05-[0-9a-f-]{36}\.ndjson$/,
      );
  });

  it('keeps the rows of a failed flush for the next one, and leaves no temporary file', async () => {
    const records = recordsOf([loadFixture('cloudtrail/runtask-partial-placement.json')]);
    await writeFile(join(root, 'lake'), 'a file where the lake folder should be');
    const lake = writer();

    await lake.writeAuditRecords(records.slice(0, 2));
    await expect(lake.flush()).rejects.toThrow(/EEXIST|ENOTDIR/);
    await lake.writeAuditRecords(records.slice(2));
    await rm(join(root, 'lake'));
    await lake.close();

    const files = await filesUnder(root);
    expect([...files.keys()].some((path) => path.includes('.tmp'))).toBe(false);
    expect([...files.values()].flatMap(linesOf)).toEqual(
      records.map((r) => JSON.stringify(toLakeRow(r))),
    );
  });

  it('reports a failed timed flush on the next call, then carries on', async () => {
    const records = recordsOf([loadFixture('eventbridge/task-stopped-oom.json')]);
    await writeFile(join(root, 'lake'), 'not a folder');
    const lake = writer();

    await lake.writeAuditRecords(records);
    timer.fire();

    await expect(lake.flush()).rejects.toThrow('a timed flush of the local lake failed');
    await rm(join(root, 'lake'));
    await lake.writeAuditRecords(records);
    await lake.close();
    expect([...(await filesUnder(root)).values()].flatMap(linesOf)).toHaveLength(2);
  });

  it('refuses writes once closed', async () => {
    const lake = writer();
    await lake.close();
    await lake.close();

    await expect(lake.writeAuditRecords([])).rejects.toThrow('the local lake writer is closed');
    expect(await filesUnder(root)).toEqual(new Map());
  });
});
