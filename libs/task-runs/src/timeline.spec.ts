import fc from 'fast-check';
import type { AuditRecord } from '@ecslog/ecs-event-mapper';
import { FAILURE_CATEGORIES } from '@ecslog/ecs-event-mapper';
import type { TaskFacts } from '@ecslog/ecs-event-mapper/testing';
import {
  envelopeOf,
  fixtureRecords,
  mappedRecords,
  runTaskRecordArb,
  runTaskRecordOf,
  TASK_LIFECYCLE_FIXTURES,
  taskArnOf,
  taskDetailOf,
  taskFactsArb,
} from '@ecslog/ecs-event-mapper/testing';
import type { TaskRun } from './task-runs';
import { isActiveDuring, runSpanOf, taskRunOf, toTaskRuns } from './task-runs';
import type { Phase, PhaseKind, Timeline, TimelineRange, TimelineRun } from './timeline';
import { packTimeline, phasesOf, toTimeline, unpackTimeline } from './timeline';

const ms = (iso: string) => Date.parse(iso);
const HOUR = 3_600_000;

const OOM = fixtureRecords('eventbridge/task-stopped-oom.json');
const IMAGE_PULL = fixtureRecords('eventbridge/task-stopped-image-pull.json');
const PLACEMENT_ONLY = fixtureRecords('cloudtrail/runtask-placement-failure-only.json');
const PARTIAL = fixtureRecords('cloudtrail/runtask-partial-placement.json');
const SUCCEEDED = fixtureRecords('eventbridge/task-stopped-succeeded.json');
const RUNTASK_SUCCESS = fixtureRecords('cloudtrail/runtask-success.json');
/** A StopTask call, later, about the first task RUNTASK_SUCCESS started. */
const STOP_CALL = fixtureRecords('cloudtrail/stoptask.json');
const LIFECYCLE = TASK_LIFECYCLE_FIXTURES.map(fixtureRecords);
/** Version 4 of the lifecycle: the web task RUNNING, not stopped yet. */
const RUNNING = LIFECYCLE[3] as AuditRecord[];
/** Version 7: the same task STOPPED at 09:15:06.587. */
const STOPPED = LIFECYCLE[6] as AuditRecord[];

/** A day ending at noon on the day the fixtures happen; `now` is that noon too. */
const DAY: TimelineRange = { from: '2026-11-19T12:00:00.000Z', to: '2026-11-20T12:00:00.000Z' };
const NOON = ms(DAY.to);
/** A day around the CloudTrail fixtures' calls. */
const CALLS_DAY: TimelineRange = {
  from: '2026-11-20T00:00:00.000Z',
  to: '2026-11-21T00:00:00.000Z',
};

const only = <T>(items: readonly T[]): T => {
  expect(items).toHaveLength(1);
  return items[0] as T;
};

// ---------------------------------------------------------------------------------------------
// Generated records: tasks of a few services and task families of two clusters, created within
// three hours, so that runs of one group overlap; and RunTask calls whose placement failed.

const T0 = ms('2026-11-20T00:00:00.000Z');
const ACCOUNT = '111122223333';
const REGION = 'eu-west-1';
const CLUSTERS = ['prod-web', 'batch'] as const;
const OWNERS = [
  { group: 'service:web', family: 'web', serviceName: 'web' },
  { group: 'service:queue-worker', family: 'queue-worker', serviceName: 'queue-worker' },
  { group: 'family:nightly-report', family: 'nightly-report', serviceName: undefined },
] as const;

/** The records of one Task State Change of a task of {@link OWNERS}, at any point of its life. */
const taskStateChangeRecordsArb = fc
  .record({
    facts: taskFactsArb,
    clusterName: fc.constantFrom(...CLUSTERS),
    owner: fc.constantFrom(...OWNERS),
    createdAtMs: fc.integer({ min: T0, max: T0 + 3 * HOUR }),
    runMs: fc.integer({ min: 0, max: 2 * HOUR }),
    eventId: fc.uuid(),
  })
  .map(({ facts, clusterName, owner, createdAtMs, runMs, eventId }) => {
    const task: TaskFacts = {
      ...facts,
      account: ACCOUNT,
      region: REGION,
      clusterName,
      ...owner,
      createdAtMs,
      runMs: facts.runMs === undefined ? undefined : runMs,
    };
    return mappedRecords(
      envelopeOf('ECS Task State Change', taskDetailOf(task), {
        id: eventId,
        account: ACCOUNT,
        region: REGION,
        timeMs: createdAtMs,
        resources: [taskArnOf(task)],
      }),
    );
  });

/** The records of one RunTask call: tasks it started, placements that failed, or an API error. */
const runTaskCallRecordsArb = fc
  .record({
    call: runTaskRecordArb,
    clusterName: fc.constantFrom(...CLUSTERS),
    family: fc.constantFrom('nightly-report', 'web'),
    atMs: fc.integer({ min: T0, max: T0 + 3 * HOUR }),
  })
  .map(({ call, clusterName, family, atMs }) =>
    mappedRecords(
      runTaskRecordOf({
        ...call.facts,
        account: ACCOUNT,
        region: REGION,
        clusterName,
        family,
        atMs,
      }),
    ),
  );

/**
 * Runs of those records; some of the open ones closed by a later writer, at any time from an hour
 * before their start (clamped to it) on.
 */
