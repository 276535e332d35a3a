import fc from 'fast-check';
import { mapEvent } from '../index';
import { stopScenarioArb, taskFactsArb } from './arbitraries';
import { sampleLiveTraffic, taskLifecycleEvents } from './live-traffic';

describe('taskLifecycleEvents', () => {
  it('gives one event per state change, versions 1..n, times in order, ending as the task ended', () => {
    fc.assert(
      fc.property(taskFactsArb, stopScenarioArb, fc.uuid(), (facts, scenario, id) => {
        const started = scenario.exits.some((exit) => exit.exitCode !== undefined);
        const final = {
          ...facts,
          lastStatus: 'STOPPED',
          desiredStatus: 'STOPPED',
          pullMs: 4_000,
          pendingMs: started ? 6_000 : undefined,
          runMs: started ? 60_000 : undefined,
          stopCode: scenario.stopCode,
          stoppedReason: scenario.stoppedReason,
          containers: facts.containers.map((c, i) => ({
            name: c.name,
            image: c.image,
            lastStatus: 'STOPPED',
            ...scenario.exits[i % scenario.exits.length],
          })),
        };

        const records = taskLifecycleEvents(final, [id]).map(({ event }) => {
          const result = mapEvent(event);
          if (result.kind !== 'mapped') throw new Error(JSON.stringify(result));
          return result.records[0]!;
        });

        expect(records.map((r) => r.version)).toEqual(records.map((_, i) => i + 1));
        expect(records.map((r) => r.eventTime)).toEqual(
          [...records.map((r) => r.eventTime)].sort(),
        );
        expect(records.slice(0, -1).every((r) => r.outcome.status === 'in-progress')).toBe(true);
        expect(records.at(-1)?.outcome).toMatchObject(scenario.expected);
      }),
      { numRuns: 100 },
    );
  });
});

describe('sampleLiveTraffic', () => {
  it('is deterministic, time-ordered, mostly task state changes, and all mappable', () => {
    const events = sampleLiveTraffic({ events: 1_000, seed: 7 });

    expect(sampleLiveTraffic({ events: 1_000, seed: 7 })).toEqual(events);
    expect(events.length).toBeGreaterThanOrEqual(990);
    expect(events.length).toBeLessThanOrEqual(1_010);
    const tasks = events.filter((e) => e['detail-type'] === 'ECS Task State Change');
    expect(tasks.length / events.length).toBeGreaterThan(0.65);
    expect(events.every((e) => mapEvent(e).kind === 'mapped')).toBe(true);
    const times = tasks.map((e) => (e['detail'] as { updatedAt: string }).updatedAt);
    expect(times).toEqual([...times].sort());
    // Every kind of event falls in the window (2026-11-20, 6 hours by default).
    const days = new Set(
      events.flatMap((e) => {
        const result = mapEvent(e);
        return result.kind === 'mapped' ? result.records.map((r) => r.eventTime.slice(0, 13)) : [];
      }),
    );
    expect([...days].every((hour) => hour >= '2026-11-20T00' && hour <= '2026-11-20T06')).toBe(
      true,
    );
  });
});
