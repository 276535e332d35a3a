import fc from 'fast-check';
import { mapEvent } from '@ecslog/ecs-event-mapper';
import { isSimulatedRecord, SIMULATED_ACCOUNT, simulateDay, simulateEvents } from './simulate-day';
import { resourceIdPrefix, runSeed } from './simulation-ids';

const HOUR = 3_600_000;
const seedArb = fc.oneof(fc.nat(1_000), fc.maxSafeNat());

/** Every task and container instance ARN the events name. */
function resourceArns(events: readonly Record<string, unknown>[]): Set<string> {
  const arns = new Set<string>();
  for (const event of events) {
    const result = mapEvent(event);
    if (result.kind !== 'mapped') continue;
    for (const record of result.records)
      if (record.recordType === 'task' || record.recordType === 'container-instance')
        arns.add(record.resourceArn);
  }
  return arns;
}

/** Envelope times of the events and (`mapped`) the times of their records, epoch ms. */
function timesOf(events: readonly Record<string, unknown>[], mapped = true): number[] {
  return events.flatMap((event) => {
    if (!mapped) return [Date.parse(String(event['time']))];
    const result = mapEvent(event);
    const recordTimes =
      result.kind === 'mapped' ? result.records.map((r) => Date.parse(r.eventTime)) : [];
    return [Date.parse(String(event['time'])), ...recordTimes];
  });
}

describe('simulation ids', () => {
  it('gives distinct (seed, day of run) pairs distinct id prefixes', () => {
    fc.assert(
      fc.property(seedArb, seedArb, fc.nat(0xffff), fc.nat(0xffff), (a, b, dayA, dayB) => {
        fc.pre(a !== b || dayA !== dayB);
        expect(resourceIdPrefix(a, dayA)).not.toBe(resourceIdPrefix(b, dayB));
      }),
    );
  });

  it('seeds neighbouring days with unrelated generator seeds', () => {
    expect(runSeed(11, 1)).not.toBe(runSeed(12, 0));
    expect(runSeed(11, 0)).not.toBe(runSeed(12, 0));
  });

  it('rejects seeds it cannot keep apart', () => {
    expect(() => resourceIdPrefix(-1, 0)).toThrow(/whole number from 0/);
    expect(() => resourceIdPrefix(1.5, 0)).toThrow(/whole number from 0/);
    expect(() => resourceIdPrefix(1, 0x10000)).toThrow(/at most 65536 days/);
  });
});

describe('distinct seeds', () => {
  it('never share a task or container instance ARN (seed 11 and 12 over several days included)', () => {
    const eleven = resourceArns(simulateEvents({ events: 800, seed: 11 }));
    const twelve = resourceArns(simulateEvents({ events: 800, seed: 12 }));
    expect(eleven.size).toBeGreaterThan(60);
    expect([...eleven].filter((arn) => twelve.has(arn))).toEqual([]);
  });

  it('never share one, for any two seeds and days', () => {
    fc.assert(
      fc.property(seedArb, seedArb, fc.nat(3), fc.nat(3), (a, b, dayA, dayB) => {
        fc.pre(a !== b || dayA !== dayB);
        const first = resourceArns(simulateDay({ seed: a, dayOfRun: dayA }).events);
        const second = resourceArns(simulateDay({ seed: b, dayOfRun: dayB }).events);
        expect([...first].filter((arn) => second.has(arn))).toEqual([]);
      }),
      { numRuns: 6 },
    );
  });
});

describe('simulateEvents within a span', () => {
  it('keeps every event of the days before `end` within them, none after it', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 700 }),
        fc.nat(1_000),
        fc.integer({
          min: Date.parse('2026-01-01T00:00:00Z'),
          max: Date.parse('2027-12-31T00:00:00Z'),
        }),
        (count, seed, endMs) => {
          const end = new Date(endMs).toISOString();
          const events = simulateEvents({ events: count, seed, end });
          expect(events).toHaveLength(count);
          const days = Math.ceil(count / 200) + 2; // a day has well over 200 events
          for (const time of timesOf(events, count < 300)) {
            expect(time).toBeLessThanOrEqual(endMs);
            expect(time).toBeGreaterThanOrEqual(endMs - days * 24 * HOUR);
          }
        },
      ),
      { numRuns: 8 },
    );
  });

  it('keeps every event within [start, end], and refuses what does not fit', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 700 }), fc.nat(1_000), (count, seed) => {
        const start = '2026-11-01T00:00:00.000Z';
        const end = '2026-11-30T00:00:00.000Z';
        const events = simulateEvents({ events: count, seed, start, end });
        expect(events).toHaveLength(count);
        for (const time of timesOf(events, false)) {
          expect(time).toBeGreaterThanOrEqual(Date.parse(start));
          expect(time).toBeLessThanOrEqual(Date.parse(end));
        }
      }),
      { numRuns: 6 },
    );
    expect(() =>
      simulateEvents({
        events: 50_000,
        seed: 1,
        start: '2026-11-01T00:00:00Z',
        end: '2026-11-30T00:00:00Z',
      }),
    ).toThrow(/take more whole simulated days than fit between 2026-11-01T00:00:00.000Z and/);
  });

  it('gives many days of events before now, none weeks ahead', () => {
    const end = '2026-12-01T19:00:00.000Z';
    const times = timesOf(simulateEvents({ events: 8_000, seed: 3, end }), false);
    expect(Math.max(...times)).toBeLessThanOrEqual(Date.parse(end));
    expect(Math.min(...times)).toBeLessThan(Date.parse(end) - 7 * 24 * HOUR);
  });
});

describe('simulated records', () => {
  it('are in the simulator account, which marks them as simulated', () => {
    const result = mapEvent(simulateDay({ seed: 2 }).events[0]);
    if (result.kind !== 'mapped') throw new Error(`not mapped: ${result.kind}`);
    expect(result.records[0]?.account).toBe(SIMULATED_ACCOUNT);
    expect(result.records.every(isSimulatedRecord)).toBe(true);
    expect(isSimulatedRecord({ account: '111122223333' })).toBe(false);
  });
});
