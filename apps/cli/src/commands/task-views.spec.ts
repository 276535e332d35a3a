/**
 * The human views of `ecslog tasks` and `ecslog task` over history known only by API calls (as a
 * CloudTrail backfill leaves it): they say what the calls tell, not what the calls answered; and
 * every human view over event text that would drive a terminal shows that text escaped.
 */
import type { AuditRecord } from '@ecslog/ecs-event-mapper';
import { fixtureRecords, mappedRecords } from '@ecslog/ecs-event-mapper/testing';
import { groupFailures, taskRunOf, toTaskRuns } from '@ecslog/task-runs';
import type { TaskRun } from '@ecslog/task-runs';
import { hostileEvents, RAW_CONTROLS } from '../testing/hostile-events';
import { renderServiceEvents } from './events.run';
import { renderFailureGroups } from './failures.run';
import { inVersionOrder, renderTimeline } from './task.run';
import { renderRuns } from './tasks.run';

const RUNTASK_SUCCESS = fixtureRecords('cloudtrail/runtask-success.json');
/** A StopTask call about the first task RUNTASK_SUCCESS started. */
const STOP_CALL = fixtureRecords('cloudtrail/stoptask.json');
const STOPPED_TASK = (STOP_CALL[0] as AuditRecord).taskId as string;
const UTC = { utc: true };
/** The tables' "now", for the duration of open runs. */
const NOW = Date.parse('2026-11-20T06:00:05Z');
const TABLE = { ...UTC, now: NOW };

/** The table's rows as cells, by task id (cells are separated by two or more spaces). */
function rowsByTask(table: string): Map<string, string[]> {
  const rows = table
    .trimEnd()
    .split('\n')
    .slice(1)
    .map((line) => line.split(/ {2,}/));
  return new Map(rows.map((cells) => [cells[4] as string, cells]));
}

describe('ecslog tasks: runs known only by API calls', () => {
  const rows = rowsByTask(renderRuns(toTaskRuns([...RUNTASK_SUCCESS, ...STOP_CALL]), TABLE));

  it('shows a task stopped by a StopTask call as stopped then, with no last status', () => {
    const [, end, , , , status, outcome, duration, summary] = rows.get(STOPPED_TASK) as string[];

    expect([end, status, outcome]).toEqual(['stopped 2026-11-20 03:02:11', '-', 'stopped']);
    // Created 03:00:05 (the RunTask answer), stop asked for at 03:02:11.
    expect(duration).toBe('2m06s');
    expect(summary).toMatch(/^StopTask by .* stopped task \w+: Manual stop for maintenance$/);
  });

  it('does not call a task known only by its RunTask call in progress or PENDING', () => {
    const started = [...rows].filter(([task]) => task !== STOPPED_TASK);

    expect(started).toHaveLength(RUNTASK_SUCCESS.length - 1);
    for (const [, [, end, , , , status, outcome, duration, summary]] of started) {
      expect([end, status, outcome, duration]).toEqual(['end not recorded', '-', 'info', '-']);
      expect(summary).toMatch(
        /^RunTask by .* started task \w+ \(nightly-report:14\); no state change of the task is recorded after the call$/,
      );
    }
  });
});

describe('ecslog tasks: the end of each run, explicit', () => {
  const running = fixtureRecords('eventbridge/task-lifecycle-04-running.json')[0] as AuditRecord;
  const stopped = fixtureRecords('eventbridge/task-stopped-oom.json')[0] as AuditRecord;
  const neverStarted = fixtureRecords(
    'cloudtrail/runtask-placement-failure-only.json',
  )[0] as AuditRecord;
  const cells = (run: TaskRun, now = NOW) =>
    renderRuns([run], { ...UTC, now })
      .trimEnd()
      .split('\n')[1]
      ?.split(/ {2,}/) as string[];

  it('says an open run is running, its duration up to now', () => {
    const run = taskRunOf(running) as TaskRun;
    const [, end, , , , , , duration] = cells(
      run,
      Date.parse(run.startTime) + 3 * 3_600_000 + 60_000,
    );

    expect([end, duration]).toEqual(['running', 'running 3h01m']);
  });

  it('says when a stopped run stopped, and that a placement failure never started', () => {
    const [, stoppedEnd] = cells(taskRunOf(stopped) as TaskRun);
    const [, notStartedEnd, , , , status] = cells(taskRunOf(neverStarted) as TaskRun);

    expect(stoppedEnd).toMatch(/^stopped \d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/);
    expect([notStartedEnd, status]).toEqual(['never started', 'NOT STARTED']);
  });

  it('names the kind of an expected-churn stop beside its outcome, as it names a failure category', () => {
    const scaledIn = fixtureRecords('eventbridge/task-lifecycle-07-stopped.json')[0] as AuditRecord;
    const [, , , , , , churnOutcome] = cells(taskRunOf(scaledIn) as TaskRun);
    const [, , , , , , failedOutcome] = cells(taskRunOf(stopped) as TaskRun);

    expect([churnOutcome, failedOutcome]).toEqual(['stopped: scale-in', 'failed: out-of-memory']);
  });

  it('says when a later writer closed a run, and lasts from its start to the closure', () => {
    const run = taskRunOf(running) as TaskRun;
    const at = new Date(Date.parse(run.startTime) + 42 * 60_000).toISOString();
    const [, end, , , , , , duration] = cells(
      taskRunOf(running, { at, reason: 'task gone' }) as TaskRun,
    );

    expect(end).toBe(`closed ${at.slice(0, 19).replace('T', ' ')}`);
    expect(duration).toBe('42m00s');
  });
});

