import fc from 'fast-check';
import type { TokenBucketState } from './token-bucket';
import { createTokenBucket, reserveToken, sleepFor } from './token-bucket';

/** A clock the test moves; `sleep` moves it by the time asked and records the waits. */
function virtualClock(start = 1_000) {
  let time = start;
  const waits: number[] = [];
  return {
    now: () => time,
    advance: (ms: number) => {
      time += ms;
    },
    sleep: (ms: number) => {
      waits.push(ms);
      time += ms;
      return Promise.resolve();
    },
    waits,
  };
}

/** Most requests granted in any closed window [g_i, g_j], against the bound rate × t + burst. */
function worstWindowExcess(grants: readonly number[], ratePerSecond: number, burst: number) {
  const sorted = [...grants].sort((a, b) => a - b);
  let worst = -Infinity;
  for (let i = 0; i < sorted.length; i++)
    for (let j = i; j < sorted.length; j++) {
      const seconds = (sorted[j]! - sorted[i]!) / 1000;
      worst = Math.max(worst, j - i + 1 - (ratePerSecond * seconds + burst));
    }
  return worst;
}

const rateArb = fc.integer({ min: 1, max: 40 }).map((n) => n / 4); // 0.25 … 10 per second
const burstArb = fc.integer({ min: 1, max: 5 });
/** Gaps between arrivals in ms; many zeros (callers arriving together), some long pauses. */
const gapsArb = fc.array(
  fc.oneof(
    { weight: 3, arbitrary: fc.constant(0) },
    { weight: 5, arbitrary: fc.integer({ min: 1, max: 600 }) },
    { weight: 1, arbitrary: fc.integer({ min: 600, max: 10_000 }) },
  ),
  { minLength: 1, maxLength: 60 },
);

describe('createTokenBucket', () => {
  it('lets the burst through at once, then one request every 1000 / rate ms', async () => {
    const clock = virtualClock();
    const bucket = createTokenBucket({ ratePerSecond: 2, burst: 2, ...clock });

    for (let i = 0; i < 5; i++) await bucket.take();

    expect(clock.waits).toEqual([500, 500, 500]);
    expect(clock.now()).toBe(1_000 + 1_500);
  });

  it('serves callers that arrive together in call order, one slot each', async () => {
    const clock = virtualClock();
    const bucket = createTokenBucket({
      ratePerSecond: 2,
      burst: 1,
      now: clock.now,
      // Waits recorded, time not moved: the five calls are made at the same instant.
      sleep: (ms) => {
        clock.waits.push(ms);
        return Promise.resolve();
      },
    });

    await Promise.all(Array.from({ length: 5 }, () => bucket.take()));

    expect(clock.waits).toEqual([500, 1_000, 1_500, 2_000]);
  });

  it('refills up to the burst only, however long the pause', async () => {
    const clock = virtualClock();
    const bucket = createTokenBucket({ ratePerSecond: 2, burst: 2, ...clock });
    await bucket.take();
    await bucket.take();

    clock.advance(60_000);
    for (let i = 0; i < 3; i++) await bucket.take();

    expect(clock.waits).toEqual([500]);
  });

  it('tryTake spends a free token, or says how long until one is free and spends nothing', () => {
    const clock = virtualClock();
    const bucket = createTokenBucket({ ratePerSecond: 2, burst: 1, ...clock });

    expect(bucket.tryTake()).toBe(0);
    expect(bucket.tryTake()).toBe(500);
    clock.advance(200);
    expect(bucket.tryTake()).toBeCloseTo(300);
    clock.advance(300);
    expect(bucket.tryTake()).toBe(0);
  });

  it('adds nothing when the clock steps back', () => {
    const clock = virtualClock();
    const bucket = createTokenBucket({ ratePerSecond: 2, burst: 1, ...clock });
    bucket.tryTake();

    clock.advance(-5_000);

    expect(bucket.tryTake()).toBe(500);
  });

  it('rejects a rate or burst that cannot pace anything', () => {
    expect(() => createTokenBucket({ ratePerSecond: 0, burst: 1 })).toThrow(RangeError);
    expect(() => createTokenBucket({ ratePerSecond: Number.NaN, burst: 1 })).toThrow(RangeError);
    expect(() => createTokenBucket({ ratePerSecond: 2, burst: 0.5 })).toThrow(RangeError);
  });

  it('take rejects when its signal aborts during the wait', async () => {
    const bucket = createTokenBucket({ ratePerSecond: 0.001, burst: 1 });
    await bucket.take();
    const controller = new AbortController();

    const waiting = bucket.take(controller.signal);
    controller.abort(new Error('stopped'));

    await expect(waiting).rejects.toThrow('stopped');
  });

  it('sleepFor waits on a real timer and rejects at once for an aborted signal', async () => {
    const started = performance.now();
    await sleepFor(20);
    expect(performance.now() - started).toBeGreaterThanOrEqual(19);

    await expect(sleepFor(10, AbortSignal.abort(new Error('gone')))).rejects.toThrow('gone');
  });

  // Properties: the limit holds over any schedule, and the bucket never holds a caller back
  // longer than the limit needs.

  it('never lets more than rate × t + burst reservations fall due in any window of t seconds', () => {
    fc.assert(
      fc.property(rateArb, burstArb, gapsArb, (ratePerSecond, burst, gaps) => {
        let state: TokenBucketState = { tokens: burst, at: 0 };
        let at = 0;
        const due: number[] = [];
        for (const gap of gaps) {
          at += gap;
          const reserved = reserveToken(state, at, ratePerSecond, burst);
          state = reserved.state;
          due.push(at + reserved.waitMs);
        }
        expect(worstWindowExcess(due, ratePerSecond, burst)).toBeLessThanOrEqual(1e-6);
      }),
    );
  });

  it('paces a sequential caller within the bound, waiting no longer than one slot past its last request', async () => {
    await fc.assert(
      fc.asyncProperty(rateArb, burstArb, gapsArb, async (ratePerSecond, burst, gaps) => {
        const clock = virtualClock(0);
        const bucket = createTokenBucket({ ratePerSecond, burst, ...clock });
        const grants: number[] = [];
        for (const gap of gaps) {
          clock.advance(gap);
          const arrival = clock.now();
          await bucket.take();
          const granted = clock.now();
          const previous = grants.at(-1);
          const latest = Math.max(
            arrival,
            previous === undefined ? arrival : previous + 1000 / ratePerSecond,
          );
          expect(granted).toBeLessThanOrEqual(latest + 1e-6);
          grants.push(granted);
        }
        expect(worstWindowExcess(grants, ratePerSecond, burst)).toBeLessThanOrEqual(1e-6);
      }),
    );
  });
});
