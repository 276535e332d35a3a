/**
 * `ecslog backfill` end to end: the real binary (the CLI delegating to this app) over a folder of
 * CloudTrail log files into the local store of a temporary $ECSLOG_HOME; a second run writes
 * nothing; the CLI then finds what was backfilled; errors are one line.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildCloudTrailLogFiles, ecslog, writeCloudTrailLogFiles } from './testing';

jest.setTimeout(120_000);

describe('ecslog backfill (end to end)', () => {
  const home = mkdtempSync(join(tmpdir(), 'ecslog-backfill-home-'));
  const logs = join(home, 'logs');
  const env = { ECSLOG_HOME: home };
  const day = (offset: number) =>
    new Date(Date.now() - offset * 86_400_000).toISOString().slice(0, 10);

  beforeAll(async () => {
    await writeCloudTrailLogFiles(
      logs,
      buildCloudTrailLogFiles({ seed: 5, days: [day(2), day(1)], filesPerDay: 2 }),
    );
  });
  afterAll(() => rmSync(home, { recursive: true, force: true }));

  it('maps and reports in a dry run, as JSON, writing nothing', async () => {
    const run = await ecslog(
      ['backfill', '--dir', logs, '--since', '4d', '--dry-run', '--json'],
      env,
    );

    expect(run.status).toBe(0);
    const summary = JSON.parse(run.stdout) as {
      dryRun: boolean;
      tally: { read: number; mapped: number; ignored: number; written: number };
    };
    expect(summary.dryRun).toBe(true);
    expect(summary.tally.read).toBeGreaterThan(0);
    expect(summary.tally.mapped).toBeGreaterThan(0);
    expect(summary.tally.ignored).toBeGreaterThan(0); // the trail's other services and read-only calls
    expect(summary.tally.written).toBe(0);
  });

  it('backfills into the local store, then a second run writes nothing new', async () => {
    const first = await ecslog(['backfill', '--dir', logs, '--since', '4d', '--json'], env);
    const second = await ecslog(['backfill', '--dir', logs, '--since', '4d', '--json'], env);

    expect(first.status).toBe(0);
    const one = JSON.parse(first.stdout) as {
      complete: boolean;
      tally: { records: number; written: number; alreadyPresent: number };
    };
    const two = JSON.parse(second.stdout) as {
      tally: { records: number; written: number; alreadyPresent: number };
    };
    expect(one.complete).toBe(true);
    expect(one.tally.written).toBeGreaterThan(0);
    expect(two.tally.written).toBe(0);
    expect(two.tally.alreadyPresent).toBe(one.tally.written);
  });

  it('prints a summary table by eventName and outcome', async () => {
    const run = await ecslog(['backfill', '--dir', logs, '--since', '4d'], env);

    expect(run.stdout).toMatch(/^already present +\d/m);
    expect(run.stdout).toMatch(/^mapped calls by eventName$/m);
    expect(run.stdout).toMatch(/^ {2}RunTask +\d/m);
    expect(run.stdout).toMatch(/^audit records by outcome$/m);
  });

  it('makes the backfilled calls visible to the CLI', async () => {
    const run = await ecslog(['tasks', '--since', '4d', '--json'], env);

    expect(run.status).toBe(0);
    expect(run.stdout.trim().split('\n').length).toBeGreaterThan(0);
  });

  it('refuses in one line what cannot start', async () => {
    const cases: [string[], RegExp][] = [
      [['backfill', '--dir', join(home, 'no-such-folder')], /^ecslog backfill: .*no-such-folder/],
      [['backfill', '--since', '1d'], /^ecslog backfill: choose exactly one source/],
      [
        ['backfill', '--dir', logs, '--sink', 'kinesis'],
        /^ecslog backfill: --sink kinesis needs --stream NAME$/,
      ],
      [
        ['backfill', '--dir', logs, '--to', 'kinesis'],
        /^ecslog backfill: --to is the window's end \(a time\); the sink is --sink kinesis$/,
      ],
      [
        ['backfill', '--dir', logs, '--since', '1d', '--to', '2026-11-20'],
        /^ecslog backfill: use either --since or --from\/--to, not both$/,
      ],
      [
        ['backfill', '--dir', logs, '--sink', 'sqs'],
        /^error: option '--sink <sink>' argument 'sqs' is invalid\. Allowed choices are store, kinesis\.$/,
      ],
      [
        ['backfill', '--dir', logs, '--resume', '--checkpoint', join(home, 'none.json')],
        /^ecslog backfill: --resume: no checkpoint to resume from/,
      ],
    ];
    for (const [args, message] of cases) {
      const run = await ecslog(args, env);
      expect({ args, status: run.status, stderr: run.stderr.trim().split('\n') }).toEqual({
        args,
        status: 1,
        stderr: [expect.stringMatching(message)],
      });
    }
  });
});
