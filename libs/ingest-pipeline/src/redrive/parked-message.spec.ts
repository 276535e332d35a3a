import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { mapEvent } from '@ecslog/ecs-event-mapper';
import {
  deploymentStateChangeArb,
  serviceActionArb,
  taskStateChangeArb,
} from '@ecslog/ecs-event-mapper/testing';
import fc from 'fast-check';
import { toQuarantineMessages } from '../sqs-quarantine';
import type { QuarantineEntry } from '../quarantine';
import { readParkedMessage } from './parked-message';
import type { ParkedReading } from './parked-message';
import { checkRangeComplete, compareSequenceNumbers, readStreamRange } from './stream-range';
import type { StreamRange } from './stream-range';
import { settleParked } from './parked-outcome';

const FIXTURES = join(__dirname, '..', '..', 'tests', 'events', 'redrive');
const fixtureText = (name: string) => readFileSync(join(FIXTURES, name), 'utf8');
const fixture = (name: string) => JSON.parse(fixtureText(name)) as Record<string, unknown>;

const valuesOf = (reading: ParkedReading) =>
  reading.kind === 'events'
    ? reading.inputs.map((input) => ('value' in input ? input.value : input))
    : reading;

describe('readParkedMessage, on the documented shapes', () => {
  it('replays a rule target DLQ message: the body is the EventBridge event', () => {
    const reading = readParkedMessage(fixtureText('eventbridge-dlq-message.json'), 'dlq#m1');
    expect(reading).toEqual({
      kind: 'events',
      format: 'eventbridge-event',
      inputs: [{ position: 'dlq#m1', value: fixture('eventbridge-dlq-message.json') }],
    });
  });

  it('replays a Lambda async on-failure record: the event is its requestPayload', () => {
    const record = fixture('lambda-async-failure.json');
    const reading = readParkedMessage(JSON.stringify(record), 'failures#m2');
    expect(reading).toMatchObject({ kind: 'events', format: 'lambda-async-failure' });
    expect(valuesOf(reading)).toEqual([record['requestPayload']]);
    expect(mapEvent(record['requestPayload']).kind).toBe('mapped');
  });

  it('replays a Kinesis on-failure S3 object: every record of its payload, decoded', () => {
    const object = fixture('kinesis-failure-s3-object.json');
    const reading = readParkedMessage(JSON.stringify(object), 's3://b/k');
    const records = (
      JSON.parse(object['payload'] as string) as {
        Records: { kinesis: { data: string; sequenceNumber: string } }[];
      }
    ).Records;
    expect(reading).toMatchObject({ kind: 'events', format: 'kinesis-failure-batch' });
    expect(valuesOf(reading)).toEqual(
      records.map((r) => JSON.parse(Buffer.from(r.kinesis.data, 'base64').toString('utf8'))),
    );
    expect(reading.kind === 'events' && reading.inputs.map((i) => i.position)).toEqual(
      records.map((r) => `s3://b/k: ${r.kinesis.sequenceNumber}`),
    );
  });

  it('accepts a Kinesis failure payload that is an object rather than an escaped string', () => {
    const object = fixture('kinesis-failure-s3-object.json');
    const asObject = { ...object, payload: JSON.parse(object['payload'] as string) as unknown };
    expect(valuesOf(readParkedMessage(JSON.stringify(asObject), 'k'))).toEqual(
      valuesOf(readParkedMessage(JSON.stringify(object), 'k')),
    );
  });

  it('keeps Kinesis data that is not JSON as text, so ingest finds it invalid again', () => {
    const object = fixture('kinesis-failure-s3-object.json');
    const payload = JSON.parse(object['payload'] as string) as {
      Records: { kinesis: { data: string } }[];
    };
    (payload.Records[1] as { kinesis: { data: string } }).kinesis.data =
      Buffer.from('not json {').toString('base64');
    const reading = readParkedMessage(
      JSON.stringify({ ...object, payload: JSON.stringify(payload) }),
      'k',
    );
    expect(reading.kind === 'events' && reading.inputs[1]).toMatchObject({ text: 'not json {' });
  });

  it('reads a pointer-only Kinesis failure as the stream range to read again', () => {
    const reading = readParkedMessage(fixtureText('kinesis-failure-pointer.json'), 'q#m3');
    const info = fixture('kinesis-failure-pointer.json')['KinesisBatchInfo'] as Record<
      string,
      unknown
    >;
    expect(reading).toEqual({
      kind: 'stream-range',
      format: 'kinesis-failure-pointer',
      range: {
        streamArn: info['streamArn'],
        streamName: 'ecslog-prod-events',
        shardId: 'shardId-000000000002',
        startSequenceNumber: info['startSequenceNumber'],
        endSequenceNumber: info['endSequenceNumber'],
        batchSize: 3,
      },
    });
  });

  it('replays a quarantine entry’s payload (re-mapped: a mapper fix recovers it)', () => {
    const entry = fixture('quarantine-entry-invalid.json');
    const reading = readParkedMessage(JSON.stringify(entry), 'quarantine.ndjson:4');
    expect(reading).toMatchObject({ kind: 'events', format: 'quarantine-entry' });
    expect(valuesOf(reading)).toEqual([entry['payload']]);
  });

  it('replays quarantined text that has become JSON-parseable, and keeps base64 as is', () => {
    const base = fixture('quarantine-entry-invalid.json');
    const utf8 = { ...base, payload: '{"detail-type":"x"}', payloadEncoding: 'utf8' };
    expect(valuesOf(readParkedMessage(JSON.stringify(utf8), 'p'))).toEqual([
      { 'detail-type': 'x' },
    ]);
    const raw = { ...base, payload: '//79', payloadEncoding: 'base64' };
    expect(readParkedMessage(JSON.stringify(raw), 'p')).toMatchObject({
      kind: 'events',
      inputs: [{ position: 'p', text: '//79', problem: 'is not UTF-8 text (kept as base64)' }],
    });
  });

  it('replays an `ecslog map --invalid-out` line: its input', () => {
    const line = JSON.stringify({ position: 'f:1', problems: [], input: { a: 1 } });
    expect(valuesOf(readParkedMessage(line, 'x'))).toEqual([{ a: 1 }]);
  });

  it('recognises a part of a split quarantine entry', () => {
    const entry = fixture('quarantine-entry-invalid.json') as unknown as QuarantineEntry;
    const bodies = toQuarantineMessages(entry, 2_000);
    expect(bodies.length).toBeGreaterThan(1);
    expect(readParkedMessage(bodies[1] as string, 'q')).toMatchObject({
      kind: 'quarantine-part',
      part: { index: 2, count: bodies.length },
    });
  });

  it.each([
    ['not json', 'is not JSON'],
    ['[1,2]', 'is not a JSON object'],
    ['{"hello":"world"}', 'is not a parked ecslog message'],
    ['{"requestContext":{},"requestPayload":null}', 'without its event'],
    ['{"KinesisBatchInfo":{"shardId":"s"}}', 'has no Kinesis stream ARN'],
    ['{"KinesisBatchInfo":{},"payload":"{"}', 'payload is not JSON'],
    ['{"KinesisBatchInfo":{},"payload":"{}"}', 'no Records array'],
    ['{"DDBStreamBatchInfo":{}}', 'DynamoDB stream failure record'],
    ['{"ecslogQuarantinePart":{"id":"a","index":3,"count":2}}', 'malformed id, index or count'],
    ['{"payloadEncoding":"zip","problems":[],"payload":"x"}', 'unknown payloadEncoding'],
  ])('says why %s cannot be replayed', (body, reason) => {
    const reading = readParkedMessage(body, 'p');
    expect(reading.kind).toBe('unreadable');
    expect(reading.kind === 'unreadable' && reading.reason).toContain(reason);
  });
});

