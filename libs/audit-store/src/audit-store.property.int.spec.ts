/**
 * The writer's promise, as a property against real servers: whatever the order and duplication of
 * deliveries, and however they are split into calls, the table ends up holding exactly one history
 * item per state change and the highest version as each task's latest state — the same table as
 * a simple in-memory model builds.
 */
import fc from 'fast-check';
import type { AuditRecord } from '@ecslog/ecs-event-mapper';
import { mapEvent } from '@ecslog/ecs-event-mapper';
import { TASK_STATUSES, taskDetailOf, taskStateChangeArb } from '@ecslog/ecs-event-mapper/testing';
import { createAuditReader } from './audit-reader';
import type { WriteStatus } from './audit-writer';
import { createAuditWriter } from './audit-writer';
import type { Item } from './item-codec';
import { lookupItemsOf, toHistoryItem, toLatestItem } from './item-codec';
import type { LocalDynamoDb, LocalDynamoDbKind } from './testing';
import { createAuditTable, scanTable, startLocalDynamoDb } from './testing';

const RETENTION_DAYS = 3650;
const NOW = Date.parse('2026-11-24T00:00:00.000Z');
/** Lifecycle order of a task's statuses (PROVISIONING … STOPPED). */
const STEPS = TASK_STATUSES.filter((status) => status !== 'DEPROVISIONING');

function recordOf(event: unknown): AuditRecord {
  const result = mapEvent(event);
  if (result.kind !== 'mapped' || result.records.length !== 1)
    throw new Error(`expected one mapped record, got ${result.kind}`);
  return result.records[0] as AuditRecord;
}

/**
 * One task's life: 1–7 consecutive versions from any start, each a Task State Change built from the
 * mapper's generated facts with the next status; gaps of 0 ms (equal eventTimes) to 6 hours, so
 * some lives cross UTC days.
 */
const lifecycleArb: fc.Arbitrary<AuditRecord[]> = fc
  .record({
    task: taskStateChangeArb,
    firstVersion: fc.integer({ min: 1, max: 30 }),
    length: fc.integer({ min: 1, max: STEPS.length }),
    gapsMs: fc.array(fc.integer({ min: 0, max: 6 * 3_600_000 }), {
      minLength: STEPS.length,
      maxLength: STEPS.length,
    }),
  })
  .map(({ task: { facts, event }, firstVersion, length, gapsMs }) => {
    let atMs = facts.createdAtMs;
    return Array.from({ length }, (_, step) => {
      atMs += gapsMs[step] ?? 0;
      const lastStatus = STEPS[step] as string;
      const detail = taskDetailOf({
        ...facts,
        version: firstVersion + step,
        lastStatus,
        desiredStatus: step >= STEPS.indexOf('DEACTIVATING') ? 'STOPPED' : 'RUNNING',
      });
      return recordOf({ ...event, detail: { ...detail, updatedAt: new Date(atMs).toISOString() } });
    });
  });

/** 1–4 distinct tasks' lives, delivered shuffled with some records repeated, in calls of 1–10. */
const deliveriesArb = fc
  .uniqueArray(lifecycleArb, {
    minLength: 1,
    maxLength: 4,
    selector: (lifecycle) => (lifecycle[0] as AuditRecord).resourceArn,
  })
  .chain((lifecycles) => {
    const records = lifecycles.flat();
    return fc.record({
      delivered: fc
        .array(fc.nat(records.length - 1), { maxLength: records.length })
        .map((repeats) => [...records, ...repeats.map((i) => records[i] as AuditRecord)])
        .chain((all) => fc.shuffledSubarray(all, { minLength: all.length, maxLength: all.length })),
      callSizes: fc.array(fc.integer({ min: 1, max: 10 }), { minLength: 1, maxLength: 8 }),
    });
  })
  .map(({ delivered, callSizes }) => {
    const calls: AuditRecord[][] = [];
    for (let start = 0, k = 0; start < delivered.length; k++) {
      const size = callSizes[k % callSizes.length] as number;
      calls.push(delivered.slice(start, start + size));
      start += size;
    }
    return calls;
  });

