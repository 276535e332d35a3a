/**
 * DynamoDB Streams events for tests, shaped as Lambda delivers them (the Lambda developer guide's
 * DynamoDB example event: `eventID`, `eventName`, `eventVersion` 1.1, `eventSource` aws:dynamodb,
 * `dynamodb` with `Keys`, `NewImage`, `SequenceNumber`, `SizeBytes`, `StreamViewType`), made from
 * real item encodings: the audit-store codec's items, marshalled, binary values base64 as in the
 * event's JSON. Ids are invented.
 */
import type { AttributeValue as SdkAttributeValue } from '@aws-sdk/client-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import type { AttributeValue, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';

export const TABLE_ARN = 'arn:aws:dynamodb:eu-west-1:111122223333:table/ecslog-prod-audit';
export const STREAM_ARN = `${TABLE_ARN}/stream/2026-11-02T09:14:07.123`;

let sequence = 4_000_000_000_000_000_000_000n;

/** The next sequence number (ordered, as in a shard). */
export function nextSequenceNumber(): string {
  sequence += 1n;
  return sequence.toString();
}

/** One stream record of an item put or changed (`INSERT` by default) or removed. */
export function streamRecordOf(
  item: Record<string, unknown>,
  options: { eventName?: 'INSERT' | 'MODIFY' | 'REMOVE'; sequenceNumber?: string } = {},
): DynamoDBRecord {
  const eventName = options.eventName ?? 'INSERT';
  const image = toEventImage(marshall(item, { removeUndefinedValues: true }));
  const keys = { pk: image['pk'] as AttributeValue, sk: image['sk'] as AttributeValue };
  const sequenceNumber = options.sequenceNumber ?? nextSequenceNumber();
  return {
    eventID: `c81e728d9d4c2f636f067f89cc14862c${sequenceNumber.slice(-6)}`,
    eventName,
    eventVersion: '1.1',
    eventSource: 'aws:dynamodb',
    awsRegion: 'eu-west-1',
    dynamodb: {
      ApproximateCreationDateTime: 1_795_514_400,
      Keys: keys,
      ...(eventName === 'REMOVE' ? {} : { NewImage: image }),
      SequenceNumber: sequenceNumber,
      SizeBytes: JSON.stringify(image).length,
      StreamViewType: 'NEW_IMAGE',
    },
    eventSourceARN: STREAM_ARN,
  };
}

/** A batch as the event-source mapping hands it over, through JSON (as Lambda does). */
export function streamEventOf(records: readonly DynamoDBRecord[]): DynamoDBStreamEvent {
  return JSON.parse(JSON.stringify({ Records: records })) as DynamoDBStreamEvent;
}

/**
 * A record read with the DynamoDB Streams API (SDK form: binary as bytes) in the shape Lambda
 * hands the function (binary as base64).
 */
export function lambdaRecordOf(record: {
  eventID?: string;
  eventName?: string;
  awsRegion?: string;
  dynamodb?: {
    Keys?: Record<string, SdkAttributeValue>;
    NewImage?: Record<string, SdkAttributeValue>;
    SequenceNumber?: string;
    SizeBytes?: number;
    StreamViewType?: string;
  };
}): DynamoDBRecord {
  const stream = record.dynamodb ?? {};
  return {
    eventID: record.eventID ?? '',
    eventName: record.eventName as DynamoDBRecord['eventName'],
    eventVersion: '1.1',
    eventSource: 'aws:dynamodb',
    awsRegion: record.awsRegion ?? 'eu-west-1',
    dynamodb: {
      ...(stream.Keys ? { Keys: toEventImage(stream.Keys) } : {}),
      ...(stream.NewImage ? { NewImage: toEventImage(stream.NewImage) } : {}),
      ...(stream.SequenceNumber ? { SequenceNumber: stream.SequenceNumber } : {}),
      ...(stream.SizeBytes !== undefined ? { SizeBytes: stream.SizeBytes } : {}),
      StreamViewType: 'NEW_IMAGE',
    },
    eventSourceARN: STREAM_ARN,
  };
}

function toEventImage(image: Record<string, SdkAttributeValue>): Record<string, AttributeValue> {
  return Object.fromEntries(
    Object.entries(image).map(([name, value]) => [name, toEventValue(value)]),
  );
}

function toEventValue(value: SdkAttributeValue): AttributeValue {
  if (value.B !== undefined) return { B: Buffer.from(value.B).toString('base64') };
  if (value.BS !== undefined) return { BS: value.BS.map((b) => Buffer.from(b).toString('base64')) };
  if (value.M !== undefined) return { M: toEventImage(value.M) };
  if (value.L !== undefined) return { L: value.L.map(toEventValue) };
  return value as AttributeValue;
}
