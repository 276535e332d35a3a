import fc from 'fast-check';
import type { AuditRecord } from '@ecslog/ecs-event-mapper';
import { fixtureRecords, TASK_LIFECYCLE_FIXTURES } from '@ecslog/ecs-event-mapper/testing';
import type { RunClosure, TaskRun } from './task-runs';
import {
  BadStatusError,
  closureRankOf,
  filterRunsByStatus,
  isActiveDuring,
  makesRun,
  OUTCOME_FILTERS,
  parseStatusFilter,
  runIdOf,
  runRankOf,
  runSpanOf,
  sortRuns,
  TASK_LAST_STATUSES,
  taskRunOf,
  toTaskRuns,
} from './task-runs';

const LIFECYCLE = TASK_LIFECYCLE_FIXTURES.flatMap(fixtureRecords);
const OOM = fixtureRecords('eventbridge/task-stopped-oom.json');
const PLACEMENT_ONLY = fixtureRecords('cloudtrail/runtask-placement-failure-only.json');
const PARTIAL = fixtureRecords('cloudtrail/runtask-partial-placement.json');

describe('toTaskRuns', () => {
  it("tells each task by its highest version, whatever the records' order", () => {
    fc.assert(
      fc.property(fc.shuffledSubarray(LIFECYCLE, { minLength: LIFECYCLE.length }), (shuffled) => {
        const runs = toTaskRuns(shuffled);

        expect(runs).toHaveLength(1);
        expect(runs[0]?.record.version).toBe(Math.max(...LIFECYCLE.map((r) => r.version ?? 0)));
        expect(runs[0]?.startTime).toBe(LIFECYCLE[0]?.createdAt);
      }),
    );
  });

  it('lists the placement failures of a RunTask call as runs that never started', () => {
    const runs = toTaskRuns(PLACEMENT_ONLY);

    expect(runs.length).toBe(
      PLACEMENT_ONLY.filter((r) => r.outcome.category === 'placement').length,
    );
    expect(runs.length).toBeGreaterThan(0);
    expect(runs.every((run) => run.neverStarted && run.record.recordType === 'api-call')).toBe(
      true,
    );
  });

  it('lets an API call about a task stand for it only while none of its state changes is there', () => {
    const started = PARTIAL.filter((r) => r.taskId !== undefined);
    const placements = PARTIAL.filter((r) => r.outcome.category === 'placement');
    expect(started.length).toBeGreaterThan(0);

    const fromCalls = toTaskRuns(PARTIAL);

    expect(
      fromCalls
        .filter((run) => !run.neverStarted)
        .map((run) => run.record.recordId)
        .sort(),
    ).toEqual(started.map((r) => r.recordId).sort());
    expect(fromCalls.filter((run) => run.neverStarted)).toHaveLength(placements.length);
    const taskArn = started[0]?.resourceArn as string;
    const stateChange = {
      ...(OOM[0] as AuditRecord),
      resourceArn: taskArn,
      recordId: `task:${taskArn}:v9`,
    };
    const withEvents = toTaskRuns([...PARTIAL, stateChange]);
    expect(withEvents.find((run) => run.record.resourceArn === taskArn)?.record).toBe(stateChange);
  });

  it('orders runs by their start', () => {
    const runs = toTaskRuns([...OOM, ...LIFECYCLE, ...PLACEMENT_ONLY]);

    const starts = runs.map((run) => run.startTime);
    expect(starts).toEqual([...starts].sort());
  });
});

describe('filterRunsByStatus', () => {
  const runs = toTaskRuns([...OOM, ...LIFECYCLE, ...PLACEMENT_ONLY]);

  it('keeps runs by outcome, by not-started, or by last status in any case', () => {
    expect(filterRunsByStatus(runs, 'failed').map((r) => r.record.outcome.status)).toEqual(
      runs.filter((r) => r.record.outcome.status === 'failed').map(() => 'failed'),
    );
    expect(filterRunsByStatus(runs, 'not-started').every((r) => r.neverStarted)).toBe(true);
    expect(filterRunsByStatus(runs, 'not-started').length).toBeGreaterThan(0);
    expect(filterRunsByStatus(runs, 'stopped').map((r) => r.record.lastStatus)).toContain(
      'STOPPED',
    );
    expect(filterRunsByStatus(runs, 'running')).toEqual([]);
    expect(filterRunsByStatus(runs, undefined)).toEqual(runs);
  });
});

