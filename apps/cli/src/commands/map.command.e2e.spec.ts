/**
 * End-to-end: runs the real binary (`node apps/cli/bin/ecslog.js map …`) once per scenario and
 * checks stdout, stderr and the exit code together. The CLI's contract is to carry mapEvent's
 * results faithfully, so expected records come from mapEvent on the same inputs.
 */
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import type { AuditRecord } from '@ecslog/ecs-event-mapper';
import { mapEvent } from '@ecslog/ecs-event-mapper';
import { fixturePath, loadFixture } from '@ecslog/ecs-event-mapper/testing';
import { EVENTS_DIR, parseRecords, REPO_ROOT, runEcslog } from '../testing/run-ecslog';

const LOG_FILE_GZ =
  'cloudtrail/111122223333_CloudTrail_eu-west-1_20261120T0305Z_a1b2c3d4e5f6g7h8.json.gz';
const SUMMARY =
  /^mapped (\d+) events into (\d+) records; (\d+) ignored; (\d+) invalid(?:; (\d+) unreadable files)?$/;

const events = (name: string) => `${EVENTS_DIR}/${name}`;
const recordsOf = (...inputs: unknown[]): AuditRecord[] =>
  inputs.flatMap((input) => {
    const result = mapEvent(input);
    return result.kind === 'mapped' ? result.records : [];
  });
const lastLine = (lines: string[]) => lines[lines.length - 1];

