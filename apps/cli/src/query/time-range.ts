/**
 * The time range of a query, from `--since` or `--from`/`--to`, and what `ecslog tasks` asks
 * for: the runs active during a range, at an instant (`--at`), or open now (`--running`). Pure:
 * `now` is an argument.
 */
import type { TimeRange } from '@ecslog/audit-store';
import { MAX_WINDOW_DAYS } from '@ecslog/audit-store';
import { impossibleTimestampReason, parseTimestamp } from '@ecslog/ecs-event-mapper';

export interface TimeRangeOptions {
  /** A duration back from now: `90m`, `24h`, `7d`, `2w`. */
  since?: string;
  /** Any ISO-8601 time (zone-less means UTC), or epoch milliseconds. */
  from?: string;
  to?: string;
}

/** A time range a person asked for that cannot be read, or is empty or too long. */
export class BadTimeRangeError extends Error {
  override readonly name = 'BadTimeRangeError';
}

const UNIT_MS: Record<string, number> = {
  s: 1_000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 7 * 86_400_000,
};

/**
 * The range to query: `--since D` is (now − D, now]; `--from T` alone runs to now; with neither,
 * `defaultSince` back from now.
 *
 * @example
 * timeRangeOf({ since: '24h' }, '7d', Date.parse('2026-11-24T12:00:00Z'));
 * // { from: '2026-11-23T12:00:00.000Z', to: '2026-11-24T12:00:00.000Z' }
 */
export function timeRangeOf(
  options: TimeRangeOptions,
  defaultSince: string,
  now: number,
): TimeRange {
  const { since, from, to } = options;
  if (since !== undefined && (from !== undefined || to !== undefined))
    throw new BadTimeRangeError('use either --since or --from/--to, not both');
  if (to !== undefined && from === undefined) throw new BadTimeRangeError('--to needs --from');

  // A bare date as --to means that whole day: `--from 2026-11-20 --to 2026-11-20` is one day.
  const end =
    to === undefined
      ? new Date(now).toISOString()
      : /^\d{4}-\d{2}-\d{2}$/.test(to.trim())
        ? new Date(Date.parse(parseInstant('--to', to)) + 86_399_999).toISOString()
        : parseInstant('--to', to);
  const back = from === undefined ? durationMs(since ?? defaultSince) : 0;
  if (back > (MAX_WINDOW_DAYS - 1) * 86_400_000)
    throw new BadTimeRangeError(
      `the range spans ${Math.ceil(back / 86_400_000)} days; at most ${MAX_WINDOW_DAYS - 1}`,
    );
  const start =
    from === undefined ? new Date(now - back).toISOString() : parseInstant('--from', from);
  if (start > end)
    throw new BadTimeRangeError(`the range ends before it starts: ${start} .. ${end}`);
  const days = (Date.parse(end) - Date.parse(start)) / 86_400_000;
  if (days > MAX_WINDOW_DAYS - 1)
    throw new BadTimeRangeError(
      `the range spans ${Math.ceil(days)} days; at most ${MAX_WINDOW_DAYS - 1}`,
    );
  return { from: start, to: end };
}

/** `90m`, `24h`, `7d`, `2w`, `30s` → milliseconds. */
export function durationMs(text: string): number {
  const match = /^(\d+(?:\.\d+)?)\s*([smhdw])$/i.exec(text.trim());
  const unit = match?.[2]?.toLowerCase();
  if (!match || unit === undefined || Number(match[1]) <= 0)
    throw new BadTimeRangeError(
      `--since must be a positive duration such as 30m, 24h, 7d or 2w, got "${text}"`,
    );
  return Number(match[1]) * (UNIT_MS[unit] as number);
}

/** An instant given on the command line, as stored (UTC, ms); `option` names it in the error. */
export function parseInstant(option: string, text: string): string {
  const epoch = /^\d{12,14}$/.test(text.trim()) ? Number(text) : undefined;
  const parsed = epoch === undefined ? parseTimestamp(text) : new Date(epoch).toISOString();
  if (parsed === undefined) {
    const why = impossibleTimestampReason(text);
    throw new BadTimeRangeError(
      `${option} must be a time such as 2026-11-20T03:00:00Z or 2026-11-20, got "${text}"${why ? `: ${why}` : ''}`,
    );
  }
  return parsed;
}

export interface RunQueryOptions extends TimeRangeOptions {
  /** An instant: the runs active at it. */
  at?: string;
  /** The runs open now. */
  running?: boolean;
}

/** Which runs `ecslog tasks` lists: active at any moment of a range, at an instant, or open now. */
export type RunQuery =
  { kind: 'during'; range: TimeRange } | { kind: 'at'; at: string } | { kind: 'running' };

/**
 * The runs asked for: `--running`, `--at T`, else the range of `--since`/`--from`/`--to` (see
 * {@link timeRangeOf}). `--at` and `--running` exclude each other and any range option.
 *
 * @example
 * runQueryOf({ at: '2026-11-20T03:12:00Z' }, '24h', now); // { kind: 'at', at: '2026-11-20T03:12:00.000Z' }
 */
export function runQueryOf(options: RunQueryOptions, defaultSince: string, now: number): RunQuery {
  const rangeOptions = (['since', 'from', 'to'] as const)
    .filter((name) => options[name] !== undefined)
    .map((name) => `--${name}`);
  if (options.running === true) {
    const others = [...(options.at !== undefined ? ['--at'] : []), ...rangeOptions];
    if (others.length > 0)
      throw new BadTimeRangeError(
        `--running lists the runs open now: use it without ${others.join(', ')}`,
      );
    return { kind: 'running' };
  }
  if (options.at !== undefined) {
    if (rangeOptions.length > 0)
      throw new BadTimeRangeError(`use either --at or ${rangeOptions.join(', ')}, not both`);
    return { kind: 'at', at: parseInstant('--at', options.at) };
  }
  return { kind: 'during', range: timeRangeOf(options, defaultSince, now) };
}

/** The window a run query reads: `--at T` is [T, T]; undefined for `--running`. */
export function windowOf(query: RunQuery): TimeRange | undefined {
  if (query.kind === 'during') return query.range;
  if (query.kind === 'at') return { from: query.at, to: query.at };
  return undefined;
}
