import { createHash } from 'node:crypto';
import type { SQSClient } from '@aws-sdk/client-sqs';
import { SendMessageCommand } from '@aws-sdk/client-sqs';
import type { Quarantine, QuarantineEntry } from './quarantine';
import { parseQuarantineEntry, QuarantineError, stringifyQuarantineEntry } from './quarantine';

/** SQS's largest message: 1 MiB of body (UTF-8) plus message attributes; we send no attributes. */
export const SQS_MAX_MESSAGE_BYTES = 1_048_576;

/**
 * A queue's MaximumMessageSize unless raised: 256 KiB. apps/ingest's runtime splits entries at
 * this size so that quarantine works with any queue, whatever its setting.
 */
export const SQS_DEFAULT_QUEUE_MESSAGE_BYTES = 262_144;

/** The longest `reason` repeated in each part of a split entry (the full reason is in the data). */
const PART_REASON_CHARS = 500;

export interface SqsQuarantineOptions {
  client: SQSClient;
  /** A standard (not FIFO) queue. */
  queueUrl: string;
  /** Largest message body in bytes (default and maximum {@link SQS_MAX_MESSAGE_BYTES}); smaller in tests. */
  maxMessageBytes?: number;
}

/** One message of an entry that was too large for a single SQS message. */
export interface QuarantinePart {
  ecslogQuarantinePart: {
    /** SHA-256 (hex) of the whole entry's message body: groups the parts and checks them. */
    id: string;
    /** 1-based. */
    index: number;
    count: number;
  };
  source: QuarantineEntry['source'];
  receivedAt: string;
  origin: QuarantineEntry['origin'];
  /** The entry's reason, cut to 500 characters: enough to triage without reassembling. */
  reason: string;
  /** This part's slice of the entry's UTF-8 message body, base64. */
  data: string;
}

/**
 * The SQS quarantine: each entry is one SendMessage whose body is the entry as one line of JSON
 * ({@link stringifyQuarantineEntry}: payload, problems, origin).
 *
 * An entry larger than one SQS message (possible only for Kinesis data: EventBridge events are at
 * most 256 KB) is never truncated or dropped: its body is split into numbered parts
 * ({@link QuarantinePart}), each a message under the limit, sent in order;
 * {@link reassembleQuarantineEntry} puts it back together. If any send fails, `hold` rejects and
 * the caller retries the input: the retry sends a complete new set of parts (a new id, since the
 * body carries `receivedAt`), so a consumer keeps only complete sets.
 *
 * @example
 * const quarantine = createSqsQuarantine({ client: new SQSClient({}), queueUrl });
 * await quarantine.hold(entry);
 */
export function createSqsQuarantine(options: SqsQuarantineOptions): Quarantine {
  const { client, queueUrl } = options;
  const maxMessageBytes = Math.min(
    options.maxMessageBytes ?? SQS_MAX_MESSAGE_BYTES,
    SQS_MAX_MESSAGE_BYTES,
  );
  return {
    async hold(entry) {
      const bodies = toQuarantineMessages(entry, maxMessageBytes);
      for (const [i, body] of bodies.entries()) {
        try {
          await client.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: body }));
        } catch (error) {
          const part = bodies.length > 1 ? ` (part ${i + 1} of ${bodies.length})` : '';
          throw new QuarantineError(`could not send the quarantine entry${part} to SQS`, {
            cause: error,
          });
        }
      }
    },
  };
}

/**
 * The message bodies for one entry: one body when it fits in `maxMessageBytes`, else parts.
 * Pure, so the split is tested without a queue.
 */
export function toQuarantineMessages(entry: QuarantineEntry, maxMessageBytes: number): string[] {
  const body = toSqsText(stringifyQuarantineEntry(entry));
  const bytes = Buffer.from(body, 'utf8');
  if (bytes.length <= maxMessageBytes) return [body];

  const id = createHash('sha256').update(bytes).digest('hex');
  const envelope = (index: number, count: number, data: string): QuarantinePart => ({
    ecslogQuarantinePart: { id, index, count },
    source: entry.source,
    receivedAt: entry.receivedAt,
    origin: entry.origin,
    reason:
      entry.reason.length > PART_REASON_CHARS
        ? `${entry.reason.slice(0, PART_REASON_CHARS - 1)}…`
        : entry.reason,
    data,
  });
  // The envelope's size with the largest index and count it could carry, and no data.
  const overhead = Buffer.byteLength(
    toSqsText(JSON.stringify(envelope(99_999_999, 99_999_999, ''))),
  );
  const chunkBytes = Math.floor((maxMessageBytes - overhead) / 4) * 3; // base64: 3 bytes → 4 chars
  if (chunkBytes < 3)
    throw new RangeError(`maxMessageBytes ${maxMessageBytes} leaves no room for data`);
  const count = Math.ceil(bytes.length / chunkBytes);
  return Array.from({ length: count }, (_, i) =>
    toSqsText(
      JSON.stringify(
        envelope(
          i + 1,
          count,
          bytes.subarray(i * chunkBytes, (i + 1) * chunkBytes).toString('base64'),
        ),
      ),
    ),
  );
}

/**
 * The entry from its message bodies: one whole entry, or every part of a split one (any order,
 * duplicates allowed). Throws when parts are missing, mixed or corrupt.
 */
export function reassembleQuarantineEntry(bodies: readonly string[]): QuarantineEntry {
  const messages = bodies.map((body) => JSON.parse(body) as Partial<QuarantinePart>);
  const first = messages[0];
  if (!first) throw new RangeError('no message bodies');
  if (!first.ecslogQuarantinePart) {
    if (messages.length !== 1)
      throw new RangeError('several bodies, but not the parts of one entry');
    return parseQuarantineEntry(bodies[0] as string);
  }
  const { id, count } = first.ecslogQuarantinePart;
  const slices = new Map<number, Buffer>();
  for (const message of messages) {
    const part = message.ecslogQuarantinePart;
    if (!part || part.id !== id || part.count !== count)
      throw new RangeError('the bodies belong to different entries');
    slices.set(part.index, Buffer.from(message.data ?? '', 'base64'));
  }
  const ordered = Array.from({ length: count }, (_, i) => slices.get(i + 1));
  const missing = ordered.flatMap((slice, i) => (slice ? [] : [i + 1]));
  if (missing.length > 0) throw new RangeError(`parts ${missing.join(', ')} of ${count} missing`);
  const bytes = Buffer.concat(ordered as Buffer[]);
  if (createHash('sha256').update(bytes).digest('hex') !== id)
    throw new RangeError('the reassembled entry does not match its checksum');
  return parseQuarantineEntry(bytes.toString('utf8'));
}

/**
 * SQS accepts only XML characters (#x9 #xA #xD #x20–#xD7FF #xE000–#xFFFD #x10000–#x10FFFF).
 * JSON.stringify already escapes control characters and lone surrogates; U+FFFE and U+FFFF it
 * leaves as they are, and they can only occur inside JSON strings, where `\uXXXX` means the same.
 */
function toSqsText(json: string): string {
  return json.replace(/[\uFFFE\uFFFF]/g, (c) => `\\u${c.charCodeAt(0).toString(16)}`);
}
