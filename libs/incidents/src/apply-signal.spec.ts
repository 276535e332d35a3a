import fc from 'fast-check';
import type { AuditRecord, FailureCategory } from '@ecslog/ecs-event-mapper';
import { applySignal } from './apply-signal';
import type { FailedRun, IncidentMessage } from './incident';
import type { FailureSignal, IncidentItem, ScheduleWatch, ServiceWatch, Signal } from './items';
import {
  countedRunEntryOf,
  MAX_COUNTED_RUN_IDS,
  MAX_KEPT_TEXT_CHARS,
  MAX_SCHEDULE_STARTS,
  scheduleStartTimesOf,
} from './items';
import { DEFAULT_NOTIFY_CONFIG } from './notify-config';
import { signalsOfRecord } from './signals-of-record';
import { MemoryNotifier } from './testing/harness';
import {
  FAMILY_EXIT_OUTCOME,
  FAMILY_SUCCEEDED,
  SERVICE_OOM,
  STEADY_STATE,
  taskIdOf,
  taskRecord,
  UPDATE_SERVICE,
} from './testing/records';

const config = DEFAULT_NOTIFY_CONFIG;
const PROD_WEB = 'arn:aws:ecs:eu-west-1:111122223333:cluster/prod-web';
const OOM_ID = `${PROD_WEB}#service:queue-worker#failure#out-of-memory`;
const T0 = Date.parse('2026-11-20T05:00:00.000Z');
const at = (minutes: number) => new Date(T0 + minutes * 60_000).toISOString();

/** An out-of-memory stop of queue-worker's task `n` at minute `minute`. */
function oomStop(n: number, minute: number): AuditRecord {
  return taskRecord(SERVICE_OOM, { taskId: taskIdOf(n), at: at(minute) });
}

function failureOf(record: AuditRecord): FailureSignal {
  const signal = signalsOfRecord(record, config).find((s) => s.type === 'failure');
  if (signal?.type !== 'failure') throw new Error('no failure signal');
  return signal;
}

function steadyAt(minute: number): AuditRecord {
  return {
    ...STEADY_STATE,
    serviceName: 'queue-worker',
    eventTime: at(minute),
    recordId: `${STEADY_STATE.recordId}-${minute}`,
  };
}

const kinds = (messages: readonly IncidentMessage[]) => messages.map((m) => m.messageId);

