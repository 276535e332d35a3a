import fc from 'fast-check';
import type { Cadence } from './cadence';
import { describeCadence, learnCadence, nextExpectedAfter, toleranceMinutesOf } from './cadence';
import type { ScheduleWatch } from './items';
import { DEFAULT_NOTIFY_CONFIG } from './notify-config';
import { tickSignals } from './tick-signals';

const MINUTE = 60_000;
/** A Monday, 00:00 UTC. */
const MONDAY = Date.parse('2026-11-16T00:00:00.000Z');
const iso = (ms: number) => new Date(ms).toISOString();

describe('learnCadence', () => {
  it('learns hourly at :05 from runs a little late', () => {
    const starts = ['02:05:40', '03:05:12', '04:06:02', '05:05:31', '06:07:10'].map(
      (t) => `2026-11-20T${t}.000Z`,
    );

    const cadence = learnCadence(starts);

    expect(cadence).toEqual({ periodMinutes: 60, offsetMinutes: 5.2 });
    expect(describeCadence(cadence as Cadence)).toBe('hourly at :05');
    expect(nextExpectedAfter(cadence as Cadence, '2026-11-20T06:07:10.000Z')).toBe(
      '2026-11-20T07:05:12.000Z',
    );
  });

  it('learns weekdays at 06:30 and expects Monday after a Friday', () => {
    const starts: string[] = [];
    for (let day = 0; day < 21; day++) {
      const ms = MONDAY + day * 1440 * MINUTE + (6 * 60 + 30) * MINUTE + (day % 3) * 20_000;
      if (new Date(ms).getUTCDay() % 6 !== 0) starts.push(iso(ms));
    }

    const cadence = learnCadence(starts) as Cadence;

    expect(cadence).toEqual({ periodMinutes: 1440, offsetMinutes: 390, days: [1, 2, 3, 4, 5] });
    expect(describeCadence(cadence)).toBe('weekdays at 06:30 UTC');
    expect(nextExpectedAfter(cadence, '2026-12-04T06:30:40.000Z')).toBe('2026-12-07T06:30:00.000Z');
  });

  it('counts the starts of one firing once (a rule that starts two tasks)', () => {
    const starts = [0, 15, 30, 45, 60].flatMap((m) => [
      iso(MONDAY + m * MINUTE + 2000),
      iso(MONDAY + m * MINUTE + 2500),
    ]);

    expect(learnCadence(starts)).toEqual({ periodMinutes: 15, offsetMinutes: 0.033 });
  });

  it('has no cadence for too few runs, a moved schedule, or starts with no period', () => {
    const hourly = (n: number, shift = 0) => iso(MONDAY + (n * 60 + 5 + shift) * MINUTE);

    expect(learnCadence([hourly(0), hourly(1), hourly(2)])).toBeUndefined();
    expect(learnCadence([hourly(0), hourly(1), hourly(2)], { minRuns: 3 })).toEqual({
      periodMinutes: 60,
      offsetMinutes: 5,
    });
    expect(learnCadence([0, 1, 2, 3, 4, 5].map((n) => hourly(n, n < 3 ? 0 : 20)))).toBeUndefined();
    expect(learnCadence(['not a time', hourly(0), hourly(1), hourly(2)])).toBeUndefined();
    expect(
      learnCadence([0, 7, 19, 50, 51, 90, 200, 260].map((m) => iso(MONDAY + m * MINUTE))),
    ).toBeUndefined();
  });

  it('has no cadence when a slot has two firings (a counterexample of the random-gaps property)', () => {
    const starts = [1, 2, 3, 4, 5, 6, 7, 241].map((m) => iso(MONDAY + m * MINUTE));

    expect(learnCadence(starts)).toBeUndefined();
  });

  it('has no cadence when more than two slots are empty', () => {
    const starts = [0, 1, 2, 3, 5, 7, 9, 10, 11].map((h) => iso(MONDAY + (h * 60 + 5) * MINUTE));

    expect(learnCadence(starts)).toBeUndefined();
  });
});

describe('describeCadence', () => {
  it.each<[Cadence, string]>([
    [{ periodMinutes: 15, offsetMinutes: 3 }, 'every 15 min'],
    [{ periodMinutes: 60, offsetMinutes: 0.5 }, 'hourly at :00'],
    [{ periodMinutes: 360, offsetMinutes: 30 }, 'every 6 h from 00:30 UTC'],
    [{ periodMinutes: 1440, offsetMinutes: 125 }, 'daily at 02:05 UTC'],
    [
      { periodMinutes: 1440, offsetMinutes: 125, days: [2, 3, 4, 5, 6] },
      'daily at 02:05 UTC except Sun, Mon',
    ],
  ])('describes %j as "%s"', (cadence, words) => {
    expect(describeCadence(cadence)).toBe(words);
  });
});

