import type { AuditWriter, WriteResult } from '@ecslog/audit-store';
import type { AuditRecord, MapResult } from '@ecslog/ecs-event-mapper';
import type { Context } from 'aws-lambda';
import type { Quarantine } from './quarantine';

/** The part of Powertools' Logger the handlers use (structured JSON, one object per line). */
export interface IngestLogger {
  debug(message: string, attributes: Record<string, unknown>): void;
  info(message: string, attributes: Record<string, unknown>): void;
  warn(message: string, attributes: Record<string, unknown>): void;
  error(message: string, attributes: Record<string, unknown>): void;
  /** Adds the Lambda request id and function to every later line. */
  addContext?(context: Context): void;
}

/** The part of Powertools' Metrics the handlers use (CloudWatch EMF). */
export interface IngestMetrics {
  addMetric(name: MetricName, unit: 'Count', value: number): void;
  /** Writes the stored metrics as one EMF line and clears them. */
  publishStoredMetrics(): void;
  /**
   * A metrics object of its own, for one metric with its own dimensions, written out by its
   * `addMetric` (Powertools' `singleMetric`). Without it, the counts by detail-type are not sent.
   */
  singleMetric?(): DimensionedMetric;
}

/** One metric with dimensions of its own (see {@link IngestMetrics.singleMetric}). */
export interface DimensionedMetric {
  addDimension(name: string, value: string): void;
  addMetric(name: typeof GENERIC_EVENTS_METRIC, unit: 'Count', value: number): void;
}

/**
 * Generic records (`ecs-event`: ECS events of a detail-type ecslog does not model, or could not
 * read) per invocation, one metric per detail-type ({@link DETAIL_TYPE_DIMENSION}): an operator
 * sees a new kind of ECS event arrive, and how often, before ecslog models it.
 */
export const GENERIC_EVENTS_METRIC = 'genericEvents';
export const DETAIL_TYPE_DIMENSION = 'DetailType';

/** Generic records by detail-type, counted while an invocation runs. */
export type DetailTypeCounts = Map<string, number>;

/** Counts the generic records among `records` by their detail-type. */
export function countGenericRecords(
  counts: DetailTypeCounts,
  records: readonly AuditRecord[],
): void {
  for (const record of records)
    if (record.recordType === 'ecs-event' && record.detailType !== undefined)
      counts.set(record.detailType, (counts.get(record.detailType) ?? 0) + 1);
}

/** Emits one `genericEvents` metric per detail-type counted (none when nothing was). */
export function publishDetailTypeCounts(metrics: IngestMetrics, counts: DetailTypeCounts): void {
  for (const [detailType, count] of counts) {
    const metric = metrics.singleMetric?.();
    if (metric === undefined) return;
    metric.addDimension(DETAIL_TYPE_DIMENSION, dimensionValue(detailType));
    metric.addMetric(GENERIC_EVENTS_METRIC, 'Count', count);
  }
}

/**
 * A CloudWatch dimension value: printable ASCII, 1–255 characters here (detail-types have at most
 * 128), at least one of them not a space. Only AWS publishes `aws.ecs` events, so this changes
 * nothing in practice; it keeps one odd value from failing the metric line.
 */
export function dimensionValue(text: string): string {
  const printable = text.replace(/[^\x20-\x7e]/g, '?').slice(0, 255);
  return printable.trim() === '' ? '(blank)' : printable;
}

/**
 * What both handler factories need; the caller's composition root (apps/ingest's `runtime.ts`)
 * builds the real ones.
 */
export interface IngestDependencies {
  /** Defaults to `mapEvent`. */
  mapper?: (input: unknown) => MapResult;
  /** Ingest only writes records (closing runs is a reconciler's job). */
  writer: Pick<AuditWriter, 'writeRecords'>;
  quarantine: Quarantine;
  logger: IngestLogger;
  metrics: IngestMetrics;
  /** The time now: quarantine entries' `receivedAt`. */
  clock: () => Date;
}

/**
 * The counts emitted per invocation, zeros included (so alarms always have data points):
 * - `mapped`, `ignored`, `invalid`: inputs (EventBridge events, Kinesis records) by mapping outcome;
 * - `written`, `stale`, `expired`: AuditRecords by write outcome (stale = a duplicate or an older
 *   version, stored in history; expired = older than the retention period, not stored);
 * - `retried`: inputs handed back to Lambda for another attempt (Kinesis batch item failures; an
 *   EventBridge event whose handler threw).
 */
export const METRIC_NAMES = [
  'mapped',
  'ignored',
  'invalid',
  'written',
  'stale',
  'expired',
  'retried',
] as const;

export type MetricName = (typeof METRIC_NAMES)[number];

export type Tally = Record<MetricName, number>;

export function emptyTally(): Tally {
  return { mapped: 0, ignored: 0, invalid: 0, written: 0, stale: 0, expired: 0, retried: 0 };
}

/** Adds the write outcomes to the tally; failed records are counted by the caller as `retried` inputs. */
export function tallyWrites(tally: Tally, results: readonly WriteResult[]): void {
  for (const result of results) if (result.status !== 'failed') tally[result.status] += 1;
}

/** Emits every count and flushes: once per invocation, whatever its outcome. */
export function publishTally(metrics: IngestMetrics, tally: Tally): void {
  for (const name of METRIC_NAMES) metrics.addMetric(name, 'Count', tally[name]);
  metrics.publishStoredMetrics();
}

/** A thrown value as an Error, for `cause` and logs. */
export function asError(value: unknown): Error {
  return value instanceof Error ? value : new Error(String(value));
}
