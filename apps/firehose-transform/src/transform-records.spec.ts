import type { AuditRecord } from '@ecslog/ecs-event-mapper';
import { LAKE_COLUMNS, lakePartition, mapEvent, toLakeRow } from '@ecslog/ecs-event-mapper';
import { loadFixture } from '@ecslog/ecs-event-mapper/testing';
import type { FirehoseTransformationResult, FirehoseTransformationResultRecord } from 'aws-lambda';
import fc from 'fast-check';
import type { Payload } from './testing';
import {
  firehoseEventOf,
  fromBase64,
  DIRECT_PUT_RESULTS,
  loadDirectPutEvent,
  loadKinesisSourceEvent,
  loadTransformFixture,
  payloadArb,
  recordIdArb,
  rowsOf,
  toBase64,
} from './testing';
import { RESPONSE_BUDGET_BYTES, transformRecords } from './transform-records';

const COLUMN_NAMES = LAKE_COLUMNS.map((column) => column.name);
const responseBytes = (response: FirehoseTransformationResult) =>
  Buffer.byteLength(JSON.stringify(response));
const mappedRecords = (input: unknown): AuditRecord[] => {
  const result = mapEvent(input);
  if (result.kind !== 'mapped') throw new Error(`expected mapped, got ${result.kind}`);
  return result.records;
};
const rowsFromMapper = (input: unknown) =>
  mappedRecords(input).map((record) => JSON.parse(JSON.stringify(toLakeRow(record))) as unknown);

const entryBytes = (entry: FirehoseTransformationResultRecord) =>
  Buffer.byteLength(JSON.stringify(entry));

/** The response with every Ok record returned ProcessingFailed with its original data instead. */
function allOkFailedBytes(
  response: FirehoseTransformationResult,
  records: readonly { data: string }[],
) {
  return responseBytes({
    records: response.records.map((entry, i) =>
      entry.result === 'Ok'
        ? { recordId: entry.recordId, result: 'ProcessingFailed', data: records[i]?.data }
        : entry,
    ),
  });
}

/** The response with every record returned ProcessingFailed with its original data. */
function allFailedBytes(records: readonly { recordId: string; data: string }[]) {
  return responseBytes({
    records: records.map(({ recordId, data }) => ({ recordId, result: 'ProcessingFailed', data })),
  });
}

describe('the Firehose fixtures', () => {
  it('carry the mapper fixtures byte for byte (compact JSON), in the order the tests rely on', () => {
    const direct = loadDirectPutEvent().records.map((r) => fromBase64(r.data));
    const names = [
      'eventbridge/task-lifecycle-01-provisioning.json',
      'eventbridge/task-stopped-oom.json',
      'cloudtrail/runtask-partial-placement.json',
      'eventbridge/service-action-placement-failure.json',
      'eventbridge/other-source.json',
    ];
    names.forEach((name, i) => expect(direct[i]).toBe(JSON.stringify(loadFixture(name))));
    expect(direct[5]).toBe(
      JSON.stringify(loadTransformFixture('ecs/invalid-task-state-change.json')),
    );
    expect(direct[9]).toBe(JSON.stringify(loadFixture('eventbridge/deployment-completed.json')));

    const kinesis = loadKinesisSourceEvent();
    expect(kinesis.sourceKinesisStreamArn).toMatch(/^arn:aws:kinesis:/);
    for (const record of kinesis.records) {
      expect(record.kinesisRecordMetadata?.sequenceNumber).toMatch(/^[0-9]+$/);
      expect(record.recordId.startsWith(record.kinesisRecordMetadata?.sequenceNumber ?? '-')).toBe(
        true,
      );
    }
    expect(loadDirectPutEvent().records.every((r) => r.kinesisRecordMetadata === undefined)).toBe(
      true,
    );
  });
});

