import type { DeliveryReport, ObservedRecord, ObserveReport } from '@ecslog/notifier';
import type {
  HandlerNotifier,
  NotifierLogger,
  NotifierMetricName,
  NotifierMetrics,
} from '../notifier-dependencies';

/**
 * A Notifier that records its calls and answers as told (a simple fake passed to the handler
 * factories, not a module mock): `fail` makes the next calls of a method throw.
 */
export function recordingNotifier(
  answers: {
    observe?: (records: readonly ObservedRecord[]) => ObserveReport;
    deliver?: DeliveryReport;
    tick?: DeliveryReport;
  } = {},
) {
  const calls: { method: 'observe' | 'deliverQueued' | 'tick'; records?: ObservedRecord[] }[] = [];
  const failing = new Map<string, Error>();
  const notifier: HandlerNotifier = {
    async observe(records) {
      calls.push({ method: 'observe', records: [...records] });
      const error = failing.get('observe');
      if (error) throw error;
      return (
        answers.observe?.(records) ?? { changed: records.length, ignored: 0, messagesQueued: 0 }
      );
    },
    async deliverQueued() {
      calls.push({ method: 'deliverQueued' });
      const error = failing.get('deliverQueued');
      if (error) throw error;
      return answers.deliver ?? { sent: 0, retrying: 0, deadLettered: 0 };
    },
    async tick() {
      calls.push({ method: 'tick' });
      const error = failing.get('tick');
      if (error) throw error;
      return answers.tick ?? { sent: 0, retrying: 0, deadLettered: 0 };
    },
  };
  return {
    notifier,
    calls,
    fail(method: 'observe' | 'deliverQueued' | 'tick', error: Error) {
      failing.set(method, error);
    },
  };
}

/** A logger that keeps its lines. */
export function recordingLogger() {
  const lines: { level: string; message: string; attributes: Record<string, unknown> }[] = [];
  const logger: NotifierLogger = {
    info: (message, attributes) => lines.push({ level: 'info', message, attributes }),
    warn: (message, attributes) => lines.push({ level: 'warn', message, attributes }),
    error: (message, attributes) => lines.push({ level: 'error', message, attributes }),
  };
  return { logger, lines };
}

/** Metrics that keep what each publish wrote. */
export function recordingMetrics() {
  const published: Partial<Record<NotifierMetricName, number>>[] = [];
  let stored: Partial<Record<NotifierMetricName, number>> = {};
  const metrics: NotifierMetrics = {
    addMetric(name, _unit, value) {
      stored[name] = (stored[name] ?? 0) + value;
    },
    publishStoredMetrics() {
      published.push(stored);
      stored = {};
    },
  };
  return { metrics, published };
}