describe('readParkedMessage, properties', () => {
  const ecsEventArb = fc
    .oneof(taskStateChangeArb, serviceActionArb, deploymentStateChangeArb)
    .map((generated) => generated.event);

  /** Each way the pipeline parks an event, applied to events we know. */
  const parkings: Record<string, (events: Record<string, unknown>[]) => string> = {
    dlq: ([event]) => JSON.stringify(event),
    asyncFailure: ([event]) =>
      JSON.stringify({ ...fixture('lambda-async-failure.json'), requestPayload: event }),
    s3Batch: (events) =>
      JSON.stringify({
        ...fixture('kinesis-failure-s3-object.json'),
        payload: JSON.stringify({
          Records: events.map((event, i) => ({
            kinesis: {
              sequenceNumber: String(4965 + i),
              data: Buffer.from(JSON.stringify(event)).toString('base64'),
            },
          })),
        }),
      }),
    quarantine: ([event]) =>
      JSON.stringify({ ...fixture('quarantine-entry-invalid.json'), payload: event }),
  };

  it('always gives back exactly the events that were parked, whichever way', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...Object.keys(parkings)),
        fc.array(ecsEventArb, { minLength: 1, maxLength: 4 }),
        (how, events) => {
          const parked = how === 's3Batch' ? events : events.slice(0, 1);
          const reading = readParkedMessage(
            (parkings[how] as (e: typeof events) => string)(parked),
            'p',
          );
          expect(valuesOf(reading)).toEqual(parked);
        },
      ),
    );
  });

  it('never throws, whatever the body', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.json()), (body) => {
        const reading = readParkedMessage(body, 'p');
        if (reading.kind === 'unreadable') expect(reading.reason).not.toBe('');
      }),
    );
  });
});

