import fc from 'fast-check';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import type { SourceChunk } from '../backfill-source';
import { BackfillSetupError } from '../backfill-source';
import type { CloudTrailLogFile, CloudTrailLogSet } from '../testing';
import { buildCloudTrailLogFiles, writeCloudTrailLogFiles } from '../testing';
import { createDirSource } from './dir-source';

const DAYS = ['2026-11-19', '2026-11-20', '2026-11-21', '2026-11-22'];
const set: CloudTrailLogSet = buildCloudTrailLogFiles({
  seed: 20261120,
  accounts: ['111122223333'],
  organization: { id: 'o-a1b2c3d4e5', accounts: ['444455556666'] },
  regions: ['eu-west-1', 'us-east-1'],
  days: DAYS,
  filesPerDay: 3,
  recordsPerFile: 5,
});

let root: string;
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'dir-source-'));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

async function folderOf(name: string, write: (folder: string) => Promise<void>): Promise<string> {
  const folder = join(root, name);
  await mkdir(folder, { recursive: true });
  await write(folder);
  return folder;
}

async function readAll(chunks: AsyncIterable<SourceChunk>): Promise<SourceChunk[]> {
  const all: SourceChunk[] = [];
  for await (const chunk of chunks) all.push(chunk);
  return all;
}

const eventIdsOf = (chunks: readonly SourceChunk[]) =>
  chunks.flatMap((chunk) =>
    chunk.records.map((record) => (record.value as { eventID: string }).eventID),
  );
const dayFolderOf = (file: CloudTrailLogFile) => file.key.split('/').slice(-4, -1).join('-');

