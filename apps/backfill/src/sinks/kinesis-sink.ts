/**
 * The Kinesis stream of the stream topology as a backfill sink. Each mapped CloudTrail record goes
 * in as the event EventBridge itself would deliver for it ("AWS API Call via CloudTrail", source
 * `aws.ecs`, the record as `detail`), so the live Kinesis ingest and the Firehose feeding the lake
 * treat it exactly like a live event: the same mapper, the same AuditRecords, the same recordIds.
 *
 * Idempotency holds downstream, not here: a stream cannot tell whether it already holds a record,
 * so `alreadyPresent` is always 0 and a re-run (or an overlapping window) sends the events again.
 * That is harmless: the audit table writes by recordId (`api-call:<eventID>…`), and the envelope's
 * `id` is derived from the CloudTrail eventID, so a re-sent event is the same event.
 *
 * Order: the partition key is the resource the records are about, so one task's records land on
 * one shard in input order. Kinesis may reject one record of a call and accept a later one of the
 * same key; that later one is then sent again behind the retried one ({@link recordsToResend}), so
 * the key's last copies are in order (consumers dedupe by recordId). If that cannot be done
 * within `maxAttempts`, the event counts as failed: the chunk is not checkpointed and re-sent.
 */
import { createHash } from 'node:crypto';
import type { PutRecordsResultEntry } from '@aws-sdk/client-kinesis';
import {
  DescribeStreamSummaryCommand,
  KinesisClient,
  PutRecordsCommand,
} from '@aws-sdk/client-kinesis';
import { ECS_EVENTBRIDGE_SOURCE } from '@ecslog/ecs-event-mapper';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import type { BackfillSink, MappedInput, SinkResult } from '../backfill-sink';
import { BackfillSetupError } from '../backfill-source';

/** Kinesis Data Streams' PutRecords limits (sizes count the data and the partition key). */
export const KINESIS_LIMITS = {
  /** Records in one PutRecords call. */
  maxRecordsPerCall: 500,
  /** Bytes in one PutRecords call, data and partition keys together: 5 MiB. */
  maxBytesPerCall: 5 * 1024 * 1024,
  /** Bytes of one record, data and partition key together: 1 MiB. */
  maxBytesPerRecord: 1024 * 1024,
  /** Characters of a partition key. */
  maxPartitionKeyLength: 256,
} as const;

/** The limits of one PutRecords call. */
export interface BatchLimits {
  maxRecordsPerCall: number;
  maxBytesPerCall: number;
}

export const CLOUDTRAIL_DETAIL_TYPE = 'AWS API Call via CloudTrail';

/** The event EventBridge delivers for an ECS API call recorded by CloudTrail. */
export interface CloudTrailApiCallEvent {
  version: '0';
  id: string;
  'detail-type': typeof CLOUDTRAIL_DETAIL_TYPE;
  source: typeof ECS_EVENTBRIDGE_SOURCE;
  account: string;
  time: string;
  region: string;
  resources: string[];
  /** The CloudTrail record itself. */
  detail: Record<string, unknown>;
}

/** An envelope, or why a CloudTrail record cannot have one. */
export type EnvelopeResult =
  { kind: 'event'; event: CloudTrailApiCallEvent } | { kind: 'problem'; message: string };

/**
 * UUID namespace of the envelope ids a backfill derives (a fixed random UUID: changing it would
 * give re-sent events new ids).
 */
export const ENVELOPE_ID_NAMESPACE = 'e0e42a34-6deb-4aab-a7b0-0932a6bcd74e';

