/**
 * `ecslog ingest` and local mode's first start: events through the ingest Lambda's own code — the
 * Kinesis handler of `@ecslog/ingest-pipeline`, fed batches as the stream topology would deliver
 * them — into the audit table, with invalid inputs quarantined; the records also go to the local
 * lake, as Firehose would write them.
 */
import type { AuditWriter, WriteResult } from '@ecslog/audit-store';
import type { AuditRecord, MapResult } from '@ecslog/ecs-event-mapper';
import { mapEvent } from '@ecslog/ecs-event-mapper';
import type { IngestLogger, IngestMetrics, Quarantine, Tally } from '@ecslog/ingest-pipeline';
import { createKinesisHandler } from '@ecslog/ingest-pipeline';
import type { LocalLakeWriter } from '@ecslog/local-lake';
import type { Notifier } from '@ecslog/notifier';
import type { KinesisStreamRecord } from 'aws-lambda';
import type { EventInput } from '../event-inputs';
import { inputBytes, isEventProblem } from '../event-inputs';

export interface EventIngestOptions {
  writer: AuditWriter;
  quarantine: Quarantine;
  /** Where mapped records also go (local mode); none for an AWS table. */
  lake?: LocalLakeWriter;
  /** Told of each quarantined input (`position: reason`) and of errors. */
  report: (line: string) => void;
  clock?: () => Date;
  /** Inputs per handler call (a Kinesis batch; default 500). */
  batchSize?: number;
  /** Handler calls for one input before it counts as not written (default 5). */
  maxAttempts?: number;
  /** Pause before attempt n (default 200 ms × 2^(n−2)). */
  pause?: (attempt: number) => Promise<void>;
  /**
   * Errors that end the whole ingest at once instead of being retried (default
   * {@link isStoreFault}): retrying cannot help when the store is gone or its disk is full.
   */
  isFatal?: (error: Error) => boolean;
  /** Asked before each batch and each retry: a reason (e.g. `SIGINT`) stops the ingest there. */
  stopRequested?: () => string | undefined;
  /**
   * Local mode's notifier (dynalite has no streams): told of the records each write stored
   * (`written`), as live records. `ecslog ingest` passes none: only local mode notifies.
   */
  notifier?: Pick<Notifier, 'observe'>;
}

export interface IngestSummary extends Tally {
  /** Inputs given (events, lines, array elements). */
  inputs: number;
  /** Inputs not stored (after every attempt, or because the ingest stopped): kept in `unwritten`. */
  unwritten: EventInput[];
  /** Why the ingest stopped before the end, when it did: a store fault or the stop request. */
  stopped?: { reason: string; error?: Error };
}

/**
 * An error that stops an ingest rather than being retried: the store's server is gone, its disk
 * is full, or the table no longer exists. `fatal` is what {@link isStoreFault} looks for.
 */
export class StoreFaultError extends Error {
  override readonly name = 'StoreFaultError';
  readonly fatal = true;
  constructor(
    message: string,
    /**
     * The error code behind it (ECONNREFUSED, ENOSPC…), for messages. Not `code`: the audit
     * writer would take ECONNREFUSED there for a connection fault worth retrying.
     */
    readonly faultCode: string,
    options?: { cause: unknown },
  ) {
    super(message, options);
  }
}

/** Storage errors of the local machine: retrying an input will not make room. */
const STORAGE_CODES = new Set(['ENOSPC', 'EDQUOT', 'EROFS']);

/**
 * The default fatal test: a {@link StoreFaultError}, a table that no longer exists, or a local
 * storage error (full disk, quota, read-only file system) from the quarantine file or the lake.
 */
export function isStoreFault(error: Error): boolean {
  const code = (error as { code?: unknown }).code;
  return (
    (error as { fatal?: unknown }).fatal === true ||
    error.name === 'ResourceNotFoundException' ||
    (typeof code === 'string' && STORAGE_CODES.has(code))
  );
}

/**
 * DynamoDB's answer for an item it will never take, whatever the retries: over 400 KB, or
 * otherwise malformed for the table. The input is quarantined with that reason instead.
 */
function isUnstorable(error: Error): boolean {
  return error.name === 'ValidationException';
}

/** The stream the local records say they came from. */
const LOCAL_STREAM_ARN = 'arn:aws:kinesis:local:000000000000:stream/ecslog-local';

