import fc from 'fast-check';
import type { AuditRecord } from '@ecslog/ecs-event-mapper';
import { ecsInputArb, loadFixture, mappedRecords } from '@ecslog/ecs-event-mapper/testing';
import {
  decodeRecord,
  expiryOf,
  groupOf,
  historySortKey,
  isExpired,
  itemSizeBytes,
  lookupItemsOf,
  toHistoryItem,
  toLatestItem,
} from './item-codec';
import { INDEX } from './table-definition';

const stoppedOom = () =>
  mappedRecords(loadFixture('eventbridge/task-stopped-oom.json'))[0] as AuditRecord;

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
    const record = mappedRecords(
      loadFixture('eventbridge/task-lifecycle-04-running.json'),
    )[0] as AuditRecord;

    expect(toHistoryItem(record, 30)[INDEX.byFailure.partitionKey]).toBeUndefined();
    const latest = toLatestItem(record, 30);
    expect(latest['sk']).toEqual({ S: 'LATEST' });
    expect(Object.keys(latest).filter((name) => name.startsWith('gsi'))).toEqual([]);
  });

  it('puts service actions and deployments in their service group', () => {
    const action = mappedRecords(
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
        toHistoryItem(mappedRecords(loadFixture(`eventbridge/${name}.json`))[0] as AuditRecord, 30),
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
        for (const record of mappedRecords(event)) {
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
        for (const x of mappedRecords(a)) {
          for (const y of mappedRecords(b)) {
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

describe('lookup items', () => {
  it("points from the record's day to its cluster and group, and from its task id to its ARN", () => {
    const record = stoppedOom();
    const day = record.eventTime.slice(0, 10);
    const expires = Date.parse(`${day}T00:00:00.000Z`) / 1000 + 86_400 + 30 * 86_400;

    expect(lookupItemsOf(record, 30)).toEqual([
      {
        pk: { S: `D#${day}` },
        sk: { S: `${record.clusterArn}#${groupOf(record)}` },
        ttl: { N: String(expires) },
      },
      {
        pk: { S: `T#${record.taskId}` },
        sk: { S: `${day}#${record.resourceArn}` },
        ttl: { N: String(expires) },
      },
    ]);
  });

  it('writes no task id lookup for records that are not about a task', () => {
    const instance = mappedRecords(
      loadFixture('eventbridge/container-instance-draining.json'),
    )[0] as AuditRecord;

    const items = lookupItemsOf(instance, 30);

    expect(items.map((item) => (item['pk'] as { S: string }).S)).toEqual([
      `D#${instance.eventTime.slice(0, 10)}`,
    ]);
    expect((items[0]?.['sk'] as { S: string }).S).toBe(`${instance.clusterArn}#`);
  });

  it('never expires a lookup before a record it points to', () => {
    fc.assert(
      fc.property(ecsInputArb, fc.integer({ min: 1, max: 400 }), (input, retentionDays) => {
        for (const record of mappedRecords(input))
          for (const item of lookupItemsOf(record, retentionDays))
            expect(Number((item['ttl'] as { N: string }).N)).toBeGreaterThanOrEqual(
              expiryOf(record, retentionDays),
            );
      }),
      { numRuns: 100 },
    );
  });
});
