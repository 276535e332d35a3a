import type { IngestLogger, IngestMetrics, MetricName, Tally } from '../ingest-dependencies';
import { emptyTally } from '../ingest-dependencies';

export interface LogLine {
  level: 'debug' | 'info' | 'warn' | 'error';
  message: string;
  attributes: Record<string, unknown>;
}

/** A logger that keeps its lines, for assertions. */
export function createRecordingLogger(): IngestLogger & { lines: LogLine[] } {
  const lines: LogLine[] = [];
  const at =
    (level: LogLine['level']) =>
    (message: string, attributes: Record<string, unknown>): void => {
      lines.push({ level, message, attributes });
    };
  return { lines, debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}

/** A metric written on its own, with its dimensions (`singleMetric`). */
export interface SingleMetricLine {
  name: string;
  value: number;
  dimensions: Record<string, string>;
}

/**
 * Metrics that keep each published set of counts (one per invocation), and each single metric
 * with its dimensions, in the order written.
 */
export function createRecordingMetrics(): IngestMetrics & {
  published: Tally[];
  singles: SingleMetricLine[];
} {
  const published: Tally[] = [];
  const singles: SingleMetricLine[] = [];
  let pending: Partial<Tally> = {};
  return {
    published,
    singles,
    addMetric(name: MetricName, _unit: 'Count', value: number) {
      pending[name] = (pending[name] ?? 0) + value;
    },
    publishStoredMetrics() {
      published.push({ ...emptyTally(), ...pending });
      pending = {};
    },
    singleMetric() {
      const dimensions: Record<string, string> = {};
      return {
        addDimension(name: string, value: string) {
          dimensions[name] = value;
        },
        addMetric(name: string, _unit: 'Count', value: number) {
          singles.push({ name, value, dimensions: { ...dimensions } });
        },
      };
    },
  };
}
