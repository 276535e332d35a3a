import fc from 'fast-check';
import type { WriteResult } from '@ecslog/audit-store';
import type { AuditRecord } from '@ecslog/ecs-event-mapper';
import { fixtureRecords } from '@ecslog/ecs-event-mapper/testing';
import type { ObservedRecord } from '@ecslog/notifier';
import { observeWritten } from './event-ingest';

const [TEMPLATE] = fixtureRecords('eventbridge/task-stopped-oom.json') as [AuditRecord];
const recordOf = (id: string): AuditRecord => ({ ...TEMPLATE, recordId: id });

/** A notifier that fails its next `failures` calls, and records what it was told. */
function flakyNotifier() {
  const told: ObservedRecord[] = [];
  let failures = 0;
  return {
    told,
    failNext(count: number) {
      failures = count;
    },
    async observe(records: readonly ObservedRecord[]) {
      if (failures > 0) {
        failures -= 1;
        throw new Error('ThrottlingException: Rate exceeded');
      }
      told.push(...records);
      return { changed: records.length, ignored: 0, messagesQueued: 0 };
    },
  };
}

describe('observeWritten', () => {
  it('tells the notifier the written records once each, live, and hands the results back as they were', async () => {
    const notifier = flakyNotifier();
    const observe = observeWritten(notifier);
    const records = ['a', 'b', 'b', 'c', 'd'].map(recordOf);
    const results: WriteResult[] = [
      { recordId: 'a', status: 'written' },
      { recordId: 'b', status: 'written' },
      { recordId: 'b', status: 'stale' }, // the second copy of b in the same call
      { recordId: 'c', status: 'stale' },
      { recordId: 'd', status: 'expired' },
    ];

    const returned = await observe(records, results);

    expect(returned).toBe(results);
    expect(notifier.told.map((o) => [o.record.recordId, o.origin])).toEqual([
      ['a', 'live'],
      ['b', 'live'],
    ]);
  });

  it('passes results through untouched without a notifier', async () => {
    const results: WriteResult[] = [{ recordId: 'a', status: 'written' }];

    expect(await observeWritten(undefined)([recordOf('a')], results)).toBe(results);
  });

  it('property: however often observing fails, each written record is told exactly once, a record stale from the start never', async () => {
    // Batches of distinct records, each written or stale (superseded) when first stored, and how
    // many times observing fails before it works; each failure makes the ingest retry the batch,
    // whose records are then all stored already (`stale`).
    const batchArb = fc.record({
      statuses: fc.array(fc.constantFrom<'written' | 'stale'>('written', 'stale'), {
        minLength: 1,
        maxLength: 6,
      }),
      failures: fc.nat({ max: 3 }),
    });
    await fc.assert(
      fc.asyncProperty(fc.array(batchArb, { maxLength: 8 }), async (batches) => {
        const notifier = flakyNotifier();
        const observe = observeWritten(notifier);
        const written: string[] = [];
        for (const [b, { statuses, failures }] of batches.entries()) {
          const records = statuses.map((_, i) => recordOf(`r${b}-${i}`));
          records.forEach((r, i) => statuses[i] === 'written' && written.push(r.recordId));
          notifier.failNext(failures);
          let results: WriteResult[] = records.map((r, i) => ({
            recordId: r.recordId,
            status: statuses[i] as 'written' | 'stale',
          }));
          for (let attempt = 0; attempt <= failures; attempt += 1) {
            const returned = await observe(records, results);
            const dueFailed = returned.filter((r) => r.status === 'failed');
            // A failed attempt fails exactly the records not told yet; a good one fails none.
            expect(dueFailed.length > 0).toBe(attempt < failures && statuses.includes('written'));
            results = records.map((r) => ({ recordId: r.recordId, status: 'stale' })); // the retry
          }
        }
        const told = notifier.told.map((o) => o.record.recordId);
        expect([...told].sort()).toEqual([...written].sort());
      }),
    );
  });
});
