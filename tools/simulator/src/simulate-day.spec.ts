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
    expect(failures['essential-container-exited']).toBe(7); // the crash loop of notifications
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

  it('crash-loops one service: ≥ 6 tasks exit 1 at start within 10 minutes, then a fix settles it', () => {
    const crashes = distinct
      .filter(
        (r) =>
          r.group === 'service:notifications' &&
          r.outcome.status === 'failed' &&
          r.outcome.category === 'essential-container-exited',
      )
      .sort((a, b) => (a.stoppedAt ?? '').localeCompare(b.stoppedAt ?? ''));
    expect(crashes.length).toBeGreaterThanOrEqual(6);
    for (const crash of crashes) {
      expect(crash.containers?.map((c) => c.exitCode)).toEqual([1]);
      expect(crash.runMs).toBeLessThan(10_000);
    }
    const first = Date.parse(crashes[0]!.stoppedAt!);
    const last = Date.parse(crashes.at(-1)!.stoppedAt!);
    expect(last - first).toBeLessThan(10 * 60_000);
    const after = (r: AuditRecord) => Date.parse(r.eventTime) > last;
    const fix = distinct.find(
      (r) => r.eventName === 'UpdateService' && r.serviceName === 'notifications' && after(r),
    );
    const settled = distinct.find(
      (r) =>
        r.eventName === 'SERVICE_STEADY_STATE' && r.serviceName === 'notifications' && after(r),
    );
    expect(fix).toBeDefined();
    expect(settled).toBeDefined();
    expect(Date.parse(settled!.eventTime)).toBeGreaterThan(Date.parse(fix!.eventTime));
  });

  it('misses one run of an hourly scheduled job: an hour in which it did not run at all', () => {
    const starts = distinct
      .filter((r) => r.recordType === 'task' && r.family === 'metrics-export' && r.startedAt)
      .map((r) => r.startedAt!);
    const hours = [...new Set(starts.map((t) => Number(t.slice(11, 13))))];
    expect(
      new Set(distinct.filter((r) => r.family === 'metrics-export').map((r) => r.startedBy)),
    ).toEqual(new Set(['events-rule/metrics-export']));
    expect(hours).toHaveLength(23);
    expect(hours).not.toContain(23);
    const calls = distinct.filter(
      (r) => r.eventName === 'RunTask' && r.family === 'metrics-export',
    );
    expect(calls.map((r) => r.eventTime.slice(11, 13))).not.toContain('23');
  });

  it('gives each service its desired count by CreateService/UpdateService, met by its runs at the end of the day', () => {
    const services = new Set(
      distinct.filter((r) => r.group?.startsWith('service:')).map((r) => r.serviceName),
    );
    const desired = new Map<string, number>();
    for (const r of [...distinct].sort((a, b) => a.eventTime.localeCompare(b.eventTime)))
      if ((r.eventName === 'CreateService' || r.eventName === 'UpdateService') && r.serviceName) {
        expect(r.desiredCount).toEqual(expect.any(Number));
        desired.set(r.serviceName, r.desiredCount!);
      }
    expect(new Set(desired.keys())).toEqual(services);
    // The last state of each task: the ones not stopped are running at the end.
    const latest = new Map<string, AuditRecord>();
    for (const r of distinct)
      if (r.recordType === 'task' && (latest.get(r.resourceArn)?.version ?? 0) < (r.version ?? 0))
        latest.set(r.resourceArn, r);
    const running = new Map<string, number>();
    for (const r of latest.values())
      if (r.lastStatus !== 'STOPPED' && r.serviceName)
        running.set(r.serviceName, (running.get(r.serviceName) ?? 0) + 1);
    expect(Object.fromEntries(running)).toEqual(Object.fromEntries(desired));
  });

  it('settles every service with SERVICE_STEADY_STATE', () => {
    const settled = new Set(
      distinct.filter((r) => r.eventName === 'SERVICE_STEADY_STATE').map((r) => r.serviceName),
    );
    const services = new Set(
      distinct.filter((r) => r.group?.startsWith('service:')).map((r) => r.serviceName),
    );
    expect(settled).toEqual(services);
  });

  it('expects one failure incident per (cluster, group, category) of failed runs and deployments, but for a service’s Spot interruptions', () => {
    const failed = distinct.filter(
      (r) =>
        r.outcome.status === 'failed' &&
        (r.recordType === 'task' || r.eventName === 'RunTask' || r.recordType === 'deployment') &&
        !(r.group?.startsWith('service:') && r.outcome.category === 'spot-interruption'),
    );
    const groupOf = (r: AuditRecord) =>
      r.group ?? (r.serviceName ? `service:${r.serviceName}` : `family:${r.family}`);
    const keys = new Set(failed.map((r) => `${r.clusterName} ${groupOf(r)} ${r.outcome.category}`));
    const expected = day.expected.incidents.filter((i) => i.kind === 'failure');
    expect(new Set(expected.map((i) => `${i.cluster} ${i.group} ${i.category}`))).toEqual(keys);
    expect(expected).toHaveLength(keys.size);
    expect(
      day.expected.incidents.filter((i) => i.kind !== 'failure').map((i) => [i.kind, i.group]),
    ).toEqual(
      expect.arrayContaining([
        ['crash-loop', 'service:notifications'],
        ['missed-run', 'family:metrics-export'],
      ]),
    );
    // Open at the end of the day: the placement failure and the missed run; the rest resolved.
    expect(
      day.expected.incidents
        .filter((i) => !i.resolved)
        .map((i) => `${i.kind} ${i.group}`)
        .sort(),
    ).toEqual(['failure family:reindex', 'missed-run family:metrics-export']);
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
