import {
  accountArb,
  ecsInputArb,
  otherEcsEventArb,
  regionArb,
  runTaskRecordArb,
  taskStateChangeArb,
} from '@ecslog/ecs-event-mapper/testing';
import fc from 'fast-check';
import { toBase64 } from './firehose-events';

/**
 * A Firehose record's data built so that its outcome is known: `mapped` (an ECS input the mapper
 * audits; `input` is the parsed event), `ignored` (well-formed, not audited) or `invalid` (an ECS
 * event with a required field missing, JSON that is no event, text, non-UTF-8 bytes, broken base64,
 * short garbage).
 */
export type Payload =
  | { expected: 'mapped'; data: string; input: Record<string, unknown> }
  | { expected: 'ignored'; data: string; how: string }
  | { expected: 'invalid'; data: string; how: string };

const json = (value: unknown) => toBase64(JSON.stringify(value));

/**
 * An ECS input the mapper audits: the classic kinds, and (one in ten) an `aws.ecs` event of any
 * other detail-type with any JSON detail, which becomes a generic record.
 */
export const mappedPayloadArb: fc.Arbitrary<Payload> = fc
  .oneof(
    { weight: 9, arbitrary: ecsInputArb },
    { weight: 1, arbitrary: otherEcsEventArb.map(({ event }) => event) },
  )
  .map((input) => ({ expected: 'mapped', data: json(input), input }));

const instant = fc.date({
  min: new Date('2024-01-01T00:00:00Z'),
  max: new Date('2030-01-01T00:00:00Z'),
  noInvalidDate: true,
});

/** An EventBridge event of another source: never audited, whatever its detail. */
const otherSourceArb = fc
  .record({
    id: fc.uuid(),
    detailType: fc.constantFrom('EC2 Instance State-change Notification', 'Object Created'),
    source: fc.constantFrom('aws.ec2', 'aws.s3', 'com.example.orders'),
    account: accountArb,
    region: regionArb,
    time: instant,
    detail: fc.dictionary(fc.string({ maxLength: 8 }), fc.jsonValue({ maxDepth: 2 })),
  })
  .map(({ detailType, time, ...event }) => ({
    version: '0',
    'detail-type': detailType,
    ...event,
    time: time.toISOString().slice(0, 19) + 'Z',
    resources: [],
  }));

/** A read-only ECS API call (CloudTrail record): not audited. */
const readOnlyCallArb = fc
  .record({ generated: runTaskRecordArb, eventName: fc.constantFrom('DescribeTasks', 'ListTasks') })
  .map(({ generated, eventName }) => ({ ...generated.event, eventName, readOnly: true }));

export const ignoredPayloadArb: fc.Arbitrary<Payload> = fc.oneof(
  otherSourceArb.map((e): Payload => ({ expected: 'ignored', data: json(e), how: 'other source' })),
  readOnlyCallArb.map((e): Payload => ({ expected: 'ignored', data: json(e), how: 'read-only' })),
);

/** A task state change without its required taskArn. */
const taskWithoutArnArb = taskStateChangeArb.map(({ event }) => {
  const { taskArn: _, ...detail } = event['detail'] as Record<string, unknown>;
  return { ...event, detail };
});

export const invalidPayloadArb: fc.Arbitrary<Payload> = fc.oneof(
  taskWithoutArnArb.map((e): Payload => ({
    expected: 'invalid',
    data: json(e),
    how: 'no taskArn',
  })),
  fc
    .oneof(fc.integer(), fc.string(), fc.array(fc.integer()), fc.constant(null), fc.constant({}))
    .map((value): Payload => ({ expected: 'invalid', data: json(value), how: 'JSON, no event' })),
  fc
    .string()
    .map((text): Payload => ({ expected: 'invalid', data: toBase64(`ECS ${text}`), how: 'text' })),
  // 0xff never occurs in UTF-8.
  fc.tuple(fc.uint8Array({ maxLength: 64 }), fc.nat()).map(([bytes, at]): Payload => {
    const index = at % (bytes.length + 1);
    const data = Buffer.concat([bytes.subarray(0, index), Buffer.of(0xff), bytes.subarray(index)]);
    return { expected: 'invalid', data: toBase64(data), how: 'not UTF-8' };
  }),
  // A character outside the alphabet in place of one (same length), or one character too many or
  // too few.
  fc
    .tuple(
      taskStateChangeArb,
      fc.constantFrom('replace', 'insert', 'remove'),
      fc.constantFrom('!', '*', ' ', '\n', '"', 'é', 'A'),
      fc.nat(),
    )
    .map(([{ event }, edit, char, at]): Payload => {
      const base64 = json(event);
      const index = at % base64.length;
      const data =
        edit === 'insert'
          ? base64.slice(0, index) + char + base64.slice(index)
          : base64.slice(0, index) +
            (edit === 'replace' ? (char === 'A' ? '*' : char) : '') +
            base64.slice(index + 1);
      return { expected: 'invalid', data, how: `broken base64 (${edit})` };
    }),
  // Short random bytes: too short to hold a JSON object with any key the mapper reads.
  fc
    .uint8Array({ maxLength: 11 })
    .map((bytes): Payload => ({ expected: 'invalid', data: toBase64(bytes), how: 'garbage' })),
);

/** Any payload: mostly mapped, some ignored, some invalid. */
export const payloadArb: fc.Arbitrary<Payload> = fc.oneof(
  { weight: 3, arbitrary: mappedPayloadArb },
  { weight: 1, arbitrary: ignoredPayloadArb },
  { weight: 2, arbitrary: invalidPayloadArb },
);

/** Record ids as Firehose could send them (any text: the response must carry them exactly). */
export const recordIdArb = fc.oneof(
  fc.stringMatching(/^[0-9]{56}000000$/),
  fc.string({ unit: 'grapheme', maxLength: 12 }),
);
