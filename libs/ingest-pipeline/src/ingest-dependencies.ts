import type { AuditWriter, WriteResult } from '@ecslog/audit-store';
import type { MapResult } from '@ecslog/ecs-event-mapper';
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
