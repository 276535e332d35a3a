import type { AuditRecord } from '@ecslog/ecs-event-mapper';
import type { ServiceWatch } from './items';
import { countedRunEntryOf } from './items';
import { DEFAULT_NOTIFY_CONFIG } from './notify-config';
import { MemoryNotifier } from './testing/harness';
import {
  FAMILY_PLACEMENT,
  FAMILY_SUCCEEDED,
  SERVICE_OOM,
  taskIdOf,
  taskRecord,
  UPDATE_SERVICE,
} from './testing/records';

const config = DEFAULT_NOTIFY_CONFIG;
const PROD_WEB = 'arn:aws:ecs:eu-west-1:111122223333:cluster/prod-web';
const BATCH = 'arn:aws:ecs:us-east-1:444455556666:cluster/batch';
const T0 = Date.parse('2026-11-20T05:00:00.000Z');
const at = (minutes: number) => new Date(T0 + minutes * 60_000).toISOString();
const oomStop = (n: number, minute: number) =>
  taskRecord(SERVICE_OOM, { taskId: taskIdOf(n), at: at(minute) });
const ids = (notifier: MemoryNotifier) => notifier.messages.map((m) => m.messageId);

describe('tickSignals: quiet periods and due updates', () => {
  const OOM_ID = `${PROD_WEB}#service:queue-worker#failure#out-of-memory`;

  it('sends a waiting update once the interval passed, then resolves after the quiet period', () => {
    const notifier = new MemoryNotifier(config);
    notifier.observe(oomStop(1, 0), at(0));
    notifier.observe(oomStop(2, 4), at(4));

    notifier.tick(at(10));
    expect(ids(notifier)).toEqual([`${OOM_ID}#1#opened#0`]);
    notifier.tick(at(15));
    notifier.tick(at(30));
    expect(ids(notifier)).toEqual([`${OOM_ID}#1#opened#0`, `${OOM_ID}#1#updated#1`]);

    notifier.tick(at(63));
    expect(ids(notifier)).toHaveLength(2);
    notifier.tick(at(64));
    notifier.tick(at(70));

    expect(ids(notifier)).toEqual([
      `${OOM_ID}#1#opened#0`,
      `${OOM_ID}#1#updated#1`,
      `${OOM_ID}#1#resolved#0`,
    ]);
    expect(notifier.messages[2]?.incident).toMatchObject({
      resolution: 'quiet-period',
      resolvedAt: at(64),
      failedRuns: 2,
    });
  });
});

describe('tickSignals: silence', () => {
  const WEB_API = `${PROD_WEB}#service:web-api`;
  const SILENCE_ID = `${WEB_API}#silence`;
  const desired = (count: number, minute: number): AuditRecord => ({
    ...UPDATE_SERVICE,
    desiredCount: count,
    eventTime: at(minute),
    recordId: `${UPDATE_SERVICE.recordId}-${minute}`,
  });

  it('opens a silence when fewer tasks than desired run for longer than the threshold, and resolves it when enough run again', () => {
    const notifier = new MemoryNotifier(config);
    notifier.observe(desired(6, 0), at(0));
    const running = (n: number) => new Map([[WEB_API, n]]);

    notifier.tick(at(1), running(6));
    notifier.tick(at(5), running(2)); // a deployment replacing tasks: not silence yet
    notifier.tick(at(10), running(4));
    notifier.tick(at(15), running(4));
    expect(notifier.incident(SILENCE_ID)).toBeUndefined();

    notifier.tick(at(16), running(4));
    notifier.tick(at(20), running(4));
    expect(ids(notifier)).toEqual([`${SILENCE_ID}#1#opened#0`]);
    expect(notifier.messages[0]?.incident).toMatchObject({
      openedAt: at(5),
      detail: '4 of 6 tasks running for 11 min',
      failedRuns: 1,
    });

    notifier.tick(at(25), running(6));
    notifier.tick(at(30), running(7));
    expect(ids(notifier)).toEqual([`${SILENCE_ID}#1#opened#0`, `${SILENCE_ID}#1#resolved#0`]);
    expect(notifier.messages[1]?.incident).toMatchObject({
      resolution: 'running-as-desired',
      resolvedAt: at(25),
    });
    expect(notifier.items.get(`service:${WEB_API}`)).not.toHaveProperty('belowDesiredSince');

    notifier.tick(at(40), new Map()); // none running at all: 0 of 6
    notifier.tick(at(51), new Map());
    expect(ids(notifier)).toEqual([
      `${SILENCE_ID}#1#opened#0`,
      `${SILENCE_ID}#1#resolved#0`,
      `${SILENCE_ID}#2#opened#0`,
    ]);
  });

  it('does not watch a service whose desired count is not known, nor one scaled to zero', () => {
    const notifier = new MemoryNotifier(config);
    notifier.observe(oomStop(1, 0), at(0)); // creates queue-worker's watch, no desired count
    notifier.observe(desired(0, 0), at(0));

    notifier.tick(at(5));
    notifier.tick(at(30));

    expect(
      [...notifier.items.values()]
        .filter((i) => i.kind === 'service')
        .map((w) => (w as ServiceWatch).belowDesiredSince),
    ).toEqual([undefined, undefined]);
    expect(notifier.messages.filter((m) => m.incident.key.kind === 'silence')).toEqual([]);
  });
});