describe('toTaskRuns: which record tells a run', () => {
  const RUNNING_AGAIN = fixtureRecords('eventbridge/task-lifecycle-04-running-duplicate.json');
  const SUCCEEDED = fixtureRecords('eventbridge/task-stopped-succeeded.json');
  /** The RunTask call (via EventBridge) that started the task of SUCCEEDED. */
  const SUCCEEDED_LAUNCH = fixtureRecords('eventbridge/cloudtrail-api-call-runtask.json');
  const RUNTASK_SUCCESS = fixtureRecords('cloudtrail/runtask-success.json');
  /** A StopTask call, later, about the first task RUNTASK_SUCCESS started. */
  const STOP_CALL = fixtureRecords('cloudtrail/stoptask.json');
  const AGENT_FAILURE = fixtureRecords('cloudtrail/runtask-agent-failure.json');
  const API_ERROR = fixtureRecords('cloudtrail/runtask-api-error.json');

  it('tells a task by the latest version present in any subset of its records, in any order', () => {
    // Indices into LIFECYCLE (versions 1..7 in order): the expected run is the largest index.
    const someIndices = fc.uniqueArray(fc.nat({ max: LIFECYCLE.length - 1 }), { minLength: 1 });

    fc.assert(
      fc.property(someIndices, (indices) => {
        const records = indices.map((i) => LIFECYCLE[i] as AuditRecord);

        const runs = toTaskRuns(records);

        const latest = LIFECYCLE[Math.max(...indices)] as AuditRecord;
        expect(runs).toEqual([
          {
            id: latest.resourceArn,
            record: latest,
            startTime: '2026-11-20T03:00:05.123Z',
            ...(latest.stoppedAt !== undefined && { endTime: latest.stoppedAt }),
            end: latest.lastStatus === 'STOPPED' ? 'stopped' : 'open',
            neverStarted: false,
            lastStatus: latest.lastStatus,
            outcome: latest.outcome,
          },
        ]);
      }),
    );
  });

  it('counts a redelivered state change once', () => {
    const runs = toTaskRuns([...LIFECYCLE.slice(0, 4), ...RUNNING_AGAIN]);

    expect(runs).toHaveLength(1);
    expect(runs[0]?.record.lastStatus).toBe('RUNNING');
  });

  it('keeps two tasks apart when their records are interleaved, earliest start first', () => {
    fc.assert(
      fc.property(fc.shuffledSubarray([...LIFECYCLE, ...OOM], { minLength: 8 }), (records) => {
        const runs = toTaskRuns(records);

        expect(runs.map((run) => run.record.recordId)).toEqual([
          OOM[0]?.recordId,
          LIFECYCLE[LIFECYCLE.length - 1]?.recordId,
        ]);
        expect(runs.map((run) => run.startTime)).toEqual([
          '2026-11-19T22:40:17.008Z',
          '2026-11-20T03:00:05.123Z',
        ]);
      }),
    );
  });

  it("lets a task's own state change win over the API call that started it", () => {
    const fromCallOnly = toTaskRuns(SUCCEEDED_LAUNCH);
    const withStateChange = toTaskRuns([...SUCCEEDED, ...SUCCEEDED_LAUNCH]);
    const reversed = toTaskRuns([...SUCCEEDED_LAUNCH, ...SUCCEEDED]);

    expect(fromCallOnly.map((run) => run.record.recordType)).toEqual(['api-call']);
    expect(fromCallOnly[0]?.neverStarted).toBe(false);
    expect(withStateChange.map((run) => run.record)).toEqual(SUCCEEDED);
    expect(reversed).toEqual(withStateChange);
  });

  it('lets the latest API call about a task stand for it when it has no state change', () => {
    const runs = toTaskRuns([...STOP_CALL, ...RUNTASK_SUCCESS]);

    expect(runs).toHaveLength(RUNTASK_SUCCESS.length);
    const stopped = runs.find((run) => run.record.resourceArn === STOP_CALL[0]?.resourceArn);
    expect(stopped?.record).toBe(STOP_CALL[0]);
    expect(stopped?.startTime).toBe('2026-11-20T03:00:05.000Z');
  });

  it('tells a task known only by the RunTask call that started it as started, its course and end not recorded', () => {
    const runs = toTaskRuns(RUNTASK_SUCCESS);

    expect(runs.map((run) => run.record.recordId).sort()).toEqual(
      RUNTASK_SUCCESS.map((r) => r.recordId).sort(),
    );
    for (const run of runs) {
      expect(run.id).toBe(run.record.resourceArn);
      expect(run.end).toBe('not-recorded');
      // The call answered PENDING and "in-progress" about itself; neither is the run's state now.
      expect(run.record.lastStatus).toBe('PENDING');
      expect(run.record.outcome.status).toBe('in-progress');
      expect(run).toMatchObject({ knownOnlyBy: 'start-call', neverStarted: false });
      expect(run.lastStatus).toBeUndefined();
      expect(run.endTime).toBeUndefined();
      expect(run.outcome).toEqual({
        status: 'info',
        summary: `${run.record.outcome.summary}; no state change of the task is recorded after the call`,
      });
    }
  });

  it('ends a task known only by calls at the StopTask call, stopped, by whom and why', () => {
    const stopCall = STOP_CALL[0] as AuditRecord;

    const run = toTaskRuns([...RUNTASK_SUCCESS, ...STOP_CALL]).find(
      (candidate) => candidate.record === stopCall,
    );

    // The StopTask response still said RUNNING: the stop was asked for then.
    expect(stopCall.lastStatus).toBe('RUNNING');
    expect(run).toEqual({
      id: stopCall.resourceArn,
      record: stopCall,
      startTime: '2026-11-20T03:00:05.000Z',
      endTime: stopCall.eventTime,
      end: 'stopped',
      neverStarted: false,
      knownOnlyBy: 'stop-call',
      outcome: { status: 'stopped', summary: stopCall.outcome.summary },
    });
    expect(run?.outcome.summary).toMatch(/^StopTask by .*: Manual stop for maintenance$/);
  });

  it('starts a task known only by calls where its top-ranked (latest) call says, not at the earliest any call tells', () => {
    const stopCall = STOP_CALL[0] as AuditRecord;
    const runTask = RUNTASK_SUCCESS.find(
      (r) => r.resourceArn === stopCall.resourceArn,
    ) as AuditRecord;
    // A StopTask call whose response was not recorded tells only the task and its own time.
    const bareStop = { ...stopCall, createdAt: undefined };

    const withRunTask = toTaskRuns([bareStop, ...RUNTASK_SUCCESS]);
    const alone = toTaskRuns([bareStop]);
    const withResponse = toTaskRuns([runTask, stopCall]);

    // The run is a function of its one top record: the earlier RunTask call's createdAt is not it.
    expect(runTask.createdAt).not.toBe(stopCall.eventTime);
    expect(withRunTask.find((run) => run.id === stopCall.resourceArn)).toEqual(alone[0]);
    expect(alone.map((run) => [run.record, run.startTime, run.endTime, run.end])).toEqual([
      [bareStop, stopCall.eventTime, stopCall.eventTime, 'stopped'],
    ]);
    // A StopTask response that tells the task's createdAt starts it there.
    expect(withResponse.map((run) => [run.startTime, run.endTime])).toEqual([
      [stopCall.createdAt, stopCall.eventTime],
    ]);
  });

  it("starts a run told by a call at the call's time when the createdAt it reports is later", () => {
    const stopCall = STOP_CALL[0] as AuditRecord;
    const askedEarly = { ...stopCall, createdAt: '2099-01-01T00:00:00.000Z' };

    expect(toTaskRuns([askedEarly]).map((run) => run.startTime)).toEqual([stopCall.eventTime]);
  });

  it('makes each placement or start failure of a call a run that never started', () => {
    const runs = toTaskRuns([...PARTIAL, ...AGENT_FAILURE]);

    const never = runs.filter((run) => run.neverStarted);
    expect(never.map((run) => run.record.recordId).sort()).toEqual(
      [...PARTIAL, ...AGENT_FAILURE]
        .filter((r) => r.recordId.includes(':failure:'))
        .map((r) => r.recordId)
        .sort(),
    );
    expect(never.map((run) => run.startTime)).toEqual(never.map((run) => run.record.eventTime));
    expect(runs.filter((run) => !run.neverStarted)).toHaveLength(3);
  });

  it('makes no run of a call that failed outright, nor of service events', () => {
    const serviceEvents = [
      ...fixtureRecords('eventbridge/service-action-placement-failure.json'),
      ...fixtureRecords('eventbridge/deployment-failed.json'),
    ];

    expect(toTaskRuns([...API_ERROR, ...serviceEvents])).toEqual([]);
  });

  it('orders runs by start, then by id (task ARN, or failure record id) when they start together', () => {
    const runs = toTaskRuns([...RUNTASK_SUCCESS, ...PARTIAL, ...SUCCEEDED]);

    const atPartial = PARTIAL.filter((r) => r.taskId !== undefined).map((r) => r.resourceArn);
    const atSuccess = RUNTASK_SUCCESS.map((r) => r.resourceArn);
    expect(runs.map((run) => run.id)).toEqual([
      SUCCEEDED[0]?.resourceArn, // created 02:00:03
      // All five at 02:45:12: the failures' record ids (api-call:…) sort before task ARNs (arn:…).
      'api-call:2582ff19-243f-4c69-bdf0-218b3b0bd4bd:failure:0',
      'api-call:2582ff19-243f-4c69-bdf0-218b3b0bd4bd:failure:1',
      ...atPartial.sort(),
      ...atSuccess.sort(), // all three at 03:00:05
    ]);
    expect(runs.map((run) => run.startTime)).toEqual([
      '2026-11-20T02:00:03.412Z',
      ...Array<string>(5).fill('2026-11-20T02:45:12.000Z'),
      ...Array<string>(3).fill('2026-11-20T03:00:05.000Z'),
    ]);
  });

  it('gives no runs for no records', () => {
    expect(toTaskRuns([])).toEqual([]);
  });
});