/** A name-based (version 5, SHA-1) UUID, as RFC 9562 defines it. */
export function uuidV5(name: string, namespace: string): string {
  const hash = createHash('sha1')
    .update(Buffer.from(namespace.replace(/-/g, ''), 'hex'))
    .update(name, 'utf8')
    .digest();
  const bytes = hash.subarray(0, 16);
  bytes[6] = ((bytes[6] ?? 0) & 0x0f) | 0x50;
  bytes[8] = ((bytes[8] ?? 0) & 0x3f) | 0x80;
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/**
 * The envelope `id` of a backfilled CloudTrail record: the same eventID always gives the same id,
 * so a re-run sends the same event, not a new one.
 */
export function envelopeIdOf(cloudTrailEventId: string): string {
  return uuidV5(cloudTrailEventId, ENVELOPE_ID_NAMESPACE);
}

/**
 * Wraps a CloudTrail record in the EventBridge event EventBridge would deliver for it. Never
 * throws: a record without eventID, eventTime, awsRegion or an account comes back as a problem.
 *
 * @example
 * const result = toEventBridgeEvent(record);
 * if (result.kind === 'event') mapEvent(result.event); // the same AuditRecords as mapEvent(record)
 */
export function toEventBridgeEvent(record: Record<string, unknown>): EnvelopeResult {
  const eventId = nonEmptyString(record['eventID']);
  const time = nonEmptyString(record['eventTime']);
  const region = nonEmptyString(record['awsRegion']);
  const identity = record['userIdentity'];
  const account =
    nonEmptyString(record['recipientAccountId']) ??
    (typeof identity === 'object' && identity !== null
      ? nonEmptyString((identity as Record<string, unknown>)['accountId'])
      : undefined);
  if (
    eventId === undefined ||
    time === undefined ||
    region === undefined ||
    account === undefined
  ) {
    const missing = [
      eventId === undefined ? 'eventID' : undefined,
      time === undefined ? 'eventTime' : undefined,
      region === undefined ? 'awsRegion' : undefined,
      account === undefined ? 'recipientAccountId or userIdentity.accountId' : undefined,
    ].filter((field) => field !== undefined);
    return {
      kind: 'problem',
      message: `CloudTrail record ${eventId ?? '(no eventID)'} has no ${missing.join(', ')}: no EventBridge event can be built for it`,
    };
  }
  return {
    kind: 'event',
    event: {
      version: '0',
      id: envelopeIdOf(eventId),
      'detail-type': CLOUDTRAIL_DETAIL_TYPE,
      source: ECS_EVENTBRIDGE_SOURCE,
      account,
      time,
      region,
      resources: [],
      detail: record,
    },
  };
}

function nonEmptyString(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/**
 * The partition key of a mapped input: the resource its first AuditRecord is about (a task, a
 * service, a cluster), so that one resource's records stay in order on one shard — the key live
 * producers use. Kinesis allows 256 characters; longer ARNs are cut (they only share a shard).
 */
export function partitionKeyOf(input: MappedInput): string {
  const arn = input.records[0]?.resourceArn;
  const eventId = input.cloudTrailRecord['eventID'];
  const key = arn || (typeof eventId === 'string' && eventId) || input.input.position;
  return key.slice(0, KINESIS_LIMITS.maxPartitionKeyLength);
}

/** One envelope ready for PutRecords. */
export interface StreamEntry {
  /** Position of the input in the `write` call. */
  index: number;
  /** The CloudTrail eventID, for messages. */
  eventId: string;
  partitionKey: string;
  data: Uint8Array;
  /** Bytes as Kinesis counts them: data and partition key. */
  bytes: number;
}

/** Bytes a record counts for against Kinesis' limits. */
export function recordBytes(data: Uint8Array, partitionKey: string): number {
  return data.byteLength + Buffer.byteLength(partitionKey, 'utf8');
}

/** The entry of one mapped input, or the error that keeps it out of the stream. */
export function toStreamEntry(
  input: MappedInput,
  index: number,
): { kind: 'entry'; entry: StreamEntry } | { kind: 'problem'; error: Error } {
  const envelope = toEventBridgeEvent(input.cloudTrailRecord);
  if (envelope.kind === 'problem')
    return {
      kind: 'problem',
      error: new KinesisEnvelopeError(`${input.input.position}: ${envelope.message}`),
    };
  const partitionKey = partitionKeyOf(input);
  const data = Buffer.from(JSON.stringify(envelope.event), 'utf8');
  const bytes = recordBytes(data, partitionKey);
  const eventId = String(input.cloudTrailRecord['eventID']);
  if (bytes > KINESIS_LIMITS.maxBytesPerRecord)
    return {
      kind: 'problem',
      error: new KinesisEnvelopeError(
        `${input.input.position}: the EventBridge event of CloudTrail record ${eventId} is ${bytes} bytes with its partition key, over Kinesis' ${KINESIS_LIMITS.maxBytesPerRecord}-byte record limit: not sent (never truncated)`,
      ),
    };
  return { kind: 'entry', entry: { index, eventId, partitionKey, data, bytes } };
}

/**
 * How many entries from `start` on fit in one PutRecords call (at least one, when there is one).
 */
export function nextBatchSize(
  entries: readonly { bytes: number }[],
  limits: BatchLimits = KINESIS_LIMITS,
  start = 0,
): number {
  let bytes = 0;
  let count = 0;
  for (let i = start; i < entries.length && count < limits.maxRecordsPerCall; i++) {
    const size = (entries[i] as { bytes: number }).bytes;
    if (count > 0 && bytes + size > limits.maxBytesPerCall) break;
    bytes += size;
    count += 1;
  }
  return count;
}

/**
 * Splits entries, in order, into PutRecords calls of at most 500 records and 5 MiB, each as full
 * as the next entry allows.
 *
 * @example
 * planBatches(Array.from({ length: 501 }, () => ({ bytes: 10 }))).map((b) => b.length); // [500, 1]
 */
export function planBatches<T extends { bytes: number }>(
  entries: readonly T[],
  limits: BatchLimits = KINESIS_LIMITS,
): T[][] {
  const batches: T[][] = [];
  for (let start = 0; start < entries.length;) {
    const size = nextBatchSize(entries, limits, start);
    batches.push(entries.slice(start, start + size));
    start += size;
  }
  return batches;
}

/**
 * What became of one record of a PutRecords call: accepted, rejected (and to be retried), or
 * rejected for the last time (abandoned: it will never be in the stream).
 */
export type PutOutcome = 'accepted' | 'rejected' | 'abandoned';

/**
 * The positions of a call's records to send again, in call order: each rejected record and every
 * later record of its partition key — accepted ones too, since they overtook it and must follow it
 * again (a duplicate that the consumers' idempotency absorbs). An abandoned record holds back
 * nothing: it will never arrive, so nothing can overtake it. Pure.
 *
 * @example
 * recordsToResend([
 *   { partitionKey: 'a', outcome: 'accepted' },
 *   { partitionKey: 'a', outcome: 'rejected' },
 *   { partitionKey: 'b', outcome: 'accepted' },
 *   { partitionKey: 'a', outcome: 'accepted' },
 * ]); // [1, 3]
 */
export function recordsToResend(
  records: readonly { partitionKey: string; outcome: PutOutcome }[],
): number[] {
  const blocked = new Set<string>();
  const resend: number[] = [];
  records.forEach(({ partitionKey, outcome }, position) => {
    if (outcome === 'abandoned') return;
    if (outcome === 'rejected') blocked.add(partitionKey);
    if (blocked.has(partitionKey)) resend.push(position);
  });
  return resend;
}

/** Full-jitter exponential backoff: random × min(cap, base × 2^(attempt − 1)). */
export function backoffDelayMs(attempt: number, random: () => number = Math.random): number {
  const cap = Math.min(MAX_DELAY_MS, BASE_DELAY_MS * 2 ** (attempt - 1));
  return Math.floor(random() * cap);
}

const BASE_DELAY_MS = 100;
const MAX_DELAY_MS = 5_000;

/** Error names of a PutRecords call worth retrying: throttling and transient server faults. */
const RETRYABLE_ERRORS = new Set([
  'ProvisionedThroughputExceededException',
  'LimitExceededException',
  'ThrottlingException',
  'KMSThrottlingException',
  'InternalFailure',
  'InternalFailureException',
  'InternalServerError',
  'ServiceUnavailable',
  'ServiceUnavailableException',
  'RequestTimeout',
  'TimeoutError',
]);
const RETRYABLE_CODES = new Set(['ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'ETIMEDOUT', 'EAI_AGAIN']);

/** True for a failed call worth retrying: throttling, 5xx, connection faults. */
export function isRetryableKinesisError(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const detail = error as Error & {
    code?: string;
    $metadata?: { httpStatusCode?: number };
    $retryable?: unknown;
  };
  if (RETRYABLE_ERRORS.has(error.name)) return true;
  if (detail.code !== undefined && RETRYABLE_CODES.has(detail.code)) return true;
  if (detail.$retryable) return true;
  const status = detail.$metadata?.httpStatusCode;
  return status !== undefined && status >= 500;
}

/** A CloudTrail record whose EventBridge event cannot go in the stream (incomplete, too big). */
export class KinesisEnvelopeError extends Error {
  override readonly name = 'KinesisEnvelopeError';
}

/** The stream did not accept a record after every attempt, or refused the call outright. */
export class KinesisPutError extends Error {
  override readonly name = 'KinesisPutError';
  constructor(message: string, options?: { cause: unknown }) {
    super(message, options);
  }
}

export interface KinesisSinkOptions {
  client: KinesisClient;
  streamName: string;
  /** PutRecords calls a record may be part of before it counts as failed (default 8). */
  maxAttempts?: number;
  /** Waits between attempts; injected so tests do not wait. */
  sleep?: (ms: number) => Promise<void>;
  /** Jitter source (default Math.random). */
  random?: () => number;
  /** For messages; default `Kinesis stream NAME`. */
  description?: string;
  /** Smaller PutRecords calls than Kinesis allows (tests); never above {@link KINESIS_LIMITS}. */
  batchLimits?: Partial<BatchLimits>;
}

/** An entry on its way: how often it was sent, whether the stream holds it, its last error. */
interface Pending extends StreamEntry {
  sends: number;
  accepted: boolean;
  error?: Error;
}

/**
 * The Kinesis stream as a backfill sink.
 *
 * `write` sends one EventBridge event per mapped input ({@link toEventBridgeEvent}), in input
 * order, in PutRecords calls of at most 500 records and 5 MiB. Records the stream rejects
 * (ProvisionedThroughputExceededException, InternalFailure) and throttled calls are retried with
 * exponential backoff and full jitter, at most `maxAttempts` times, without letting a later
 * record of the same partition key overtake them ({@link recordsToResend}). `written` counts the
 * events the stream accepted (each once, even if re-sent for order); `failed` those it never
 * accepted, those too big for a record, and any left ahead of an earlier event of their key;
 * `error` is the first failure's. A call the stream refuses outright (missing stream, access
 * denied) fails every event not yet accepted at once.
 *
 * @example
 * const sink = createKinesisSink({ client: kinesisClient({ region }), streamName });
 * await sink.check();
 * const { written, failed, error } = await sink.write(mappedInputs);
 */
export function createKinesisSink(options: KinesisSinkOptions): BackfillSink {
  const { client, streamName } = options;
  const maxAttempts = Math.max(1, options.maxAttempts ?? 8);
  const sleep =
    options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const random = options.random ?? Math.random;
  const limits: BatchLimits = {
    maxRecordsPerCall: Math.min(
      KINESIS_LIMITS.maxRecordsPerCall,
      options.batchLimits?.maxRecordsPerCall ?? Infinity,
    ),
    maxBytesPerCall: Math.min(
      KINESIS_LIMITS.maxBytesPerCall,
      options.batchLimits?.maxBytesPerCall ?? Infinity,
    ),
  };

  /** One PutRecords call: each entry's result, in call order (throws when the call fails). */
  async function put(batch: readonly Pending[]): Promise<(PutRecordsResultEntry | undefined)[]> {
    const output = await client.send(
      new PutRecordsCommand({
        StreamName: streamName,
        Records: batch.map((entry) => ({ Data: entry.data, PartitionKey: entry.partitionKey })),
      }),
    );
    return batch.map((_, position) => output.Records?.[position]);
  }

  function rejection(entry: Pending, result: PutRecordsResultEntry | undefined): Error {
    const reason = result
      ? `${result.ErrorCode ?? 'no ErrorCode'}: ${result.ErrorMessage ?? ''}`.trim()
      : 'no result for the record in the response';
    return new KinesisPutError(
      `stream ${streamName} rejected the event of CloudTrail record ${entry.eventId} (partition key ${entry.partitionKey}) ${entry.sends} time(s): ${reason}`,
    );
  }

  async function write(inputs: readonly MappedInput[]): Promise<SinkResult> {
    const failures = new Map<number, Error>();
    const entries: Pending[] = [];
    inputs.forEach((input, index) => {
      if (input.records.length === 0) return; // ignored or invalid: nothing to send
      const built = toStreamEntry(input, index);
      if (built.kind === 'problem') failures.set(index, built.error);
      else entries.push({ ...built.entry, sends: 0, accepted: false });
    });

    let pending = entries;
    while (pending.length > 0) {
      const size = nextBatchSize(pending, limits);
      const batch = pending.slice(0, size);
      const later = pending.slice(size);
      for (const entry of batch) entry.sends += 1;

      let results: (PutRecordsResultEntry | undefined)[];
      let callError: unknown;
      try {
        results = await put(batch);
      } catch (error) {
        if (!isRetryableKinesisError(error)) {
          // Missing stream, no permission, invalid request: every call would fail the same way.
          const { name = 'Error', message = String(error) } = error as Error;
          const failure = new KinesisPutError(
            `PutRecords to stream ${streamName} failed: ${name}: ${message}`,
            { cause: error },
          );
          for (const entry of pending) if (!entry.accepted) failures.set(entry.index, failure);
          break;
        }
        callError = error;
        results = batch.map(() => undefined);
      }

      const outcomes = batch.map((entry, position): PutOutcome => {
        const result = results[position];
        if (result !== undefined && !result.ErrorCode) {
          entry.accepted = true;
          return 'accepted';
        }
        entry.error =
          callError === undefined
            ? rejection(entry, result)
            : new KinesisPutError(
                `PutRecords to stream ${streamName} failed ${entry.sends} time(s): ${(callError as Error).name}: ${(callError as Error).message}`,
                { cause: callError },
              );
        if (entry.sends < maxAttempts) return 'rejected';
        // An event accepted before, re-sent to follow an earlier record of its key, is in the
        // stream ahead of that record: its key's order is not kept, so it counts as failed too.
        failures.set(
          entry.index,
          entry.accepted
            ? new KinesisPutError(
                `${entry.error.message} (it was accepted before, ahead of an earlier event of its partition key: the order of that key is not kept)`,
                { cause: entry.error },
              )
            : entry.error,
        );
        return 'abandoned';
      });

      const resend = recordsToResend(
        batch.map((entry, position) => ({
          partitionKey: entry.partitionKey,
          outcome: outcomes[position] as PutOutcome,
        })),
      ).map((position) => batch[position] as Pending);
      pending = [...resend, ...later];

      const retried = batch.filter((_, position) => outcomes[position] === 'rejected');
      if (retried.length > 0)
        await sleep(backoffDelayMs(Math.max(...retried.map((entry) => entry.sends)), random));
    }

    const firstFailure = [...failures.entries()].sort(([a], [b]) => a - b)[0];
    return {
      written: entries.filter((entry) => entry.accepted && !failures.has(entry.index)).length,
      alreadyPresent: 0,
      expired: 0,
      failed: failures.size,
      ...(firstFailure ? { error: firstFailure[1] } : {}),
    };
  }

  return {
    description: options.description ?? `Kinesis stream ${streamName}`,
    async check() {
      let region = '?';
      try {
        region = await client.config.region();
        const { StreamDescriptionSummary: summary } = await client.send(
          new DescribeStreamSummaryCommand({ StreamName: streamName }),
        );
        const status = summary?.StreamStatus;
        if (status === 'CREATING' || status === 'DELETING')
          throw new BackfillSetupError(
            `stream ${streamName} in ${region} is ${status === 'CREATING' ? 'still being created: try again once it is ACTIVE' : 'being deleted'}`,
          );
      } catch (error) {
        if (error instanceof BackfillSetupError) throw error;
        throw new BackfillSetupError(explainStreamError(error, streamName, region), {
          cause: error,
        });
      }
    },
    write,
  };
}

/** One line saying why the stream cannot be used, and what to do. */
export function explainStreamError(error: unknown, streamName: string, region: string): string {
  const { name = '', message: raw = String(error) } = (error ?? {}) as {
    name?: string;
    message?: string;
  };
  const message = raw.replace(/\s+/g, ' ').trim();
  if (
    name === 'CredentialsProviderError' ||
    (/credential/i.test(message) && /could not|missing|unable/i.test(message))
  )
    return 'no AWS credentials found: configure a profile (aws configure, aws sso login) or set AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY';
  if (/region is missing/i.test(message)) return 'no AWS region: pass --region or set AWS_REGION';
  if (name === 'ResourceNotFoundException')
    return `stream ${streamName} not found in ${region}: check the stream name and region`;
  if (
    name === 'UnrecognizedClientException' ||
    name === 'InvalidSignatureException' ||
    name === 'ExpiredTokenException'
  )
    return `AWS rejected the credentials: ${message}`;
  if (name === 'AccessDeniedException' || name === 'AccessDenied')
    return `not allowed to use stream ${streamName} in ${region}: ${message}`;
  return `cannot reach stream ${streamName} in ${region}: ${name ? `${name}: ` : ''}${message}`;
}

export interface KinesisClientOptions {
  /** Default: the SDK's (AWS_REGION, the profile's region). */
  region?: string;
  profile?: string;
}

/**
 * The real Kinesis client. HTTP/1.1 (`NodeHttpHandler`): PutRecords needs no HTTP/2 (only
 * SubscribeToShard does), and the SDK's HTTP/2 default fails against local emulators.
 */
export function kinesisClient(options: KinesisClientOptions = {}): KinesisClient {
  return new KinesisClient({
    ...(options.region ? { region: options.region } : {}),
    ...(options.profile ? { profile: options.profile } : {}),
    requestHandler: new NodeHttpHandler(),
  });
}