const runsArb: fc.Arbitrary<TaskRun[]> = fc
  .array(
    fc.oneof(
      { weight: 4, arbitrary: taskStateChangeRecordsArb },
      { weight: 1, arbitrary: runTaskCallRecordsArb },
    ),
    { maxLength: 25 },
  )
  .map((calls) => toTaskRuns(calls.flat()))
  .chain((runs) =>
    fc
      .array(fc.option(fc.integer({ min: -HOUR, max: 6 * HOUR }), { freq: 3 }), {
        minLength: runs.length,
        maxLength: runs.length,
      })
      .map((closeAfter) =>
        runs.map((run, index) => {
          const after = closeAfter[index];
          if (after === undefined || after === null) return run;
          const at = new Date(ms(run.startTime) + after).toISOString();
          return taskRunOf(run.record, { at, reason: 'task not found in ECS' }) as TaskRun;
        }),
      ),
  );

/**
 * The range and `now`, each on its own: the range starting before the tasks began, within them,
 * or within a run's first minutes (its pull, its pending), of any length from an instant on; `now`
 * mostly after the tasks began, sometimes before some.
 */
const clockArb = (runs: readonly TaskRun[]) =>
  fc
    .record({
      fromMs: fc.oneof(
        fc.integer({ min: T0 - 2 * HOUR, max: T0 + 4 * HOUR }),
        runs.length > 0
          ? fc
              .record({
                run: fc.constantFrom(...runs),
                afterMs: fc.integer({ min: 0, max: 120_000 }),
              })
              .map(({ run, afterMs }) => ms(run.startTime) + afterMs)
          : fc.constant(T0),
      ),
      lengthMs: fc.oneof(
        { weight: 1, arbitrary: fc.constant(0) },
        { weight: 1, arbitrary: fc.integer({ min: 0, max: 5 * 60_000 }) },
        { weight: 3, arbitrary: fc.integer({ min: 0, max: 10 * HOUR }) },
      ),
      now: fc.integer({ min: T0, max: T0 + 8 * HOUR }),
    })
    .map(({ fromMs, lengthMs, now }) => ({
      range: {
        from: new Date(fromMs).toISOString(),
        to: new Date(fromMs + lengthMs).toISOString(),
      },
      now,
    }));

const timelineArb = runsArb.chain((runs) =>
  clockArb(runs).map((clock) => ({
    runs,
    ...clock,
    timeline: toTimeline(runs, clock.range, clock.now),
  })),
);

/** What a run is read by: its task ARN, or the failure record of a launch that never started. */
const idOf = (run: TaskRun) => (run.neverStarted ? run.record.recordId : run.record.resourceArn);
const rowOf = (timeline: Timeline, run: TimelineRun) => timeline.rows[run.row];
const bars = (timeline: Timeline) =>
  timeline.runs.filter((run) => !run.neverStarted && !run.endUnknown);
/** What takes a row of its own while it lasts: bars, and start marks (for an instant). */
const rowTakers = (timeline: Timeline) => timeline.runs.filter((run) => !run.neverStarted);
const groupKey = (item: { clusterName: string; group: string }) =>
  JSON.stringify([item.clusterName, item.group]);
const PHASE_ORDER: readonly PhaseKind[] = ['pending', 'pull', 'pending', 'running'];

function isSubsequence<T>(items: readonly T[], of: readonly T[]): boolean {
  let at = 0;
  for (const item of items) {
    while (at < of.length && of[at] !== item) at += 1;
    if (at === of.length) return false;
    at += 1;
  }
  return true;
}

/**
 * Phases in lifecycle order cover start → end back to back, neighbours of different kinds, each of
 * some length when the bar has any.
 */
function expectBackToBackPhases(phases: readonly Phase[], start: number, end: number): void {
  expect(phases.length).toBeGreaterThan(0);
  expect(
    isSubsequence(
      phases.map(([kind]) => kind),
      PHASE_ORDER,
    ),
  ).toBe(true);
  expect(phases[0]?.[1]).toBe(start);
  expect(phases[phases.length - 1]?.[2]).toBe(end);
  phases.forEach(([kind, from, to], index) => {
    if (index > 0) expect(from).toBe(phases[index - 1]?.[2]);
    if (index > 0) expect(kind).not.toBe(phases[index - 1]?.[0]);
    if (end > start) expect(to).toBeGreaterThan(from);
    else expect(to).toBe(from);
  });
}

/** Each run's TaskRun, by its timeline id. */
function taskRunsById(runs: readonly TaskRun[]): Map<string, TaskRun> {
  return new Map(runs.map((run) => [idOf(run), run]));
}

