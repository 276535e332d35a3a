import { fixturePath, loadFixture } from '@ecslog/ecs-event-mapper/testing';
import fc from 'fast-check';
import { createReadStream, readFileSync } from 'node:fs';
import { Readable } from 'node:stream';
import { gunzipSync, gzipSync } from 'node:zlib';
import { BackfillSetupError } from '../backfill-source';
import {
  deliveredInWindow,
  logFileChunks,
  logFileDeliveredAt,
  LogFileReadError,
  readInOrder,
  readLogFile,
  resumeAfter,
  windowDayFolders,
} from './log-file';

const LOG_FILE = 'cloudtrail/log-file.json';
const GZIP_FILE =
  'cloudtrail/111122223333_CloudTrail_eu-west-1_20261120T0305Z_a1b2c3d4e5f6g7h8.json.gz';
const fixtureRecords = loadFixture<{ Records: Record<string, unknown>[] }>(LOG_FILE).Records;
const plain = readFileSync(fixturePath(LOG_FILE));
const gzip = readFileSync(fixturePath(GZIP_FILE));

/** A stream delivering `buffer` in pieces of `size` bytes. */
function streamOf(buffer: Buffer, size = 64 * 1024): Readable {
  const pieces: Buffer[] = [];
  for (let offset = 0; offset < buffer.length; offset += size)
    pieces.push(buffer.subarray(offset, offset + size));
  return Readable.from(pieces);
}

