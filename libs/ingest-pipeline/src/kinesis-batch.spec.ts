import fc from 'fast-check';
import type { BatchRecordOutcome } from './kinesis-batch';
import { recordsToRetry } from './kinesis-batch';

const record = (
  sequenceNumber: string,
  partitionKey: string,
  outcome: BatchRecordOutcome['outcome'],
): BatchRecordOutcome => ({ sequenceNumber, partitionKey, outcome });

describe('recordsToRetry', () => {
  it('reports nothing when every record is done or quarantined', () => {
    expect(recordsToRetry([record('1', 'a', 'done'), record('2', 'b', 'quarantined')])).toEqual([]);
  });

  it('reports a failed record and every later record of its key, not other keys', () => {
    expect(
      recordsToRetry([
        record('1', 'a', 'done'),
        record('2', 'a', 'failed'),
        record('3', 'b', 'done'),
        record('4', 'a', 'done'),
        record('5', 'b', 'done'),
        record('6', 'a', 'failed'),
      ]),
    ).toEqual(['2', '4', '6']);
  });

  it('never reports a quarantined record, even after a failure of its key', () => {
    expect(
      recordsToRetry([
        record('1', 'a', 'failed'),
        record('2', 'a', 'quarantined'),
        record('3', 'a', 'done'),
      ]),
    ).toEqual(['1', '3']);
  });

  it('counts a record whose quarantine failed as failed', () => {
    // The outcome 'failed' is what the handler gives an invalid record it could not quarantine.
    expect(recordsToRetry([record('1', 'k', 'failed'), record('2', 'k', 'done')])).toEqual([
      '1',
      '2',
    ]);
  });

  const batch = fc
    .array(
      fc.record({
        partitionKey: fc.constantFrom('a', 'b', 'c', 'd'),
        outcome: fc.constantFrom<BatchRecordOutcome['outcome']>('done', 'quarantined', 'failed'),
      }),
      { maxLength: 40 },
    )
    .map((records) => records.map((r, i) => ({ ...r, sequenceNumber: String(1000 + i) })));

  it('always reports every failed record, never a quarantined one, in batch order', () => {
    fc.assert(
      fc.property(batch, (records) => {
        const retry = recordsToRetry(records);
        for (const r of records) {
          if (r.outcome === 'failed') expect(retry).toContain(r.sequenceNumber);
          if (r.outcome === 'quarantined') expect(retry).not.toContain(r.sequenceNumber);
        }
        expect([...retry].sort()).toEqual(retry);
      }),
    );
  });

  it('keeps per-key order: after a reported record, every later non-quarantined record of its key is reported', () => {
    fc.assert(
      fc.property(batch, (records) => {
        const retry = new Set(recordsToRetry(records));
        records.forEach((r, i) => {
          if (!retry.has(r.sequenceNumber)) return;
          for (const later of records.slice(i + 1))
            if (later.partitionKey === r.partitionKey && later.outcome !== 'quarantined')
              expect(retry.has(later.sequenceNumber)).toBe(true);
        });
      }),
    );
  });

  it('reports nothing more: each reported record failed or follows a failure of its key', () => {
    fc.assert(
      fc.property(batch, (records) => {
        for (const sequenceNumber of recordsToRetry(records)) {
          const i = records.findIndex((r) => r.sequenceNumber === sequenceNumber);
          const failedBefore = records
            .slice(0, i + 1)
            .some((r) => r.partitionKey === records[i]?.partitionKey && r.outcome === 'failed');
          expect(failedBefore).toBe(true);
        }
      }),
    );
  });
});
