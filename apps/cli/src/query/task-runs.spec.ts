import fc from 'fast-check';
import type { AuditRecord } from '@ecslog/ecs-event-mapper';
import { mapEvent } from '@ecslog/ecs-event-mapper';
import { loadFixture, TASK_LIFECYCLE_FIXTURES } from '@ecslog/ecs-event-mapper/testing';
import { filterRunsByStatus, toTaskRuns } from './task-runs';

function recordsOf(path: string): AuditRecord[] {
  const result = mapEvent(loadFixture(path));
  if (result.kind !== 'mapped') throw new Error(`${path}: ${result.kind}`);
  return result.records;
}

const LIFECYCLE = TASK_LIFECYCLE_FIXTURES.flatMap(recordsOf);
const OOM = recordsOf('eventbridge/task-stopped-oom.json');
const PLACEMENT_ONLY = recordsOf('cloudtrail/runtask-placement-failure-only.json');
const PARTIAL = recordsOf('cloudtrail/runtask-partial-placement.json');

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
