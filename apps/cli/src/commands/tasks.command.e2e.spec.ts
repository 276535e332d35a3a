/**
 * `ecslog tasks` end to end, the real binary over the local store: a range, `--at` and
 * `--running` list the runs ACTIVE then — a task started 10 days ago and still running is in
 * `--since 1h` and at any instant since; a task that ran from day 1 to day 5 is in a day-3 window;
 * one that stopped before the window is not — and `--json` adds each run's own fields under `run`.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import type { AuditRecord } from '@ecslog/ecs-event-mapper';
import type { TaskFacts } from '@ecslog/ecs-event-mapper/testing';
import { taskFactsArb, taskLifecycleEvents } from '@ecslog/ecs-event-mapper/testing';
import type { RunJson } from './query-support';
import { parseRecords, runEcslog } from '../testing/run-ecslog';

jest.setTimeout(120_000);

const HOUR = 3_600_000;
const DAY = 86_400_000;
const NOW = Date.now();
/** UTC midnight 20 days ago: day 1 of the stopped tasks is the day after. */
const DAY_0 = Math.floor(NOW / DAY) * DAY - 20 * DAY;
const dateOf = (ms: number) => new Date(ms).toISOString().slice(0, 10);

/** One task's facts (a realistic sample, seeded), in cluster `prod`, group `service:api`. */
function taskFacts(taskId: string, overrides: Partial<TaskFacts>): TaskFacts {
  const [sample] = fc.sample(taskFactsArb, { seed: 16, numRuns: 1 }) as [TaskFacts];
  return {
    ...sample,
    region: 'eu-west-1',
    account: '111122223333',
    clusterName: 'prod',
    group: 'service:api',
    serviceName: 'api',
    startedBy: 'ecs-svc/1234567890123456789',
    launchType: 'FARGATE',
    capacityProviderName: undefined,
    taskId,
    pullMs: 2_000,
    pendingMs: 30_000,
    stopCode: 'UserInitiated',
    stoppedReason: 'Scaling activity initiated by (deployment ecs-svc/1234567890123456789)',
    ...overrides,
  };
}

/** Every state change of the task, as ECS Task State Change events. */
function lifecycle(facts: TaskFacts): Record<string, unknown>[] {
  const ids = Array.from({ length: 8 }, (_, i) => `${facts.taskId.slice(0, 24)}-0000-${i}`);
  return taskLifecycleEvents(facts, ids).map(({ event }) => event);
}

/** Started 10 days ago, still RUNNING. */
const LONG_RUNNING = 'a0000000000000000000000000000001';
/** Created on day 1 at 03:00, stopped on day 5 at 02:00. */
const DAY_1_TO_5 = 'b0000000000000000000000000000002';
/** Created on day 1 at 01:00, stopped on day 2 at 00:00: before day 3. */
const BEFORE_DAY_3 = 'c0000000000000000000000000000003';

const EVENTS = [
  ...lifecycle(taskFacts(LONG_RUNNING, { createdAtMs: NOW - 10 * DAY, lastStatus: 'RUNNING' })),
  ...lifecycle(
    taskFacts(DAY_1_TO_5, {
      createdAtMs: DAY_0 + DAY + 3 * HOUR,
      lastStatus: 'STOPPED',
      runMs: 4 * DAY - HOUR - 30_000,
    }),
  ),
  ...lifecycle(
    taskFacts(BEFORE_DAY_3, {
      createdAtMs: DAY_0 + DAY + HOUR,
      lastStatus: 'STOPPED',
      runMs: DAY - HOUR - 30_000,
    }),
  ),
];

type RunLine = AuditRecord & { run: RunJson };

