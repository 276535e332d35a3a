import type { TransformLogger } from '../transform-handler';

export interface LogLine {
  level: 'debug' | 'info' | 'warn' | 'error';
  message: string;
  attributes: Record<string, unknown>;
}

/** A logger that keeps its lines (and the contexts it was given), for assertions. */
export function createRecordingLogger(): TransformLogger & {
  lines: LogLine[];
  contexts: unknown[];
} {
  const lines: LogLine[] = [];
  const contexts: unknown[] = [];
  const at =
    (level: LogLine['level']) =>
    (message: string, attributes: Record<string, unknown>): void => {
      lines.push({ level, message, attributes });
    };
  return {
    lines,
    contexts,
    debug: at('debug'),
    info: at('info'),
    warn: at('warn'),
    error: at('error'),
    addContext: (context) => contexts.push(context),
  };
}