describe('transformRecords', () => {
  it('turns a Direct PUT batch into Ok rows, Dropped and ProcessingFailed records, in order', () => {
    const event = loadDirectPutEvent();

    const { response, notes, summary } = transformRecords(event.records);

    expect(response.records.map((r) => r.recordId)).toEqual(event.records.map((r) => r.recordId));
    expect(response.records.map((r) => r.result)).toEqual(DIRECT_PUT_RESULTS);
    // The RunTask record with 3 started tasks and 2 placement failures: 5 rows in one record.
    const runTask = response.records[2] as FirehoseTransformationResultRecord;
    expect(rowsOf(runTask)).toEqual(
      rowsFromMapper(loadFixture('cloudtrail/runtask-partial-placement.json')),
    );
    expect(rowsOf(runTask)).toHaveLength(5);
    expect(rowsOf(runTask).map((row) => row['outcome_category'])).toEqual([
      null,
      null,
      null,
      'placement',
      'placement',
    ]);
    expect(runTask.metadata).toEqual({ partitionKeys: { dt: '2026-11-20' } });
    expect(rowsOf(response.records[1] as FirehoseTransformationResultRecord)).toEqual(
      rowsFromMapper(loadFixture('eventbridge/task-stopped-oom.json')),
    );
    // Dropped and failed records carry their data untouched.
    for (const i of [4, 5, 6, 7, 8]) expect(response.records[i]?.data).toBe(event.records[i]?.data);
    expect(response.records[7]).toEqual({
      recordId: event.records[7]?.recordId,
      result: 'ProcessingFailed',
      data: 'eyJ2ZXJzaW9uIjoiMCIsImlkIjoi!!not base64!!',
    });
    expect(notes).toEqual([
      {
        kind: 'dropped',
        index: 4,
        recordId: event.records[4]?.recordId,
        reason: 'EventBridge source aws.ec2 is not audited',
      },
      expect.objectContaining({
        kind: 'failed',
        index: 5,
        cause: 'invalid',
        reason: expect.stringContaining('detail.taskArn: is required'),
      }),
      expect.objectContaining({
        index: 6,
        cause: 'not-json',
        reason: expect.stringMatching(/^data is not JSON/),
      }),
      expect.objectContaining({
        index: 7,
        cause: 'not-base64',
        reason: expect.stringMatching(/^data is not base64/),
      }),
      expect.objectContaining({
        index: 8,
        cause: 'not-utf8',
        reason: expect.stringMatching(/^data is not UTF-8/),
      }),
    ]);
    expect(summary).toEqual({
      records: 10,
      ok: 5,
      dropped: 1,
      failed: 4,
      overBudget: 0,
      rows: 9,
      responseBytes: responseBytes(response),
      budgetBytes: RESPONSE_BUDGET_BYTES,
    });
  });

  it('turns a Kinesis-sourced batch the same way, duplicates included (the lake dedupes on record_id)', () => {
    const event = loadKinesisSourceEvent();

    const { response, summary } = transformRecords(event.records);

    expect(response.records.map((r) => [r.recordId, r.result])).toEqual(
      event.records.map((r, i) => [
        r.recordId,
        i === 4 ? 'Dropped' : i === 6 || i === 7 ? 'ProcessingFailed' : 'Ok',
      ]),
    );
    const duplicate = rowsOf(response.records[5] as FirehoseTransformationResultRecord);
    expect(duplicate[0]?.['record_id']).toMatch(/^task:arn:aws:ecs:.*:v4$/);
    expect(response.records[7]?.data).toBe(toBase64('ECS task 7f3c9a1e stopped (exit 137)'));
    expect(summary).toMatchObject({ ok: 6, dropped: 1, failed: 2, rows: 6 });
  });

  it('keeps the rows of one event together under its first record’s day when they span days', () => {
    const input = loadFixture('cloudtrail/runtask-partial-placement.json');
    // No ECS event does this today: a mapper that moves the placement failures to the next day.
    const mapper = (value: unknown) => {
      const records = mappedRecords(value).map((record, i) =>
        i >= 3 ? { ...record, eventTime: '2026-11-21T00:00:00.000Z' } : record,
      );
      return { kind: 'mapped' as const, records };
    };

    const { response, notes } = transformRecords(
      firehoseEventOf([toBase64(JSON.stringify(input))]).records,
      {
        mapper,
      },
    );

    const record = response.records[0] as FirehoseTransformationResultRecord;
    expect(record.result).toBe('Ok');
    expect(record.metadata).toEqual({ partitionKeys: { dt: '2026-11-20' } });
    expect(rowsOf(record).map((row) => row['event_time'])).toEqual([
      '2026-11-20T02:45:12.000Z',
      '2026-11-20T02:45:12.000Z',
      '2026-11-20T02:45:12.000Z',
      '2026-11-21T00:00:00.000Z',
      '2026-11-21T00:00:00.000Z',
    ]);
    expect(notes).toEqual([
      {
        kind: 'spans-days',
        index: 0,
        recordId: '0',
        dt: '2026-11-20',
        days: ['2026-11-20', '2026-11-21'],
      },
    ]);
  });

  it('drops an event that maps to no record (an Ok record needs a partition)', () => {
    const data = toBase64('{}');

    const { response, notes } = transformRecords(firehoseEventOf([data]).records, {
      mapper: () => ({ kind: 'mapped', records: [] }),
    });

    expect(response.records).toEqual([{ recordId: '0', result: 'Dropped', data }]);
    expect(notes).toEqual([
      { kind: 'dropped', index: 0, recordId: '0', reason: 'the event maps to no record' },
    ]);
  });

  it('returns ProcessingFailed, not an exception, if a mapper ever throws', () => {
    const data = toBase64('{}');

    const { response, notes } = transformRecords(firehoseEventOf([data]).records, {
      mapper: () => {
        throw new TypeError('boom');
      },
    });

    expect(response.records).toEqual([{ recordId: '0', result: 'ProcessingFailed', data }]);
    expect(notes).toEqual([
      expect.objectContaining({ cause: 'invalid', reason: 'could not be mapped: boom' }),
    ]);
  });

  it('returns an empty response for an empty batch', () => {
    expect(transformRecords([])).toEqual({
      response: { records: [] },
      notes: [],
      summary: expect.objectContaining({ records: 0, responseBytes: 14 }),
    });
  });
});