describe('toTimeline: properties', () => {
  it('lists every run active in the range exactly once, and no other, in start order', () => {
    fc.assert(
      fc.property(timelineArb, ({ runs, range, timeline }) => {
        const active = runs.filter((run) => isActiveDuring(run, range));
        expect(timeline.runs.map((run) => run.id).sort()).toEqual(active.map(idOf).sort());
        const byId = taskRunsById(runs);
        for (const run of timeline.runs) {
          const taskRun = byId.get(run.id) as TaskRun;
          expect(run.start).toBe(Math.max(ms(taskRun.startTime), ms(range.from)));
          expect([run.startTime, run.endTime, run.runEnd, run.closure]).toEqual([
            taskRun.startTime,
            taskRun.endTime,
            taskRun.end,
            taskRun.closure,
          ]);
        }
        const starts = timeline.runs.map((run) => run.start);
        expect(starts).toEqual([...starts].sort((a, b) => a - b));
      }),
    );
  });

  it('keeps every bar and mark inside the range, and an open bar not past now nor its last news', () => {
    fc.assert(
      fc.property(timelineArb, ({ runs, range, now, timeline }) => {
        const byId = taskRunsById(runs);
        for (const run of timeline.runs) {
          expect(run.start).toBeGreaterThanOrEqual(ms(range.from));
          expect(run.end).toBeGreaterThanOrEqual(run.start);
          expect(run.end).toBeLessThanOrEqual(ms(range.to));
          const { record } = byId.get(run.id) as TaskRun;
          if (run.open)
            expect(run.end).toBeLessThanOrEqual(Math.max(now, ms(record.eventTime), run.start));
        }
      }),
    );
  });

  it('marks a bar continuing before the range exactly when its run started earlier, and after when it ended later or is open', () => {
    fc.assert(
      fc.property(timelineArb, ({ runs, range, timeline }) => {
        const byId = taskRunsById(runs);
        for (const run of timeline.runs) {
          const span = runSpanOf(byId.get(run.id) as TaskRun);
          if (run.neverStarted || run.endUnknown) {
            expect([run.continuesBefore, run.continuesAfter]).toEqual([false, false]);
            continue;
          }
          expect(run.continuesBefore).toBe(span.start < ms(range.from));
          if (run.continuesBefore) expect(run.start).toBe(ms(range.from));
          expect(run.continuesAfter).toBe(run.open || span.end > ms(range.to));
          if (run.continuesAfter && !run.open) expect(run.end).toBe(ms(range.to));
          if (!run.continuesAfter) expect(run.end).toBe(span.end);
        }
      }),
    );
  });

  it("clips each bar's phases to the range: the run's phases in the range, none wholly outside it", () => {
    fc.assert(
      fc.property(timelineArb, ({ runs, now, timeline }) => {
        // The whole of each run: a range around every run, at the same now.
        const all = {
          from: new Date(T0 - 48 * HOUR).toISOString(),
          to: new Date(T0 + 48 * HOUR).toISOString(),
        };
        const whole = new Map(toTimeline(runs, all, now).runs.map((run) => [run.id, run]));
        for (const bar of bars(timeline)) {
          if (bar.end === bar.start) continue;
          const inRange = (whole.get(bar.id) as TimelineRun).phases
            .map(([kind, from, to]): Phase => [
              kind,
              Math.max(from, bar.start),
              Math.min(to, bar.end),
            ])
            .filter(([, from, to]) => to > from);
          expect(bar.phases).toEqual(inRange);
        }
      }),
    );
  });

  it("keeps each run's outcome and last status, and its record's cluster and service or family", () => {
    fc.assert(
      fc.property(timelineArb, ({ runs, timeline }) => {
        const byId = taskRunsById(runs);
        for (const run of timeline.runs) {
          const { record, outcome, lastStatus } = byId.get(run.id) as TaskRun;
          expect(run.clusterName).toBe(record.clusterName);
          // ECS's group for a task; a failed launch has none, only the family it tried to run.
          expect(run.group).toBe(record.group ?? `family:${record.family}`);
          expect([run.status, run.category, run.summary, run.lastStatus]).toEqual([
            outcome.status,
            outcome.category,
            outcome.summary,
            lastStatus,
          ]);
        }
      }),
    );
  });

  it('lays runs out the same whatever order they come in', () => {
    fc.assert(
      fc.property(
        timelineArb.chain((drawn) =>
          fc
            .shuffledSubarray(drawn.runs, { minLength: drawn.runs.length })
            .map((shuffled) => ({ ...drawn, shuffled })),
        ),
        ({ shuffled, range, now, timeline }) => {
          expect(toTimeline(shuffled, range, now)).toEqual(timeline);
        },
      ),
    );
  });

  it("puts each run on a row of its own group; a group's rows are contiguous, lanes 0..n-1, groups by cluster then name", () => {
    fc.assert(
      fc.property(timelineArb, ({ timeline }) => {
        for (const run of timeline.runs) {
          expect(rowOf(timeline, run)).toMatchObject({
            group: run.group,
            clusterName: run.clusterName,
          });
        }
        timeline.rows.forEach((row, index) => {
          const previous = timeline.rows[index - 1];
          if (previous && groupKey(previous) === groupKey(row)) {
            expect(row.lane).toBe(previous.lane + 1);
          } else {
            expect(row.lane).toBe(0);
            if (previous) {
              const ordered =
                previous.clusterName < row.clusterName ||
                (previous.clusterName === row.clusterName && previous.group < row.group);
              expect(ordered).toBe(true);
            }
          }
        });
        // No empty rows: every row holds a run.
        expect(new Set(timeline.runs.map((run) => run.row)).size).toBe(timeline.rows.length);
      }),
    );
  });

  it('never puts two bars, or start marks, in one row at the same time', () => {
    fc.assert(
      fc.property(timelineArb, ({ timeline }) => {
        const lastEndOfRow = new Map<number, number>();
        for (const bar of rowTakers(timeline)) {
          const previousEnd = lastEndOfRow.get(bar.row);
          if (previousEnd !== undefined) expect(bar.start).toBeGreaterThan(previousEnd);
          lastEndOfRow.set(bar.row, bar.end);
        }
      }),
    );
  });

  it('gives a group as many rows as it has bars and start marks at one time, and no more', () => {
    fc.assert(
      fc.property(timelineArb, ({ timeline }) => {
        const groups = new Set(timeline.rows.map(groupKey));
        for (const key of groups) {
          const ofGroup = rowTakers(timeline).filter((bar) => groupKey(bar) === key);
          // Bars overlap when one starts while another has not ended (touching counts).
          const mostAtOnce = Math.max(
            1,
            ...ofGroup.map(
              (bar) =>
                ofGroup.filter((other) => other.start <= bar.start && bar.start <= other.end)
                  .length,
            ),
          );
          expect(timeline.rows.filter((row) => groupKey(row) === key)).toHaveLength(mostAtOnce);
        }
      }),
    );
  });

  it("shows a launch that never started as a mark on its group's first row, with its failure record", () => {
    fc.assert(
      fc.property(timelineArb, ({ runs, timeline }) => {
        const byId = taskRunsById(runs);
        for (const mark of timeline.runs.filter((run) => run.neverStarted)) {
          const { record } = byId.get(mark.id) as TaskRun;
          expect(mark.id).toBe(record.recordId);
          expect(mark.start).toBe(ms(record.eventTime));
          expect(mark.end).toBe(mark.start);
          expect(mark.phases).toEqual([]);
          expect(mark.open).toBe(false);
          expect(mark.failure).toBe(record);
          expect(rowOf(timeline, mark)?.lane).toBe(0);
        }
        for (const bar of bars(timeline)) expect(bar.failure).toBeUndefined();
      }),
    );
  });

  it('shows a run known only by the call that started it as a mark at its start', () => {
    fc.assert(
      fc.property(timelineArb, ({ runs, timeline }) => {
        const byId = taskRunsById(runs);
        for (const run of timeline.runs) {
          const taskRun = byId.get(run.id) as TaskRun;
          expect(run.endUnknown).toBe(taskRun.knownOnlyBy === 'start-call');
          if (!run.endUnknown) continue;
          expect(run.id).toBe(taskRun.record.resourceArn);
          expect([run.start, run.end]).toEqual([ms(taskRun.startTime), ms(taskRun.startTime)]);
          expect(run.phases).toEqual([]);
          expect(run.open).toBe(false);
          expect(run.failure).toBeUndefined();
        }
      }),
    );
  });

  it('splits each bar into back-to-back phases from its start to its end, in lifecycle order', () => {
    fc.assert(
      fc.property(timelineArb, ({ runs, timeline }) => {
        const byId = taskRunsById(runs);
        for (const bar of bars(timeline)) {
          const { phases } = bar;
          expectBackToBackPhases(phases, bar.start, bar.end);
          const { startedAt } = (byId.get(bar.id) as TaskRun).record;
          if (startedAt !== undefined && ms(startedAt) < bar.end)
            expect(phases[phases.length - 1]?.[0]).toBe('running');
          if (startedAt === undefined)
            expect(phases.map(([kind]) => kind)).not.toContain('running');
        }
      }),
    );
  });

  it('runs an open run to now (or its last news), a stopped or closed run to its end, each clipped at the range end', () => {
    fc.assert(
      fc.property(timelineArb, ({ runs, range, now, timeline }) => {
        const byId = taskRunsById(runs);
        for (const bar of bars(timeline)) {
          const { record, endTime, end } = byId.get(bar.id) as TaskRun;
          expect(bar.open).toBe(end === 'open');
          expect(bar.open).toBe(endTime === undefined);
          // Not before its own (clipped) start, nor after the range's end.
          const runEnd = bar.open ? Math.max(now, ms(record.eventTime)) : ms(endTime as string);
          expect(bar.end).toBe(Math.max(bar.start, Math.min(runEnd, ms(range.to))));
        }
      }),
    );
  });

  it('ends a closed run at its closure, in no colour of an outcome of its own', () => {
    fc.assert(
      fc.property(timelineArb, ({ range, timeline }) => {
        for (const bar of timeline.runs.filter((run) => run.runEnd === 'closed')) {
          const closure = bar.closure as NonNullable<TimelineRun['closure']>;
          expect(bar).toMatchObject({ open: false, status: 'info', endUnknown: false });
          expect(bar.endTime).toBe(closure.at < bar.startTime ? bar.startTime : closure.at);
          expect(bar.end).toBe(
            Math.max(bar.start, Math.min(ms(bar.endTime as string), ms(range.to))),
          );
        }
      }),
    );
  });

  it('lists the failed runs by category, in the documented category order', () => {
    fc.assert(
      fc.property(timelineArb, ({ timeline }) => {
        const failed = timeline.runs.filter((run) => run.status === 'failed');
        expect(timeline.failures.map((entry) => entry.category)).toEqual(
          FAILURE_CATEGORIES.filter((category) => failed.some((run) => run.category === category)),
        );
        for (const { category, runIds } of timeline.failures)
          expect(runIds).toEqual(
            timeline.runs.filter((run) => run.category === category).map((run) => run.id),
          );
        expect(timeline.failures.flatMap((entry) => entry.runIds).sort()).toEqual(
          failed.map((run) => run.id).sort(),
        );
      }),
    );
  });

  it('returns the range it was given', () => {
    fc.assert(
      fc.property(timelineArb, ({ range, timeline }) => {
        expect(timeline.range).toBe(range);
      }),
    );
  });
});