describe('applySignal: failure incidents', () => {
  it('opens an incident with one opened message at the failure’s event time', () => {
    const applied = applySignal(undefined, failureOf(oomStop(1, 3)), config, at(4));

    expect(applied?.messages).toEqual([
      {
        messageId: `${OOM_ID}#1#opened#0`,
        kind: 'opened',
        createdAt: at(4),
        incident: expect.objectContaining({
          id: OOM_ID,
          episode: 1,
          status: 'open',
          openedAt: at(3),
          lastFailureAt: at(3),
          failedRuns: 1,
        }),
      },
    ]);
    expect(applied?.item).toMatchObject({ kind: 'incident', updates: 0, lastMessageAt: at(4) });
  });

  it('counts a run once however often it is delivered, also once running and once stopped', () => {
    const notifier = new MemoryNotifier(config);
    const stop = oomStop(1, 3);

    notifier.observe(
      taskRecord(SERVICE_OOM, { taskId: taskIdOf(1), at: at(1), running: true }),
      at(1),
    );
    notifier.observe(stop, at(4));
    notifier.observe(stop, at(30));
    notifier.observe({ ...stop, version: 7, recordId: `${stop.recordId}-v7` }, at(31));

    expect(kinds(notifier.messages)).toEqual([`${OOM_ID}#1#opened#0`]);
    expect(notifier.incident(OOM_ID)).toMatchObject({ incident: { failedRuns: 1 } });
  });

  it('sends an update only once the interval passed since the last message, with the counts', () => {
    const notifier = new MemoryNotifier(config);

    notifier.observe(oomStop(1, 0), at(0));
    notifier.observe(oomStop(2, 5), at(5));
    expect(kinds(notifier.messages)).toEqual([`${OOM_ID}#1#opened#0`]);

    notifier.observe(oomStop(3, 16), at(16));
    notifier.observe(oomStop(4, 20), at(20));
    notifier.observe(oomStop(5, 32), at(32));

    expect(kinds(notifier.messages)).toEqual([
      `${OOM_ID}#1#opened#0`,
      `${OOM_ID}#1#updated#1`,
      `${OOM_ID}#1#updated#2`,
    ]);
    expect(notifier.messages[1]).toMatchObject({
      failedRunsSinceLastMessage: 2,
      incident: { failedRuns: 3 },
    });
    expect(notifier.messages[2]).toMatchObject({
      failedRunsSinceLastMessage: 2,
      incident: { failedRuns: 5 },
    });
  });

  it('resolves only with a recovery after the last failure, once', () => {
    const notifier = new MemoryNotifier(config);
    notifier.observe(oomStop(1, 0), at(0));
    notifier.observe(oomStop(2, 6), at(6));

    notifier.observe(steadyAt(5), at(7)); // delivered late: older than the last failure
    expect(notifier.incident(OOM_ID)).toMatchObject({ incident: { status: 'open' } });

    notifier.observe(steadyAt(9), at(9));
    notifier.observe(steadyAt(9), at(10));
    notifier.observe(steadyAt(12), at(12));

    expect(kinds(notifier.messages)).toEqual([`${OOM_ID}#1#opened#0`, `${OOM_ID}#1#resolved#0`]);
    expect(notifier.messages[1]?.incident).toMatchObject({
      status: 'resolved',
      resolvedAt: at(9),
      resolution: 'steady-state',
      failedRuns: 2,
      openedAt: at(0),
      lastFailureAt: at(6),
    });
  });

  it('counts a failure older than the resolution into the resolved episode, silently; a newer one opens the next episode', () => {
    const notifier = new MemoryNotifier(config);
    notifier.observe(oomStop(1, 0), at(0));
    notifier.observe(steadyAt(9), at(9));

    notifier.observe(oomStop(2, 8), at(10));
    expect(notifier.incident(OOM_ID)).toMatchObject({
      incident: { status: 'resolved', failedRuns: 2, lastFailureAt: at(8) },
    });
    expect(notifier.messages).toHaveLength(2);

    notifier.observe(oomStop(3, 40), at(40));
    expect(kinds(notifier.messages)).toEqual([
      `${OOM_ID}#1#opened#0`,
      `${OOM_ID}#1#resolved#0`,
      `${OOM_ID}#2#opened#0`,
    ]);
    expect(notifier.incident(OOM_ID)).toMatchObject({
      incident: { episode: 2, status: 'open', failedRuns: 1, openedAt: at(40) },
      countedRuns: [countedRunEntryOf({ at: at(40), runId: `task/prod-web/${taskIdOf(3)}` })],
    });
  });

  it('moves the opening back when an earlier failure of the episode arrives later', () => {
    const notifier = new MemoryNotifier(config);
    notifier.observe(oomStop(1, 5), at(5));
    notifier.observe(oomStop(2, 2), at(6));

    expect(notifier.incident(OOM_ID)).toMatchObject({
      incident: {
        openedAt: at(2),
        lastFailureAt: at(5),
        first: { taskId: taskIdOf(2) },
        last: { taskId: taskIdOf(1) },
      },
    });
  });

  it('keeps the latest counted runs, and does not count a run that may be one it dropped', () => {
    let item: IncidentItem | undefined;
    for (let n = 0; n < MAX_COUNTED_RUN_IDS + 5; n++) {
      const applied = applySignal(item, failureOf(oomStop(n, n)), config, at(n));
      item = applied?.item as IncidentItem;
    }
    const full = item as IncidentItem;

    expect(full.countedRuns).toHaveLength(MAX_COUNTED_RUN_IDS);
    expect(full.droppedUpTo).toBe(at(4));
    expect(full.incident.failedRuns).toBe(MAX_COUNTED_RUN_IDS + 5);
    expect(applySignal(full, failureOf(oomStop(2, 2)), config, at(999))).toBeUndefined();
    expect(applySignal(full, failureOf(oomStop(9999, 3)), config, at(999))).toBeUndefined();
    expect(applySignal(full, failureOf(oomStop(9999, 4.5)), config, at(999))?.item).toMatchObject({
      incident: { failedRuns: MAX_COUNTED_RUN_IDS + 6 },
    });
  });

  it('keeps an item of an episode of 1,000 failures ≤ 3 KB (3 write units), and besides its two kept stop reasons when they are long', () => {
    /** The item after 1,000 failures of distinct tasks every 30 s, with `reasonOf(n)` (or the fixture's). */
    function episode(reasonOf?: (n: number) => string): IncidentItem {
      let item: IncidentItem | undefined;
      for (let n = 0; n < 1000; n++) {
        const record = oomStop(n + 1, n * 0.5);
        if (reasonOf) record.stoppedReason = reasonOf(n);
        const applied = applySignal(item, failureOf(record), config, at(n * 0.5));
        item = (applied?.item as IncidentItem | undefined) ?? item;
      }
      return item as IncidentItem;
    }
    const usual = episode();
    expect(usual.incident.failedRuns).toBe(1000);
    expect(usual.countedRuns).toHaveLength(MAX_COUNTED_RUN_IDS);
    expect(Buffer.byteLength(JSON.stringify(usual))).toBeLessThan(3 * 1024);

    const long = episode(
      (n) =>
        `Essential container in task exited: ${'OutOfMemoryError: Container killed due to memory usage; '.repeat(40)}#${n}`,
    );
    expect(long.incident.failedRuns).toBe(1000);
    expect(long.incident.first.stoppedReason).toHaveLength(MAX_KEPT_TEXT_CHARS);
    expect(long.incident.last.stoppedReason?.endsWith('…')).toBe(true);
    const reasons =
      (long.incident.first.stoppedReason?.length ?? 0) +
      (long.incident.last.stoppedReason?.length ?? 0);
    expect(Buffer.byteLength(JSON.stringify(long)) - reasons).toBeLessThan(2.75 * 1024);
  });

  it('keeps a stop reason of ECS’s usual length whole, and reads counted runs of the older form', () => {
    const record = oomStop(1, 0);
    record.stoppedReason = 'x'.repeat(MAX_KEPT_TEXT_CHARS);
    const opened = applySignal(undefined, failureOf(record), config, at(0))?.item as IncidentItem;
    expect(opened.incident.first.stoppedReason).toBe(record.stoppedReason);

    const older: IncidentItem = { ...opened, countedRuns: [`${at(0)} ${taskIdOf(1)}`] };
    expect(applySignal(older, failureOf(oomStop(1, 0)), config, at(1))).toBeUndefined();
    expect(
      (applySignal(older, failureOf(oomStop(2, 1)), config, at(1))?.item as IncidentItem)
        .countedRuns,
    ).toEqual([
      countedRunEntryOf({ at: at(0), runId: taskIdOf(1) }),
      countedRunEntryOf({ at: at(1), runId: taskIdOf(2) }),
    ]);
  });

  it('ignores recoveries and update-dues of nothing open, and signals for another kind of item', () => {
    const opened = applySignal(undefined, failureOf(oomStop(1, 0)), config, at(0))?.item;
    const recovery = {
      type: 'recovery' as const,
      target: { kind: 'incident' as const, id: OOM_ID },
      reason: 'quiet-period' as const,
      at: at(90),
    };

    expect(applySignal(undefined, recovery, config, at(90))).toBeUndefined();
    expect(
      applySignal(
        opened,
        { type: 'update-due', target: { kind: 'incident', id: OOM_ID } },
        config,
        at(90),
      ),
    ).toBeUndefined();
    const watch: ServiceWatch = {
      kind: 'service',
      id: 'x',
      clusterArn: PROD_WEB,
      clusterName: 'prod-web',
      group: 'service:queue-worker',
      account: '1',
      region: 'eu-west-1',
      recentStops: [],
    };
    expect(applySignal(watch, recovery, config, at(90))).toBeUndefined();
    const resolved = applySignal(opened, recovery, config, at(90))?.item;
    expect(
      applySignal(
        resolved,
        { type: 'update-due', target: { kind: 'incident', id: OOM_ID } },
        config,
        at(120),
      ),
    ).toBeUndefined();
  });

  it('makes a due update when failures wait and the interval passed', () => {
    let item = applySignal(undefined, failureOf(oomStop(1, 0)), config, at(0))?.item;
    item = applySignal(item, failureOf(oomStop(2, 3)), config, at(3))?.item;
    const due = { type: 'update-due' as const, target: { kind: 'incident' as const, id: OOM_ID } };

    expect(applySignal(item, due, config, at(10))).toBeUndefined();
    expect(kinds(applySignal(item, due, config, at(15))?.messages ?? [])).toEqual([
      `${OOM_ID}#1#updated#1`,
    ]);
  });
});

