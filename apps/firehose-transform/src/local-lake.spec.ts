import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { createLocalLakeWriter } from '@ecslog/local-lake';
import { loadDirectPutEvent, rowsOf } from './testing';
import { transformRecords } from './transform-records';

// Local mode: the transform's response through @ecslog/local-lake, as Firehose would deliver it.

const NOW = new Date('2026-11-21T08:30:05.250Z');

/** Every file under dir, as paths relative to it, sorted; with their text. */
async function filesUnder(dir: string): Promise<Map<string, string>> {
  const files = new Map<string, string>();
  const entries = await readdir(dir, { recursive: true, withFileTypes: true }).catch(() => []);
  for (const entry of entries)
    if (entry.isFile()) {
      const path = join(entry.parentPath, entry.name);
      files.set(relative(dir, path), await readFile(path, 'utf8'));
    }
  return new Map([...files].sort(([a], [b]) => a.localeCompare(b)));
}

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