describe('toTimeline: examples', () => {
  it('draws a worker task that was OOM-killed after pulling its image as four phases ending at its stop', () => {
    const oom = only(OOM);

    const timeline = toTimeline(toTaskRuns(OOM), DAY, NOON);

    expect(timeline.rows).toEqual([
      { group: 'service:queue-worker', clusterName: 'prod-web', lane: 0 },
    ]);
    const run = only(timeline.runs);
    expect(run).toMatchObject({
      id: oom.resourceArn,
      taskId: 'b1449e8faf40609955463eb597283364',
      row: 0,
      start: ms('2026-11-19T22:40:17.008Z'), // createdAt
      end: ms('2026-11-20T05:06:41.502Z'), // stoppedAt
      status: 'failed',
      category: 'out-of-memory',
      summary: oom.outcome.summary,
      lastStatus: 'STOPPED',
      neverStarted: false,
      open: false,
    });
    expect(run.phases).toEqual<Phase[]>([
      ['pending', ms('2026-11-19T22:40:17.008Z'), ms('2026-11-19T22:40:33.190Z')],
      ['pull', ms('2026-11-19T22:40:33.190Z'), ms('2026-11-19T22:40:47.611Z')],
      ['pending', ms('2026-11-19T22:40:47.611Z'), ms('2026-11-19T22:40:52.374Z')],
      ['running', ms('2026-11-19T22:40:52.374Z'), ms('2026-11-20T05:06:41.502Z')],
    ]);
    expect(timeline.failures).toEqual([{ category: 'out-of-memory', runIds: [oom.resourceArn] }]);
  });

  it('draws a task whose image could not be pulled without a running phase', () => {
    const pull = only(IMAGE_PULL);

    const run = only(toTimeline(toTaskRuns(IMAGE_PULL), DAY, NOON).runs);

    expect(run.phases).toEqual<Phase[]>([
      ['pending', ms('2026-11-20T10:02:11.730Z'), ms('2026-11-20T10:02:27.009Z')],
      ['pull', ms('2026-11-20T10:02:27.009Z'), ms('2026-11-20T10:02:58.512Z')],
      ['pending', ms('2026-11-20T10:02:58.512Z'), ms('2026-11-20T10:03:22.471Z')],
    ]);
    expect(run).toMatchObject({ status: 'failed', category: 'image-pull', open: false });
    expect(run.id).toBe(pull.resourceArn);
  });

  it('shows a RunTask placement failure as a mark carrying its failure record', () => {
    const failure = only(PLACEMENT_ONLY);
    const range = { from: '2026-11-20T12:00:00.000Z', to: '2026-11-21T12:00:00.000Z' };

    const timeline = toTimeline(toTaskRuns(PLACEMENT_ONLY), range, ms(range.to));

    expect(timeline.rows).toEqual([
      { group: 'family:nightly-report', clusterName: 'batch', lane: 0 },
    ]);
    expect(only(timeline.runs)).toEqual<TimelineRun>({
      id: failure.recordId,
      taskId: undefined,
      clusterName: 'batch',
      group: 'family:nightly-report',
      row: 0,
      start: ms('2026-11-21T03:00:05.000Z'),
      end: ms('2026-11-21T03:00:05.000Z'),
      phases: [],
      status: 'failed',
      category: 'placement',
      summary: failure.outcome.summary,
      lastStatus: undefined,
      neverStarted: true,
      endUnknown: false,
      startTime: '2026-11-21T03:00:05.000Z',
      runEnd: 'not-started',
      continuesBefore: false,
      continuesAfter: false,
      open: false,
      failure,
    });
    expect(timeline.failures).toEqual([{ category: 'placement', runIds: [failure.recordId] }]);
  });

  it('marks the three tasks of a RunTask call known by nothing else at their start, a row each, its failed placements on the first', () => {
    const timeline = toTimeline(toTaskRuns(PARTIAL), DAY, NOON);

    expect(timeline.rows).toEqual(
      [0, 1, 2].map((lane) => ({ group: 'family:nightly-report', clusterName: 'batch', lane })),
    );
    expect(bars(timeline)).toEqual([]);
    // The call answered PENDING: whether they ran, and how it ended, is not recorded.
    const launched = timeline.runs.filter((run) => run.endUnknown);
    expect(launched.map((mark) => mark.row).sort()).toEqual([0, 1, 2]);
    for (const mark of launched) {
      expect(mark).toMatchObject({
        start: ms('2026-11-20T02:45:12.000Z'),
        end: ms('2026-11-20T02:45:12.000Z'),
        status: 'info',
        lastStatus: undefined,
        open: false,
        phases: [],
      });
      expect(mark.summary).toMatch(
        /^RunTask by .* started task .*; no state change of the task is recorded after the call$/,
      );
    }
    const failed = timeline.runs.filter((run) => run.neverStarted);
    expect(failed.map((mark) => mark.row)).toEqual([0, 0]);
    expect(timeline.failures).toEqual([
      { category: 'placement', runIds: failed.map((mark) => mark.id) },
    ]);
  });

  it('ends a run known only by calls at the StopTask call that stopped it, from the start its RunTask call gave', () => {
    const stopCall = only(STOP_CALL);
    const run = only(
      toTimeline(
        toTaskRuns([...RUNTASK_SUCCESS, ...STOP_CALL]),
        CALLS_DAY,
        ms(CALLS_DAY.to),
      ).runs.filter((candidate) => candidate.id === stopCall.resourceArn),
    );

    expect(run).toMatchObject({
      start: ms('2026-11-20T03:00:05.000Z'),
      end: ms(stopCall.eventTime),
      open: false,
      endUnknown: false,
      status: 'stopped',
      summary: stopCall.outcome.summary,
      lastStatus: undefined,
    });
    // The StopTask response told the task's pull and start: the bar shows them.
    expect(run.phases.map(([kind]) => kind)).toContain('running');
  });

  it('runs a task still RUNNING to now, or to the end of a range that ended earlier', () => {
    const createdAt = ms('2026-11-20T03:00:05.123Z');
    const startedAt = ms('2026-11-20T03:00:52.716Z');
    const earlier = ms('2026-11-20T08:00:00.000Z');

    const toNow = only(toTimeline(toTaskRuns(RUNNING), DAY, earlier).runs);
    const toRangeEnd = only(
      toTimeline(toTaskRuns(RUNNING), { from: DAY.from, to: new Date(earlier).toISOString() }, NOON)
        .runs,
    );

    for (const run of [toNow, toRangeEnd]) {
      expect(run).toMatchObject({
        start: createdAt,
        end: earlier,
        open: true,
        endUnknown: false,
        runEnd: 'open',
        continuesBefore: false,
        continuesAfter: true,
      });
      expect(run.phases[run.phases.length - 1]).toEqual(['running', startedAt, earlier]);
    }
  });

  it('ends a task at its stop once it has stopped, however late now is', () => {
    const run = only(toTimeline(toTaskRuns(STOPPED), DAY, NOON + 48 * HOUR).runs);

    expect(run).toMatchObject({ end: ms('2026-11-20T09:15:06.587Z'), open: false });
    expect(run.status).toBe('stopped');
  });

  it('reuses a row once its bar has ended, and opens a second one for a task running alongside', () => {
    // The web task of the lifecycle ran 03:00–09:15; the image pull failure was at 10:02–10:03.
    const afterStop = toTimeline(toTaskRuns([...STOPPED, ...IMAGE_PULL]), DAY, NOON);
    // Seen while still RUNNING, the same task runs to noon, past the image pull failure.
    const whileRunning = toTimeline(toTaskRuns([...RUNNING, ...IMAGE_PULL]), DAY, NOON);

    expect(afterStop.rows).toEqual([{ group: 'service:web', clusterName: 'prod-web', lane: 0 }]);
    expect(afterStop.runs.map((run) => run.row)).toEqual([0, 0]);
    expect(whileRunning.rows.map((row) => row.lane)).toEqual([0, 1]);
    expect(whileRunning.runs.map((run) => [run.taskId, run.row])).toEqual([
      [only(RUNNING).taskId, 0],
      [only(IMAGE_PULL).taskId, 1],
    ]);
  });

  it('orders groups by cluster, then by service or family', () => {
    const records = [...IMAGE_PULL, ...OOM, ...SUCCEEDED, ...PLACEMENT_ONLY];
    const range = { from: '2026-11-19T12:00:00.000Z', to: '2026-11-21T12:00:00.000Z' };

    const timeline = toTimeline(toTaskRuns(records), range, ms(range.to));

    expect(timeline.rows.map((row) => `${row.clusterName} ${row.group}`)).toEqual([
      'batch family:nightly-report',
      'prod-web service:queue-worker',
      'prod-web service:web',
    ]);
    // The succeeded batch task (a bar) and the later placement failure (a mark) share a row.
    const batch = timeline.runs.filter((run) => run.clusterName === 'batch');
    expect(batch.map((run) => [run.neverStarted, run.row])).toEqual([
      [false, 0],
      [true, 0],
    ]);
  });

  it('groups a task ECS gave no group by its service, its family, else its cluster', () => {
    const oom = only(OOM);
    const withoutGroup = { ...oom, group: undefined };
    const familyOnly = {
      ...withoutGroup,
      resourceArn: `${oom.resourceArn}0`,
      serviceName: undefined,
    };
    const nothing = { ...familyOnly, resourceArn: `${oom.resourceArn}1`, family: undefined };
    const asRun = (record: AuditRecord): TaskRun => ({
      id: record.resourceArn,
      record,
      startTime: record.createdAt as string,
      end: 'open',
      neverStarted: false,
      outcome: record.outcome,
    });

    const timeline = toTimeline([withoutGroup, familyOnly, nothing].map(asRun), DAY, NOON);

    expect(timeline.runs.map((run) => [run.id, run.group])).toEqual([
      [withoutGroup.resourceArn, 'service:queue-worker'],
      [familyOnly.resourceArn, 'family:queue-worker'],
      [nothing.resourceArn, 'prod-web'],
    ]);
  });

  it('takes a STOPPED task with no stoppedAt to have stopped at its record time', () => {
    const oom = only(OOM);

    const [bar] = toTimeline(toTaskRuns([{ ...oom, stoppedAt: undefined }]), DAY, NOON).runs;

    expect(bar).toMatchObject({ end: ms(oom.eventTime), open: false });
  });

  it('draws a task started 10 days ago and still running across the whole of the last hour, continuing both ways', () => {
    const tenDaysAgo = NOON - 240 * HOUR;
    const record = {
      ...only(RUNNING),
      createdAt: new Date(tenDaysAgo).toISOString(),
      pullStartedAt: undefined,
      pullStoppedAt: undefined,
      startedAt: new Date(tenDaysAgo + 60_000).toISOString(),
      eventTime: new Date(tenDaysAgo + 61_000).toISOString(),
    };
    const lastHour = { from: new Date(NOON - HOUR).toISOString(), to: DAY.to };

    const bar = only(toTimeline(toTaskRuns([record]), lastHour, NOON).runs);

    expect(bar).toMatchObject({
      start: NOON - HOUR,
      end: NOON,
      startTime: record.createdAt,
      runEnd: 'open',
      open: true,
      continuesBefore: true,
      continuesAfter: true,
    });
    expect(bar.phases).toEqual<Phase[]>([['running', NOON - HOUR, NOON]]);
  });

  it('draws a task that ran from day 1 to day 5 across a day-3 window, and leaves out one that stopped before it', () => {
    const day = 24 * HOUR;
    const dayOne = ms('2026-11-01T00:00:00.000Z');
    const stopped = only(STOPPED);
    const ranFromTo = (from: number, to: number, suffix: string): AuditRecord => ({
      ...stopped,
      resourceArn: `${stopped.resourceArn}${suffix}`,
      createdAt: new Date(from).toISOString(),
      pullStartedAt: undefined,
      pullStoppedAt: undefined,
      startedAt: new Date(from + 30_000).toISOString(),
      stoppingAt: new Date(to).toISOString(),
      stoppedAt: new Date(to).toISOString(),
      eventTime: new Date(to).toISOString(),
    });
    const dayThree = {
      from: new Date(dayOne + 2 * day).toISOString(),
      to: new Date(dayOne + 3 * day).toISOString(),
    };
    const records = [
      ranFromTo(dayOne, dayOne + 4 * day, 'a'),
      ranFromTo(dayOne, dayOne + day, 'b'), // stopped on day 2, before the window
    ];

    const timeline = toTimeline(toTaskRuns(records), dayThree, NOON);

    expect(only(timeline.runs)).toMatchObject({
      id: `${stopped.resourceArn}a`,
      start: ms(dayThree.from),
      end: ms(dayThree.to),
      endTime: new Date(dayOne + 4 * day).toISOString(),
      runEnd: 'stopped',
      open: false,
      continuesBefore: true,
      continuesAfter: true,
      phases: [['running', ms(dayThree.from), ms(dayThree.to)]],
    });
    expect(timeline.rows).toHaveLength(1);
  });

  it("clips an OOM-killed task's phases to a window opening during its image pull and closing before its stop", () => {
    const window = { from: '2026-11-19T22:40:40.000Z', to: '2026-11-20T00:00:00.000Z' };

    const bar = only(toTimeline(toTaskRuns(OOM), window, NOON).runs);

    expect(bar).toMatchObject({
      start: ms(window.from),
      end: ms(window.to),
      startTime: '2026-11-19T22:40:17.008Z',
      endTime: '2026-11-20T05:06:41.502Z',
      open: false,
      continuesBefore: true,
      continuesAfter: true,
    });
    expect(bar.phases).toEqual<Phase[]>([
      ['pull', ms(window.from), ms('2026-11-19T22:40:47.611Z')],
      ['pending', ms('2026-11-19T22:40:47.611Z'), ms('2026-11-19T22:40:52.374Z')],
      ['running', ms('2026-11-19T22:40:52.374Z'), ms(window.to)],
    ]);
  });

  it('shows a run active only at the first instant of the window as a bar of no length, in the phase it was in', () => {
    const oom = only(OOM);
    const window = { from: oom.stoppedAt as string, to: DAY.to };

    const bar = only(toTimeline(toTaskRuns(OOM), window, NOON).runs);

    const at = ms(window.from);
    expect(bar).toMatchObject({ start: at, end: at, continuesBefore: true, continuesAfter: false });
    expect(bar.phases).toEqual<Phase[]>([['running', at, at]]);
  });

  it('ends a run a later writer closed at its closure, saying why', () => {
    const closure = { at: '2026-11-20T06:00:00.000Z', reason: 'task not found in ECS' };
    const run = taskRunOf(only(RUNNING), closure) as TaskRun;

    const bar = only(toTimeline([run], DAY, NOON).runs);

    expect(bar).toMatchObject({
      start: ms('2026-11-20T03:00:05.123Z'),
      end: ms(closure.at),
      endTime: closure.at,
      runEnd: 'closed',
      closure,
      status: 'info',
      summary: 'closed without its STOPPED state change: task not found in ECS',
      open: false,
      continuesBefore: false,
      continuesAfter: false,
    });
    expect(bar.phases[bar.phases.length - 1]).toEqual([
      'running',
      ms('2026-11-20T03:00:52.716Z'),
      ms(closure.at),
    ]);
  });

  it('gives an empty timeline for no runs', () => {
    expect(toTimeline([], DAY, NOON)).toEqual({ range: DAY, rows: [], runs: [], failures: [] });
  });
});