describe('applySignal: crash loops', () => {
  const CRASH_ID = `${PROD_WEB}#service:queue-worker#crash-loop`;

  it('opens a crash-loop incident at the fifth failed stop within 10 minutes, resolved by the steady state', () => {
    const notifier = new MemoryNotifier(config);
    for (const [n, minute] of [
      [1, 0],
      [2, 2],
      [3, 4],
      [4, 6],
    ] as const)
      notifier.observe(oomStop(n, minute), at(minute));
    expect(notifier.incident(CRASH_ID)).toBeUndefined();

    notifier.observe(oomStop(5, 7.5), at(8));
    notifier.observe(oomStop(6, 9), at(9));
    notifier.observe(steadyAt(20), at(20));

    expect(kinds(notifier.messages.filter((m) => m.incident.key.kind === 'crash-loop'))).toEqual([
      `${CRASH_ID}#1#opened#0`,
      `${CRASH_ID}#1#resolved#0`,
    ]);
    expect(
      notifier.messages.find((m) => m.messageId === `${CRASH_ID}#1#opened#0`)?.incident,
    ).toMatchObject({
      detail: '5 tasks stopped in 8 min',
      failedRuns: 5,
      openedAt: at(0),
      last: { taskId: taskIdOf(5), category: 'out-of-memory' },
    });
    expect(notifier.incident(CRASH_ID)).toMatchObject({
      incident: { failedRuns: 6, status: 'resolved' },
    });
    expect(
      (notifier.items.get(`service:${PROD_WEB}#service:queue-worker`) as ServiceWatch).recentStops,
    ).toHaveLength(5);
  });

  it('is no crash loop when the stops spread over more than 10 minutes', () => {
    const notifier = new MemoryNotifier(config);
    for (let n = 0; n < 8; n++) notifier.observe(oomStop(n, n * 3), at(n * 3));

    expect(notifier.incident(`${PROD_WEB}#service:queue-worker#crash-loop`)).toBeUndefined();
  });

  it('ignores a repeated stop and one older than every kept stop', () => {
    const notifier = new MemoryNotifier(config);
    for (let n = 10; n < 15; n++) notifier.observe(oomStop(n, 30 + n), at(45));
    const watchKey = `service:${PROD_WEB}#service:queue-worker`;
    const watch = notifier.items.get(watchKey);
    const stop = {
      type: 'failed-stop' as const,
      target: { kind: 'service' as const, id: `${PROD_WEB}#service:queue-worker` },
      place: watch as ServiceWatch,
      run: (watch as ServiceWatch).recentStops[0] as FailedRun,
    };

    expect(applySignal(watch, stop, config, at(50))).toBeUndefined();
    expect(
      applySignal(
        watch,
        { ...stop, run: { ...stop.run, runId: 'older', at: at(1) } },
        config,
        at(50),
      ),
    ).toBeUndefined();
  });
});