describe('filterRunsByStatus: outcomes, not-started and last status', () => {
  const SUCCEEDED = fixtureRecords('eventbridge/task-stopped-succeeded.json');
  const USER_STOP = fixtureRecords('eventbridge/task-stopped-user.json');
  const RUNTASK_SUCCESS = fixtureRecords('cloudtrail/runtask-success.json');
  /** About the first task RUNTASK_SUCCESS started. */
  const STOP_CALL = fixtureRecords('cloudtrail/stoptask.json');
  const runs = toTaskRuns([
    ...OOM,
    ...SUCCEEDED,
    ...USER_STOP,
    ...LIFECYCLE.slice(0, 4),
    ...RUNTASK_SUCCESS,
    ...STOP_CALL,
    ...PLACEMENT_ONLY,
  ]);
  const idsOf = (kept: readonly { record: AuditRecord }[]) => kept.map((r) => r.record.recordId);
  const idOf = (records: readonly AuditRecord[]) => records[0]?.recordId;

  it('keeps runs by outcome, whatever the case of --status', () => {
    expect(idsOf(filterRunsByStatus(runs, 'succeeded'))).toEqual([idOf(SUCCEEDED)]);
    expect(idsOf(filterRunsByStatus(runs, 'SUCCEEDED'))).toEqual([idOf(SUCCEEDED)]);
    expect(idsOf(filterRunsByStatus(runs, 'Failed'))).toEqual([idOf(OOM), idOf(PLACEMENT_ONLY)]);
    // Not the tasks known only by the RunTask call: whether they still run is not recorded.
    expect(idsOf(filterRunsByStatus(runs, 'in-progress'))).toEqual([LIFECYCLE[3]?.recordId]);
    // Started together: in task ARN order.
    expect(idsOf(filterRunsByStatus(runs, 'info'))).toEqual(
      [...RUNTASK_SUCCESS.slice(1)]
        .sort((a, b) => a.resourceArn.localeCompare(b.resourceArn))
        .map((r) => r.recordId),
    );
  });

  it('keeps only the launches that never started for not-started', () => {
    expect(idsOf(filterRunsByStatus(runs, 'not-started'))).toEqual([idOf(PLACEMENT_ONLY)]);
    expect(idsOf(filterRunsByStatus(runs, 'NOT-STARTED'))).toEqual([idOf(PLACEMENT_ONLY)]);
  });

  it("keeps runs by the task's last status, in any case", () => {
    expect(idsOf(filterRunsByStatus(runs, 'running'))).toEqual([LIFECYCLE[3]?.recordId]);
    // PENDING and RUNNING were what the RunTask and StopTask calls answered, not last statuses.
    expect(filterRunsByStatus(runs, 'Pending')).toEqual([]);
    // STOPPED is a last status (every stopped task) and an outcome (stopped on purpose, as by a
    // StopTask call).
    expect(idsOf(filterRunsByStatus(runs, 'STOPPED'))).toEqual([
      idOf(OOM),
      idOf(SUCCEEDED),
      idOf(STOP_CALL), // created 03:00:05.000
      idOf(USER_STOP), // created 11:20:14.667
    ]);
  });

  it('keeps nothing for a status no run has, and everything without --status', () => {
    expect(filterRunsByStatus(runs, 'deprovisioning')).toEqual([]);

    const all = filterRunsByStatus(runs, undefined);

    expect(all).toEqual(runs);
    expect(all).not.toBe(runs);
  });

  it('only ever keeps runs it was given, in their order', () => {
    const statuses = fc.oneof(
      fc.constantFrom(
        'in-progress',
        'succeeded',
        'failed',
        'stopped',
        'not-started',
        'RUNNING',
        'PENDING',
        'STOPPED',
        'provisioning',
      ),
      fc.string(),
    );

    fc.assert(
      fc.property(statuses, (status) => {
        const kept = filterRunsByStatus(runs, status);

        const positions = kept.map((run) => runs.indexOf(run));
        expect(positions.every((p) => p >= 0)).toBe(true);
        expect(positions).toEqual([...positions].sort((a, b) => a - b));
      }),
    );
  });
});

