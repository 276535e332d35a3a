import { loadFixture } from '@ecslog/ecs-event-mapper/testing';
import type { Context, FirehoseTransformationEvent } from 'aws-lambda';
import { InvalidFirehoseEventError } from './firehose-event';
import {
  createRecordingLogger,
  firehoseEventOf,
  DIRECT_PUT_RESULTS,
  loadDirectPutEvent,
  loadKinesisSourceEvent,
  toBase64,
} from './testing';
import { createTransformHandler } from './transform-handler';

const context = { awsRequestId: 'req-1', functionName: 'ecslog-transform' } as Context;

describe('createTransformHandler', () => {
  it('answers a Direct PUT invocation and logs one line per record not Ok, reasons only', async () => {
    const logger = createRecordingLogger();
    const handler = createTransformHandler({ logger });
    const event = loadDirectPutEvent();

    const response = await handler(event, context);

    expect(response.records.map((r) => r.result)).toEqual(DIRECT_PUT_RESULTS);
    expect(logger.contexts).toEqual([context]);
    const id = (i: number) => event.records[i]?.recordId;
    expect(logger.lines).toEqual([
      {
        level: 'debug',
        message: 'record dropped: not audited',
        attributes: { recordId: id(4), reason: 'EventBridge source aws.ec2 is not audited' },
      },
      {
        level: 'warn',
        message: 'record unreadable: returned ProcessingFailed',
        attributes: {
          recordId: id(5),
          cause: 'invalid',
          reason:
            'detail.taskArn: is required; detail.containers[0].exitCode: must be an integer, got "killed"',
          problems: 2,
        },
      },
      {
        level: 'warn',
        message: 'record unreadable: returned ProcessingFailed',
        attributes: {
          recordId: id(6),
          cause: 'not-json',
          reason: 'data is not JSON (54 bytes of UTF-8 text)',
        },
      },
      {
        level: 'warn',
        message: 'record unreadable: returned ProcessingFailed',
        attributes: {
          recordId: id(7),
          cause: 'not-base64',
          reason: 'data is not base64 (42 characters)',
        },
      },
      {
        level: 'warn',
        message: 'record unreadable: returned ProcessingFailed',
        attributes: {
          recordId: id(8),
          cause: 'not-utf8',
          reason: expect.stringMatching(/^data is not UTF-8 text \(\d+ bytes\)$/),
        },
      },
      {
        level: 'info',
        message: 'batch transformed',
        attributes: {
          invocationId: event.invocationId,
          deliveryStreamArn: event.deliveryStreamArn,
          records: 10,
          ok: 5,
          dropped: 1,
          failed: 4,
          overBudget: 0,
          rows: 9,
          responseBytes: Buffer.byteLength(JSON.stringify(response)),
          budgetBytes: 6_000_000,
        },
      },
    ]);
    // No payload reaches the logs: neither the data nor text from inside it.
    const logged = JSON.stringify(logger.lines);
    expect(logged).not.toMatch(/dkr\.ecr|OutOfMemoryError|b1449e8f/);
    for (const record of event.records) expect(logged).not.toContain(record.data.slice(0, 24));
  });

  it('names the Kinesis shard, key and sequence number of each failed record from a stream', async () => {
    const logger = createRecordingLogger();
    const event = loadKinesisSourceEvent();

    await createTransformHandler({ logger })(event);

    const failed = logger.lines.filter((line) => line.level === 'warn');
    expect(failed.map((line) => line.attributes)).toEqual([
      expect.objectContaining({
        recordId: event.records[6]?.recordId,
        shardId: 'shardId-000000000000',
        sequenceNumber: event.records[6]?.kinesisRecordMetadata?.sequenceNumber,
        cause: 'invalid',
      }),
      expect.objectContaining({
        recordId: event.records[7]?.recordId,
        partitionKey: 'legacy-log-shipper',
        cause: 'not-json',
      }),
    ]);
    expect(logger.lines.at(-1)?.attributes).toMatchObject({
      sourceKinesisStreamArn: event.sourceKinesisStreamArn,
      records: 9,
      ok: 6,
    });
  });

  it('logs each record returned ProcessingFailed to keep the response within its budget', async () => {
    const logger = createRecordingLogger();
    // Service actions: ≈580 bytes of base64 each, ≈1,750 bytes of response once Ok.
    const steadyState = loadFixture('eventbridge/service-action-steady-state.json');
    const event = firehoseEventOf(
      Array.from({ length: 10 }, (_, i) =>
        toBase64(JSON.stringify({ ...steadyState, id: `e${i}` })),
      ),
    );
    const handler = createTransformHandler({ logger, responseBudgetBytes: 10_000 });

    const response = await handler(event);

    expect(Buffer.byteLength(JSON.stringify(response))).toBeLessThanOrEqual(10_000);
    const shed = logger.lines.filter((line) => line.attributes['cause'] === 'over-budget');
    expect(shed.length).toBeGreaterThan(0);
    expect(shed[0]).toMatchObject({
      level: 'warn',
      message: 'record over the response budget: returned ProcessingFailed',
    });
    expect(logger.lines.at(-1)?.attributes['overBudget']).toBe(shed.length);
  });

  it.each([
    ['no event', null, 'the event must be an object, got null'],
    ['no records', { invocationId: 'x' }, 'records must be an array, got undefined'],
    ['records not an array', { records: {} }, 'records must be an array, got an object'],
    [
      'a record without recordId or data',
      { records: [{ recordId: 'a', data: '' }, { data: 1 }] },
      'records[1].recordId must be a string, got undefined; records[1].data must be a base64 string, got number',
    ],
  ])('rejects an invocation with %s, with a clear error', async (_, input, message) => {
    const logger = createRecordingLogger();
    const handler = createTransformHandler({ logger });

    const failure = handler(input as unknown as FirehoseTransformationEvent);

    await expect(failure).rejects.toThrow(InvalidFirehoseEventError);
    await expect(failure).rejects.toThrow(message);
    expect(logger.lines).toEqual([
      expect.objectContaining({
        level: 'error',
        message: 'invocation rejected: not a Firehose transformation event',
      }),
    ]);
  });

  it('uses the mapper it is given', async () => {
    const handler = createTransformHandler({
      logger: createRecordingLogger(),
      mapper: () => ({ kind: 'ignored', reason: 'test' }),
    });

    const response = await handler(firehoseEventOf([toBase64('{}')]));

    expect(response.records).toEqual([{ recordId: '0', result: 'Dropped', data: toBase64('{}') }]);
  });
});