describe('readLogFile', () => {
  it('reads the Records of a plain log file, positions naming the file and index', async () => {
    const content = await readLogFile('plain.json', plain);

    expect(content.problem).toBeUndefined();
    expect(content.bytes).toBe(plain.length);
    expect(content.records.map((r) => r.value)).toEqual(fixtureRecords);
    expect(content.records.map((r) => r.position)).toEqual(
      fixtureRecords.map((_, i) => `plain.json: Records[${i}]`),
    );
  });

  it('gunzips a .json.gz streamed from disk, counting the compressed bytes', async () => {
    const content = await readLogFile('f.json.gz', createReadStream(fixturePath(GZIP_FILE)));

    expect(content.problem).toBeUndefined();
    expect(content.bytes).toBe(gzip.length);
    expect(content.records.map((r) => r.value)).toEqual(
      (JSON.parse(gunzipSync(gzip).toString()) as { Records: unknown[] }).Records,
    );
    expect(content.records[0]?.position).toBe('f.json.gz: Records[0]');
  });

  it('recognises gzip by its magic bytes, whatever the name, from a buffer or a stream', async () => {
    const body = gzipSync(plain);

    const fromBuffer = await readLogFile('no-extension', body);
    // One-byte pieces: the two magic bytes arrive apart.
    const fromStream = await readLogFile('no-extension', streamOf(body, 1));

    for (const content of [fromBuffer, fromStream]) {
      expect(content.problem).toBeUndefined();
      expect(content.bytes).toBe(body.length);
      expect(content.records.map((r) => r.value)).toEqual(fixtureRecords);
    }
  });

  it('reads a plain file streamed in pieces and ignores a byte-order mark', async () => {
    const withBom = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), plain]);

    const content = await readLogFile('bom.json', streamOf(withBom, 100));

    expect(content.problem).toBeUndefined();
    expect(content.records).toHaveLength(fixtureRecords.length);
  });

  it('reports a gzip with a bad header as corrupt, with no records', async () => {
    const body = Buffer.from(gzipSync(plain));
    body[2] = 7; // compression method: only 8 (deflate) exists

    const content = await readLogFile('bad-header.json.gz', streamOf(body));

    expect(content.problem).toMatch(/^corrupt gzip: /);
    expect(content.records).toEqual([]);
    expect(content.bytes).toBe(body.length);
  });

  it('keeps nothing of a gzip whose checksum does not match: its output may be wrong', async () => {
    const body = Buffer.from(gzipSync(plain));
    const crc = body.length - 8; // the trailer's CRC-32
    body.writeUInt8(body.readUInt8(crc) ^ 0xff, crc);

    const content = await readLogFile('bad-crc.json.gz', body);

    expect(content.problem).toMatch(/^corrupt gzip: incorrect data check/);
    expect(content.records).toEqual([]);
  });

  it('keeps the records before the end of a truncated gzip and says so', async () => {
    const whole = gzipSync(plain);
    const body = whole.subarray(0, Math.floor(whole.length * 0.6));

    const content = await readLogFile('cut.json.gz', streamOf(body, 512));

    expect(content.problem).toMatch(/^truncated gzip \(unexpected end of file\) after \d+ bytes: /);
    expect(content.records.length).toBeLessThan(fixtureRecords.length);
    expect(content.records.map((r) => r.value)).toEqual(
      fixtureRecords.slice(0, content.records.length),
    );
  });

  it('keeps the records before the damage of JSON that does not parse', async () => {
    const text = plain.toString();
    const damaged = `${text.slice(0, text.indexOf('"eventID"', text.indexOf('RunTask')))}\u0000broken`;

    const content = await readLogFile('damaged.json', Buffer.from(damaged));

    expect(content.problem).toMatch(
      /^JSON does not parse \(.*\): kept the 1 record before the damage$/,
    );
    expect(content.records.map((r) => r.value)).toEqual(fixtureRecords.slice(0, 1));
    expect(content.problem).not.toMatch(/\n/);
  });

  it('names what it found when there is no Records array', async () => {
    const lookup = readFileSync(fixturePath('cloudtrail/lookup-events-response.json'));

    const object = await readLogFile('lookup.json', lookup);
    const scalar = await readLogFile('scalar.json', Buffer.from('"Records"'));
    const empty = await readLogFile('empty.json', Buffer.alloc(0));

    expect(object).toEqual({
      records: [],
      problem: 'no "Records" array: an object with keys Events, NextToken',
      bytes: lookup.length,
    });
    expect(scalar.problem).toBe('no "Records" array: the file is a JSON string');
    expect(empty).toEqual({ records: [], problem: 'empty file', bytes: 0 });
  });

  it('accepts a bare array of records', async () => {
    const content = await readLogFile('array.json', Buffer.from(JSON.stringify(fixtureRecords)));

    expect(content.problem).toBeUndefined();
    expect(content.records.map((r) => r.value)).toEqual(fixtureRecords);
    expect(content.records[2]?.position).toBe('array.json: [2]');
  });

  it('accepts NDJSON, keeping every line that parses and naming the first that does not', async () => {
    const lines = fixtureRecords.slice(0, 3).map((r) => JSON.stringify(r));
    const text = [lines[0], lines[1], '{"eventVersion": "1.10", "eventID": ', lines[2], ''].join(
      '\n',
    );

    const content = await readLogFile('records.ndjson.json', Buffer.from(text));

    expect(content.records.map((r) => r.value)).toEqual(fixtureRecords.slice(0, 3));
    expect(content.records.map((r) => r.position)).toEqual([
      'records.ndjson.json: line 1',
      'records.ndjson.json: line 2',
      'records.ndjson.json: line 4',
    ]);
    expect(content.problem).toMatch(
      /^line 3 does not parse \(.*\): kept the 3 records of the lines that parse$/,
    );
  });

  it('rejects with a LogFileReadError when the body stream itself fails', async () => {
    const failure = Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });
    const body = new Readable({
      read() {
        this.push(gzipSync(plain).subarray(0, 100));
        this.destroy(failure);
      },
    });

    const reading = readLogFile('s3://b/k.json.gz', body);

    await expect(reading).rejects.toBeInstanceOf(LogFileReadError);
    await expect(reading).rejects.toMatchObject({
      message: 'reading s3://b/k.json.gz: socket hang up',
      cause: failure,
    });
  });

  // Records as JSON gives them back (no -0, no undefined).
  const recordsArb = fc
    .array(
      fc.dictionary(fc.string({ maxLength: 8 }), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 5 }),
      {
        maxLength: 8,
      },
    )
    .map((records) => JSON.parse(JSON.stringify(records)) as Record<string, unknown>[]);

  it('reads back any records written as a log file, plain or gzip, whole or streamed', async () => {
    await fc.assert(
      fc.asyncProperty(
        recordsArb,
        fc.boolean(),
        fc.integer({ min: 1, max: 300 }),
        async (records, zip, piece) => {
          const text = Buffer.from(JSON.stringify({ Records: records }));
          const body = zip ? gzipSync(text) : text;

          const content = await readLogFile('p.json', streamOf(body, piece));

          expect(content.problem).toBeUndefined();
          expect(content.records).toEqual(
            records.map((value, i) => ({ position: `p.json: Records[${i}]`, value })),
          );
        },
      ),
      { numRuns: 100 },
    );
  });

  it('from a file cut anywhere, keeps exactly the records written completely before the cut', async () => {
    await fc.assert(
      fc.asyncProperty(
        recordsArb,
        fc.double({ min: 0, max: 1, noNaN: true }),
        async (records, at) => {
          // Arrange: the text and where each record ends in it.
          let text = '{"Records":[';
          const ends: number[] = [];
          records.forEach((record, i) => {
            text += (i > 0 ? ',' : '') + JSON.stringify(record);
            ends.push(Buffer.byteLength(text));
          });
          text += ']}';
          const whole = Buffer.from(text);
          const cut = Math.floor(at * whole.length);

          const content = await readLogFile('cut.json', whole.subarray(0, cut));

          const complete =
            cut === whole.length ? records.length : ends.filter((end) => end <= cut).length;
          expect(content.records.map((r) => r.value)).toEqual(records.slice(0, complete));
          expect(content.problem === undefined).toBe(cut === whole.length);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('from a gzip cut anywhere, keeps only records of the file, in order, and names the damage', async () => {
    await fc.assert(
      fc.asyncProperty(
        recordsArb,
        fc.double({ min: 0, max: 1, noNaN: true }),
        async (records, at) => {
          const whole = gzipSync(JSON.stringify({ Records: records }));
          const cut = Math.floor(at * whole.length);

          const content = await readLogFile('cut.json.gz', whole.subarray(0, cut));

          expect(records.slice(0, content.records.length)).toEqual(
            content.records.map((r) => r.value),
          );
          if (cut < whole.length) expect(content.problem).toBeDefined();
        },
      ),
      { numRuns: 200 },
    );
  });
});

describe('readInOrder', () => {
  function deferred<T>() {
    let resolve!: (value: T) => void;
    let reject!: (error: unknown) => void;
    const promise = new Promise<T>((res, rej) => {
      resolve = res;
      reject = rej;
    });
    return { promise, resolve, reject };
  }

  it('yields in item order while reads finish in any order, never more than `concurrency` at once', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.integer({ min: 0, max: 5 }), { maxLength: 20 }),
        fc.integer({ min: 1, max: 6 }),
        async (delays, concurrency) => {
          let inFlight = 0;
          let most = 0;
          const read = async (index: number) => {
            inFlight++;
            most = Math.max(most, inFlight);
            await new Promise((resolve) => setTimeout(resolve, delays[index]));
            inFlight--;
            return index;
          };

          const results: number[] = [];
          for await (const result of readInOrder(
            delays.map((_, i) => i),
            concurrency,
            read,
          ))
            results.push(result);

          expect(results).toEqual(delays.map((_, i) => i));
          expect(most).toBeLessThanOrEqual(concurrency);
        },
      ),
      { numRuns: 30 },
    );
  });

  it('reads ahead while the consumer works, and aborts the reads in flight when it stops early', async () => {
    const reads = [0, 1, 2, 3, 4].map(() => deferred<number>());
    const started: number[] = [];
    const signals: AbortSignal[] = [];
    const iterator = readInOrder([0, 1, 2, 3, 4], 3, (i, signal) => {
      started.push(i);
      signals.push(signal);
      return (reads[i] as { promise: Promise<number> }).promise;
    });

    const first = iterator.next();
    expect(started).toEqual([0, 1, 2]);
    reads[0]?.resolve(0);
    await expect(first).resolves.toEqual({ value: 0, done: false });
    expect(started).toEqual([0, 1, 2, 3]);
    reads[1]?.resolve(1);
    reads[2]?.reject(new Error('not awaited yet, not unhandled'));
    reads[3]?.resolve(3);
    await iterator.return(undefined);

    expect(signals.every((signal) => signal.aborted)).toBe(true);
    expect(started).toEqual([0, 1, 2, 3]);
  });

  it('ends with the error of a read that fails, in its turn', async () => {
    const read = async (i: number) => {
      if (i === 2) throw new Error('read 2 failed');
      return i;
    };
    const results: number[] = [];

    const run = async () => {
      for await (const result of readInOrder([0, 1, 2, 3], 2, read)) results.push(result);
    };

    await expect(run()).rejects.toThrow('read 2 failed');
    expect(results).toEqual([0, 1]);
  });
});