describe('ecslog tasks: the runs active in a range, at an instant, or now (end to end)', () => {
  const home = mkdtempSync(join(tmpdir(), 'ecslog-tasks-'));
  const env = { ECSLOG_HOME: home, TZ: 'UTC' };
  const ecslog = (args: readonly string[], stdin?: string) => runEcslog(args, stdin, env);
  /** The task ids `tasks ...args --json` lists, and its lines. */
  async function listed(...args: string[]): Promise<{ ids: string[]; lines: RunLine[] }> {
    const run = await ecslog(['tasks', ...args, '--json']);
    expect({ args, status: run.status, stderr: run.stderr }).toEqual({
      args,
      status: 0,
      stderr: expect.any(String),
    });
    const lines = parseRecords(run.stdout) as RunLine[];
    return { ids: lines.map((line) => line.taskId as string), lines };
  }

  beforeAll(async () => {
    const ingest = await ecslog(
      ['ingest', '-'],
      EVENTS.map((event) => JSON.stringify(event)).join('\n'),
    );
    expect(ingest.stderr).toMatch(new RegExp(`ingested ${EVENTS.length} inputs`));
    expect(ingest.status).toBe(0);
  });
  afterAll(() => rmSync(home, { recursive: true, force: true }));

  it('lists a task started 10 days ago and still running in --since 1h', async () => {
    const { ids, lines } = await listed('--since', '1h');

    expect(ids).toEqual([LONG_RUNNING]);
    expect(lines[0]?.run).toEqual({
      start: new Date(NOW - 10 * DAY).toISOString(),
      end: 'open',
      neverStarted: false,
    });
    expect(lines[0]).toMatchObject({ schemaVersion: 2, lastStatus: 'RUNNING' });
  });

  it('lists it --at any instant since its start, and not before', async () => {
    for (const at of [NOW - 10 * DAY + 1_000, NOW - 7 * DAY - 5 * HOUR, NOW - 2 * HOUR])
      expect(await listed('--at', new Date(at).toISOString())).toMatchObject({
        ids: [LONG_RUNNING],
      });
    expect((await listed('--at', new Date(NOW - 10 * DAY - 60_000).toISOString())).ids).toEqual([]);
  });

  it('lists a task that ran from day 1 to day 5 in a day-3 window, not one that stopped before', async () => {
    const day3 = dateOf(DAY_0 + 3 * DAY);

    const { ids, lines } = await listed('--from', day3, '--to', day3);
    const atDay1 = await listed('--at', new Date(DAY_0 + DAY + 12 * HOUR).toISOString());

    expect(ids).toEqual([DAY_1_TO_5]);
    expect(lines[0]?.run).toEqual({
      start: new Date(DAY_0 + DAY + 3 * HOUR).toISOString(),
      end: 'stopped',
      endTime: new Date(DAY_0 + 5 * DAY + 2 * HOUR).toISOString(),
      neverStarted: false,
    });
    expect(atDay1.ids).toEqual([BEFORE_DAY_3, DAY_1_TO_5]);
  });

  it('lists with --running the open runs only', async () => {
    const run = await ecslog(['tasks', '--running']);

    expect((await listed('--running')).ids).toEqual([LONG_RUNNING]);
    expect(run.stderrLines).toEqual(['1 task run open now']);
    const [header, row] = run.stdout.trimEnd().split('\n') as [string, string];
    expect(header).toMatch(
      /^START \(UTC\) +END +CLUSTER +SERVICE\/FAMILY +TASK +STATUS +OUTCOME +DURATION/,
    );
    expect(row).toMatch(
      new RegExp(
        `^\\S+ \\S+ +running +prod +service:api +${LONG_RUNNING} +RUNNING +in-progress +running 10d00h`,
      ),
    );
  });

  it('shows each run’s end in the table and says what the range was', async () => {
    const from = dateOf(DAY_0 + DAY);
    const run = await ecslog(['tasks', '--from', from, '--to', dateOf(DAY_0 + 6 * DAY)]);

    const rows = run.stdout.trimEnd().split('\n').slice(1);
    expect(rows.map((row) => row.split(/ {2,}/)[1])).toEqual([
      `stopped ${new Date(DAY_0 + 2 * DAY).toISOString().slice(0, 19).replace('T', ' ')}`,
      `stopped ${new Date(DAY_0 + 5 * DAY + 2 * HOUR).toISOString().slice(0, 19).replace('T', ' ')}`,
    ]);
    expect(run.stderrLines).toEqual([
      `2 task runs active between ${from} 00:00:00 and ${dateOf(DAY_0 + 6 * DAY)} 23:59:59 (UTC)`,
    ]);
  });

  it('keeps --status a filter of the runs found', async () => {
    const day3 = dateOf(DAY_0 + 3 * DAY);

    expect((await listed('--from', day3, '--to', day3, '--status', 'RUNNING')).ids).toEqual([]);
    expect((await listed('--since', '30d', '--status', 'STOPPED')).ids).toEqual([
      BEFORE_DAY_3,
      DAY_1_TO_5,
    ]);
  });

  it('answers --at or --running with a range, or with each other, in one line', async () => {
    const cases = [
      [['--at', '2026-11-20T03:12:00Z', '--since', '1h'], 'use either --at or --since, not both'],
      [
        ['--running', '--from', '2026-11-20'],
        '--running lists the runs open now: use it without --from',
      ],
      [
        ['--running', '--at', '2026-11-20'],
        '--running lists the runs open now: use it without --at',
      ],
      [
        ['--at', 'soon'],
        '--at must be a time such as 2026-11-20T03:00:00Z or 2026-11-20, got "soon"',
      ],
    ] as const;
    for (const [args, message] of cases) {
      const run = await ecslog(['tasks', ...args]);
      expect({ args, status: run.status, stderr: run.stderrLines }).toEqual({
        args,
        status: 1,
        stderr: [`ecslog: ${message}`],
      });
    }
  });

  it('says in --help what a range means and what --json adds', async () => {
    const help = (await ecslog(['tasks', '--help'])).stdout.replace(/\s+/g, ' ');

    expect(help).toContain('active at any moment of the time range');
    expect(help).toContain('including runs with no state change inside it');
    expect(help).toContain('--at <time>');
    expect(help).toContain('--running');
    expect(help).toMatch(/with the run's fields added under one key: "run": \{ "start"/);
  });
});
