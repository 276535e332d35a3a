import type { AuditRecord } from '@ecslog/ecs-event-mapper';
import { FAILURE_CATEGORIES, mapEvent } from '@ecslog/ecs-event-mapper';
import { loadFixture } from '@ecslog/ecs-event-mapper/testing';
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