describe('tickSignals: missed runs', () => {
  const NIGHTLY = `${BATCH}#family:nightly-report`;
  const MISSED_ID = `${NIGHTLY}#missed-run`;
  const hourly = (n: number, lateSeconds = 20) =>
    taskRecord(FAMILY_SUCCEEDED, {
      taskId: taskIdOf(n),
      at: new Date(T0 + (n * 60 + 5) * 60_000 + lateSeconds * 1000 + 10 * 60_000).toISOString(),
      runMinutes: 10,
    });

  it('opens a missed run when the learnt cadence is overdue by more than the grace, once, and resolves it when the job runs again', () => {
    const notifier = new MemoryNotifier(config);
    for (let n = 0; n < 6; n++) notifier.observe(hourly(n, n * 7), at(n * 60 + 20));
    // The last run started at 10:05:35; the next is expected at 11:05 (+ 15 min grace).

    notifier.tick(at(6 * 60 + 19));
    expect(notifier.incident(MISSED_ID)).toBeUndefined();
    notifier.tick(at(6 * 60 + 21));
    notifier.tick(at(6 * 60 + 26));
    notifier.tick(at(8 * 60));

    expect(ids(notifier)).toEqual([`${MISSED_ID}#1#opened#0`]);
    expect(notifier.messages[0]?.incident).toMatchObject({
      openedAt: '2026-11-20T11:05:00.000Z',
      detail: 'hourly at :05, none since 10:05 UTC (16 min overdue)',
      failedRuns: 1,
      last: { runId: 'missed:2026-11-20T11:05:00.000Z', startedBy: 'events-rule/nightly-report' },
    });

    notifier.observe(hourly(8), at(8 * 60 + 6));
    expect(ids(notifier)).toEqual([`${MISSED_ID}#1#opened#0`, `${MISSED_ID}#1#resolved#0`]);
    expect(notifier.messages[1]?.incident).toMatchObject({
      resolution: 'ran-again',
      resolvedAt: '2026-11-20T13:05:20.000Z',
    });
  });

  it('learns nothing before minRuns starts and never alarms then', () => {
    const notifier = new MemoryNotifier(config);
    for (let n = 0; n < 3; n++) notifier.observe(hourly(n), at(n * 60 + 20));

    notifier.tick(at(24 * 60));

    expect(notifier.messages).toEqual([]);
  });

  it('counts a RunTask that could not place its task as the schedule firing (and fails it at once)', () => {
    const notifier = new MemoryNotifier(config);

    notifier.observe(FAMILY_PLACEMENT, FAMILY_PLACEMENT.eventTime);

    expect(notifier.messages.map((m) => [m.kind, m.incident.key.category])).toEqual([
      ['opened', 'placement'],
    ]);
    expect(
      notifier.items.get(
        'schedule:arn:aws:ecs:eu-west-1:111122223333:cluster/batch#family:nightly-report',
      ),
    ).toMatchObject({
      recentStarts: [
        countedRunEntryOf({ runId: FAMILY_PLACEMENT.recordId, at: FAMILY_PLACEMENT.eventTime }),
      ],
    });
  });
});
