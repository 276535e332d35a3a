import type { QuarantinePart } from '../sqs-quarantine';
import { decodeKinesisData } from '../kinesis-data';
import type { StreamRange } from './stream-range';
import { readStreamRange } from './stream-range';

/**
 * One input to replay through ingest: a JSON value, or text that is not JSON (kept verbatim, so
 * that ingest finds it invalid again rather than it being lost). `position` names it in reports.
 * The same shape as the CLI's `EventInput`.
 */
export type ReplayInput =
  { position: string; value: unknown } | { position: string; problem: string; text: string };

/** What a parked message or object was, as recognised from its content. */
export type ParkedFormat =
  /** The EventBridge event itself: a rule target's dead-letter queue (or a function's DLQ). */
  | 'eventbridge-event'
  /** A Lambda asynchronous invocation record: the function's on-failure destination. */
  | 'lambda-async-failure'
  /** A Kinesis event-source mapping's on-failure record with the batch (an S3 destination). */
  | 'kinesis-failure-batch'
  /** A Kinesis event-source mapping's on-failure record with pointers only (SQS/SNS destination). */
  | 'kinesis-failure-pointer'
  /** An entry of ecslog's quarantine (SQS message or quarantine file line). */
  | 'quarantine-entry'
  /** One part of a quarantine entry too large for one SQS message. */
  | 'quarantine-part';

/** What a parked message holds, or why it cannot be replayed. */
export type ParkedReading =
  | { kind: 'events'; format: ParkedFormat; inputs: ReplayInput[] }
  | { kind: 'stream-range'; format: 'kinesis-failure-pointer'; range: StreamRange }
  | {
      kind: 'quarantine-part';
      format: 'quarantine-part';
      part: QuarantinePart['ecslogQuarantinePart'];
    }
  | { kind: 'unreadable'; reason: string };

type JsonObject = Record<string, unknown>;

const isObject = (value: unknown): value is JsonObject =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * Recognises a parked message body (an SQS message, an S3 object, a quarantine file line) by its
 * content and returns the events to replay, the stream range to read again, or a specific
 * reason it cannot be replayed. Pure; never throws. `position` prefixes each input's position.
 *
 * @example
 * readParkedMessage('{"version":"0","detail-type":"ECS Task State Change",…}', 'dlq#1');
 * // { kind: 'events', format: 'eventbridge-event', inputs: [{ position: 'dlq#1', value: {…} }] }
 */
export function readParkedMessage(body: string, position: string): ParkedReading {
  let document: unknown;
  try {
    document = JSON.parse(body.charCodeAt(0) === 0xfeff ? body.slice(1) : body);
  } catch (error) {
    return { kind: 'unreadable', reason: `is not JSON: ${(error as Error).message}` };
  }
  if (!isObject(document))
    return {
      kind: 'unreadable',
      reason: 'is not a JSON object (no parked format is an array or a scalar)',
    };

  if (isObject(document['ecslogQuarantinePart'])) return readQuarantinePart(document);
  if ('payloadEncoding' in document && 'problems' in document)
    return readQuarantineEntry(document, position);
  if ('problems' in document && 'input' in document && 'position' in document)
    // `ecslog map --invalid-out` lines: the input as read, with its problems.
    return {
      kind: 'events',
      format: 'quarantine-entry',
      inputs: [{ position, value: document['input'] }],
    };
  if (isObject(document['KinesisBatchInfo'])) return readKinesisFailure(document, position);
  if (isObject(document['DDBStreamBatchInfo']))
    return {
      kind: 'unreadable',
      reason: 'is a DynamoDB stream failure record, not one of ecslog’s (no ECS events in it)',
    };
  if (isObject(document['requestContext']) && 'requestPayload' in document)
    return readAsyncFailure(document, position);
  if (typeof document['detail-type'] === 'string' && 'detail' in document)
    return { kind: 'events', format: 'eventbridge-event', inputs: [{ position, value: document }] };
  return {
    kind: 'unreadable',
    reason:
      'is not a parked ecslog message: neither an EventBridge event, a Lambda failure record, a Kinesis failure record nor a quarantine entry',
  };
}

