/**
 * End-to-end: inputs that used to sink a whole run — one line nested 5,000 levels deep before
 * 2,000 valid events (a stack overflow: exit 1, nothing stored), one line that is not UTF-8 (the
 * whole file refused) — through the real binary: `ecslog map --invalid-out` and `ecslog ingest`
 * into a temporary local store.
 */
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseQuarantineEntry } from '@ecslog/ingest-pipeline';
import { simulateEvents } from '@ecslog/simulator';
import { parseRecords, runEcslog } from '../testing/run-ecslog';

/** The input: a 10 KB line nested 5,000 levels deep. */
const DEEP_LINE = `{"source":"aws.ecs","detail-type":"ECS Task State Change","detail":${'['.repeat(5_000)}${']'.repeat(5_000)}}`;
/** `{"a":"é"}` in Latin-1: not UTF-8. */
const LATIN1_LINE = Buffer.from([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xe9, 0x22, 0x7d]);

describe('inputs that cannot sink a run (end to end)', () => {
  let tmp: string;
  let deepFile: string;
  let latin1File: string;
  let valid: string[];
  beforeAll(async () => {
    tmp = await mkdtemp(join(tmpdir(), 'ecslog-limits-'));
    valid = simulateEvents({ events: 2_000, seed: 14 }).map((event) => JSON.stringify(event));
    deepFile = join(tmp, 'deep-first.ndjson');
    await writeFile(deepFile, [DEEP_LINE, ...valid].join('\n') + '\n');
    latin1File = join(tmp, 'latin1.ndjson');
    await writeFile(
      latin1File,
      Buffer.concat([Buffer.from(`${valid[0]}\n`), LATIN1_LINE, Buffer.from(`\n${valid[1]}\n`)]),
    );
  });
  afterAll(() => rm(tmp, { recursive: true, force: true }));

  it('map --invalid-out: quarantines the deep line with its original text, maps the 2,000 others', async () => {
    expect(DEEP_LINE.length).toBeGreaterThan(10_000);
    const invalidOut = join(tmp, 'invalid-deep.ndjson');

    const run = await runEcslog(['map', '--invalid-out', invalidOut, deepFile]);

    expect(run.status).toBe(2);
    expect(parseRecords(run.stdout)).toHaveLength(2_000);
    expect(run.stderrLines).toEqual([
      `${deepFile}:1: invalid: is nested deeper than 64 levels`,
      'mapped 2000 events into 2000 records; 0 ignored; 1 invalid',
    ]);
    const lines = (await readFile(invalidOut, 'utf8')).trimEnd().split('\n');
    expect(lines.map((line) => JSON.parse(line) as unknown)).toEqual([
      {
        position: `${deepFile}:1`,
        problems: [{ path: '', message: 'is nested deeper than 64 levels' }],
        input: DEEP_LINE,
        inputEncoding: 'utf8',
      },
    ]);
  }, 60_000);

  it('ingest: quarantines the deep line alone, lean and whole, and stores the 2,000 others', async () => {
    const home = join(tmp, 'home-deep');

    const run = await runEcslog(['ingest', '--retention-days', '3650', deepFile], undefined, {
      ECSLOG_HOME: home,
    });

    expect(run.stderrLines).toContainEqual(
      `${deepFile}:1: invalid: is nested deeper than 64 levels (quarantined)`,
    );
    expect(run.stderr).toMatch(/\b2000 mapped\b/);
    expect(run.stderr).not.toMatch(/RangeError|stack size/);
    expect(run.status).toBe(2); // 2: some input invalid, and nothing left unstored
    expect((await readdir(home)).filter((name) => name.startsWith('unwritten-'))).toEqual([]);
    const held = (await readFile(join(home, 'quarantine.ndjson'), 'utf8')).trimEnd().split('\n');
    expect(held).toHaveLength(1);
    expect(parseQuarantineEntry(held[0] as string)).toEqual({
      source: 'kinesis',
      receivedAt: expect.any(String),
      reason: 'is nested deeper than 64 levels',
      problems: [{ path: '', message: 'is nested deeper than 64 levels' }],
      payload: DEEP_LINE,
      payloadEncoding: 'utf8',
      // Locally the Kinesis ids are made up: the position is what finds the input.
      origin: { position: `${deepFile}:1` },
    });
    // The original once (a JSON string), its position, and ≤ 200 bytes: receivedAt, the problem.
    expect(Buffer.byteLength(held[0] as string)).toBeLessThanOrEqual(
      JSON.stringify(DEEP_LINE).length + deepFile.length + 200,
    );
  }, 120_000);

  it('map: keeps a line that is not UTF-8 as base64 with its line number; the other lines map', async () => {
    const invalidOut = join(tmp, 'invalid-latin1.ndjson');

    const run = await runEcslog(['map', '--invalid-out', invalidOut, latin1File]);

    expect(run.status).toBe(2);
    expect(parseRecords(run.stdout)).toHaveLength(2);
    expect(run.stderrLines).toEqual([
      `${latin1File}:2: invalid: is not UTF-8 text (kept as base64)`,
      'mapped 2 events into 2 records; 0 ignored; 1 invalid',
    ]);
    expect(JSON.parse(await readFile(invalidOut, 'utf8'))).toEqual({
      position: `${latin1File}:2`,
      problems: [{ path: '', message: 'is not UTF-8 text (kept as base64)' }],
      input: LATIN1_LINE.toString('base64'),
      inputEncoding: 'base64',
    });
  }, 60_000);

  it('ingest: quarantines a line that is not UTF-8 with its original bytes', async () => {
    const home = join(tmp, 'home-latin1');

    const run = await runEcslog(['ingest', '--retention-days', '3650', latin1File], undefined, {
      ECSLOG_HOME: home,
    });

    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(/\b2 mapped\b/);
    const held = (await readFile(join(home, 'quarantine.ndjson'), 'utf8')).trimEnd().split('\n');
    expect(held.map((line) => parseQuarantineEntry(line))).toEqual([
      expect.objectContaining({
        payload: LATIN1_LINE.toString('base64'),
        payloadEncoding: 'base64',
        origin: { position: `${latin1File}:2` },
      }),
    ]);
  }, 120_000);
});