describe('applySignal: a group’s recoveries routed by its watch', () => {
  const WATCH = `${PROD_WEB}#service:queue-worker`;

  it('costs one read and no write when nothing of the group failed, and reaches only what failed', () => {
    const notifier = new MemoryNotifier(config);
    notifier.observe(steadyAt(1), at(1));
    expect(notifier.items.size).toBe(0);

    notifier.observe(oomStop(1, 2), at(2));
    const [recovery] = signalsOfRecord(steadyAt(5), config);
    const watch = notifier.items.get(`service:${WATCH}`);
    expect(watch).toMatchObject({ pending: { 'failure#out-of-memory': at(2) } });
    expect(applySignal(watch, recovery as Signal, config, at(5))).toEqual({
      item: expect.not.objectContaining({ pending: expect.anything() }),
      messages: [],
      signals: [
        {
          type: 'recovery',
          target: { kind: 'incident', id: OOM_ID },
          reason: 'steady-state',
          at: at(5),
        },
      ],
    });
    notifier.observe(steadyAt(5), at(5));
    expect(notifier.items.get(`service:${WATCH}`)).toMatchObject({ recoveredAt: at(5) });
    expect(kinds(notifier.messages)).toEqual([`${OOM_ID}#1#opened#0`, `${OOM_ID}#1#resolved#0`]);
    // An older recovery, or one with nothing heard since, writes nothing.
    expect(
      applySignal(
        notifier.items.get(`service:${WATCH}`),
        signalsOfRecord(steadyAt(4), config)[0] as Signal,
        config,
        at(6),
      ),
    ).toBeUndefined();
    expect(
      applySignal(
        notifier.items.get(`service:${WATCH}`),
        signalsOfRecord(steadyAt(9), config)[0] as Signal,
        config,
        at(9),
      ),
    ).toBeUndefined();
  });

  it('keeps waiting an incident whose failure is after the recovery, and resolves at once one that failed before the last recovery but was heard after it', () => {
    const notifier = new MemoryNotifier(config);
    notifier.observe(oomStop(1, 2), at(2));
    notifier.observe(oomStop(2, 8), at(8));
    const exitId = `${PROD_WEB}#service:queue-worker#failure#essential-container-exited`;
    const exit = (n: number, minute: number) =>
      taskRecord(SERVICE_OOM, {
        taskId: taskIdOf(n),
        at: at(minute),
        outcome: { status: 'failed', category: 'essential-container-exited', summary: 'exit 1' },
      });
    notifier.observe(exit(3, 3), at(8));
    notifier.observe(steadyAt(5), at(9)); // after the exit, before the last OOM

    expect(notifier.incident(exitId)).toMatchObject({
      incident: { status: 'resolved', resolvedAt: at(5) },
    });
    expect(notifier.incident(OOM_ID)).toMatchObject({ incident: { status: 'open' } });

    notifier.observe(exit(4, 4), at(10)); // heard late: counted into the resolved episode
    expect(notifier.incident(exitId)).toMatchObject({
      incident: { status: 'resolved', failedRuns: 2 },
    });
    notifier.observe(steadyAt(11), at(11));
    expect(notifier.incident(OOM_ID)).toMatchObject({
      incident: { status: 'resolved', resolvedAt: at(11), resolution: 'steady-state' },
    });
    expect(notifier.messages.filter((m) => m.kind === 'resolved')).toHaveLength(2);
  });

  it('resolves a family’s failure with its next successful run, the family’s watch routing it', () => {
    const notifier = new MemoryNotifier(config);
    const failed = taskRecord(FAMILY_SUCCEEDED, {
      taskId: taskIdOf(1),
      at: at(0),
      outcome: FAMILY_EXIT_OUTCOME,
    });
    notifier.observe({ ...failed, startedBy: 'ops-console' }, at(0));
    const watch = notifier.items.get(
      'schedule:arn:aws:ecs:us-east-1:444455556666:cluster/batch#family:nightly-report',
    );
    expect(watch).toMatchObject({
      kind: 'schedule',
      pending: { 'failure#essential-container-exited': at(0) },
    });
    expect(watch).not.toHaveProperty('startedBy');

    notifier.observe(
      {
        ...taskRecord(FAMILY_SUCCEEDED, { taskId: taskIdOf(2), at: at(60) }),
        startedBy: 'ops-console',
      },
      at(60),
    );
    expect(notifier.messages.map((m) => [m.kind, m.incident.resolution])).toEqual([
      ['opened', undefined],
      ['resolved', 'next-run-succeeded'],
    ]);
  });
});