function readQuarantinePart(document: JsonObject): ParkedReading {
  const part = document['ecslogQuarantinePart'] as JsonObject;
  const { id, index, count } = part;
  if (
    typeof id !== 'string' ||
    !Number.isInteger(index) ||
    !Number.isInteger(count) ||
    (index as number) < 1 ||
    (index as number) > (count as number)
  )
    return {
      kind: 'unreadable',
      reason: 'is a quarantine part with a malformed id, index or count',
    };
  return {
    kind: 'quarantine-part',
    format: 'quarantine-part',
    part: { id, index: index as number, count: count as number },
  };
}

/** A quarantine entry: its payload as ingest received it. */
function readQuarantineEntry(document: JsonObject, position: string): ParkedReading {
  const { payload, payloadEncoding } = document;
  const inputs = (input: ReplayInput): ParkedReading => ({
    kind: 'events',
    format: 'quarantine-entry',
    inputs: [input],
  });
  if (payloadEncoding === 'json') return inputs({ position, value: payload });
  if (typeof payload !== 'string')
    return {
      kind: 'unreadable',
      reason: `is a quarantine entry whose ${String(payloadEncoding)} payload is not a string`,
    };
  if (payloadEncoding === 'utf8') {
    // Text that was not JSON when quarantined: still replayed, so that a parse fix recovers it.
    const data = decodeKinesisData(Buffer.from(payload, 'utf8').toString('base64'));
    return inputs(
      data.kind === 'json'
        ? { position, value: data.value }
        : { position, problem: data.problem.message, text: payload },
    );
  }
  if (payloadEncoding === 'base64')
    return inputs({ position, problem: 'is not UTF-8 text (kept as base64)', text: payload });
  return {
    kind: 'unreadable',
    reason: `is a quarantine entry with an unknown payloadEncoding ${JSON.stringify(payloadEncoding)}`,
  };
}

/** A Lambda asynchronous invocation record: the event is its `requestPayload`. */
function readAsyncFailure(document: JsonObject, position: string): ParkedReading {
  const payload = document['requestPayload'];
  if (!isObject(payload))
    return {
      kind: 'unreadable',
      reason:
        'is a Lambda failure record without its event (requestPayload missing or not an object: the payload may have been too large to keep)',
    };
  return { kind: 'events', format: 'lambda-async-failure', inputs: [{ position, value: payload }] };
}

/**
 * A Kinesis event-source mapping's on-failure record. An S3 destination's record carries the
 * invocation's whole event in `payload` (a JSON string, tolerated as an object too); an SQS or
 * SNS destination's carries only `KinesisBatchInfo`, the range to read from the stream again.
 */
function readKinesisFailure(document: JsonObject, position: string): ParkedReading {
  const rawPayload = document['payload'];
  if (rawPayload === undefined || rawPayload === null) {
    const range = readStreamRange(document['KinesisBatchInfo']);
    return 'reason' in range
      ? {
          kind: 'unreadable',
          reason: `is a Kinesis failure record whose KinesisBatchInfo ${range.reason}`,
        }
      : { kind: 'stream-range', format: 'kinesis-failure-pointer', range };
  }
  let payload: unknown = rawPayload;
  if (typeof rawPayload === 'string') {
    try {
      payload = JSON.parse(rawPayload);
    } catch (error) {
      return {
        kind: 'unreadable',
        reason: `is a Kinesis failure record whose payload is not JSON: ${(error as Error).message}`,
      };
    }
  }
  const records = isObject(payload) ? payload['Records'] : undefined;
  if (!Array.isArray(records))
    return {
      kind: 'unreadable',
      reason: 'is a Kinesis failure record whose payload has no Records array',
    };
  const inputs: ReplayInput[] = [];
  for (const [index, record] of records.entries()) {
    const kinesis = isObject(record) ? record['kinesis'] : undefined;
    const data = isObject(kinesis) ? kinesis['data'] : undefined;
    if (typeof data !== 'string')
      return {
        kind: 'unreadable',
        reason: `is a Kinesis failure record whose Records[${index}] has no kinesis.data`,
      };
    const sequenceNumber = isObject(kinesis) ? kinesis['sequenceNumber'] : undefined;
    const at = `${position}: ${typeof sequenceNumber === 'string' ? sequenceNumber : `Records[${index}]`}`;
    const decoded = decodeKinesisData(data);
    inputs.push(
      decoded.kind === 'json'
        ? { position: at, value: decoded.value }
        : { position: at, problem: decoded.problem.message, text: decoded.payload },
    );
  }
  return { kind: 'events', format: 'kinesis-failure-batch', inputs };
}