describe('createDirSource', () => {
  it('reads a copy of a trail’s bucket: the window’s day folders only, files in path order', async () => {
    const folder = await folderOf('layout', (f) => writeCloudTrailLogFiles(f, set));
    // A file without a time in its name, in a day folder outside the window: read only if the
    // walk entered that folder.
    const outside = join(folder, 'AWSLogs/111122223333/CloudTrail/eu-west-1/2026/11/19');
    await writeFile(join(outside, 'stray.json'), '{"Records":[{"eventID":"outside"}]}');
    const from = new Date('2026-11-20T00:00:00Z');
    const to = new Date('2026-11-21T12:00:00Z');
    const expected = set.files.filter(
      (file) =>
        ['2026-11-20', '2026-11-21'].includes(dayFolderOf(file)) &&
        file.deliveredAt.getTime() >= from.getTime() - 3_600_000 &&
        file.deliveredAt.getTime() <= to.getTime() + 3_600_000,
    );
    const source = createDirSource({ path: folder, from, to });

    await source.check();
    const chunks = await readAll(source.chunks(undefined));

    expect(source.estimate?.()).toEqual({ chunks: expected.length });
    expect(chunks.map((c) => c.name)).toEqual(expected.map((f) => join(folder, f.key)));
    expect(eventIdsOf(chunks)).toEqual(expected.flatMap((f) => f.eventIds));
    expect(chunks.every((c) => c.problem === undefined)).toBe(true);
    expect(chunks.map((c) => c.bytes)).toEqual(expected.map((f) => f.body.length));
    expect(chunks[0]?.records[0]?.position).toBe(
      `${join(folder, expected[0]?.key ?? '')}: Records[0]`,
    );
  });

  it('reads any folder of .json.gz and .json files, recursively, skipping digests and other files', async () => {
    const folder = await folderOf('flat', async (f) => {
      await writeCloudTrailLogFiles(f, set, { flat: true });
      await mkdir(join(f, 'more', 'nested'), { recursive: true });
      await writeFile(
        join(f, 'more', 'nested', 'export.json'),
        '{"Records":[{"eventID":"plain"}]}',
      );
      await writeFile(join(f, 'more', 'README.txt'), 'not a log file');
      await writeFile(join(f, '.hidden.json'), '{"Records":[{"eventID":"hidden"}]}');
    });
    const source = createDirSource({ path: folder });

    await source.check();
    const chunks = await readAll(source.chunks(undefined));

    const names = chunks.map((c) => c.name.slice(folder.length + 1));
    const expectedNames = [
      ...set.files.map((f) => f.key.split('/').pop() as string),
      'more/nested/export.json',
    ];
    expect(names).toEqual([...expectedNames].sort());
    expect(names.some((name) => name.includes('Digest'))).toBe(false);
    expect(eventIdsOf(chunks).sort()).toEqual(
      [...set.files.flatMap((f) => f.eventIds), 'plain'].sort(),
    );
  });

  it('filters a flat folder by the delivery times in the file names', async () => {
    const folder = await folderOf('flat-window', (f) =>
      writeCloudTrailLogFiles(f, set, { flat: true }),
    );
    const from = new Date('2026-11-21T00:00:00Z');
    const to = new Date('2026-11-21T23:59:59Z');
    const source = createDirSource({ path: folder, from, to });

    const chunks = await readAll(source.chunks(undefined));

    const expected = set.files.filter(
      (f) =>
        f.deliveredAt.getTime() >= from.getTime() - 3_600_000 &&
        f.deliveredAt.getTime() <= to.getTime() + 3_600_000,
    );
    expect(eventIdsOf(chunks).sort()).toEqual(expected.flatMap((f) => f.eventIds).sort());
  });

  it('names a damaged file in its chunk’s problem and goes on with the next', async () => {
    const folder = await folderOf('damaged', async (f) => {
      await writeFile(join(f, 'a.json.gz'), gzipSync('{"Records":[{"eventID":"a"}]}'));
      await writeFile(
        join(f, 'b.json.gz'),
        gzipSync('{"Records":[{"eventID":"b"}]}').subarray(0, 12),
      );
      await writeFile(join(f, 'c.json'), '{"Records":[{"eventID":"c"}');
      await writeFile(join(f, 'd.json'), '{"Records":[{"eventID":"d"}]}');
    });
    const source = createDirSource({ path: folder });

    const chunks = await readAll(source.chunks(undefined));

    expect(
      chunks.map((c) => [
        c.name.slice(folder.length + 1),
        c.problem?.split(' ')[0],
        c.records.length,
      ]),
    ).toEqual([
      ['a.json.gz', undefined, 1],
      ['b.json.gz', 'truncated', 0],
      ['c.json', 'JSON', 1],
      ['d.json', undefined, 1],
    ]);
  });

  it('resumed after any file, yields exactly the files after it', async () => {
    const folder = await folderOf('resume', (f) => writeCloudTrailLogFiles(f, set));
    const all = await readAll(createDirSource({ path: folder }).chunks(undefined));

    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 0, max: all.length - 1 }), async (index) => {
        // The state as the checkpoint file keeps it: JSON.
        const saved: unknown = JSON.parse(JSON.stringify((all[index] as SourceChunk).resume));

        const rest = await readAll(createDirSource({ path: folder }).chunks(saved));

        expect(rest.map((c) => c.name)).toEqual(all.slice(index + 1).map((c) => c.name));
        expect(eventIdsOf(rest)).toEqual(eventIdsOf(all.slice(index + 1)));
      }),
      { numRuns: 15 },
    );
  });

  it('fails the check in one line when the folder is missing or not a folder', async () => {
    const missing = join(root, 'no-such-folder');
    const file = join(await folderOf('file', (f) => writeFile(join(f, 'x.json'), '{}')), 'x.json');

    await expect(createDirSource({ path: missing }).check()).rejects.toMatchObject({
      name: 'BackfillSetupError',
      message: `folder ${missing} does not exist`,
    });
    await expect(createDirSource({ path: file }).check()).rejects.toMatchObject({
      name: 'BackfillSetupError',
      message: `${file} is not a folder`,
    });
    await expect(
      readAll(createDirSource({ path: missing }).chunks(undefined)),
    ).rejects.toBeInstanceOf(BackfillSetupError);
  });

  it('refuses a resume state of another source', async () => {
    const folder = await folderOf('other-state', (f) =>
      writeFile(join(f, 'a.json'), '{"Records":[]}'),
    );

    await expect(
      readAll(createDirSource({ path: folder }).chunks({ region: 'eu-west-1', page: 3 })),
    ).rejects.toBeInstanceOf(BackfillSetupError);
  });
});