describe('logFileChunks', () => {
  const entries = ['a', 'b', 'c', 'd'].map((id) => ({ id, name: `dir/${id}.json` }));
  const read = async (entry: { id: string }) => ({ records: [], bytes: entry.id.length });

  it('yields one chunk per entry with the resume state after it, starting after a saved state', async () => {
    const all: unknown[] = [];
    for await (const chunk of logFileChunks(entries, undefined, 2, read)) all.push(chunk);
    const rest: string[] = [];
    for await (const chunk of logFileChunks(entries, { after: 'b' }, 2, read))
      rest.push(chunk.name);

    expect(all).toEqual(
      entries.map((e) => ({ name: e.name, records: [], bytes: 1, resume: { after: e.id } })),
    );
    expect(rest).toEqual(['dir/c.json', 'dir/d.json']);
  });

  it('refuses a resume state that is not a log-file source’s', () => {
    expect(resumeAfter(null)).toBeUndefined();
    expect(resumeAfter({ after: 'k' })).toBe('k');
    expect(() => resumeAfter({ page: 4 })).toThrow(BackfillSetupError);
    expect(() => resumeAfter('k')).toThrow(BackfillSetupError);
  });
});

describe('log file names and the window', () => {
  const name =
    'AWSLogs/111122223333/CloudTrail/eu-west-1/2026/11/20/111122223333_CloudTrail_eu-west-1_20261120T0305Z_a1b2c3d4e5f6g7h8.json.gz';

  it('reads the delivery time from a CloudTrail name', () => {
    expect(logFileDeliveredAt(name)).toEqual(new Date('2026-11-20T03:05:00Z'));
    expect(logFileDeliveredAt('logs/export.json.gz')).toBeUndefined();
  });

  it('keeps files delivered up to an hour outside the window, and files without a time', () => {
    const from = new Date('2026-11-20T04:05:00Z');
    const to = new Date('2026-11-20T05:00:00Z');

    expect(deliveredInWindow(name, from, to)).toBe(true);
    expect(deliveredInWindow(name, new Date('2026-11-20T04:05:01Z'), to)).toBe(false);
    expect(deliveredInWindow(name, undefined, new Date('2026-11-20T02:05:00Z'))).toBe(true);
    expect(deliveredInWindow(name, undefined, new Date('2026-11-20T02:04:59Z'))).toBe(false);
    expect(deliveredInWindow('export.json', from, to)).toBe(true);
  });

  it('lists the UTC day folders from the first day to an hour after the end', () => {
    expect(
      windowDayFolders(new Date('2026-12-30T22:00:00Z'), new Date('2027-01-01T12:00:00Z')),
    ).toEqual(['2026/12/30', '2026/12/31', '2027/01/01']);
    expect(
      windowDayFolders(new Date('2026-11-20T00:00:00Z'), new Date('2026-11-20T23:30:00Z')),
    ).toEqual(['2026/11/20', '2026/11/21']);
    expect(
      windowDayFolders(new Date('2026-11-21T00:00:00Z'), new Date('2026-11-20T00:00:00Z')),
    ).toEqual([]);
  });
});