describe('phasesOf', () => {
  const oom = only(OOM);
  const created = ms(oom.createdAt as string);
  const stopped = ms(oom.stoppedAt as string);

  it('skips times ECS did not report', () => {
    const noPull = { ...oom, pullStartedAt: undefined, pullStoppedAt: undefined };

    expect(phasesOf(noPull, created, stopped)).toEqual<Phase[]>([
      ['pending', created, ms(oom.startedAt as string)],
      ['running', ms(oom.startedAt as string), stopped],
    ]);
    expect(phasesOf({ ...noPull, startedAt: undefined }, created, stopped)).toEqual<Phase[]>([
      ['pending', created, stopped],
    ]);
  });

  it('clamps times out of order, or outside the bar, so phases never overlap', () => {
    // The pull reported as ending before it began, and the start after the bar's end.
    const jumbled = {
      ...oom,
      pullStartedAt: '2026-11-19T22:40:47.611Z',
      pullStoppedAt: '2026-11-19T22:40:33.190Z',
      startedAt: '2026-11-20T06:00:00.000Z',
    };

    // The pull clamped to nothing leaves pending on both sides of it: one pending phase.
    expect(phasesOf(jumbled, created, stopped)).toEqual<Phase[]>([['pending', created, stopped]]);
  });

  it('shows a bar of no length in the phase it was in', () => {
    const startedAt = ms(oom.startedAt as string);

    expect(phasesOf(oom, startedAt + 1, startedAt + 1)).toEqual([
      ['running', startedAt + 1, startedAt + 1],
    ]);
    // Clipped to an instant during the pull (the window's first): the pull, not what came later.
    const duringPull = ms(oom.pullStartedAt as string) + 1;
    expect(phasesOf(oom, duringPull, duringPull)).toEqual([['pull', duringPull, duringPull]]);
    const bare = { ...oom, pullStartedAt: undefined, pullStoppedAt: undefined };
    expect(phasesOf({ ...bare, startedAt: undefined }, created, created)).toEqual([
      ['pending', created, created],
    ]);
  });

  it('covers start to end back to back, whatever times ECS reported and in whatever order', () => {
    const maybeTime = fc.option(fc.integer({ min: -10, max: 110 }), { nil: undefined });
    const iso = (at: number | undefined) =>
      at === undefined ? undefined : new Date(created + at * 1000).toISOString();

    fc.assert(
      fc.property(
        fc.record({ pullStarted: maybeTime, pullStopped: maybeTime, started: maybeTime }),
        fc.integer({ min: 0, max: 100 }),
        fc.integer({ min: 0, max: 100 }),
        ({ pullStarted, pullStopped, started }, startAt, length) => {
          const record = {
            ...oom,
            pullStartedAt: iso(pullStarted),
            pullStoppedAt: iso(pullStopped),
            startedAt: iso(started),
          };
          const start = created + startAt * 1000;
          const end = start + length * 1000;

          const phases = phasesOf(record, start, end);

          expectBackToBackPhases(phases, start, end);
          // Running at the end exactly when it started, and every earlier time, before the end.
          const reported = [pullStarted, pullStopped, started].filter((at) => at !== undefined);
          const latest = created + Math.max(startAt, ...reported) * 1000;
          const running = phases.some(([kind]) => kind === 'running');
          if (length > 0) expect(running).toBe(started !== undefined && latest < end);
          if (running) expect(phases[phases.length - 1]?.[0]).toBe('running');
        },
      ),
    );
  });
});

