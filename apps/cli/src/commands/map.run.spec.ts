/**
 * runMap in-process, with simple stream fakes: the failures a real terminal seldom produces
 * (a full disk, a closed pipe, slow readers, an unwritable quarantine file).
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { fixturePath } from '@ecslog/ecs-event-mapper/testing';
import type { MapIo } from './map.command';
import { EXIT_INVALID, EXIT_OK, EXIT_UNREADABLE, runMap } from './map.run';

const OOM = fixturePath('eventbridge/task-stopped-oom.json');

/** A stream that keeps what is written; a slow one completes each write on a later turn. */
function collector({ highWaterMark = 16_384, slow = false } = {}) {
  const chunks: string[] = [];
  let maxBuffered = 0;
  const stream = new Writable({
    highWaterMark,
    write(chunk: Buffer, _encoding, callback) {
      chunks.push(chunk.toString());
      maxBuffered = Math.max(maxBuffered, stream.writableLength);
      if (slow) setImmediate(callback);
      else callback();
    },
  });
  const finished = () => new Promise((resolve) => stream.end(resolve));
  return {
    stream,
    finished,
    maxBuffered: () => maxBuffered,
    text: () => chunks.join(''),
    lines: () => chunks.join('').split('\n').filter(Boolean),
  };
}

/** A stream whose every write fails with `code`. */
function failing(code: string) {
  let attempts = 0;
  const stream = new Writable({
    write(_chunk, _encoding, callback) {
      attempts += 1;
      callback(Object.assign(new Error(`write ${code}`), { code }));
    },
  });
  return { stream, attempts: () => attempts };
}

const ioWith = (stdout: Writable, stderr: Writable, stdin = ''): MapIo => ({
  stdout,
  stderr,
  readStdin: () => Promise.resolve(Buffer.from(stdin)),
});

describe('runMap', () => {
  let tmp: string;
  let many: string;
  beforeAll(async () => {
    tmp = await mkdtemp(join(tmpdir(), 'ecslog-map-'));
    many = join(tmp, 'many.ndjson');
    const event = JSON.parse(await readFile(OOM, 'utf8')) as { detail: { version: number } };
    const lines = Array.from({ length: 200 }, (_, version) =>
      JSON.stringify({ ...event, detail: { ...event.detail, version } }),
    );
    await writeFile(many, `${lines.join('\n')}\n`);
  });
  afterAll(() => rm(tmp, { recursive: true, force: true }));

  it('writes every record, in order, to a slow reader that pushes back', async () => {
    const stdout = collector({ highWaterMark: 64, slow: true });
    const stderr = collector();

    const code = await runMap([many], {}, ioWith(stdout.stream, stderr.stream));
    await stdout.finished();

    expect(code).toBe(EXIT_OK);
    const versions = stdout
      .lines()
      .map((line) => (JSON.parse(line) as { version: number }).version);
    expect(versions).toEqual(Array.from({ length: 200 }, (_, version) => version));
    // Waited for 'drain' instead of buffering everything: never more than one line queued.
    expect(stdout.maxBuffered()).toBeLessThan(2 * stdout.lines()[0]!.length);
    expect(stderr.lines()).toEqual(['mapped 200 events into 200 records; 0 ignored; 0 invalid']);
  });

  it('stops quietly, with no summary, when the reader goes away (EPIPE)', async () => {
    const stdout = failing('EPIPE');
    const stderr = collector();

    const code = await runMap([many, many], {}, ioWith(stdout.stream, stderr.stream));

    expect(code).toBe(EXIT_OK);
    expect(stderr.text()).toBe('');
    expect(stdout.attempts()).toBe(1);
  });

  it('reports any other stdout failure and exits 1', async () => {
    const stdout = failing('ENOSPC');
    const stderr = collector();

    const code = await runMap([many], {}, ioWith(stdout.stream, stderr.stream));

    expect(code).toBe(EXIT_UNREADABLE);
    expect(stderr.lines()).toEqual(['ecslog: cannot write to stdout: write ENOSPC']);
  });

  it('reports an unwritable --invalid-out file once, keeps mapping, and exits 1', async () => {
    const stdout = collector();
    const stderr = collector();
    const invalidOut = join(tmp, 'no-such-dir', 'invalid.ndjson');

    const code = await runMap(
      ['-'],
      { invalidOut },
      ioWith(stdout.stream, stderr.stream, `not json\n{}\n${JSON.stringify({ oom: 1 })}\n`),
    );

    expect(code).toBe(EXIT_UNREADABLE);
    expect(stderr.lines()).toEqual([
      expect.stringMatching(/^<stdin>:1: invalid: is not JSON: /),
      expect.stringMatching(
        new RegExp(`^ecslog: cannot write invalid inputs to ${invalidOut}: ENOENT`),
      ),
      expect.stringMatching(/^<stdin>:2: invalid: /),
      expect.stringMatching(/^<stdin>:3: invalid: /),
      'mapped 0 events into 0 records; 0 ignored; 3 invalid',
    ]);
  });

  it('exits 2 when inputs are invalid and every file was read', async () => {
    const stdout = collector();
    const stderr = collector();

    const code = await runMap(['-'], {}, ioWith(stdout.stream, stderr.stream, '[1]'));

    expect(code).toBe(EXIT_INVALID);
    expect(stderr.lines()).toEqual([
      expect.stringMatching(/^<stdin>: \[0\]: invalid: must be a JSON object/),
      'mapped 0 events into 0 records; 0 ignored; 1 invalid',
    ]);
  });
});