describe('applySignal: watches', () => {
  const WEB_API = `${PROD_WEB}#service:web-api`;

  it('keeps the latest desired count by call time', () => {
    const first = signalsOfRecord(UPDATE_SERVICE, config)[0];
    if (first?.type !== 'desired-count') throw new Error('no desired count');
    const watch = applySignal(undefined, first, config, at(0))?.item as ServiceWatch;
    const older = { ...first, desiredCount: 2, at: '2026-11-20T01:00:00.000Z' };
    const newer = { ...first, desiredCount: 0, at: '2026-11-20T04:00:00.000Z' };

    expect(watch).toMatchObject({
      kind: 'service',
      id: WEB_API,
      desiredCount: 6,
      desiredCountAt: UPDATE_SERVICE.eventTime,
      recentStops: [],
    });
    expect(applySignal(watch, older, config, at(1))).toBeUndefined();
    expect(applySignal(watch, newer, config, at(1))?.item).toMatchObject({ desiredCount: 0 });
  });

  it('marks and clears being below the desired count', () => {
    const first = signalsOfRecord(UPDATE_SERVICE, config)[0];
    if (first?.type !== 'desired-count') throw new Error('no desired count');
    const watch = applySignal(undefined, first, config, at(0))?.item as ServiceWatch;
    const count = (running: number, minute: number) => ({
      type: 'running-count' as const,
      target: { kind: 'service' as const, id: WEB_API },
      running,
      at: at(minute),
    });

    const below = applySignal(watch, count(4, 1), config, at(1))?.item as ServiceWatch;
    expect(below.belowDesiredSince).toBe(at(1));
    expect(applySignal(below, count(3, 2), config, at(2))).toBeUndefined();
    expect(applySignal(below, count(6, 3), config, at(3))?.item).not.toHaveProperty(
      'belowDesiredSince',
    );
    expect(applySignal(watch, count(6, 3), config, at(3))).toBeUndefined();
    expect(applySignal(undefined, count(6, 3), config, at(3))).toBeUndefined();
  });

  it('keeps a scheduled family’s last 60 starts in time order, one per run, and signals a new latest start as ran-again', () => {
    let watch: ScheduleWatch | undefined;
    const followUps: string[] = [];
    const starts = Array.from({ length: 70 }, (_, n) => n).sort(
      (a, b) => ((a * 37) % 70) - ((b * 37) % 70),
    );
    for (const n of starts) {
      const run = taskRecord(FAMILY_SUCCEEDED, {
        taskId: taskIdOf(n),
        at: at(n * 60 + 5),
        runMinutes: 5,
      });
      const signal = signalsOfRecord(run, config).find((s) => s.type === 'scheduled-start');
      if (signal === undefined) throw new Error('no start');
      const applied = applySignal(watch, signal, config, at(5000));
      if (applied === undefined) continue;
      watch = applied.item as ScheduleWatch;
      followUps.push(
        ...applied.signals.map((s) => (s.type === 'recovery' ? `${s.reason} ${s.at}` : s.type)),
      );
      expect(applySignal(watch, signal, config, at(5000))).toBeUndefined();
    }

    expect(watch?.recentStarts).toHaveLength(MAX_SCHEDULE_STARTS);
    expect(Buffer.byteLength(JSON.stringify(watch))).toBeLessThan(1024 + 256);
    expect(scheduleStartTimesOf(watch as ScheduleWatch)).toEqual(
      Array.from({ length: 60 }, (_, i) => at((i + 10) * 60)),
    );
    expect(followUps.every((f) => f.startsWith('ran-again '))).toBe(true);
    expect(followUps[followUps.length - 1]).toBe(`ran-again ${at(69 * 60)}`);
  });
});

