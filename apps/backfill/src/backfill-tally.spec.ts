import type { AuditRecord } from '@ecslog/ecs-event-mapper';
import { mapEvent } from '@ecslog/ecs-event-mapper';
import { loadFixture } from '@ecslog/ecs-event-mapper/testing';
import { emptyTally, tallyMapping, tallySink } from './backfill-tally';

describe('backfill tally', () => {
  it('counts inputs by mapping outcome, mapped calls by eventName and records by outcome', () => {
    const tally = emptyTally();
    const partial = loadFixture('cloudtrail/runtask-partial-placement.json') as {
      eventName: string;
    };
    const mapped = mapEvent(partial);

    tallyMapping(tally, mapped, partial.eventName);
    tallyMapping(tally, { kind: 'ignored', reason: 'read-only call' }, 'DescribeTasks');
    tallyMapping(tally, { kind: 'invalid', problems: [], input: {} }, undefined);

    const records = mapped.kind === 'mapped' ? mapped.records : ([] as AuditRecord[]);
    expect(tally).toMatchObject({
      read: 3,
      mapped: 1,
      ignored: 1,
      invalid: 1,
      records: records.length,
    });
    expect(tally.byEventName).toEqual({ RunTask: 1 });
    const placements = records.filter((r) => r.outcome.category === 'placement').length;
    expect(placements).toBeGreaterThan(0);
    expect(tally.byOutcome['failed: placement']).toBe(placements);
    expect(Object.values(tally.byOutcome).reduce((a, b) => a + b, 0)).toBe(records.length);
  });

  it('adds up what the sink did', () => {
    const tally = emptyTally();

    tallySink(tally, { written: 5, alreadyPresent: 2, expired: 1, failed: 0 });
    tallySink(tally, { written: 1, alreadyPresent: 0, expired: 0, failed: 3 });

    expect(tally).toMatchObject({ written: 6, alreadyPresent: 2, expired: 1, failed: 3 });
  });
});
