/**
 * `ecslog ingest` and local mode's first start: events through the ingest Lambda's own code — the
 * Kinesis handler of `@ecslog/ingest-pipeline`, fed batches as the stream topology would deliver
 * them — into the audit table, with invalid inputs quarantined; the records also go to the local
 * lake, as Firehose would write them.
 */
import type { AuditWriter } from '@ecslog/audit-store';
import { mapEvent } from '@ecslog/ecs-event-mapper';
import type {
  IngestLogger,
  IngestMetrics,
  MetricName,
  Quarantine,
  Tally,
} from '@ecslog/ingest-pipeline';
import { createKinesisHandler, METRIC_NAMES } from '@ecslog/ingest-pipeline';
import type { LocalLakeWriter } from '@ecslog/local-lake';
import type { KinesisStreamRecord } from 'aws-lambda';
import type { EventInput } from '../event-inputs';
import { isEventProblem } from '../event-inputs';

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
}

export interface IngestSummary extends Tally {
  /** Inputs read (events, lines, array elements). */
  inputs: number;
  /** Inputs still not stored after every attempt: kept in `unwritten`. */
  unwritten: EventInput[];
}

/** The stream the local records say they came from. */
const LOCAL_STREAM_ARN = 'arn:aws:kinesis:local:000000000000:stream/ecslog-local';

/**
 * Ingests inputs batch by batch; inputs the handler reports for retry are fed again (in order) up
 * to `maxAttempts` times. Never throws for an input: each is written, ignored, quarantined or
 * returned as unwritten.
 *
 * @example
 * const ingest = createEventIngest({ writer, quarantine, lake, report: console.error });
 * const summary = await ingest(splitEventInputs(text, 'events.ndjson'));
 */
export function createEventIngest(options: EventIngestOptions) {
  const { writer, lake, report } = options;
  const batchSize = options.batchSize ?? 500;
  const maxAttempts = options.maxAttempts ?? 5;
  const pause =
    options.pause ??
    ((attempt: number) =>
      new Promise<void>((resolve) => setTimeout(resolve, 200 * 2 ** (attempt - 2))));
  const totals: Tally = Object.fromEntries(METRIC_NAMES.map((name) => [name, 0])) as Tally;
  const metrics: IngestMetrics = {
    addMetric: (name: MetricName, _unit, value) => {
      totals[name] += value;
    },
    publishStoredMetrics: () => undefined,
  };
  const logger: IngestLogger = {
    debug: () => undefined,
    info: () => undefined,
    warn: () => undefined,
    error: (message, attributes) => {
      const error = attributes['error'];
      report(`ecslog: ${message}${error instanceof Error ? `: ${error.message}` : ''}`);
    },
  };
  const positions = new Map<string, string>();
  const quarantine: Quarantine = {
    async hold(entry) {
      const position = positions.get(String(entry.origin['sequenceNumber'])) ?? '?';
      await options.quarantine.hold({ ...entry, origin: { ...entry.origin, position } });
      report(`${position}: invalid: ${entry.reason} (quarantined)`);
    },
  };
  const handler = createKinesisHandler({
    writer,
    quarantine,
    logger,
    metrics,
    clock: options.clock ?? (() => new Date()),
  });
  let sequence = 0;

  return async function ingest(inputs: readonly EventInput[]): Promise<IngestSummary> {
    const before = { ...totals };
    const unwritten: EventInput[] = [];
    for (let start = 0; start < inputs.length; start += batchSize) {
      let pending = inputs.slice(start, start + batchSize).map((input) => toStreamRecord(input));
      for (let attempt = 1; pending.length > 0; attempt += 1) {
        if (attempt > 1) await pause(attempt);
        const { batchItemFailures } = await handler({ Records: pending.map((p) => p.record) });
        const retry = new Set(batchItemFailures.map((failure) => failure.itemIdentifier));
        const done = pending.filter((p) => !retry.has(p.record.kinesis.sequenceNumber));
        if (lake) for (const p of done) await writeToLake(lake, p.input);
        pending = pending.filter((p) => retry.has(p.record.kinesis.sequenceNumber));
        if (attempt >= maxAttempts) {
          unwritten.push(...pending.map((p) => p.input));
          break;
        }
      }
    }
    const counts = Object.fromEntries(
      METRIC_NAMES.map((name) => [name, totals[name] - before[name]]),
    ) as Tally;
    return { ...counts, inputs: inputs.length, unwritten };
  };

  /** One input as a Kinesis record of the local stream; its position is kept for messages. */
  function toStreamRecord(input: EventInput): { input: EventInput; record: KinesisStreamRecord } {
    sequence += 1;
    const sequenceNumber = String(sequence).padStart(20, '0');
    positions.set(sequenceNumber, input.position);
    const data = isEventProblem(input) ? input.text : JSON.stringify(input.value);
    return {
      input,
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
          data: Buffer.from(data, 'utf8').toString('base64'),
          approximateArrivalTimestamp: Date.now() / 1000,
        },
      },
    };
  }
}

export type EventIngest = ReturnType<typeof createEventIngest>;

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

/** The lake rows of one stored input (mapped again, as the Firehose transform does on its own). */
async function writeToLake(lake: LocalLakeWriter, input: EventInput): Promise<void> {
  if (isEventProblem(input)) return;
  const result = mapEvent(input.value);
  if (result.kind === 'mapped') await lake.writeAuditRecords(result.records);
}