/** One input on its way: its Kinesis record and what the mapper made of it. */
interface PendingInput {
  input: EventInput;
  record: KinesisStreamRecord;
  sequenceNumber: string;
  mapping: MapResult | undefined;
}

/**
 * Ingests inputs batch by batch; inputs the handler reports for retry are fed again (in order) up
 * to `maxAttempts` times. Never throws for an input: each is written, ignored, quarantined or
 * returned as unwritten — an input DynamoDB refuses for good (an item over 400 KB) is quarantined
 * with that reason, and a store fault stops the ingest at once with every input not yet stored
 * returned as unwritten.
 *
 * The summary counts each input once, by what finally became of it (retries are not counted
 * again): `mapped`/`ignored`/`invalid` are inputs (`invalid` = quarantined), and
 * `written`/`stale`/`expired` the records of the stored inputs; `retried` counts re-feeds.
 *
 * @example
 * const ingest = createEventIngest({ writer, quarantine, lake, report: console.error });
 * const summary = await ingest(splitEventInputs(text, 'events.ndjson'));
 */
export function createEventIngest(options: EventIngestOptions) {
  const { lake, report } = options;
  const batchSize = options.batchSize ?? 500;
  const maxAttempts = options.maxAttempts ?? 5;
  const isFatal = options.isFatal ?? isStoreFault;
  const stopRequested = options.stopRequested ?? (() => undefined);
  /** Fatal itself, or wrapping a fatal cause (the quarantine wraps the file's error). */
  const isFatalError = (error: Error): boolean =>
    isFatal(error) || (error.cause instanceof Error && isFatal(error.cause));
  const pause =
    options.pause ??
    ((attempt: number) =>
      new Promise<void>((resolve) => setTimeout(resolve, 200 * 2 ** (attempt - 2))));
  // The handler's own counts add up every attempt; the summary is counted here, per input.
  const metrics: IngestMetrics = {
    addMetric: () => undefined,
    publishStoredMetrics: () => undefined,
  };
  const logger: IngestLogger = {
    debug: () => undefined,
    info: () => undefined,
    warn: () => undefined,
    error: (message, attributes) => {
      const error = attributes['error'];
      // A fault or an unstorable item is said once, by the caller, not once per attempt.
      if (error instanceof Error && (isFatalError(error) || isUnstorable(error))) return;
      report(`ecslog: ${message}${error instanceof Error ? `: ${error.message}` : ''}`);
    },
  };
  const positions = new Map<string, string>();
  /** Sequence numbers of the inputs quarantined by the handler in the current call. */
  const quarantined = new Set<string>();
  /** Why the quarantine failed, per sequence number, in the current call. */
  const quarantineErrors = new Map<string, Error>();
  const quarantine: Quarantine = {
    async hold(entry) {
      const sequenceNumber = String(entry.origin['sequenceNumber']);
      const position = positions.get(sequenceNumber) ?? '?';
      try {
        // Locally the Kinesis ids are made up: the position is what finds the input again.
        await options.quarantine.hold({ ...entry, origin: { position } });
      } catch (error) {
        quarantineErrors.set(sequenceNumber, asError(error));
        throw error;
      }
      quarantined.add(sequenceNumber);
      report(`${position}: invalid: ${entry.reason} (quarantined)`);
    },
  };
  /** The results of the current call's writes, per recordId in the order written. */
  let writes = new Map<string, WriteResult[]>();
  const observe = observeWritten(options.notifier);
  const writer: AuditWriter = {
    async writeRecords(records) {
      const results = await observe(records, await options.writer.writeRecords(records));
      for (const result of results) {
        const list = writes.get(result.recordId);
        if (list) list.push(result);
        else writes.set(result.recordId, [result]);
      }
      return results;
    },
    closeRun: (taskId, closure) => options.writer.closeRun(taskId, closure),
  };
  const clock = options.clock ?? (() => new Date());
  const handler = createKinesisHandler({ writer, quarantine, logger, metrics, clock });
  let sequence = 0;

  return async function ingest(inputs: readonly EventInput[]): Promise<IngestSummary> {
    const summary: IngestSummary = {
      mapped: 0,
      ignored: 0,
      invalid: 0,
      written: 0,
      stale: 0,
      expired: 0,
      retried: 0,
      inputs: inputs.length,
      unwritten: [],
    };
    const stop = (reason: string, rest: readonly EventInput[], error?: Error) => {
      summary.stopped = { reason, ...(error ? { error } : {}) };
      summary.unwritten.push(...rest);
      return summary;
    };
    for (let start = 0; start < inputs.length; start += batchSize) {
      let pending = inputs.slice(start, start + batchSize).map((input) => toPending(input));
      for (let attempt = 1; pending.length > 0; attempt += 1) {
        const requested = stopRequested();
        if (requested !== undefined)
          return stop(requested, [
            ...pending.map((p) => p.input),
            ...inputs.slice(start + batchSize),
          ]);
        if (attempt > 1) {
          summary.retried += pending.length;
          await pause(attempt);
        }
        writes = new Map();
        quarantined.clear();
        quarantineErrors.clear();
        const { batchItemFailures } = await handler({ Records: pending.map((p) => p.record) });
        const retry = new Set(batchItemFailures.map((failure) => failure.itemIdentifier));
        const next: PendingInput[] = [];
        let fault: Error | undefined;
        for (const p of pending) {
          const results = (p.mapping?.kind === 'mapped' ? p.mapping.records : []).map((record) =>
            writes.get(record.recordId)?.shift(),
          );
          if (fault) {
            next.push(p); // the ingest stops: kept as unwritten, stored or not
            continue;
          }
          if (!retry.has(p.sequenceNumber)) {
            fault = await settle(p, results, summary);
            if (fault) next.push(p);
            continue;
          }
          const errors = results.flatMap((r) =>
            r?.status === 'failed' && r.error ? [r.error] : [],
          );
          const quarantineError = quarantineErrors.get(p.sequenceNumber);
          if (quarantineError) errors.push(quarantineError);
          fault = errors.find(isFatalError);
          if (!fault && errors.length > 0 && errors.every(isUnstorable)) {
            const outcome = await quarantineUnstorable(p, results, errors[0] as Error);
            if (outcome === 'held') {
              summary.invalid += 1;
              continue;
            }
            fault = outcome;
          }
          next.push(p);
        }
        if (fault)
          return stop(
            fault.message,
            [...next.map((p) => p.input), ...inputs.slice(start + batchSize)],
            fault,
          );
        pending = next;
        if (attempt >= maxAttempts) {
          summary.unwritten.push(...pending.map((p) => p.input));
          break;
        }
      }
    }
    return summary;
  };

  /**
   * Counts an input the handler is done with and writes its lake rows; returns a fault that stops
   * the ingest (the lake's disk is full), leaving the input to be kept as unwritten.
   */
  async function settle(
    p: PendingInput,
    results: readonly (WriteResult | undefined)[],
    summary: IngestSummary,
  ): Promise<Error | undefined> {
    if (quarantined.has(p.sequenceNumber)) {
      summary.invalid += 1;
      return undefined;
    }
    if (p.mapping?.kind !== 'mapped') {
      // Ignored (or, had the handler seen it otherwise, invalid without a quarantine failure).
      summary.ignored += 1;
      return undefined;
    }
    if (lake) {
      try {
        await lake.writeAuditRecords(p.mapping.records);
      } catch (error) {
        const cause = asError(error);
        return new StoreFaultError(
          `cannot write the lake: ${cause.message}`,
          String((cause as { code?: unknown }).code ?? 'EIO'),
          { cause },
        );
      }
    }
    summary.mapped += 1;
    for (const result of results)
      if (result && result.status !== 'failed') summary[result.status] += 1;
    return undefined;
  }

  /** Quarantines an input DynamoDB refuses for good; 'held', or the error that stopped it. */
  async function quarantineUnstorable(
    p: PendingInput,
    results: readonly (WriteResult | undefined)[],
    error: Error,
  ): Promise<'held' | Error> {
    const refused = results.find((r) => r?.status === 'failed')?.recordId ?? '?';
    const tooLarge = /size/i.test(error.message);
    const reason = tooLarge
      ? `too large to store: record ${refused} is over DynamoDB's 400 KB item limit (${error.message})`
      : `not storable: DynamoDB refused record ${refused}: ${error.message}`;
    try {
      await options.quarantine.hold({
        source: 'kinesis',
        receivedAt: clock().toISOString(),
        reason,
        problems: [{ path: '', message: reason }],
        payload: isEventProblem(p.input) ? p.input.text : p.input.value,
        payloadEncoding: isEventProblem(p.input) ? (p.input.encoding ?? 'utf8') : 'json',
        origin: { position: p.input.position },
      });
    } catch (thrown) {
      const cause = asError(thrown);
      return isFatalError(cause)
        ? cause
        : new StoreFaultError(`cannot quarantine ${p.input.position}: ${cause.message}`, 'EIO', {
            cause,
          });
    }
    report(`${p.input.position}: invalid: ${reason} (quarantined)`);
    return 'held';
  }

  /** One input as a Kinesis record of the local stream; its position is kept for messages. */
  function toPending(input: EventInput): PendingInput {
    sequence += 1;
    const sequenceNumber = String(sequence).padStart(20, '0');
    positions.set(sequenceNumber, input.position);
    return {
      input,
      sequenceNumber,
      // Mapped once more here (the handler maps on its own): which records are this input's,
      // for its counts, its lake rows and its write errors.
      mapping: isEventProblem(input) ? undefined : mapEvent(input.value),
      record: {
        eventSource: 'aws:kinesis',
        eventVersion: '1.0',
        eventID: `shardId-000000000000:${sequenceNumber}`,
        eventName: 'aws:kinesis:record',
        invokeIdentityArn: 'arn:aws:iam::000000000000:role/ecslog-local',
        awsRegion: 'local',
        eventSourceARN: LOCAL_STREAM_ARN,
        kinesis: {
          kinesisSchemaVersion: '1.0',
          partitionKey: isEventProblem(input) ? input.position : partitionKeyOf(input.value),
          sequenceNumber,
          // As read: any depth (the handler quarantines what is too deep), a line not UTF-8 as its bytes.
          data: inputBytes(input).toString('base64'),
          approximateArrivalTimestamp: Date.now() / 1000,
        },
      },
    };
  }
}

