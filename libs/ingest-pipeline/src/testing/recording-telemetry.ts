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

/** Metrics that keep each published set of counts (one per invocation). */
export function createRecordingMetrics(): IngestMetrics & { published: Tally[] } {
  const published: Tally[] = [];
  let pending: Partial<Tally> = {};
  return {
    published,
    addMetric(name: MetricName, _unit: 'Count', value: number) {
      pending[name] = (pending[name] ?? 0) + value;
    },
    publishStoredMetrics() {
      published.push({ ...emptyTally(), ...pending });
      pending = {};
    },
  };
}
