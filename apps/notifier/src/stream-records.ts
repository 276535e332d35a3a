/**
 * DynamoDB Streams records of the audit table → the records the notifier observes. Pure: a stream
 * record in, what to do with it out; never a throw.
 *
 * An image in a Lambda event is DynamoDB JSON with binary values base64-encoded (`{ "B": "…" }`),
 * unlike the SDK's, where they are bytes: they are decoded before `unmarshall`, so the item is in
 * the native form the audit-store codec reads (`r`: the compressed record).
 */
import type { AttributeValue as SdkAttributeValue } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { decodeRecord, originOfItem } from '@ecslog/audit-store';
import type { ObservedRecord } from '@ecslog/notifier';
import type { AttributeValue, DynamoDBRecord } from 'aws-lambda';

/** The partitions of the notifier's own items (incidents, watches, mutes): never observed. */
export const NOTIFIER_PARTITION_PREFIX = 'I#';

/**
 * What a stream record is for the notifier:
 * - `observe`: a live record, stored (its run, history or latest item);
 * - `skip`: nothing to tell — a deletion (TTL), the notifier's own item, an item that holds no
 *   record (companions, image mappings), or a record a backfill or redrive wrote;
 * - `invalid`: an item that should hold a record and cannot be read. Never dropped: the handler
 *   reports it as a failure, so the event-source mapping retries it, bisects it out and keeps it in
 *   its on-failure destination.
 */
export type StreamRecordResult =
  | { kind: 'observe'; observed: ObservedRecord }
  | { kind: 'skip'; reason: SkipReason }
  | { kind: 'invalid'; error: Error };

export type SkipReason = 'no-new-image' | 'notifier-item' | 'holds-no-record' | 'not-live';

/**
 * Reads one stream record.
 *
 * @example
 * const result = readStreamRecord(event.Records[0]);
 * if (result.kind === 'observe') await notifier.observe([result.observed]);
 */
export function readStreamRecord(record: DynamoDBRecord): StreamRecordResult {
  const image = record.dynamodb?.NewImage;
  if (record.eventName === 'REMOVE' || image === undefined)
    return { kind: 'skip', reason: 'no-new-image' };
  let item: Record<string, unknown>;
  try {
    item = unmarshall(toSdkImage(image));
  } catch (error) {
    return { kind: 'invalid', error: new StreamImageError(keysOf(record), error) };
  }
  if (String(item['pk'] ?? '').startsWith(NOTIFIER_PARTITION_PREFIX))
    return { kind: 'skip', reason: 'notifier-item' };
  if (item['r'] === undefined) return { kind: 'skip', reason: 'holds-no-record' };
  const origin = originOfItem(item);
  if (origin !== 'live') return { kind: 'skip', reason: 'not-live' };
  try {
    return { kind: 'observe', observed: { record: decodeRecord(item), origin } };
  } catch (error) {
    return { kind: 'invalid', error: new StreamImageError(keysOf(record), error) };
  }
}

/** A stream record's item keys, for logs: `pk` and `sk`, never the record's content. */
export function keysOf(record: DynamoDBRecord): { pk?: string; sk?: string } {
  const keys = record.dynamodb?.Keys ?? record.dynamodb?.NewImage ?? {};
  return {
    ...(keys['pk']?.S !== undefined ? { pk: keys['pk'].S } : {}),
    ...(keys['sk']?.S !== undefined ? { sk: keys['sk'].S } : {}),
  };
}

/** An item of the stream that should hold an audit record and could not be read. */
export class StreamImageError extends Error {
  override readonly name = 'StreamImageError';
  constructor(
    readonly keys: { pk?: string; sk?: string },
    cause: unknown,
  ) {
    super(
      `stream item ${keys.pk ?? '?'} / ${keys.sk ?? '?'} holds no readable record: ${
        cause instanceof Error ? cause.message : String(cause)
      }`,
      { cause },
    );
  }
}

/** Lambda's DynamoDB JSON (binary as base64) → the SDK's (binary as bytes). */
function toSdkImage(image: Record<string, AttributeValue>): Record<string, SdkAttributeValue> {
  return Object.fromEntries(
    Object.entries(image).map(([name, value]) => [name, toSdkValue(value)]),
  );
}

function toSdkValue(value: AttributeValue): SdkAttributeValue {
  if (value.B !== undefined) return { B: base64Bytes(value.B) };
  if (value.BS !== undefined) return { BS: value.BS.map(base64Bytes) };
  if (value.M !== undefined) return { M: toSdkImage(value.M) };
  if (value.L !== undefined) return { L: value.L.map(toSdkValue) };
  return value as SdkAttributeValue;
}

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

function base64Bytes(text: string): Uint8Array {
  if (text.length % 4 !== 0 || !BASE64.test(text)) throw new Error('a binary value is not base64');
  return new Uint8Array(Buffer.from(text, 'base64'));
}