describe('parseStatusFilter: the one status rule of tasks --status and the web view', () => {
  it('takes every outcome filter and every last status, in any case, as given (trimmed)', () => {
    for (const status of [...OUTCOME_FILTERS, ...TASK_LAST_STATUSES])
      for (const spelled of [status, status.toLowerCase(), status.toUpperCase()])
        expect(parseStatusFilter(` ${spelled} `)).toBe(spelled);
  });

  it('is no filter when absent or blank', () => {
    expect(parseStatusFilter(undefined)).toBeUndefined();
    expect(parseStatusFilter('  ')).toBeUndefined();
  });

  it('rejects a misspelt status in one line listing every accepted value', () => {
    expect(() => parseStatusFilter('faild')).toThrow(BadStatusError);
    expect(() => parseStatusFilter('faild')).toThrow(
      'status must be one of in-progress, succeeded, failed, stopped, info, not-started, ' +
        'PROVISIONING, PENDING, ACTIVATING, RUNNING, DEACTIVATING, STOPPING, DEPROVISIONING, STOPPED, got "faild"',
    );
  });

  it('accepts exactly what filterRunsByStatus can match, for any text', () => {
    const accepted = new Set(
      [...OUTCOME_FILTERS, ...TASK_LAST_STATUSES].map((status) => status.toLowerCase()),
    );
    fc.assert(
      fc.property(
        fc.oneof(fc.string(), fc.constantFrom(...accepted, 'Running', 'RUN', 'stop')),
        (text) => {
          const known = accepted.has(text.trim().toLowerCase());
          if (known) expect(parseStatusFilter(text)).toBe(text.trim());
          else if (text.trim() !== '')
            expect(() => parseStatusFilter(text)).toThrow(BadStatusError);
        },
      ),
    );
  });
});

