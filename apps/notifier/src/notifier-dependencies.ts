/**
 * What the notifier's handler factories need; the composition root (`runtime.ts`) builds the
 * real ones once per cold start, tests pass their own.
 */
import type { DeliveryReport, Notifier, ObserveReport } from '@ecslog/notifier';
import type { Context } from 'aws-lambda';

/** The part of Powertools' Logger the handlers use (structured JSON, one object per line). */
export interface NotifierLogger {
  info(message: string, attributes: Record<string, unknown>): void;
  warn(message: string, attributes: Record<string, unknown>): void;
  error(message: string, attributes: Record<string, unknown>): void;
  /** Adds the Lambda request id and function to every later line. */
  addContext?(context: Context): void;
}

/**
 * The counts the handlers emit (CloudWatch EMF, Powertools), zeros included so alarms always
 * have data points:
 * - `recordsObserved`, `recordsSkipped`, `recordsInvalid`, `recordsRetried`: stream records by
 *   what the handler did (retried: reported as batch item failures);
 * - `messagesQueued`: messages the observed records queued (× channels);
 * - `messagesSent`, `messagesRetrying`, `messagesDeadLettered`: deliveries (retrying: failed this
 *   time, tried again later with backoff; dead-lettered: given up, in the dead-letter queue —
 *   alarmed);
 * - `incidentsOpened`, `incidentsResolved`: episodes opened and resolved (observe: by records;
 *   tick: by the clock), when the notifier's report carries them.
 */
export const NOTIFIER_METRIC_NAMES = [
  'recordsObserved',
  'recordsSkipped',
  'recordsInvalid',
  'recordsRetried',
  'messagesQueued',
  'messagesSent',
  'messagesRetrying',
  'messagesDeadLettered',
  'incidentsOpened',
  'incidentsResolved',
] as const;

export type NotifierMetricName = (typeof NOTIFIER_METRIC_NAMES)[number];

/** The part of Powertools' Metrics the handlers use. */
export interface NotifierMetrics {
  addMetric(name: NotifierMetricName, unit: 'Count', value: number): void;
  /** Writes the stored metrics as one EMF line and clears them. */
  publishStoredMetrics(): void;
}

/**
 * The notifier as the handlers use it: `createNotifier`'s, whose `deliverQueued` sends what this
 * container's `observe` calls queued, reading only those items (`deliverPending` queries every
 * incident: the tick's job).
 */
export type HandlerNotifier = Pick<Notifier, 'observe' | 'tick'> & {
  deliverQueued(): Promise<DeliveryReport>;
};

export interface NotifierHandlerDependencies {
  notifier: HandlerNotifier;
  logger: NotifierLogger;
  metrics: NotifierMetrics;
}

/** Adds a delivery report's counts to the metrics. */
export function addDeliveryMetrics(metrics: NotifierMetrics, report: DeliveryReport): void {
  metrics.addMetric('messagesSent', 'Count', report.sent);
  metrics.addMetric('messagesRetrying', 'Count', report.retrying);
  metrics.addMetric('messagesDeadLettered', 'Count', report.deadLettered);
  addIncidentMetrics(metrics, report);
}

/** Adds the incident counts a report carries (none when it has none). */
export function addIncidentMetrics(
  metrics: NotifierMetrics,
  report: Pick<ObserveReport | DeliveryReport, 'opened' | 'resolved'>,
): void {
  if (typeof report.opened === 'number')
    metrics.addMetric('incidentsOpened', 'Count', report.opened);
  if (typeof report.resolved === 'number')
    metrics.addMetric('incidentsResolved', 'Count', report.resolved);
}