describe('packTimeline', () => {
  /** What a timeline is once sent as JSON: fields set to undefined are gone. */
  const asSent = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T;

  it('gives back, unpacked, the timeline it packed, as its JSON', () => {
    fc.assert(
      fc.property(timelineArb, ({ timeline }) => {
        expect(unpackTimeline(asSent(packTimeline(timeline)))).toEqual(asSent(timeline));
      }),
    );
  });

  // About half at 8 runs (the largest of 1,500 generated: 0.498; one seed 0.505), a fifth at
  // 10,000 (the UI benchmark's 1.52 MB against 7.5 MB): strings go once, times as numbers.
  it('sends a timeline of 8 runs or more in at most 55% of its JSON, failure records aside', () => {
    const bytes = (value: unknown) => JSON.stringify(value).length;
    fc.assert(
      fc.property(
        timelineArb.filter(({ timeline }) => timeline.runs.length >= 8),
        ({ timeline }) => {
          const packed = packTimeline(timeline);
          const records = bytes(packed.failureRecords);
          const plain = { ...timeline, runs: timeline.runs.map((run) => ({ ...run, failure: 0 })) };
          expect(bytes(packed) - records).toBeLessThan(bytes(plain) * 0.55);
        },
      ),
    );
  });

  it('keeps times that do not read back the same, phases not back to back, closures and failure records as they are', () => {
    const [oom] = toTimeline(toTaskRuns(OOM), DAY, NOON).runs as [TimelineRun];
    const odd: TimelineRun = {
      ...oom,
      id: 'no-slash',
      taskId: 'another-id',
      startTime: '2026-11-19T13:00:00+01:00',
      endTime: '2026-11-19T12:30:00Z',
      phases: [
        ['pending', oom.start, oom.start + 10],
        ['running', oom.start + 20, oom.end],
      ],
      closure: { at: '2026-11-19T12:30:00Z', reason: 'task not found in ECS' },
      failure: OOM[0],
    };
    const timeline: Timeline = {
      ...toTimeline(toTaskRuns(OOM), DAY, NOON),
      runs: [odd],
      failures: [],
    };
    expect(unpackTimeline(asSent(packTimeline(timeline)))).toEqual(asSent(timeline));
  });

  it("carries the churn kind of a run stopped as expected churn, packed and unpacked; a failure's run has none", () => {
    const scaledIn = fixtureRecords('eventbridge/task-lifecycle-07-stopped.json');
    const range = { from: '2026-11-20T00:00:00.000Z', to: '2026-11-20T12:00:00.000Z' };
    const timeline = toTimeline(toTaskRuns([...scaledIn, ...OOM]), range, ms(range.to));

    const unpacked = unpackTimeline(asSent(packTimeline(timeline)));

    const byTask = new Map(unpacked.runs.map((run) => [run.taskId, run]));
    expect(byTask.get(scaledIn[0]?.taskId)).toMatchObject({ status: 'stopped', churn: 'scale-in' });
    expect(byTask.get(OOM[0]?.taskId)).toMatchObject({ status: 'failed' });
    expect(byTask.get(OOM[0]?.taskId)?.churn).toBeUndefined();
    expect(unpacked).toEqual(asSent(timeline));
  });
});