// ---------------------------------------------------------------------------------------------
// The core the store is built on: ranks, ids, explicit ends, spans, activity in a window.

const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;
const iso = (ms: number) => new Date(ms).toISOString();
const T0 = Date.parse('2026-11-20T00:00:00.000Z');
/** An instant within a few weeks of the fixtures. */
const instantArb = fc.integer({ min: T0 - 20 * DAY_MS, max: T0 + 20 * DAY_MS });

/** A state change of the lifecycle's web task: RUNNING (version 4), and STOPPED (version 7). */
const RUNNING_RECORD = LIFECYCLE[3] as AuditRecord;
const STOPPED_RECORD = LIFECYCLE[6] as AuditRecord;
const CALLS = [
  ...fixtureRecords('cloudtrail/runtask-success.json'),
  ...fixtureRecords('cloudtrail/stoptask.json'),
  ...fixtureRecords('eventbridge/cloudtrail-api-call-runtask.json'),
];
const RUN_RECORDS = [
  ...LIFECYCLE,
  ...OOM,
  ...PLACEMENT_ONLY,
  ...PARTIAL,
  ...CALLS,
  ...fixtureRecords('eventbridge/task-stopped-succeeded.json'),
  ...fixtureRecords('eventbridge/task-stopped-user.json'),
  ...fixtureRecords('cloudtrail/runtask-agent-failure.json'),
];

