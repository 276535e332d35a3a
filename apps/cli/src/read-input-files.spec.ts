import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import type { InputFile } from './read-input-files';
import { decodeBytes, readInputFiles, STDIN_SOURCE } from './read-input-files';

async function readAll(operands: string[], stdin = ''): Promise<InputFile[]> {
  const files: InputFile[] = [];
  const readStdin = () => Promise.resolve(Buffer.from(stdin));
  for await (const file of readInputFiles(operands, { readStdin })) files.push(file);
  return files;
}

describe('readInputFiles', () => {
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

    const files = await readAll([tree]);

    expect(files.map((file) => file.source)).toEqual(
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

    const files = await readAll([zipped, plain, text]);

    expect(files).toEqual([
      { kind: 'text', source: zipped, text: '{"zipped":true}' },
      { kind: 'text', source: plain, text: '{"zipped":false}' },
      { kind: 'text', source: text, text: '{"txt":true}' },
    ]);
  });

  it('reports each unreadable operand and carries on with the next', async () => {
    const missing = join(dir, 'missing.json');
    const good = join(dir, 'good.json');
    await writeFile(good, '{}');

    const files = await readAll([missing, good]);

    expect(files).toEqual([
      { kind: 'unreadable', source: missing, reason: 'no such file' },
      { kind: 'text', source: good, text: '{}' },
    ]);
  });

  it('reads stdin for - and when there is no operand', async () => {
    expect(await readAll([], '{"from":"stdin"}')).toEqual([
      { kind: 'text', source: STDIN_SOURCE, text: '{"from":"stdin"}' },
    ]);
    expect(await readAll(['-'], '')).toEqual([{ kind: 'text', source: STDIN_SOURCE, text: '' }]);
  });
});

describe('decodeBytes', () => {
  it('drops a UTF-8 byte-order mark', async () => {
    expect(await decodeBytes(Buffer.from('\uFEFF{"a":"é"}'))).toEqual({ text: '{"a":"é"}' });
  });

  it('rejects corrupt gzip, bytes that are not UTF-8, and UTF-16', async () => {
    const truncated = gzipSync('{"a":1}'.repeat(100)).subarray(0, 20);

    expect(await decodeBytes(truncated)).toEqual({
      reason: expect.stringMatching(/^corrupt gzip: /),
    });
    expect(await decodeBytes(Buffer.from([0x7b, 0xff, 0xfe, 0x7d, 0x80]))).toEqual({
      reason: 'is not UTF-8 text',
    });
    expect(await decodeBytes(Buffer.from('\uFEFF{}', 'utf16le'))).toEqual({
      reason: 'is UTF-16 text; ecslog reads UTF-8',
    });
  });
});
