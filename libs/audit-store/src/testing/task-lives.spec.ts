import fc from 'fast-check';
import type { AuditRecord } from '@ecslog/ecs-event-mapper';
import { toTaskRuns } from '@ecslog/task-runs';
import { deliveriesOf, taskLifeArb, taskLivesArb } from './task-lives';

const DAY_MS = 86_400_000;

describe('task lives', () => {
  it('makes the runs each kind says, from records the mapper produced', () => {
    fc.assert(
      fc.property(taskLifeArb, ({ kind, records }) => {
        const runs = toTaskRuns(records);
        if (kind === 'never-started') {
          expect(runs.length).toBeGreaterThan(0);
          expect(runs.every((run) => run.end === 'not-started' && run.neverStarted)).toBe(true);
          return;
        }
        expect(runs).toHaveLength(1);
        const [run] = runs;
        if (kind === 'open') expect(run?.end).toBe('open');
        if (kind === 'stopped') {
          expect(run?.end).toBe('stopped');
          expect(run?.knownOnlyBy).toBeUndefined();
          expect(run?.endTime).toBe(run?.record.stoppedAt);
        }
        if (kind === 'calls-only') expect(run?.knownOnlyBy).toBeDefined();
        // Versions rise one by one; createdAt is one instant; stoppedAt once set stays.
        const changes = records.filter((r) => r.recordType === 'task');
        expect(changes.map((r) => r.version)).toEqual(changes.map((_, i) => i + 1));
        expect(new Set(changes.map((r) => r.createdAt)).size).toBeLessThanOrEqual(1);
        expect(new Set(changes.flatMap((r) => r.stoppedAt ?? [])).size).toBeLessThanOrEqual(1);
      }),
      { numRuns: 300 },
    );
  });

  it('gives every kind, and runs of 30+ days, in a modest sample', () => {
    const lives = fc.sample(taskLifeArb, { numRuns: 300, seed: 1 });
    const kinds = new Set(lives.map((life) => life.kind));
    const long = lives
      .flatMap((life) => toTaskRuns(life.records))
      .filter(
        (run) => run.endTime && Date.parse(run.endTime) - Date.parse(run.startTime) > 30 * DAY_MS,
      );

    expect([...kinds].sort()).toEqual(['calls-only', 'never-started', 'open', 'stopped']);
    expect(long.length).toBeGreaterThan(10);
    const ends = new Set(lives.flatMap((life) => toTaskRuns(life.records)).map((run) => run.end));
    expect([...ends].sort()).toEqual(['not-recorded', 'not-started', 'open', 'stopped']);
  });

  it('delivers every record at least once, in calls', () => {
    fc.assert(
      fc.property(
        taskLivesArb({ maxLength: 5 }).chain((lives) => {
          const records = lives.flatMap((life) => life.records);
          return fc.tuple(fc.constant(records), deliveriesOf(records, 7));
        }),
        ([records, calls]) => {
          const delivered = calls.flat();
          const ids = (rs: AuditRecord[]) => [...new Set(rs.map((r) => r.recordId))].sort();
          expect(ids(delivered)).toEqual(ids(records));
          expect(calls.every((call) => call.length >= 1 && call.length <= 7)).toBe(true);
        },
      ),
      { numRuns: 100 },
    );
  });
});