/** A task RUNNING since `createdAtMs`, as its state change tells it. */
const runningSince = (createdAtMs: number): AuditRecord => ({
  ...RUNNING_RECORD,
  createdAt: iso(createdAtMs),
  startedAt: iso(createdAtMs + 30_000),
  eventTime: iso(createdAtMs + 31_000),
});
/** A task that ran from `createdAtMs` to `stoppedAtMs`. */
const ranFromTo = (createdAtMs: number, stoppedAtMs: number): AuditRecord => ({
  ...STOPPED_RECORD,
  createdAt: iso(createdAtMs),
  startedAt: iso(createdAtMs),
  stoppingAt: iso(stoppedAtMs),
  stoppedAt: iso(stoppedAtMs),
  eventTime: iso(stoppedAtMs),
});
const window = (fromMs: number, toMs: number) => ({ from: iso(fromMs), to: iso(toMs) });

describe('makesRun and runIdOf', () => {
  it("makes a run of a task's state change, a call about a task and a start failure, keyed by task ARN or failure id", () => {
    const failure = PLACEMENT_ONLY[0] as AuditRecord;
    const call = CALLS[0] as AuditRecord;

    expect([makesRun(RUNNING_RECORD), runIdOf(RUNNING_RECORD)]).toEqual([
      true,
      RUNNING_RECORD.resourceArn,
    ]);
    expect([makesRun(call), runIdOf(call)]).toEqual([true, call.resourceArn]);
    expect([makesRun(failure), runIdOf(failure)]).toEqual([true, failure.recordId]);
  });

  it('makes no run of a service event nor of a call that failed outright', () => {
    const others = [
      ...fixtureRecords('eventbridge/deployment-failed.json'),
      ...fixtureRecords('cloudtrail/runtask-api-error.json'),
    ];
    expect(others.length).toBeGreaterThan(0);

    for (const record of others) {
      expect(makesRun(record)).toBe(false);
      expect(runIdOf(record)).toBeUndefined();
      expect(taskRunOf(record)).toBeUndefined();
    }
  });
});

describe('runRankOf', () => {
  const versionArb = fc.integer({ min: 0, max: 2 ** 31 - 1 });
  const stateChangeOf = (version: number): AuditRecord => ({ ...RUNNING_RECORD, version });
  const callArb = fc
    .record({ call: fc.constantFrom(...CALLS), atMs: instantArb })
    .map(({ call, atMs }) => ({ ...call, eventTime: iso(atMs) }));

  it('ranks any state change above any call about its task', () => {
    fc.assert(
      fc.property(versionArb, callArb, (version, call) => {
        expect(runRankOf(stateChangeOf(version)) > runRankOf(call)).toBe(true);
      }),
    );
  });

  it('ranks state changes by version, numerically, and calls by their time', () => {
    fc.assert(
      fc.property(versionArb, versionArb, callArb, callArb, (v1, v2, c1, c2) => {
        const byVersion = Math.sign(
          runRankOf(stateChangeOf(v1)).localeCompare(runRankOf(stateChangeOf(v2))),
        );
        expect(byVersion).toBe(Math.sign(v1 - v2));
        if (c1.eventTime !== c2.eventTime)
          expect(runRankOf(c1) > runRankOf(c2)).toBe(c1.eventTime > c2.eventTime);
      }),
    );
  });

  it('ranks a closure just above the record it closes, and below any later state change', () => {
    fc.assert(
      fc.property(versionArb, callArb, (version, call) => {
        const rank = runRankOf(stateChangeOf(version));
        const closed = closureRankOf(rank);

        expect(closed > rank).toBe(true);
        expect(closed < runRankOf(stateChangeOf(version + 1))).toBe(true);
        expect(closureRankOf(runRankOf(call)) < runRankOf(stateChangeOf(0))).toBe(true);
      }),
    );
  });

  it('ranks a start failure, a run of its own, as 0', () => {
    expect(runRankOf(PLACEMENT_ONLY[0] as AuditRecord)).toBe('0');
  });
});

