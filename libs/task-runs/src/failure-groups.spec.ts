import fc from 'fast-check';
import type { AuditRecord } from '@ecslog/ecs-event-mapper';
import { FAILURE_CATEGORIES, mapEvent } from '@ecslog/ecs-event-mapper';
import { fixtureRecords, loadFixture } from '@ecslog/ecs-event-mapper/testing';
import { groupFailures } from './failure-groups';

function recordOf(path: string): AuditRecord {
  const result = mapEvent(loadFixture(path));
  if (result.kind !== 'mapped') throw new Error(`${path}: ${result.kind}`);
  return result.records[0] as AuditRecord;
}

const OOM = recordOf('eventbridge/task-stopped-oom.json');
const IMAGE_PULL = recordOf('eventbridge/task-stopped-image-pull.json');
/** The same task and failure a minute later (a second failed state change). */
const at = (record: AuditRecord, eventTime: string, overrides: Partial<AuditRecord> = {}) => ({
  ...record,
  eventTime,
  ...overrides,
});

describe('groupFailures', () => {
  it('counts failed resources and failure records per category and service/family', () => {
    const otherTask = at(OOM, '2026-11-20T05:20:00.000Z', {
      resourceArn: `${OOM.resourceArn}0`,
      outcome: { ...OOM.outcome, summary: 'container web killed: out of memory (exit 137), again' },
    });
    const again = at(OOM, '2026-11-20T05:10:00.000Z');

    const groups = groupFailures([otherTask, OOM, again, IMAGE_PULL]);

    const oom = groups.find((g) => g.category === 'out-of-memory');
    expect(oom).toEqual({
      category: 'out-of-memory',
      group: OOM.group,
      clusterName: OOM.clusterName,
      count: 2,
      records: 3,
      firstSeen: OOM.eventTime,
      lastSeen: '2026-11-20T05:20:00.000Z',
      examples: [OOM.outcome.summary, otherTask.outcome.summary],
    });
  });

  it('keeps groups of other clusters apart, and lists categories in their documented order', () => {
    const elsewhere = {
      ...OOM,
      clusterArn: `${OOM.clusterArn}-dr`,
      clusterName: `${OOM.clusterName}-dr`,
    };

    const groups = groupFailures([IMAGE_PULL, elsewhere, OOM]);

    expect(
      groups
        .filter((g) => g.category === 'out-of-memory')
        .map((g) => g.clusterName)
        .sort(),
    ).toEqual([OOM.clusterName, elsewhere.clusterName].sort());
    const order = groups.map((g) => FAILURE_CATEGORIES.indexOf(g.category));
    expect(order).toEqual([...order].sort((a, b) => a - b));
  });

  it('gives no groups for no failures', () => {
    expect(groupFailures([])).toEqual([]);
  });
});