describe('ecslog map (end to end)', () => {
  let tmp: string;
  beforeAll(async () => {
    tmp = await mkdtemp(join(tmpdir(), 'ecslog-e2e-'));
  });
  afterAll(() => rm(tmp, { recursive: true, force: true }));

  it('maps single-event files; a duplicate delivery gets the same recordId', async () => {
    const run = await runEcslog([
      'map',
      events('eventbridge/task-lifecycle-04-running.json'),
      events('eventbridge/task-lifecycle-04-running-duplicate.json'),
    ]);

    expect(run.status).toBe(0);
    const records = parseRecords(run.stdout);
    expect(records).toHaveLength(2);
    expect(records[0]).toEqual(
      recordsOf(loadFixture('eventbridge/task-lifecycle-04-running.json'))[0],
    );
    expect(records[1]?.recordId).toBe(records[0]?.recordId);
    expect(run.stderrLines).toEqual(['mapped 2 events into 2 records; 0 ignored; 0 invalid']);
  });

  it('maps each element of a JSON array and names ignored ones by index', async () => {
    const batch = [
      loadFixture('eventbridge/task-stopped-oom.json'),
      loadFixture('eventbridge/other-source.json'),
      loadFixture('cloudtrail/runtask-partial-placement.json'),
    ];
    const file = join(tmp, 'batch.json');
    await writeFile(file, JSON.stringify(batch, null, 2));

    const run = await runEcslog(['map', file]);

    expect(run.status).toBe(0);
    expect(parseRecords(run.stdout)).toEqual(recordsOf(...batch));
    expect(run.stderrLines).toEqual([
      `${file}: [1]: ignored: EventBridge source aws.ec2 is not audited`,
      `mapped 2 events into ${recordsOf(...batch).length} records; 1 ignored; 0 invalid`,
    ]);
  });

  it('maps a CloudTrail log file, plain and gzipped alike', async () => {
    const { Records } = loadFixture<{ Records: unknown[] }>('cloudtrail/log-file.json');

    const run = await runEcslog(['map', events('cloudtrail/log-file.json'), events(LOG_FILE_GZ)]);

    expect(run.status).toBe(0);
    const expected = recordsOf(...Records);
    expect(parseRecords(run.stdout)).toEqual([...expected, ...expected]);
    expect(run.stderrLines).toContain(
      `${events(LOG_FILE_GZ)}: Records[2]: ignored: DescribeTasks is a read-only call`,
    );
    expect(run.stderrLines).toContain(
      `${events('cloudtrail/log-file.json')}: Records[2]: ignored: DescribeTasks is a read-only call`,
    );
    expect(lastLine(run.stderrLines)).toMatch(SUMMARY);
  });

  it('maps a LookupEvents response, unwrapping each CloudTrailEvent', async () => {
    const response = loadFixture<{ Events: Array<{ CloudTrailEvent: string }> }>(
      'cloudtrail/lookup-events-response.json',
    );

    const run = await runEcslog(['map', events('cloudtrail/lookup-events-response.json')]);

    expect(run.status).toBe(0);
    const records = parseRecords(run.stdout);
    expect(records).toEqual(recordsOf(...response.Events));
    expect(records.length).toBeGreaterThan(0);
    expect(records.every((record) => record.source === 'cloudtrail')).toBe(true);
    // The unwrapped record maps exactly like the bare CloudTrail record inside it.
    expect(records).toEqual(
      recordsOf(...response.Events.map((e) => JSON.parse(e.CloudTrailEvent))),
    );
  });

  it('reads NDJSON from stdin via -, reports invalid lines by number and quarantines them', async () => {
    const missingTaskArn = loadFixture('eventbridge/task-stopped-oom.json');
    delete (missingTaskArn['detail'] as Record<string, unknown>)['taskArn'];
    const good = loadFixture('eventbridge/deployment-failed.json');
    const ndjson = [JSON.stringify(good), '{"truncated":', '', JSON.stringify(missingTaskArn)].join(
      '\n',
    );
    const invalidOut = join(tmp, 'invalid.ndjson');
    await writeFile(invalidOut, '{"from":"an earlier run"}\n');

    const run = await runEcslog(['map', '--invalid-out', invalidOut, '-'], ndjson);

    expect(run.status).toBe(2);
    expect(parseRecords(run.stdout)).toEqual(recordsOf(good));
    expect(run.stderrLines).toEqual([
      expect.stringMatching(/^<stdin>:2: invalid: is not JSON: .+/),
      '<stdin>:4: invalid: detail.taskArn: is required',
      'mapped 1 events into 1 records; 0 ignored; 2 invalid',
    ]);
    const quarantined = (await readFile(invalidOut, 'utf8'))
      .trimEnd()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(quarantined).toEqual([
      { from: 'an earlier run' },
      {
        position: '<stdin>:2',
        problems: [{ path: '', message: expect.stringMatching(/^is not JSON/) }],
        input: '{"truncated":',
        inputEncoding: 'utf8',
      },
      {
        position: '<stdin>:4',
        problems: [{ path: 'detail.taskArn', message: 'is required' }],
        input: missingTaskArn,
      },
    ]);
  });

  it('reads a directory recursively in sorted order, the same as naming its files', async () => {
    const dirRun = await runEcslog(['map', EVENTS_DIR]);
    const files = ['cloudtrail', 'eventbridge'].flatMap((folder) =>
      readdirSorted(join(REPO_ROOT, EVENTS_DIR, folder)).map((name) => events(`${folder}/${name}`)),
    );
    const filesRun = await runEcslog(['map', ...files]);

    expect(dirRun.status).toBe(0);
    const records = parseRecords(dirRun.stdout);
    expect(records.length).toBeGreaterThan(files.length);
    expect(dirRun.stdout).toBe(filesRun.stdout);
    expect(dirRun.stderr).toBe(filesRun.stderr);
    expect(lastLine(dirRun.stderrLines)).toMatch(/; 0 invalid$/);
    // Every ignored input is named by its file (and record, inside a log file).
    for (const line of dirRun.stderrLines.slice(0, -1)) {
      expect(line).toMatch(
        new RegExp(`^${EVENTS_DIR}/.+\\.json(\\.gz)?(: Records\\[\\d+\\])?: ignored: `),
      );
    }
  });

  it('reports unreadable files, keeps going, and exits 1 even when inputs are also invalid', async () => {
    const corruptGz = join(tmp, 'corrupt.json.gz');
    const binary = join(tmp, 'binary.json');
    const invalid = join(tmp, 'invalid.json');
    const emptyDir = join(tmp, 'empty-dir');
    await writeFile(
      corruptGz,
      gzipSync(readFileSync(fixturePath('cloudtrail/log-file.json'))).subarray(0, 64),
    );
    await writeFile(binary, Buffer.from([0x7b, 0xc3, 0x28, 0xff, 0x7d]));
    await writeFile(invalid, '{"source":"aws.ecs","detail-type":"ECS Task State Change"}');
    await mkdir(emptyDir);

    const run = await runEcslog([
      'map',
      'missing.json',
      corruptGz,
      emptyDir,
      binary,
      invalid,
      events('eventbridge/task-stopped-oom.json'),
    ]);

    expect(run.status).toBe(1);
    expect(parseRecords(run.stdout)).toEqual(
      recordsOf(loadFixture('eventbridge/task-stopped-oom.json')),
    );
    expect(run.stderrLines).toEqual([
      'ecslog: cannot read missing.json: no such file',
      expect.stringMatching(new RegExp(`^ecslog: cannot read ${corruptGz}: corrupt gzip: `)),
      // Bytes that are not UTF-8 are an invalid input, kept, not a file that cannot be read.
      `${binary}: invalid: is not UTF-8 text (kept as base64)`,
      expect.stringMatching(new RegExp(`^${invalid}: invalid: `)),
      'mapped 1 events into 1 records; 0 ignored; 2 invalid; 2 unreadable files',
    ]);
  });

  it('stops quietly when the reader closes the pipe (| head -1)', async () => {
    const running = loadFixture('eventbridge/task-lifecycle-04-running.json');
    const many = join(tmp, 'many.ndjson');
    // Far more output than a pipe buffers, so writes fail with EPIPE once head has exited.
    const line = JSON.stringify(running);
    await writeFile(many, `${line}\n`.repeat(3000));
    const script = `node apps/cli/bin/ecslog.js map '${many}' | head -1; exit \${PIPESTATUS[0]}`;

    const run = runShell(script);

    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    expect(parseRecords(run.stdout)).toHaveLength(1);
  });
});

function readdirSorted(dir: string): string[] {
  return readdirSync(dir).sort();
}

/** bash, for a real pipe into `head`; PIPESTATUS gives ecslog's own exit code. */
function runShell(script: string) {
  const result = spawnSync('bash', ['-c', script], { cwd: REPO_ROOT, encoding: 'utf8' });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}