describe('transformRecords at the 6,000,000-byte response budget', () => {
  // Service actions are small (≈430 bytes) and their rows large (≈1,260 bytes): ≈5.9 MB of
  // request would make ≈17 MB of Ok response. Every record must come back, the failed ones with
  // their data (≈5.5 MB here), so ≈0.5 MB is left for Ok records: a few hundred.
  const steadyState = loadFixture('eventbridge/service-action-steady-state.json');
  const datas: string[] = [];
  for (let size = 200, i = 0; size < 5_900_000; i++) {
    const data = toBase64(JSON.stringify({ ...steadyState, id: `steady-${i}` }));
    datas.push(data);
    size += data.length + 100;
  }
  const event = firehoseEventOf(datas);

  it('keeps records Ok in input order while the response fits, and returns the rest ProcessingFailed with their data', () => {
    const { response, notes, summary } = transformRecords(event.records);

    const bytes = responseBytes(response);
    expect(JSON.stringify(event).length).toBeLessThan(6_000_000);
    expect(bytes).toBeLessThanOrEqual(RESPONSE_BUDGET_BYTES);
    expect(summary.responseBytes).toBe(bytes);
    const results = response.records.map((r) => r.result);
    const firstFailed = results.indexOf('ProcessingFailed');
    expect(firstFailed).toBeGreaterThan(100);
    expect(results.slice(0, firstFailed).every((r) => r === 'Ok')).toBe(true);
    expect(results.slice(firstFailed).every((r) => r === 'ProcessingFailed')).toBe(true);
    response.records.slice(firstFailed).forEach((record, i) => {
      expect(record).toEqual({
        recordId: event.records[firstFailed + i]?.recordId,
        result: 'ProcessingFailed',
        data: event.records[firstFailed + i]?.data,
      });
    });
    // The budget is used: one more Ok record would not have fitted.
    const unlimited = transformRecords(event.records, { responseBudgetBytes: Infinity });
    const okSize = responseBytes({
      records: [unlimited.response.records[firstFailed] as FirehoseTransformationResultRecord],
    });
    const failedSize = responseBytes({
      records: [response.records[firstFailed] as FirehoseTransformationResultRecord],
    });
    expect(bytes + okSize - failedSize).toBeGreaterThan(RESPONSE_BUDGET_BYTES);
    expect(summary).toMatchObject({ ok: firstFailed, overBudget: datas.length - firstFailed });
    expect(notes).toHaveLength(datas.length - firstFailed);
    expect(notes[0]).toMatchObject({
      kind: 'failed',
      cause: 'over-budget',
      index: firstFailed,
      reason: expect.stringMatching(/would take the response over its 6000000-byte budget/),
    });
  });
});

