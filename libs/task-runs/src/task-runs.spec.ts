import fc from 'fast-check';
import type { AuditRecord } from '@ecslog/ecs-event-mapper';
import { fixtureRecords, TASK_LIFECYCLE_FIXTURES } from '@ecslog/ecs-event-mapper/testing';
import {
  BadStatusError,
  filterRunsByStatus,
  OUTCOME_FILTERS,
  parseStatusFilter,
  TASK_LAST_STATUSES,
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
            record: latest,
            startTime: '2026-11-20T03:00:05.123Z',
            ...(latest.stoppedAt !== undefined && { endTime: latest.stoppedAt }),
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

    expect(runs.map((run) => run.record)).toEqual(RUNTASK_SUCCESS);
    for (const run of runs) {
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
      record: stopCall,
      startTime: '2026-11-20T03:00:05.000Z',
      endTime: stopCall.eventTime,
      neverStarted: false,
      knownOnlyBy: 'stop-call',
      outcome: { status: 'stopped', summary: stopCall.outcome.summary },
    });
    expect(run?.outcome.summary).toMatch(/^StopTask by .*: Manual stop for maintenance$/);
  });

  it('starts a task known only by calls at the earliest start its calls tell', () => {
    const stopCall = STOP_CALL[0] as AuditRecord;
    // A StopTask call whose response was not recorded tells only the task and its own time.
    const bareStop = { ...stopCall, createdAt: undefined };

    const withRunTask = toTaskRuns([bareStop, ...RUNTASK_SUCCESS]);
    const alone = toTaskRuns([bareStop]);

    expect(withRunTask.find((run) => run.record === bareStop)?.startTime).toBe(
      RUNTASK_SUCCESS.find((r) => r.resourceArn === stopCall.resourceArn)?.createdAt,
    );
    expect(alone.map((run) => [run.startTime, run.endTime])).toEqual([
      [stopCall.eventTime, stopCall.eventTime],
    ]);
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

  it('orders runs by start, then by record id when they start together', () => {
    const runs = toTaskRuns([...RUNTASK_SUCCESS, ...PARTIAL, ...SUCCEEDED]);

    expect(runs.map((run) => run.record.recordId)).toEqual([
      SUCCEEDED[0]?.recordId, // created 02:00:03
      'api-call:2582ff19-243f-4c69-bdf0-218b3b0bd4bd:failure:0', // all five at 02:45:12

      'api-call:2582ff19-243f-4c69-bdf0-218b3b0bd4bd:failure:1',
      'api-call:2582ff19-243f-4c69-bdf0-218b3b0bd4bd:task:0',
      'api-call:2582ff19-243f-4c69-bdf0-218b3b0bd4bd:task:1',
      'api-call:2582ff19-243f-4c69-bdf0-218b3b0bd4bd:task:2',
      'api-call:ec3bf6a7-6a56-41f8-900e-05753c8a6d35:task:0',
      'api-call:ec3bf6a7-6a56-41f8-900e-05753c8a6d35:task:1',
      'api-call:ec3bf6a7-6a56-41f8-900e-05753c8a6d35:task:2',
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
    expect(idsOf(filterRunsByStatus(runs, 'info'))).toEqual(
      RUNTASK_SUCCESS.slice(1).map((r) => r.recordId),
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
