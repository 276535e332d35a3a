import { createWriteStream } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import type { InputItem, InputLimits } from './read-input-files';
import {
  DEFAULT_MAX_GUNZIPPED_BYTES,
  readEventInputs,
  readInputBatches,
  STDIN_SOURCE,
} from './read-input-files';

async function readAll(
  operands: string[],
  stdin: string | Buffer = '',
  limits?: Partial<InputLimits>,
): Promise<InputItem[]> {
  const items: InputItem[] = [];
  const readStdin = async function* () {
    yield Buffer.from(stdin);
  };
  for await (const item of readEventInputs(operands, { readStdin, limits })) items.push(item);
  return items;
}

/** Peak resident memory of this process so far, in MB. */
const peakRssMb = () => process.resourceUsage().maxRSS / 1024;

describe('readEventInputs', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ecslog-read-'));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('lists a directory recursively, event files only, in code-point order of their paths', async () => {
    const tree = join(dir, 'tree');
    await mkdir(join(tree, 'b/nested'), { recursive: true });
    await mkdir(join(tree, 'empty'));
    const names = [
      'b/nested/z.jsonl',
      'b/a.ndjson',
      'B.json',
      'a-c.json',
      'notes.txt',
      'x.json.gz',
    ];
    for (const name of names) await writeFile(join(tree, name), `{"name":"${name}"}`);

    const items = await readAll([tree]);

    expect(items.map((item) => ('position' in item ? item.position : item))).toEqual(
      ['B.json', 'a-c.json', 'b/a.ndjson', 'b/nested/z.jsonl', 'x.json.gz'].map((name) =>
        join(tree, name),
      ),
    );
  });

  it('gunzips by content, not by name, and reads any file named explicitly', async () => {
    const zipped = join(dir, 'really-gzipped.json');
    const plain = join(dir, 'not-really.gz');
    const text = join(dir, 'events.txt');
    await writeFile(zipped, gzipSync('{"zipped":true}'));
    await writeFile(plain, '{"zipped":false}');
    await writeFile(text, '{"txt":true}');

    expect(await readAll([zipped, plain, text])).toEqual([
      { position: zipped, value: { zipped: true } },
      { position: plain, value: { zipped: false } },
      { position: text, value: { txt: true } },
    ]);
  });

  it('reports each unreadable operand and carries on with the next', async () => {
    const missing = join(dir, 'missing.json');
    const good = join(dir, 'good.json');
    await writeFile(good, '{}');

    expect(await readAll([missing, good])).toEqual([
      { kind: 'unreadable', source: missing, reason: 'no such file' },
      { position: good, value: {} },
    ]);
  });

  it('reads stdin for - and when there is no operand', async () => {
    expect(await readAll([], '{"from":"stdin"}')).toEqual([
      { position: STDIN_SOURCE, value: { from: 'stdin' } },
    ]);
    expect(await readAll(['-'], '')).toEqual([]);
  });

  it('reads the lines of a damaged gzip file up to the damage, then says where it stopped', async () => {
    const file = join(dir, 'cut.ndjson.gz');
    const lines = Array.from({ length: 2_000 }, (_, i) => `{"n":${i}}\n`).join('');
    const zipped = gzipSync(lines);
    await writeFile(file, zipped.subarray(0, zipped.length - 8)); // the trailer (CRC, size) is gone

    const items = await readAll([file]);

    const read = items.slice(0, -1);
    expect(items.at(-1)).toEqual({
      kind: 'unreadable',
      source: file,
      reason: `corrupt gzip: unexpected end of file; read to line ${read.length}`,
    });
    // zlib hands on most of what it inflated before the damage; the rest is named by line.
    expect(read.length).toBeGreaterThan(1_000);
    expect(read.every((item, i) => 'value' in item && item.position === `${file}:${i + 1}`)).toBe(
      true,
    );
  });

  it('refuses UTF-16 text as a whole file', async () => {
    const file = join(dir, 'utf16.json');
    await writeFile(file, Buffer.from('\uFEFF{}', 'utf16le'));

    expect(await readAll([file])).toEqual([
      { kind: 'unreadable', source: file, reason: 'is UTF-16 text; ecslog reads UTF-8' },
    ]);
  });

  it('keeps a line that is not UTF-8 as its own input, with its line number and bytes; the others go on', async () => {
    const file = join(dir, 'latin1.ndjson');
    const bad = Buffer.from([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xe9, 0x22, 0x7d]); // {"a":"é"} in Latin-1
    await writeFile(
      file,
      Buffer.concat([Buffer.from('{"n":1}\n'), bad, Buffer.from('\n{"n":3}\n')]),
    );

    expect(await readAll([file])).toEqual([
      { position: `${file}:1`, value: { n: 1 } },
      {
        position: `${file}:2`,
        problem: 'is not UTF-8 text (kept as base64)',
        text: bad.toString('base64'),
        encoding: 'base64',
      },
      { position: `${file}:3`, value: { n: 3 } },
    ]);
  });

  it('keeps a line nested 5,000 levels deep as its text, and reads the lines after it', async () => {
    const file = join(dir, 'deep.ndjson');
    const deep = `{"detail":${'['.repeat(5_000)}${']'.repeat(5_000)}}`;
    await writeFile(file, `${deep}\n{"n":2}\n`);

    expect(await readAll([file])).toEqual([
      { position: `${file}:1`, problem: 'is nested deeper than 64 levels', text: deep },
      { position: `${file}:2`, value: { n: 2 } },
    ]);
  });

  it('streams NDJSON far larger than the document limit, line by line (a 1 KiB limit here)', async () => {
    // The default limit is 128 MiB; a 1 KiB one shows the same path without a 600 MB file.
    const file = join(dir, 'many.ndjson');
    const lines = Array.from(
      { length: 20_000 },
      (_, i) => `{"n":${i},"pad":"${'x'.repeat(80)}"}\n`,
    );
    await writeFile(file, lines.join('')); // ≈ 1.9 MB: 1,900 times the limit

    const items = await readAll([file], '', { maxDocumentBytes: 1024 });

    expect(items).toHaveLength(20_000);
    expect(items.every((item) => 'value' in item)).toBe(true);
    expect(items.at(-1)).toEqual({
      position: `${file}:20000`,
      value: expect.objectContaining({ n: 19_999 }),
    });
  });

  it('refuses a JSON document larger than the limit, and cuts a line longer than it', async () => {
    const pretty = join(dir, 'pretty.json');
    await writeFile(pretty, JSON.stringify({ Records: Array(100).fill({ a: 1 }) }, null, 2));
    const long = join(dir, 'long.ndjson');
    await writeFile(long, `{"n":1}\n{"pad":"${'x'.repeat(5_000)}"}\n{"n":3}\n`);

    const items = await readAll([pretty, long], '', { maxDocumentBytes: 1024 });

    expect(items).toEqual([
      {
        kind: 'unreadable',
        source: pretty,
        reason: 'is not NDJSON, and larger than the 1 KiB a JSON document may be',
      },
      { position: `${long}:1`, value: { n: 1 } },
      {
        position: `${long}:2`,
        problem: 'is a line longer than 1 KiB, the limit (its first 1 KiB kept)',
        text: `{"pad":"${'x'.repeat(5_000)}`.slice(0, 1024),
      },
      { position: `${long}:3`, value: { n: 3 } },
    ]);
  });

  it('stops a gzip bomb at the limit in bounded memory, after the lines before it', async () => {
    // 3 events, then 1.1 GiB of spaces: ≈ 1.1 MB gzipped, as concatenated gzip members.
    const file = join(dir, 'bomb.ndjson.gz');
    const out = createWriteStream(file);
    out.write(gzipSync('{"n":1}\n{"n":2}\n{"n":3}\n'));
    const member = gzipSync(Buffer.alloc(16 * 2 ** 20, 0x20));
    for (let i = 0; i < 70; i += 1) out.write(member);
    await new Promise((resolve) => out.end(resolve));
    const before = peakRssMb();

    const items = await readAll([file]);

    expect(DEFAULT_MAX_GUNZIPPED_BYTES).toBe(2 ** 30);
    expect(items).toEqual([
      { position: `${file}:1`, value: { n: 1 } },
      { position: `${file}:2`, value: { n: 2 } },
      { position: `${file}:3`, value: { n: 3 } },
      {
        kind: 'unreadable',
        source: file,
        reason: 'decompresses to more than 1 GiB, the limit for a gzipped input; read to line 3',
      },
    ]);
    // Held whole, it would take more than 1 GiB.
    expect(peakRssMb() - before).toBeLessThan(200);
  }, 60_000);
});

describe('readInputBatches', () => {
  it('groups one file’s inputs in batches of at most the size, and a failure after them', async () => {
    const readStdin = () =>
      Promise.resolve(Buffer.from('{"n":1}\n{"n":2}\n{"n":3}\n\u0000\u0001{"n":'));
    const batches = [];
    for await (const batch of readInputBatches(['-', 'no-such-file.json'], { readStdin }, 2))
      batches.push(batch);

    expect(batches.map((b) => (b.kind === 'events' ? b.inputs.length : b.reason))).toEqual([
      2,
      2,
      'no such file',
    ]);
    expect(batches[0]).toMatchObject({ kind: 'events', source: STDIN_SOURCE });
  });
});
