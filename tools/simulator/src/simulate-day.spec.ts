import type { AuditRecord, FailureCategory } from '@ecslog/ecs-event-mapper';
import { FAILURE_CATEGORIES, mapEvent } from '@ecslog/ecs-event-mapper';
import { simulateDay, simulateEvents } from './simulate-day';
import { toNdjson } from './to-ndjson';

const SEEDS = [1, 42, 20261120];

function mapAll(events: readonly unknown[]) {
  const records: AuditRecord[] = [];
  const unmapped: unknown[] = [];
  for (const event of events) {
    const result = mapEvent(event);
    if (result.kind === 'mapped') records.push(...result.records);
    else unmapped.push(result);
  }
  return { records, unmapped };
}

function dedupe(records: readonly AuditRecord[]): AuditRecord[] {
  return [...new Map(records.map((r) => [r.recordId, r])).values()];
}

function failuresByCategory(records: readonly AuditRecord[]) {
  const counts = Object.fromEntries(FAILURE_CATEGORIES.map((c) => [c, 0])) as Record<
    FailureCategory,
    number
  >;
  for (const r of records)
    if (r.outcome.status === 'failed' && r.outcome.category) counts[r.outcome.category] += 1;
  return counts;
}

describe.each(SEEDS)('simulateDay (seed %i)', (seed) => {
  const day = simulateDay({ seed });
  const { records, unmapped } = mapAll(day.events);
  const distinct = dedupe(records);

  it('delivers only events the mapper maps', () => {
    expect(unmapped).toEqual([]);
    expect(day.events.length).toBe(day.expected.distinctStateChanges + day.expected.duplicates);
  });

  it('maps to the failures per category the scenario was built with', () => {
    expect(failuresByCategory(distinct)).toEqual(day.expected.failuresByCategory);
    expect(distinct).toHaveLength(day.expected.records);
  });

  it('contains the day the brief describes', () => {
    const failures = day.expected.failuresByCategory;
    expect(failures['out-of-memory']).toBe(1);
    expect(failures['deployment-failed']).toBe(1);
    expect(failures['image-pull']).toBe(4); // the cleanup job and three tasks of the api deployment
    expect(failures['spot-interruption']).toBeGreaterThanOrEqual(1);
    expect(failures['health-check']).toBeGreaterThanOrEqual(1);
    expect(failures.placement).toBe(2); // the RunTask with no task, the ingest service
  });

  it('records the never-started job only through its RunTask call', () => {
    const placement = distinct.filter(
      (r) => r.outcome.category === 'placement' && r.recordId.startsWith('api-call:'),
    );
    expect(placement).toHaveLength(1);
    expect(placement[0]).toMatchObject({ eventName: 'RunTask', reason: 'RESOURCE:MEMORY' });
    const reindexTasks = distinct.filter(
      (r) => r.recordId.startsWith('task:') && r.family === 'reindex',
    );
    expect(reindexTasks).toEqual([]);
  });

  it('has one deployment that ran two digests of one image reference, and no other', () => {
    // digests per (deployment, image reference), from what the task records say
    const digests = new Map<string, Set<string>>();
    for (const r of distinct)
      for (const c of r.recordType === 'task' && r.startedBy ? (r.containers ?? []) : [])
        if (c.image && c.imageDigest) {
          const key = `${r.serviceName}|${r.startedBy}|${c.image}`;
          digests.set(key, (digests.get(key) ?? new Set()).add(c.imageDigest));
        }
    const drifted = [...digests].filter(([, set]) => set.size > 1).map(([key]) => key);
    expect(drifted).toEqual(
      day.expected.digestDrift.map((d) => `${d.service}|${d.deploymentId}|${d.image}`),
    );
    expect(drifted).toHaveLength(1);
  });

  it('delivers some records twice', () => {
    expect(day.expected.duplicates).toBeGreaterThan(0);
    expect(records.length).toBeGreaterThan(distinct.length);
  });

  it('gives every task versions 1..n without gaps, some delivered out of order', () => {
    const versions = new Map<string, number[]>();
    for (const r of records)
      if (r.recordId.startsWith('task:'))
        versions.set(r.resourceArn, [...(versions.get(r.resourceArn) ?? []), r.version ?? 0]);
    expect(versions.size).toBe(day.expected.tasks);
    let outOfOrder = 0;
    for (const delivered of versions.values()) {
      const unique = [...new Set(delivered)].sort((a, b) => a - b);
      expect(unique).toEqual(unique.map((_, i) => i + 1));
      if (delivered.some((v, i) => i > 0 && v < (delivered[i - 1] ?? 0))) outOfOrder += 1;
    }
    expect(outOfOrder).toBeGreaterThan(0);
  });

  it('keeps every event within the day', () => {
    for (const r of distinct) expect(r.eventTime.slice(0, 10)).toBe('2026-11-20');
  });
});

describe('determinism', () => {
  it('gives the same day for a seed and another day for another seed', () => {
    expect(simulateDay({ seed: 5 })).toEqual(simulateDay({ seed: 5 }));
    expect(toNdjson(simulateDay({ seed: 6 }).events)).not.toBe(
      toNdjson(simulateDay({ seed: 5 }).events),
    );
  });

  it('uses the day, account and region it is given', () => {
    const day = simulateDay({
      seed: 3,
      day: '2027-01-02',
      account: '444455556666',
      region: 'us-east-1',
    });
    const { records } = mapAll(day.events);
    expect(new Set(records.map((r) => r.eventTime.slice(0, 10)))).toEqual(new Set(['2027-01-02']));
    expect(new Set(records.map((r) => `${r.account}/${r.region}`))).toEqual(
      new Set(['444455556666/us-east-1']),
    );
  });
});

describe('a day from any instant', () => {
  it('simulates the 24 hours from `start`, with the same scenario as a day from midnight', () => {
    const start = '2026-11-23T09:41:00.000Z';
    const shifted = simulateDay({ seed: 4, start });
    const { records } = mapAll(shifted.events);

    const times = records.map((r) => Date.parse(r.eventTime));
    expect(Math.min(...times)).toBeGreaterThanOrEqual(Date.parse(start));
    expect(Math.max(...times)).toBeLessThan(Date.parse(start) + 24 * 3_600_000);
    expect(shifted.expected).toEqual(simulateDay({ seed: 4 }).expected);
  });

  it('rejects a start that is not an instant', () => {
    expect(() => simulateDay({ seed: 1, start: 'yesterday' })).toThrow(/not a day or an instant/);
  });
});

describe('simulateEvents', () => {
  it('returns exactly the number of events asked for, across days', () => {
    const events = simulateEvents({ events: 1_500, seed: 9 });
    expect(events).toHaveLength(1_500);
    const days = new Set(events.map((e) => String(e['time']).slice(0, 10)));
    expect(days.size).toBeGreaterThan(1);
  });
});

describe('toNdjson', () => {
  it('writes one JSON document per line', () => {
    expect(toNdjson([{ a: 1 }, { b: [2] }])).toBe('{"a":1}\n{"b":[2]}\n');
    expect(toNdjson([])).toBe('');
  });
});
