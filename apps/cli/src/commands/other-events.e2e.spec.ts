/**
 * `ecslog events --other` / `--kind` end to end, the real binary over the local store: ECS events
 * beyond the classic detail-types — a container instance health change, a daemon start failure, and
 * an event of a detail-type nobody models — ingested, then listed, filtered and printed as JSON
 * with their detail; the usage rules of `events` in one line, exit 1.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseRecords, REPO_ROOT, runEcslog, EVENTS_DIR } from '../testing/run-ecslog';

jest.setTimeout(120_000);

const DAY = ['--from', '2026-11-20', '--to', '2026-11-20'];
const fixture = (name: string) =>
  JSON.parse(
    readFileSync(join(REPO_ROOT, EVENTS_DIR, 'eventbridge', `${name}.json`), 'utf8'),
  ) as Record<string, unknown>;

const FUTURE = {
  version: '0',
  id: '1f3e5d7c-9b2a-4c6e-8d0f-2a4c6e8f0b1d',
  'detail-type': 'ECS Something New',
  source: 'aws.ecs',
  account: '444455556666',
  time: '2026-11-20T20:00:00Z',
  region: 'us-east-1',
  resources: ['arn:aws:ecs:us-east-1:444455556666:task/batch/0a1b2c3d4e5f60718293a4b5c6d7e8f9'],
  detail: { clusterArn: 'arn:aws:ecs:us-east-1:444455556666:cluster/batch', newField: { n: 1 } },
};

describe('ecslog events --other (end to end)', () => {
  const home = mkdtempSync(join(tmpdir(), 'ecslog-other-events-'));
  const env = { ECSLOG_HOME: home, TZ: 'UTC' };
  const ecslog = (args: readonly string[], stdin?: string) => runEcslog(args, stdin, env);

  beforeAll(async () => {
    const events = [
      fixture('container-instance-health-gpu-impaired'),
      fixture('daemon-service-action-task-creation-failed'),
      fixture('service-action-placement-failure'),
      FUTURE,
    ];
    const ingest = await ecslog(['ingest', '-'], events.map((e) => JSON.stringify(e)).join('\n'));
    expect(ingest.stderr).toMatch(/ingested 4 inputs/);
    expect(ingest.status).toBe(0);
  });
  afterAll(() => rmSync(home, { recursive: true, force: true }));

  it('lists the health change, the daemon failure and the unmodelled event, oldest first, not the service action', async () => {
    const run = await ecslog(['events', '--other', ...DAY]);

    expect(run.status).toBe(0);
    const rows = run.stdout
      .trimEnd()
      .split('\n')
      .map((line) => line.split(/ {2,}/));
    expect(rows[0]).toEqual(['TIME (UTC)', 'CLUSTER', 'KIND', 'RESOURCE', 'OUTCOME', 'SUMMARY']);
    expect(rows.slice(1).map((row) => row.slice(0, 5))).toEqual([
      [
        '2026-11-20 11:02:07',
        'batch',
        'ECS Container Instance Health Change',
        'container-instance/batch/5c0e7a2b9f4d41e6b8a3d1c7e2f09b54',
        'failed: infrastructure',
      ],
      [
        '2026-11-20 15:21:00',
        'batch',
        'ECS Daemon Service Action',
        'daemon/batch/log-router',
        'failed: placement',
      ],
      [
        '2026-11-20 20:00:00',
        'batch',
        'ECS Something New',
        'task/batch/0a1b2c3d4e5f60718293a4b5c6d7e8f9',
        'info',
      ],
    ]);
    expect(run.stderr).toMatch(
      /^3 other ECS events \(ECS Container Instance Health Change 1, ECS Daemon Service Action 1, ECS Something New 1\) /m,
    );
  });

  it('--kind: only that detail-type (any case); --json keeps the detail verbatim', async () => {
    const run = await ecslog(['events', '--kind', 'ecs something new', '--json', ...DAY]);

    expect(run.status).toBe(0);
    const records = parseRecords(run.stdout);
    expect(records.map((r) => [r.recordType, r.detailType])).toEqual([
      ['ecs-event', 'ECS Something New'],
    ]);
    expect(JSON.parse(records[0]?.detail ?? '')).toEqual(FUTURE.detail);
    expect(run.stderr).toMatch(/^1 ecs something new event /m);
  });

  it('--cluster narrows; a day without such events lists none', async () => {
    const elsewhere = await ecslog(['events', '--other', '--cluster', 'prod-web', ...DAY]);
    const dayAfter = await ecslog([
      'events',
      '--other',
      '--from',
      '2026-11-21',
      '--to',
      '2026-11-21',
    ]);

    expect([elsewhere.status, elsewhere.stdout]).toEqual([0, '']);
    expect(elsewhere.stderr).toMatch(/^0 other ECS events /m);
    expect([dayAfter.status, dayAfter.stdout]).toEqual([0, '']);
  });

  it('asks for --service or --other in one line, and refuses both', async () => {
    const neither = await ecslog(['events', ...DAY]);
    const both = await ecslog(['events', '--service', 'web', '--other', ...DAY]);

    expect(neither.status).toBe(1);
    expect(neither.stderrLines[0]).toBe(
      "error: required option '--service <name>' not specified (or --other, --kind)",
    );
    expect(both.status).toBe(1);
    expect(both.stderrLines[0]).toBe(
      'error: --service and --other/--kind list different events: give one',
    );
  });
});