describe('ecslog task: a task known only by API calls', () => {
  const stopped = RUNTASK_SUCCESS.filter((r) => r.taskId === STOPPED_TASK);
  const view = renderTimeline(inVersionOrder([...stopped, ...STOP_CALL]), UTC);
  const field = (name: string) =>
    new RegExp(`^${name}: +(.*)$`, 'm').exec(view)?.[1] as string | undefined;

  it('says no state change is recorded rather than what the last call answered', () => {
    expect(field('Status')).toBe('no state change recorded, only the API calls above');
    expect(field('RunTask')).toMatch(/ at 2026-11-20 03:00:05$/);
    expect(field('StopTask')).toMatch(
      /^arn:aws:iam::111122223333:user\/dana\.ops at 2026-11-20 03:02:11$/,
    );
  });

  it("gives the run's outcome and end, not the last call's", () => {
    expect(field('End')).toBe('stopped 2026-11-20 03:02:11');
    expect(field('Outcome')).toBe('stopped');
    expect(field('Summary')).toMatch(/: Manual stop for maintenance$/);
  });
});

describe('ecslog task: the run as the store holds it', () => {
  const running = fixtureRecords('eventbridge/task-lifecycle-04-running.json');
  const field = (view: string, name: string) =>
    new RegExp(`^${name}: +(.*)$`, 'm').exec(view)?.[1] as string | undefined;

  it('says an open run has no end yet, and a closed one when and why it was closed', () => {
    const run = taskRunOf(running[0] as AuditRecord) as TaskRun;
    const at = new Date(Date.parse(run.startTime) + 60_000).toISOString();
    const closed = taskRunOf(running[0] as AuditRecord, { at, reason: 'task gone from ECS' });

    expect(field(renderTimeline(running, UTC), 'End')).toBe('running (no end recorded yet)');
    expect(field(renderTimeline(running, UTC, closed), 'End')).toBe(
      `closed ${at.slice(0, 19).replace('T', ' ')} (task gone from ECS)`,
    );
    expect(field(renderTimeline(running, UTC, closed), 'Summary')).toMatch(/task gone from ECS/);
  });
});

describe('human views of event text with terminal escapes and bidi overrides', () => {
  const records = hostileEvents(Date.parse('2026-11-20T03:00:00Z')).flatMap(mappedRecords);
  const task = records.filter((r) => r.taskId !== undefined);
  const views = {
    tasks: renderRuns(toTaskRuns(records), TABLE),
    task: renderTimeline(inVersionOrder(task), UTC),
    failures: renderFailureGroups(groupFailures(records), UTC),
    events: renderServiceEvents(
      records.filter((r) => r.recordType === 'service-action'),
      UTC,
    ),
  };

  it.each(Object.entries(views))(
    '%s shows no ESC, BEL, CR or U+202E raw, and shows them escaped',
    (_, view) => {
      expect(records.length).toBe(4);
      expect(view).not.toMatch(RAW_CONTROLS);
      expect(view).toContain('maintenance\\x1b[2J\\x1b]0;ecslog: all clear\\x07');
      expect(view).toContain('\\u202edesab');
    },
  );

  it('task shows the stopped reason whole, its carriage return as \\r', () => {
    expect(views.task).toMatch(
      /^Stopped reason: +maintenance.*\\rall tasks succeeded\\u202edesab$/m,
    );
  });
});