describe('toTaskRuns: a function of the set of records', () => {
  it('gives the same runs for the records shuffled and some of them repeated', () => {
    // Some records, each repeated a few times (a redelivery, a replay), in any order.
    const arb = fc
      .subarray(RUN_RECORDS, { minLength: 1 })
      .chain((records) =>
        fc
          .array(fc.nat({ max: records.length - 1 }), { maxLength: 10 })
          .map((again) => ({ records, all: [...records, ...again.map((i) => records[i])] })),
      )
      .chain(({ records, all }) =>
        fc
          .shuffledSubarray(all as AuditRecord[], { minLength: all.length })
          .map((shuffled) => ({ records, shuffled })),
      );

    fc.assert(
      fc.property(arb, ({ records, shuffled }) => {
        expect(toTaskRuns(shuffled)).toEqual(toTaskRuns(records));
      }),
    );
  });

  it('tells each run by the record of the highest rank among its records', () => {
    fc.assert(
      fc.property(fc.subarray(RUN_RECORDS), (records) => {
        for (const run of toTaskRuns(records)) {
          const ofRun = records.filter((r) => runIdOf(r) === run.id);
          const highest = ofRun.reduce((a, b) => (runRankOf(b) > runRankOf(a) ? b : a));
          expect(run).toEqual(taskRunOf(highest));
        }
      }),
    );
  });

  it('sorts runs by start, then id, without touching its input', () => {
    const runs = toTaskRuns(RUN_RECORDS);
    const reversed = [...runs].reverse();

    expect(sortRuns(reversed)).toEqual(runs);
    expect(reversed[0]).toBe(runs[runs.length - 1]);
  });
});

describe('taskRunOf: explicit ends and closures', () => {
  const closure: RunClosure = { at: '2026-11-20T10:00:00.000Z', reason: 'task not found in ECS' };

  it('tells each kind of run its end', () => {
    const stopCall = CALLS.find((r) => r.eventName === 'StopTask') as AuditRecord;
    const startCall = CALLS.find((r) => r.eventName === 'RunTask') as AuditRecord;

    expect(taskRunOf(RUNNING_RECORD)?.end).toBe('open');
    expect(taskRunOf(STOPPED_RECORD)?.end).toBe('stopped');
    expect(taskRunOf(stopCall)?.end).toBe('stopped');
    expect(taskRunOf(startCall)?.end).toBe('not-recorded');
    expect(taskRunOf(PLACEMENT_ONLY[0] as AuditRecord)).toMatchObject({
      end: 'not-started',
      neverStarted: true,
      startTime: PLACEMENT_ONLY[0]?.eventTime,
    });
  });

  it('closes an open run at the closure, with its reason, as info', () => {
    const run = taskRunOf(RUNNING_RECORD, closure);

    expect(run).toEqual<TaskRun>({
      ...(taskRunOf(RUNNING_RECORD) as TaskRun),
      endTime: closure.at,
      end: 'closed',
      closure,
      outcome: {
        status: 'info',
        summary: 'closed without its STOPPED state change: task not found in ECS',
      },
    });
  });

  it('ends a run closed before its start at its start', () => {
    const early = { ...closure, at: '2026-11-20T01:00:00.000Z' };

    const run = taskRunOf(RUNNING_RECORD, early);

    expect(run?.startTime).toBe(RUNNING_RECORD.createdAt);
    expect([run?.endTime, run?.end]).toEqual([RUNNING_RECORD.createdAt, 'closed']);
    expect(run?.closure).toBe(early);
  });

  it('closes only an open run, never before its start; any other run is left as it is', () => {
    const closureArb = fc.record({ at: instantArb.map(iso), reason: fc.string() });

    fc.assert(
      fc.property(fc.constantFrom(...RUN_RECORDS), closureArb, (record, closure) => {
        const plain = taskRunOf(record) as TaskRun;

        const closed = taskRunOf(record, closure) as TaskRun;

        if (plain.end !== 'open') {
          expect(closed).toEqual(plain);
          return;
        }
        expect(closed).toMatchObject({ end: 'closed', closure, id: plain.id });
        expect(closed.startTime).toBe(plain.startTime);
        expect(closed.endTime).toBe(closure.at < plain.startTime ? plain.startTime : closure.at);
        expect(runSpanOf(closed).end).toBeGreaterThanOrEqual(runSpanOf(closed).start);
      }),
    );
  });
});

