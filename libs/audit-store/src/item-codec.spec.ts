import fc from 'fast-check';
import type { AuditRecord } from '@ecslog/ecs-event-mapper';
import { mapEvent } from '@ecslog/ecs-event-mapper';
import { ecsInputArb, loadFixture } from '@ecslog/ecs-event-mapper/testing';
import {
  decodeRecord,
  expiryOf,
  groupOf,
  historySortKey,
  isExpired,
  itemSizeBytes,
  toHistoryItem,
  toLatestItem,
} from './item-codec';
import { INDEX } from './table-definition';

function recordsOf(input: unknown): AuditRecord[] {
  const result = mapEvent(input);
  if (result.kind !== 'mapped') throw new Error(`expected mapped, got ${result.kind}`);
  return result.records;
}

const stoppedOom = () =>
  recordsOf(loadFixture('eventbridge/task-stopped-oom.json'))[0] as AuditRecord;

describe('item codec', () => {
  it('keys a task history item by task, time and version, and indexes it by cluster, group and failure', () => {
    const record = stoppedOom();

    const item = toHistoryItem(record, 30);

    expect(item['pk']).toEqual({ S: `R#${record.resourceArn}` });
    expect(item['sk']).toEqual({
      S: `H#${record.eventTime}#v${String(record.version).padStart(10, '0')}`,
    });
    expect(item[INDEX.byCluster.partitionKey]).toEqual({
      S: `C#${record.clusterArn}#${record.eventTime.slice(0, 10)}`,
    });
    expect(item[INDEX.byGroup.partitionKey]).toEqual({
      S: `G#${record.clusterArn}#${record.group}#${record.eventTime.slice(0, 10)}`,
    });
    expect(item[INDEX.byFailure.partitionKey]).toEqual({ S: `X#${record.eventTime.slice(0, 10)}` });
    expect(item['cat']).toEqual({ S: 'out-of-memory' });
    expect(item['ttl']).toEqual({
      N: String(Math.floor(Date.parse(record.eventTime) / 1000) + 30 * 86_400),
    });
  });

  it('writes no failure index key for records that did not fail, and no index keys on the latest item', () => {
    const record = recordsOf(
      loadFixture('eventbridge/task-lifecycle-04-running.json'),
    )[0] as AuditRecord;

    expect(toHistoryItem(record, 30)[INDEX.byFailure.partitionKey]).toBeUndefined();
    const latest = toLatestItem(record, 30);
    expect(latest['sk']).toEqual({ S: 'LATEST' });
    expect(Object.keys(latest).filter((name) => name.startsWith('gsi'))).toEqual([]);
  });

  it('puts service actions and deployments in their service group', () => {
    const action = recordsOf(
      loadFixture('eventbridge/service-action-steady-state.json'),
    )[0] as AuditRecord;

    expect(groupOf(action)).toBe(`service:${action.serviceName}`);
  });

  it('keeps typical items within one 1 KB write unit', () => {
    const sizes = [
      'task-lifecycle-01-provisioning',
      'task-lifecycle-04-running',
      'task-stopped-oom',
      'task-stopped-succeeded',
      'task-stopped-elb-health',
    ].map((name) =>
      itemSizeBytes(
        toHistoryItem(recordsOf(loadFixture(`eventbridge/${name}.json`))[0] as AuditRecord, 30),
      ),
    );

    for (const size of sizes) expect(size).toBeLessThanOrEqual(1024);
  });

  it('treats an item whose TTL has passed as expired', () => {
    const record = stoppedOom();
    const item = toHistoryItem(record, 1);
    const expiry = expiryOf(record, 1);

    expect(isExpired(item, expiry - 1)).toBe(false);
    expect(isExpired(item, expiry)).toBe(true);
  });

  it('round-trips every generated record through both items', () => {
    fc.assert(
      fc.property(ecsInputArb, (event) => {
        for (const record of recordsOf(event)) {
          const expected = JSON.parse(JSON.stringify(record)) as AuditRecord;
          expect(decodeRecord(toHistoryItem(record, 30))).toEqual(expected);
          expect(decodeRecord(toLatestItem(record, 30))).toEqual(expected);
        }
      }),
      { numRuns: 100 },
    );
  });

  it('gives distinct records of one resource distinct history keys, and the same record the same key', () => {
    fc.assert(
      fc.property(ecsInputArb, ecsInputArb, (a, b) => {
        for (const x of recordsOf(a)) {
          for (const y of recordsOf(b)) {
            const sameKey =
              x.resourceArn === y.resourceArn && historySortKey(x) === historySortKey(y);
            expect(sameKey).toBe(x.recordId === y.recordId);
          }
        }
      }),
      { numRuns: 100 },
    );
  });
});

describe('history order', () => {
  it('sorts versions with the same time in version order (v9 before v10)', () => {
    const record = stoppedOom();
    const at = (version: number) =>
      historySortKey({ ...record, version, recordId: `task:${record.resourceArn}:v${version}` });

    expect([at(10), at(9), at(100)].sort()).toEqual([at(9), at(10), at(100)]);
  });
});