export type EventIngest = ReturnType<typeof createEventIngest>;

/**
 * What a write's results become once the notifier has seen the records it stored: the records
 * whose result is `written` are observed (as `live`), and when observing fails they are reported
 * `failed` with that error, so the input is retried. A retry finds them stored (`stale`): they are
 * remembered as not yet observed and observed again then — the notifier is idempotent, so a
 * record observed twice changes nothing twice. Without a notifier, the results as they are.
 */
export function observeWritten(
  notifier: Pick<Notifier, 'observe'> | undefined,
): (records: readonly AuditRecord[], results: WriteResult[]) => Promise<WriteResult[]> {
  if (!notifier) return async (_records, results) => results;
  /** Stored records the notifier has not seen yet (its observe failed), by recordId. */
  const unobserved = new Set<string>();
  return async (records, results) => {
    // A call may hold one change twice (a duplicate delivery): it has a result per copy, and is
    // observed once, if any copy was stored.
    const written = new Set<string>();
    const stale = new Set<string>();
    for (const result of results)
      if (result.status === 'written') written.add(result.recordId);
      else if (result.status === 'stale') stale.add(result.recordId);
    const picked = new Set<string>();
    const due = records.filter((record) => {
      const id = record.recordId;
      if (picked.has(id) || !(written.has(id) || (stale.has(id) && unobserved.has(id))))
        return false;
      picked.add(id);
      return true;
    });
    if (due.length === 0) return results;
    try {
      await notifier.observe(due.map((record) => ({ record, origin: 'live' as const })));
    } catch (thrown) {
      const error = asError(thrown);
      const failed = new Set(due.map((record) => record.recordId));
      for (const id of failed) unobserved.add(id);
      return results.map((result) =>
        failed.has(result.recordId)
          ? { recordId: result.recordId, status: 'failed', error }
          : result,
      );
    }
    for (const record of due) unobserved.delete(record.recordId);
    return results;
  };
}

function asError(value: unknown): Error {
  return value instanceof Error ? value : new Error(String(value));
}

/**
 * The partition key the stream topology uses: the resource the event is about, so that one
 * task's events stay in order.
 */
export function partitionKeyOf(value: unknown): string {
  if (typeof value !== 'object' || value === null) return 'unknown';
  const event = value as Record<string, unknown>;
  const detail = (event['detail'] ?? {}) as Record<string, unknown>;
  for (const candidate of [
    detail['taskArn'],
    detail['containerInstanceArn'],
    (event['resources'] as unknown[] | undefined)?.[0],
    event['eventID'],
    event['id'],
  ])
    if (typeof candidate === 'string' && candidate !== '') return candidate.slice(0, 256);
  return 'unknown';
}