/**
 * The model: history is a set of records by recordId; the latest state per task is the highest
 * version seen. Within one call only the first copy of the call's highest version of a task can be
 * `written` (if higher than every earlier call's); every other record of that task is `stale`.
 */
function model(calls: readonly AuditRecord[][]) {
  const history = new Map<string, AuditRecord>();
  const latest = new Map<string, AuditRecord>();
  const statuses: WriteStatus[][] = calls.map((call) => {
    const newest = new Map<string, number>(); // task → index of its highest version in the call
    call.forEach((record, index) => {
      history.set(record.recordId, record);
      const best = newest.get(record.resourceArn);
      if (best === undefined || (record.version ?? 0) > (call[best]?.version ?? 0))
        newest.set(record.resourceArn, index);
    });
    return call.map((record, index) => {
      const stored = latest.get(record.resourceArn);
      if (newest.get(record.resourceArn) !== index) return 'stale';
      if (stored && (stored.version ?? 0) >= (record.version ?? 0)) return 'stale';
      latest.set(record.resourceArn, record);
      return 'written';
    });
  });
  // Lookup items are keyed facts: the same key always holds the same item.
  const lookups = new Map<string, Item>();
  for (const record of history.values())
    for (const item of lookupItemsOf(record, RETENTION_DAYS)) lookups.set(keyOf(item), item);
  const items = [
    ...[...history.values()].map((record) => toHistoryItem(record, RETENTION_DAYS)),
    ...[...latest.values()].map((record) => toLatestItem(record, RETENTION_DAYS)),
    ...lookups.values(),
  ];
  return { history, latest, statuses, items: sortedItems(items) };
}

const keyOf = (item: Item) => ['pk', 'sk'].map((name) => (item[name] as { S: string }).S).join(' ');
/** Items in scan order, binary values as plain byte arrays (the SDK returns Uint8Array). */
const sortedItems = (items: Item[]) =>
  items
    .map((item) =>
      Object.fromEntries(
        Object.entries(item).map(([name, value]) => [
          name,
          'B' in value ? { B: Uint8Array.from(value.B) } : value,
        ]),
      ),
    )
    .sort((a, b) => (keyOf(a) < keyOf(b) ? -1 : keyOf(a) > keyOf(b) ? 1 : 0));

describe.each<LocalDynamoDbKind>(['dynamodb-local', 'dynalite'])(
  'audit store property on %s',
  (kind) => {
    let server: LocalDynamoDb;

    beforeAll(async () => {
      server = await startLocalDynamoDb(kind);
    });
    afterAll(async () => {
      await server?.stop();
    });

    it('holds one history item per state change and the highest version as latest, whatever the delivery', async () => {
      await fc.assert(
        fc.asyncProperty(deliveriesArb, async (calls) => {
          const tableName = await createAuditTable(server.client);
          const writer = createAuditWriter({
            client: server.client,
            tableName,
            retentionDays: RETENTION_DAYS,
            now: () => NOW,
          });
          const reader = createAuditReader({ client: server.client, tableName, now: () => NOW });
          const expected = model(calls);

          const statuses: WriteStatus[][] = [];
          for (const call of calls)
            statuses.push((await writer.writeRecords(call)).map((result) => result.status));

          expect(sortedItems(await scanTable(server.client, tableName))).toEqual(expected.items);
          expect(statuses).toEqual(expected.statuses);
          for (const [taskArn, record] of expected.latest) {
            expect((await reader.latest(taskArn))?.recordId).toBe(record.recordId);
            expect(await reader.taskArnsOf(record.taskId as string)).toEqual([taskArn]);
            const { records } = await reader.history(taskArn);
            const times = records.map((r) => r.eventTime);
            expect(times).toEqual([...times].sort());
            expect(records.map((r) => r.recordId).sort()).toEqual(
              [...expected.history.values()]
                .filter((r) => r.resourceArn === taskArn)
                .map((r) => r.recordId)
                .sort(),
            );
          }
        }),
        { numRuns: 25 },
      );
    });
  },
);
