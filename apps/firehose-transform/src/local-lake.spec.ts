import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { filesUnder } from '@ecslog/local-lake/testing';
import { createLocalLakeWriter } from '@ecslog/local-lake';
import { loadDirectPutEvent, rowsOf } from './testing';
import { transformRecords } from './transform-records';

// Local mode: the transform's response through @ecslog/local-lake, as Firehose would deliver it.

const NOW = new Date('2026-11-21T08:30:05.250Z');

const linesOf = (text: string) => text.split('\n').slice(0, -1);

describe('the transform into the local lake', () => {
  let root: string;
  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), 'ecslog-lake-'));
  });
  afterEach(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('writes a transform response as Firehose does: rows by dt, failed records with their raw data under errors/', async () => {
    const event = loadDirectPutEvent();
    const { response } = transformRecords(event.records);
    let ids = 0;
    const lake = createLocalLakeWriter({ root, clock: () => NOW, uniqueId: () => `id${ids++}` });

    await lake.writeTransformed(response.records);
    expect(await filesUnder(root)).toEqual(new Map()); // buffered
    await lake.close();

    const files = await filesUnder(root);
    expect([...files.keys()]).toEqual([
      'lake/dt=2026-11-20/ecslog-2026-11-21-08-30-05-id0.ndjson',
      'lake/errors/processing-failed/dt=2026-11-21/ecslog-2026-11-21-08-30-05-id1.ndjson',
    ]);
    const [rows, errors] = [...files.values()] as [string, string];
    const okRecords = response.records.filter((r) => r.result === 'Ok');
    expect(linesOf(rows).map((line) => JSON.parse(line) as unknown)).toEqual(
      okRecords.flatMap(rowsOf),
    );
    expect(linesOf(errors).map((line) => JSON.parse(line) as unknown)).toEqual(
      [5, 6, 7, 8].map((i) => ({
        attemptsMade: 1,
        arrivalTimestamp: NOW.getTime(),
        errorCode: 'ProcessingFailed',
        errorMessage: 'the transform returned ProcessingFailed',
        attemptEndingTimestamp: NOW.getTime(),
        rawData: event.records[i]?.data,
        recordId: event.records[i]?.recordId,
      })),
    );
  });
});