describe('groupFailures: groups, counts and examples', () => {
  const ESSENTIAL_EXIT = recordOf('eventbridge/task-stopped-essential-exit.json');
  const CONTAINER_HEALTH = recordOf('eventbridge/task-stopped-container-health.json');
  const ELB_HEALTH = recordOf('eventbridge/task-stopped-elb-health.json');
  const SPOT = recordOf('eventbridge/task-stopped-spot.json');
  const SERVICE_PLACEMENT = recordOf('eventbridge/service-action-placement-failure.json');
  const DEPLOYMENT_FAILED = recordOf('eventbridge/deployment-failed.json');
  const PLACEMENTS = fixtureRecords('cloudtrail/runtask-partial-placement.json').filter(
    (r) => r.outcome.status === 'failed',
  );
  const API_ERROR = recordOf('cloudtrail/runtask-api-error.json');

  it('counts one task failing twice as one resource and two records', () => {
    const sameTaskLater = at(OOM, '2026-11-20T05:30:00.000Z');

    const [group] = groupFailures([sameTaskLater, OOM]);

    expect(group).toMatchObject({
      count: 1,
      records: 2,
      firstSeen: '2026-11-20T05:06:41.502Z',
      lastSeen: '2026-11-20T05:30:00.000Z',
      examples: [OOM.outcome.summary],
    });
  });

  it('keeps at most two distinct examples, the oldest ones, whatever the input order', () => {
    const summaries = ['exit 137 (first)', 'exit 137 (second)', 'exit 137 (third)'];
    const failures = summaries.map((summary, i) =>
      at(OOM, `2026-11-20T0${5 + i}:00:00.000Z`, {
        resourceArn: `${OOM.resourceArn.slice(0, -1)}${i}`,
        outcome: { ...OOM.outcome, summary },
      }),
    );
    const first = failures[0] as AuditRecord;
    /** The first task failing again, with the same summary: not a new example. */
    const repeated = at(first, '2026-11-20T05:30:00.000Z');

    fc.assert(
      fc.property(
        fc.shuffledSubarray([...failures, repeated], { minLength: failures.length + 1 }),
        (records) => {
          const [group] = groupFailures(records);

          expect(group?.examples).toEqual(['exit 137 (first)', 'exit 137 (second)']);
          expect(group?.count).toBe(3);
          expect(group?.records).toBe(4);
        },
      ),
    );
  });

  it('names a group by the service, else the task family, else the cluster', () => {
    const noGroup = { ...SERVICE_PLACEMENT, serviceName: undefined, family: undefined };

    const groups = groupFailures([SERVICE_PLACEMENT, ...PLACEMENTS, noGroup]);

    expect(groups.map((g) => [g.category, g.clusterName, g.group]).sort()).toEqual(
      [
        ['placement', 'batch', 'service:ingest'],
        ['placement', 'batch', 'family:nightly-report'],
        ['placement', 'batch', 'batch'],
      ].sort(),
    );
  });

  it("counts a call's placement failures as distinct resources of one family group", () => {
    const groups = groupFailures(PLACEMENTS);

    expect(groups).toHaveLength(1);
    expect(groups[0]).toMatchObject({
      category: 'placement',
      group: 'family:nightly-report',
      clusterName: 'batch',
      count: 2,
      records: 2,
      firstSeen: '2026-11-20T02:45:12.000Z',
      lastSeen: '2026-11-20T02:45:12.000Z',
    });
    // Both failures carry the call's time, so which is "older" is not defined.
    expect([...(groups[0]?.examples ?? [])].sort()).toEqual(
      PLACEMENTS.map((r) => r.outcome.summary).sort(),
    );
  });

  it('orders groups by category as FAILURE_CATEGORIES does, then most failed first, then name', () => {
    const secondWebTask = at(CONTAINER_HEALTH, '2026-11-20T08:30:00.000Z', {
      resourceArn: `${CONTAINER_HEALTH.resourceArn.slice(0, -1)}0`,
    });
    const records = [
      API_ERROR,
      DEPLOYMENT_FAILED,
      SPOT,
      ELB_HEALTH,
      secondWebTask,
      CONTAINER_HEALTH,
      IMAGE_PULL,
      OOM,
      ESSENTIAL_EXIT,
    ];

    fc.assert(
      fc.property(fc.shuffledSubarray(records, { minLength: records.length }), (shuffled) => {
        const groups = groupFailures(shuffled);

        expect(groups.map((g) => [g.category, g.group, g.count])).toEqual([
          ['essential-container-exited', 'service:api', 1],
          ['out-of-memory', 'service:queue-worker', 1],
          ['image-pull', 'service:web', 1],
          ['health-check', 'service:web', 3],
          ['spot-interruption', 'service:thumbnailer', 1],
          ['deployment-failed', 'service:web', 1],
          ['api-error', 'family:weekly-cleanup', 1],
        ]);
      }),
    );
  });

  it('puts the larger of two groups of one category first, and equal ones by name', () => {
    const worker = (n: number) =>
      at(OOM, `2026-11-20T06:0${n}:00.000Z`, { resourceArn: `${OOM.resourceArn}-${n}` });
    const api = { ...ESSENTIAL_EXIT, outcome: OOM.outcome };
    const billing = { ...api, group: 'service:billing-api', resourceArn: `${api.resourceArn}b` };

    const groups = groupFailures([api, billing, worker(1), worker(2)]);

    expect(groups.map((g) => [g.group, g.count])).toEqual([
      ['service:queue-worker', 2],
      ['service:api', 1],
      ['service:billing-api', 1],
    ]);
  });

  it('puts failures without a category under other, last', () => {
    const uncategorised = { ...OOM, outcome: { status: 'failed' as const, summary: 'odd stop' } };

    const groups = groupFailures([uncategorised, IMAGE_PULL]);

    expect(groups.map((g) => g.category)).toEqual(['image-pull', 'other']);
  });

  it('accounts for every record once, in groups that never count more resources than records', () => {
    const all = [
      OOM,
      at(OOM, '2026-11-20T05:30:00.000Z'),
      IMAGE_PULL,
      ESSENTIAL_EXIT,
      CONTAINER_HEALTH,
      ELB_HEALTH,
      SPOT,
      SERVICE_PLACEMENT,
      DEPLOYMENT_FAILED,
      ...PLACEMENTS,
      API_ERROR,
    ];

    fc.assert(
      fc.property(fc.shuffledSubarray(all), (records) => {
        const groups = groupFailures(records);

        expect(groups.reduce((sum, g) => sum + g.records, 0)).toBe(records.length);
        for (const g of groups) {
          expect(g.count).toBeLessThanOrEqual(g.records);
          expect(g.firstSeen <= g.lastSeen).toBe(true);
          expect(g.examples.length).toBeLessThanOrEqual(2);
          expect(new Set(g.examples).size).toBe(g.examples.length);
        }
      }),
    );
  });
});

describe('failure counts of calls', () => {
  it('counts each placement failure, though several name the same container instance', () => {
    const records = [
      'cloudtrail/runtask-partial-placement.json',
      'cloudtrail/runtask-placement-failure-only.json',
    ]
      .flatMap((path) => {
        const result = mapEvent(loadFixture(path));
        return result.kind === 'mapped' ? result.records : [];
      })
      .filter((r) => r.outcome.category === 'placement');

    const total = groupFailures(records).reduce((sum, g) => sum + g.count, 0);

    expect(total).toBe(records.length);
  });
});