describe('checkRangeComplete', () => {
  const rangeOf = (sequenceNumbers: string[]): StreamRange => ({
    streamArn: 'arn:aws:kinesis:eu-west-1:111122223333:stream/s',
    streamName: 's',
    shardId: 'shardId-000000000000',
    startSequenceNumber: sequenceNumbers[0] as string,
    endSequenceNumber: sequenceNumbers.at(-1) as string,
    batchSize: sequenceNumbers.length,
  });
  /** Increasing sequence numbers of realistic size (56 digits). */
  const sequenceNumbersArb = fc
    .tuple(
      fc.bigInt({ min: 10n ** 55n, max: 10n ** 56n - 10n ** 50n }),
      fc.array(fc.bigInt({ min: 1n, max: 10n ** 20n }), { minLength: 0, maxLength: 20 }),
    )
    .map(([first, gaps]) => {
      const values = [first];
      for (const gap of gaps) values.push((values.at(-1) as bigint) + gap);
      return values.map(String);
    });

  it('is complete when the shard still holds the whole batch (records after it ignored)', () => {
    fc.assert(
      fc.property(sequenceNumbersArb, (sequenceNumbers) => {
        const later = String(BigInt(sequenceNumbers.at(-1) as string) + 1n);
        expect(checkRangeComplete(rangeOf(sequenceNumbers), [...sequenceNumbers, later])).toEqual({
          complete: true,
        });
      }),
    );
  });

  it('is never complete once the first or the last record is gone', () => {
    fc.assert(
      fc.property(sequenceNumbersArb, fc.boolean(), (sequenceNumbers, dropFirst) => {
        const held = dropFirst ? sequenceNumbers.slice(1) : sequenceNumbers.slice(0, -1);
        const check = checkRangeComplete(rangeOf(sequenceNumbers), held);
        expect(check.complete).toBe(false);
        // A batch of one has no last record apart from its first.
        const firstGone = dropFirst || sequenceNumbers.length === 1;
        if (!check.complete)
          expect(check.reason).toMatch(firstGone ? /no longer holds/ : /not its last record/);
      }),
    );
  });

  it('orders sequence numbers numerically, not as text', () => {
    expect(compareSequenceNumbers('9', '10')).toBe(-1);
    expect(compareSequenceNumbers('10', '10')).toBe(0);
  });

  it('reads KinesisBatchInfo, refusing a reversed range', () => {
    const info = fixture('kinesis-failure-pointer.json')['KinesisBatchInfo'] as Record<
      string,
      unknown
    >;
    expect(readStreamRange(info)).toMatchObject({ streamName: 'ecslog-prod-events' });
    const reversed = {
      ...info,
      startSequenceNumber: info['endSequenceNumber'],
      endSequenceNumber: info['startSequenceNumber'],
    };
    expect(readStreamRange(reversed)).toEqual({
      reason: expect.stringContaining('after endSequenceNumber') as unknown,
    });
    expect(readStreamRange({ ...info, batchSize: 0 })).toEqual({
      reason: 'has no valid batchSize (0)',
    });
  });
});

describe('settleParked', () => {
  const outcomeArb = fc.constantFrom('stored', 'ignored', 'invalid', 'unwritten' as const);

  it('releases a message only when every input from it is stored or ignored', () => {
    fc.assert(
      fc.property(fc.array(outcomeArb), (outcomes) => {
        const settled = settleParked(outcomes);
        const safe = outcomes.every((o) => o === 'stored' || o === 'ignored');
        expect(settled === 'replayed').toBe(safe);
        if (outcomes.includes('unwritten')) expect(settled).toBe('failed');
      }),
    );
  });
});