// ---- property: any permutation and duplication of a burst, then its recovery ----

interface Burst {
  service: boolean;
  runs: { n: number; category: FailureCategory; minute: number }[];
  order: number[];
  tail: number[];
  /** Where in the order a stale recovery (older than every failure) is delivered. */
  stale: number;
}

const burstArb: fc.Arbitrary<Burst> = fc
  .record({
    service: fc.boolean(),
    runs: fc.uniqueArray(
      fc.record({
        n: fc.integer({ min: 1, max: 10_000 }),
        category: fc.constantFrom<FailureCategory>('out-of-memory', 'essential-container-exited'),
        // Within 9 minutes: every 5 of them are a crash loop of a service.
        minute: fc.integer({ min: 0, max: 540 }).map((seconds) => seconds / 60),
      }),
      { minLength: 1, maxLength: 9, selector: (run) => run.n },
    ),
  })
  .chain((burst) => {
    const deliveries = burst.runs.length * 2;
    return fc.record({
      service: fc.constant(burst.service),
      runs: fc.constant(burst.runs),
      // Indices into the burst's records (stops and running states), each at least once.
      order: fc
        .array(fc.nat({ max: deliveries - 1 }), { maxLength: deliveries * 2 })
        .chain((extra) =>
          fc.shuffledSubarray([...Array.from({ length: deliveries }, (_, i) => i), ...extra], {
            minLength: deliveries + extra.length,
          }),
        ),
      tail: fc.array(fc.nat({ max: deliveries - 1 }), { maxLength: 4 }),
      stale: fc.nat({ max: deliveries * 3 }),
    });
  });