describe('runSpanOf and isActiveDuring', () => {
  const NOW = T0 + 12 * HOUR_MS;

  it('keeps a task started 10 days ago and still running active in the last hour, and at any instant since', () => {
    const run = taskRunOf(runningSince(NOW - 10 * DAY_MS)) as TaskRun;

    expect(run.end).toBe('open');
    expect(runSpanOf(run)).toEqual({ start: NOW - 10 * DAY_MS, end: Number.POSITIVE_INFINITY });
    expect(isActiveDuring(run, window(NOW - HOUR_MS, NOW))).toBe(true);
    fc.assert(
      fc.property(fc.integer({ min: NOW - 10 * DAY_MS, max: NOW + DAY_MS }), (at) => {
        expect(isActiveDuring(run, window(at, at))).toBe(true);
      }),
    );
    expect(isActiveDuring(run, window(NOW - 11 * DAY_MS, NOW - 10 * DAY_MS - 1))).toBe(false);
  });

  it('keeps a task that ran from day 1 to day 5 active in a day-3 window, and not in windows before or after', () => {
    const run = taskRunOf(ranFromTo(T0 + DAY_MS, T0 + 5 * DAY_MS)) as TaskRun;

    expect(run.end).toBe('stopped');
    expect(isActiveDuring(run, window(T0 + 3 * DAY_MS, T0 + 4 * DAY_MS))).toBe(true);
    // Both ends of the window count: a window ending as the task starts, or starting as it stops.
    expect(isActiveDuring(run, window(T0, T0 + DAY_MS))).toBe(true);
    expect(isActiveDuring(run, window(T0 + 5 * DAY_MS, T0 + 6 * DAY_MS))).toBe(true);
    expect(isActiveDuring(run, window(T0 + 5 * DAY_MS + 1, T0 + 6 * DAY_MS))).toBe(false);
    expect(isActiveDuring(run, window(T0, T0 + DAY_MS - 1))).toBe(false);
  });

  it('leaves out a task that stopped before the window', () => {
    const run = taskRunOf(ranFromTo(NOW - 3 * HOUR_MS, NOW - 2 * HOUR_MS)) as TaskRun;

    expect(isActiveDuring(run, window(NOW - HOUR_MS, NOW))).toBe(false);
  });

  it('gives a run whose end is not recorded, or that never started, its start only', () => {
    const startCall = CALLS.find((r) => r.eventName === 'RunTask') as AuditRecord;
    for (const record of [startCall, PLACEMENT_ONLY[0] as AuditRecord]) {
      const run = taskRunOf(record) as TaskRun;
      const start = Date.parse(run.startTime);

      expect(runSpanOf(run)).toEqual({ start, end: start });
      expect(isActiveDuring(run, window(start, start))).toBe(true);
      expect(isActiveDuring(run, window(start + 1, start + HOUR_MS))).toBe(false);
    }
  });

  /** Runs of every end, as their fields only: an open run, a stopped, closed, or zero-length one. */
  const spanRunArb = fc
    .record({
      startMs: instantArb,
      lengthMs: fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 3 * DAY_MS })),
      end: fc.constantFrom('open', 'stopped', 'closed', 'not-recorded', 'not-started' as const),
    })
    .map(({ startMs, lengthMs, end }) => ({
      startTime: iso(startMs),
      ...((end === 'stopped' || end === 'closed') && { endTime: iso(startMs + lengthMs) }),
      end,
    }));
  const windowArb = fc
    .record({ fromMs: instantArb, lengthMs: fc.integer({ min: 0, max: 3 * DAY_MS }) })
    .map(({ fromMs, lengthMs }) => ({ fromMs, toMs: fromMs + lengthMs }));
  /** The direct definition: the run covers instant `t` (its start, up to its end, or on if open). */
  const covers = (run: Pick<TaskRun, 'startTime' | 'endTime' | 'end'>, t: number) =>
    Date.parse(run.startTime) <= t &&
    (run.end === 'open' || t <= Date.parse(run.endTime ?? run.startTime));

  it('is true exactly when the run covers some instant of the window', () => {
    fc.assert(
      fc.property(spanRunArb, windowArb, (run, { fromMs, toMs }) => {
        const active = isActiveDuring(run, window(fromMs, toMs));

        // Were it covered anywhere in the window, it would be at the later of its start and the
        // window's start: the one instant to check.
        const witness = Math.max(Date.parse(run.startTime), fromMs);
        expect(active).toBe(witness <= toMs && covers(run, witness));
      }),
    );
  });

  it('is true for a window around any instant the run covers', () => {
    const arb = spanRunArb.chain((run) =>
      fc
        .record({
          at: fc.integer({
            min: Date.parse(run.startTime),
            max: Date.parse(run.endTime ?? run.startTime) + (run.end === 'open' ? 30 * DAY_MS : 0),
          }),
          before: fc.nat({ max: DAY_MS }),
          after: fc.nat({ max: DAY_MS }),
        })
        .map((w) => ({ run, ...w })),
    );

    fc.assert(
      fc.property(arb, ({ run, at, before, after }) => {
        expect(covers(run, at)).toBe(true);
        expect(isActiveDuring(run, window(at - before, at + after))).toBe(true);
      }),
    );
  });
});
