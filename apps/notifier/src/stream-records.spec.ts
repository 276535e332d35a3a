import type { AuditRecord } from '@ecslog/ecs-event-mapper';
import { mapEvent } from '@ecslog/ecs-event-mapper';
import { ecsInputArb, fixtureRecords } from '@ecslog/ecs-event-mapper/testing';
import {
  storedItemsOf,
  toHistoryItem,
  toMappingItems,
  toRunItems,
  ORIGIN_ATTRIBUTE,
} from '@ecslog/audit-store';
import fc from 'fast-check';
import { readStreamRecord } from './stream-records';
import { streamEventOf, streamRecordOf } from './testing/stream-events';

const RETENTION_DAYS = 30;
const only = (path: string) => fixtureRecords(path)[0] as AuditRecord;
const OOM = only('eventbridge/task-stopped-oom.json');
const STEADY = only('eventbridge/service-action-steady-state.json');
const EC2_TASK = only('eventbridge/task-running-ec2-bridge.json');

/** A stream record as the handler receives it: through the event's JSON. */
const delivered = (item: Record<string, unknown>, eventName?: 'INSERT' | 'MODIFY' | 'REMOVE') =>
  streamEventOf([streamRecordOf(item, eventName ? { eventName } : {})]).Records[0]!;

const runItemOf = (record: AuditRecord) => toRunItems(record, RETENTION_DAYS)![0]!.item;

describe('readStreamRecord', () => {
  it('observes a run item: the record it holds, as written', () => {
    const result = readStreamRecord(delivered(runItemOf(OOM), 'MODIFY'));
    expect(result).toEqual({ kind: 'observe', observed: { record: OOM, origin: 'live' } });
  });

  it("observes a service action's history item", () => {
    const result = readStreamRecord(delivered(toHistoryItem(STEADY, RETENTION_DAYS)));
    expect(result).toEqual({ kind: 'observe', observed: { record: STEADY, origin: 'live' } });
  });

  it('skips what a backfill or redrive wrote, the notifier items, items with no record, deletions', () => {
    for (const origin of ['backfill', 'redrive'])
      expect(
        readStreamRecord(delivered({ ...runItemOf(OOM), [ORIGIN_ATTRIBUTE]: origin })),
      ).toEqual({
        kind: 'skip',
        reason: 'not-live',
      });
    const incident = {
      pk: 'I#STATE',
      sk: 'arn:aws:ecs:eu-west-1:111122223333:cluster/prod#service:web#failure#oom',
      version: 3,
      doc: '{"kind":"incident"}',
    };
    expect(readStreamRecord(delivered(incident))).toEqual({
      kind: 'skip',
      reason: 'notifier-item',
    });
    const [mapping] = toMappingItems(OOM, RETENTION_DAYS);
    expect(mapping).toBeDefined();
    expect(readStreamRecord(delivered(mapping!))).toEqual({
      kind: 'skip',
      reason: 'holds-no-record',
    });
    expect(readStreamRecord(delivered(runItemOf(OOM), 'REMOVE'))).toEqual({
      kind: 'skip',
      reason: 'no-new-image',
    });
  });

  it('calls an item whose record cannot be read invalid, naming its keys', () => {
    const item: Record<string, unknown> = { ...runItemOf(OOM), r: new Uint8Array([1, 2, 3, 4]) };
    const result = readStreamRecord(delivered(item));
    expect(result.kind).toBe('invalid');
    const error = (result as { error: Error }).error as Error & { keys: unknown };
    expect(error.name).toBe('StreamImageError');
    expect(error.keys).toEqual({ pk: item['pk'], sk: 'RUN' });
    // zlib's error, from the decompression of the record (another realm: no instanceof).
    expect(error.cause).toMatchObject({ message: expect.any(String) });

    const notBase64 = delivered(runItemOf(OOM));
    notBase64.dynamodb!.NewImage!['r'] = { B: 'not base64!' };
    expect(readStreamRecord(notBase64).kind).toBe('invalid');
  });

  it('reads every item of the stored table that holds a record back to that record (property)', () => {
    const seed = Number(process.env['FC_SEED'] ?? Date.now() % 2 ** 31);
    console.log(`readStreamRecord property: seed ${seed}`);
    fc.assert(
      fc.property(fc.array(ecsInputArb, { minLength: 1, maxLength: 12 }), (inputs) => {
        const records = inputs.flatMap((input) => {
          const result = mapEvent(input);
          return result.kind === 'mapped' ? result.records : [];
        });
        const byId = new Map(records.map((record) => [record.recordId, record]));
        for (const item of storedItemsOf(records, RETENTION_DAYS)) {
          const result = readStreamRecord(delivered(item, 'MODIFY'));
          if (item['r'] === undefined)
            expect(result).toEqual({ kind: 'skip', reason: 'holds-no-record' });
          else {
            expect(result.kind).toBe('observe');
            const { record } = (result as { observed: { record: AuditRecord } }).observed;
            expect(record).toEqual(byId.get(record.recordId));
          }
        }
      }),
      { seed, numRuns: 60 },
    );
  });

  it('reads an EC2 task run (companions skipped, the run observed)', () => {
    const items = toRunItems(EC2_TASK, RETENTION_DAYS)!.map((ranked) => ranked.item);
    const results = items.map((item) => readStreamRecord(delivered(item)));
    expect(results[0]).toEqual({ kind: 'observe', observed: { record: EC2_TASK, origin: 'live' } });
    for (const result of results.slice(1)) expect(result.kind).not.toBe('invalid');
  });
});