describe('transformRecords (properties)', () => {
  const batchArb = fc
    .array(fc.tuple(payloadArb, recordIdArb, fc.boolean()), { maxLength: 20 })
    .map((items) =>
      items.map(([payload, id, kinesis], index) => ({
        payload,
        record: {
          recordId: `${index}:${id}`,
          approximateArrivalTimestamp: 1_795_144_152_540 + index,
          data: payload.data,
          ...(kinesis
            ? {
                kinesisRecordMetadata: {
                  shardId: 'shardId-000000000000',
                  partitionKey: id,
                  approximateArrivalTimestamp: 1_795_144_152_000,
                  sequenceNumber: String(49_656_918_204 + index),
                  subsequenceNumber: '0',
                },
              }
            : {}),
        },
      })),
    );

  it('returns every recordId once, in order; Ok exactly for mapped inputs, with exactly their rows; Dropped for ignored, ProcessingFailed for invalid, data untouched', () => {
    fc.assert(
      fc.property(batchArb, (batch) => {
        const { response, summary } = transformRecords(batch.map((b) => b.record));

        expect(response.records.map((r) => r.recordId)).toEqual(
          batch.map((b) => b.record.recordId),
        );
        batch.forEach(({ payload, record }, i) => {
          const out = response.records[i] as FirehoseTransformationResultRecord;
          expectOutcome(payload, record.data, out);
        });
        expect(summary.responseBytes).toBe(responseBytes(response));
        expect(summary.overBudget).toBe(0);
      }),
    );
  });

  it('never answers more than max(budget, every record failed with its data); sheds only when over budget, and only Ok records', () => {
    fc.assert(
      fc.property(batchArb, fc.integer({ min: 0, max: 120_000 }), (batch, budget) => {
        const records = batch.map((b) => b.record);
        const unlimited = transformRecords(records);

        const { response, summary, notes } = transformRecords(records, {
          responseBudgetBytes: budget,
        });

        const bytes = responseBytes(response);
        expect(summary.responseBytes).toBe(bytes);
        expect(bytes).toBeLessThanOrEqual(Math.max(budget, allFailedBytes(records)));
        if (unlimited.summary.responseBytes <= budget) expect(response).toEqual(unlimited.response);
        const shed = notes.filter((n) => n.kind === 'failed' && n.cause === 'over-budget');
        expect(shed).toHaveLength(summary.overBudget);
        // The budget is used: no record returned ProcessingFailed could have been kept Ok.
        const limit = Math.max(budget, allOkFailedBytes(unlimited.response, records));
        for (const { index } of shed) {
          const ok = unlimited.response.records[index] as FirehoseTransformationResultRecord;
          const failed = response.records[index] as FirehoseTransformationResultRecord;
          expect(bytes + entryBytes(ok) - entryBytes(failed)).toBeGreaterThan(limit);
        }
        response.records.forEach((out, i) => {
          const before = unlimited.response.records[i];
          if (shed.some((n) => n.index === i)) {
            expect(before?.result).toBe('Ok');
            expect(out).toEqual({
              recordId: before?.recordId,
              result: 'ProcessingFailed',
              data: records[i]?.data,
            });
          } else {
            expect(out).toEqual(before);
          }
        });
      }),
    );
  });
});

function expectOutcome(payload: Payload, data: string, out: FirehoseTransformationResultRecord) {
  if (payload.expected !== 'mapped') {
    expect({ how: payload.how, result: out.result }).toEqual({
      how: payload.how,
      result: payload.expected === 'ignored' ? 'Dropped' : 'ProcessingFailed',
    });
    expect(out.data).toBe(data);
    expect(out.metadata).toBeUndefined();
    return;
  }
  expect(out.result).toBe('Ok');
  const records = mappedRecords(payload.input);
  expect(out.metadata).toEqual({ partitionKeys: lakePartition(records[0] as AuditRecord) });
  const text = fromBase64(out.data ?? '');
  expect(text.endsWith('\n')).toBe(true);
  const lines = text.split('\n').slice(0, -1);
  expect(lines.map((line) => JSON.parse(line) as unknown)).toEqual(rowsFromMapper(payload.input));
  for (const line of lines) expect(Object.keys(JSON.parse(line) as object)).toEqual(COLUMN_NAMES);
}