// ---- property: generated histories ----

interface History {
  period: number;
  weekdaysOnly: boolean;
  offset: number;
  starts: string[];
}

/** A regular history: `runs` slots from a Monday, each start late by 0–3 minutes, one or two runs missing. */
function historyArb(
  period: number,
  weekdaysOnly: boolean,
  runs: { min: number; max: number },
): fc.Arbitrary<History> {
  return fc
    .record({
      // Daily slots end 4 minutes before midnight: a late start stays on its slot's weekday.
      offset: fc
        .integer({ min: 0, max: Math.min(period, 1440) * 60 - 1 - (period === 1440 ? 240 : 0) })
        .map((s) => s / 60),
      firstSlot: fc.integer({ min: 0, max: 50 }),
      delays: fc.array(fc.integer({ min: 0, max: 180 }), {
        minLength: runs.max,
        maxLength: runs.max,
      }),
      count: fc.integer(runs),
      missing: fc.uniqueArray(fc.integer({ min: 1, max: runs.min - 2 }), { maxLength: 2 }),
    })
    .map(({ offset, firstSlot, delays, count, missing }) => {
      const slots: number[] = [];
      for (let slot = firstSlot; slots.length < count; slot++) {
        const ms = MONDAY + (offset + slot * period) * MINUTE;
        if (!weekdaysOnly || new Date(ms).getUTCDay() % 6 !== 0) slots.push(ms);
      }
      const starts = slots
        .filter((_, index) => !missing.includes(index))
        .map((ms, index) => iso(ms + (delays[index] ?? 0) * 1000));
      return { period, weekdaysOnly, offset, starts };
    });
}

const regularArb = fc.oneof(
  historyArb(60, false, { min: 8, max: 60 }),
  historyArb(15, false, { min: 8, max: 60 }),
  historyArb(1440, false, { min: 15, max: 60 }),
  historyArb(1440, true, { min: 15, max: 60 }),
);

/** Random gaps of 1 minute to 4 hours. */
const irregularArb = fc
  .array(fc.integer({ min: 60, max: 4 * 3600 }), { minLength: 8, maxLength: 60 })
  .map((gaps) => {
    let ms = MONDAY;
    return gaps.map((gap) => iso((ms += gap * 1000)));
  });

function scheduleWatchOf(starts: readonly string[]): ScheduleWatch {
  return {
    kind: 'schedule',
    id: 'arn:aws:ecs:us-east-1:444455556666:cluster/batch#family:nightly-report',
    clusterArn: 'arn:aws:ecs:us-east-1:444455556666:cluster/batch',
    clusterName: 'batch',
    group: 'family:nightly-report',
    account: '444455556666',
    region: 'us-east-1',
    startedBy: 'events-rule/nightly-report',
    starts: starts.map((at, n) => ({ runId: `run-${n}`, at })),
  };
}

describe('learnCadence property: generated histories', () => {
  it('learns the period and phase of regular histories with jitter and a missed run or two', () => {
    fc.assert(
      fc.property(regularArb, (history) => {
        const cadence = learnCadence(history.starts);

        expect(cadence?.periodMinutes).toBe(history.period);
        const shift = ((cadence?.offsetMinutes ?? NaN) - history.offset) % history.period;
        const phase =
          shift > history.period / 2
            ? shift - history.period
            : shift < -history.period / 2
              ? shift + history.period
              : shift;
        expect(phase).toBeGreaterThanOrEqual(-0.01);
        expect(phase).toBeLessThanOrEqual(3);
        expect(cadence?.days).toEqual(history.weekdaysOnly ? [1, 2, 3, 4, 5] : undefined);
      }),
    );
  });

  it('finds no cadence in random gaps, and the clock signals no missed run for them', () => {
    fc.assert(
      fc.property(irregularArb, fc.integer({ min: 0, max: 7 * 1440 }), (starts, later) => {
        expect(learnCadence(starts)).toBeUndefined();
        const now = iso(Date.parse(starts[starts.length - 1] as string) + later * MINUTE);
        expect(
          tickSignals([scheduleWatchOf(starts)], new Map(), DEFAULT_NOTIFY_CONFIG, now),
        ).toEqual([]);
      }),
    );
  });

  it('tolerates lateness up to a third of the period, at most 6 minutes', () => {
    expect(toleranceMinutesOf(15)).toBeCloseTo(5.1);
    expect(toleranceMinutesOf(60)).toBe(6);
  });
});
