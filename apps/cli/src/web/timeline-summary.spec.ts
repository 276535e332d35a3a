import { fixtureRecords } from '@ecslog/ecs-event-mapper/testing';
import type { AuditRecord } from '@ecslog/ecs-event-mapper';
import type { TaskRun } from '@ecslog/task-runs';
import { taskRunOf, toTaskRuns } from '@ecslog/task-runs';
import { toTimeline } from '@ecslog/task-runs';
import { describeTimeline } from './timeline-summary';

const RANGE = { from: '2026-11-19T12:00:00.000Z', to: '2026-11-21T12:00:00.000Z' };
const asIs = (iso: string) => iso;
const describe_ = (paths: string[]) =>
  describeTimeline(
    toTimeline(toTaskRuns(paths.flatMap(fixtureRecords)), RANGE, Date.parse(RANGE.to)),
    asIs,
  );

describe('describeTimeline', () => {
  // Groups: service:queue-worker (OOM), service:web (image pull, running), family:nightly-report.
  it('tells the runs, their groups and range, how they ended, and the failures by category', () => {
    expect(
      describe_([
        'eventbridge/task-stopped-oom.json',
        'eventbridge/task-stopped-image-pull.json',
        'eventbridge/task-stopped-succeeded.json',
        'eventbridge/task-lifecycle-04-running.json',
        'cloudtrail/runtask-partial-placement.json',
      ]),
    ).toBe(
      'Timeline of 9 task runs in 3 groups (service or family) between 2026-11-19T12:00:00.000Z and 2026-11-21T12:00:00.000Z: ' +
        '1 succeeded, 2 failed, 1 running, 2 never started, 3 known only by the call that started them. ' +
        'Failures by category: 1 out-of-memory, 1 image-pull, 2 placement; the failures panel links to each.',
    );
  });

  it('leaves out what did not happen', () => {
    expect(describe_(['eventbridge/task-stopped-succeeded.json'])).toBe(
      'Timeline of 1 task run in 1 group (service or family) between 2026-11-19T12:00:00.000Z and 2026-11-21T12:00:00.000Z: 1 succeeded.',
    );
  });

  it('tells the runs a later writer closed', () => {
    const running = fixtureRecords('eventbridge/task-lifecycle-04-running.json')[0] as AuditRecord;
    const closed = taskRunOf(running, {
      at: '2026-11-20T06:00:00.000Z',
      reason: 'gone',
    }) as TaskRun;

    expect(describeTimeline(toTimeline([closed], RANGE, Date.parse(RANGE.to)), asIs)).toBe(
      'Timeline of 1 task run in 1 group (service or family) between 2026-11-19T12:00:00.000Z and 2026-11-21T12:00:00.000Z: 1 closed without a recorded stop.',
    );
  });

  it('says when there is nothing to show', () => {
    expect(describe_([])).toBe(
      'Timeline: no task runs between 2026-11-19T12:00:00.000Z and 2026-11-21T12:00:00.000Z.',
    );
  });
});