function burstRecords(burst: Burst): AuditRecord[] {
  return burst.runs.flatMap((run) => {
    const base = burst.service ? SERVICE_OOM : FAMILY_SUCCEEDED;
    const outcome = burst.service
      ? {
          status: 'failed' as const,
          category: run.category,
          summary: `container worker failed (${run.category})`,
        }
      : { ...FAMILY_EXIT_OUTCOME, category: run.category };
    return [
      taskRecord(base, { taskId: taskIdOf(run.n), at: at(run.minute), outcome }),
      taskRecord(base, { taskId: taskIdOf(run.n), at: at(run.minute - 1), running: true }),
    ];
  });
}

function recoveryOf(burst: Burst, minute = 30): AuditRecord {
  if (burst.service) return steadyAt(minute);
  return taskRecord(FAMILY_SUCCEEDED, { taskId: taskIdOf(99_999 + minute), at: at(minute) });
}

describe('applySignal property: signals of different items applied in any interleaving', () => {
  it('still gives exactly one opened and one resolved message per incident: a recovery the watch routes before it heard the failure leaves the quiet period to resolve it', () => {
    fc.assert(
      fc.property(burstArb, fc.array(fc.nat(), { minLength: 1, maxLength: 64 }), (burst, picks) => {
        let turn = 0;
        const notifier = new MemoryNotifier(config, () => picks[turn++ % picks.length] as number);
        const records = burstRecords(burst);
        // Each record's signals, and all follow-ups, go to one queue applied in the picked order.
        const signals = burst.order.flatMap((index) =>
          signalsOfRecord(records[index] as AuditRecord, config),
        );
        signals.push(...signalsOfRecord(recoveryOf(burst), config));
        notifier.apply(signals, at(31));
        notifier.observe(recoveryOf(burst, 32), at(32));
        notifier.tick(at(32 + config.quietPeriodMinutes));

        const ids = new Set(notifier.messages.map((m) => m.incident.id));
        expect(ids.size).toBeGreaterThan(0);
        for (const id of ids) {
          const mine = notifier.messages.filter((m) => m.incident.id === id);
          expect(mine.map((m) => m.kind)).toEqual([
            'opened',
            ...mine.slice(1, -1).map(() => 'updated'),
            'resolved',
          ]);
          expect((notifier.incident(id) as IncidentItem).incident.episode).toBe(1);
        }
        expect(new Set(notifier.messages.map((m) => m.messageId)).size).toBe(
          notifier.messages.length,
        );
      }),
    );
  });
});

describe('applySignal property: a burst in any order with duplicates, then its recovery', () => {
  it('gives exactly one opened and one resolved message per incident, counting each run once', () => {
    fc.assert(
      fc.property(burstArb, (burst) => {
        const notifier = new MemoryNotifier(config);
        const records = burstRecords(burst);
        let minute = 0;
        burst.order.forEach((index, position) => {
          if (position === burst.stale) notifier.observe(recoveryOf(burst, -2), at(10 + minute));
          notifier.observe(records[index] as AuditRecord, at(10 + (minute += 0.7)));
        });
        notifier.observe(recoveryOf(burst), at(31));
        notifier.observe(recoveryOf(burst), at(32));
        for (const index of burst.tail) notifier.observe(records[index] as AuditRecord, at(33));

        // The model: one failure incident per category, the runs of that category; a crash loop
        // when a service had 5 or more failed runs (all within 9 minutes).
        const expected = new Map<string, number>();
        for (const run of burst.runs) {
          const group = burst.service ? 'service:queue-worker' : 'family:nightly-report';
          const cluster = burst.service
            ? PROD_WEB
            : 'arn:aws:ecs:us-east-1:444455556666:cluster/batch';
          const id = `${cluster}#${group}#failure#${run.category}`;
          expected.set(id, (expected.get(id) ?? 0) + 1);
        }
        if (burst.service && burst.runs.length >= config.crashLoop.stops)
          expected.set(`${PROD_WEB}#service:queue-worker#crash-loop`, burst.runs.length);

        const ids = new Set(notifier.messages.map((m) => m.incident.id));
        expect([...ids].sort()).toEqual([...expected.keys()].sort());
        for (const [id, failedRuns] of expected) {
          const mine = notifier.messages.filter((m) => m.incident.id === id);
          expect(mine.filter((m) => m.kind === 'opened')).toHaveLength(1);
          expect(mine.filter((m) => m.kind === 'resolved')).toHaveLength(1);
          expect(mine[mine.length - 1]?.kind).toBe('resolved');
          const item = notifier.incident(id) as IncidentItem;
          expect(item.incident).toMatchObject({ status: 'resolved', episode: 1 });
          if (!id.endsWith('#crash-loop')) expect(item.incident.failedRuns).toBe(failedRuns);
          else {
            expect(item.incident.failedRuns).toBeGreaterThanOrEqual(config.crashLoop.stops);
            expect(item.incident.failedRuns).toBeLessThanOrEqual(failedRuns);
          }
        }
        expect(new Set(notifier.messages.map((m) => m.messageId)).size).toBe(
          notifier.messages.length,
        );
      }),
    );
  });
});
