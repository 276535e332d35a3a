/**
 * What a web view URL asks for: the page's own query string (so a link shares the view) read as
 * filters. Pure: `now` is an argument. The same parameters, in the same words, as the CLI's
 * options: `cluster`, `group` (`service:NAME` or `family:NAME`), `status`, `since` or `from`/`to`
 * (the runs active at any moment of the range), or `at` (the runs active at that instant).
 */
import type { RunScope, TimeRange } from '@ecslog/audit-store';
import { BadStatusError, parseStatusFilter } from '@ecslog/task-runs';
import type { RunQueryOptions } from '../query/time-range';
import { BadTimeRangeError, runQueryOf, windowOf } from '../query/time-range';

/** The range the page shows when the URL names none. */
export const DEFAULT_SINCE = '24h';

export interface TimelineRequest {
  scope: RunScope;
  /** The runs active at any moment of it are shown; `at=T` is [T, T]. */
  range: TimeRange;
  status?: string;
}

/** A URL the web view cannot answer; the message says which parameter and why. */
export class BadRequestError extends Error {
  override readonly name = 'BadRequestError';
}

const KNOWN = new Set(['cluster', 'group', 'status', 'since', 'from', 'to', 'at', 'run']);

/**
 * Reads the filters of a timeline URL; every problem is a {@link BadRequestError}.
 *
 * @example
 * timelineRequestOf(new URLSearchParams('group=service:web&since=6h'), Date.parse('2026-11-24T12:00:00Z'));
 * // { scope: { group: 'service:web' }, range: { from: '2026-11-24T06:00:00.000Z', to: '2026-11-24T12:00:00.000Z' } }
 */
export function timelineRequestOf(params: URLSearchParams, now: number): TimelineRequest {
  for (const name of new Set(params.keys())) {
    if (!KNOWN.has(name))
      throw new BadRequestError(
        `unknown parameter "${name}": use ${[...KNOWN].filter((known) => known !== 'run').join(', ')}`,
      );
    if (params.getAll(name).length > 1)
      throw new BadRequestError(`parameter "${name}" is given more than once`);
  }
  const value = (name: string) => {
    const text = params.get(name)?.trim();
    return text === '' || text === undefined ? undefined : text;
  };
  const group = value('group');
  if (group !== undefined && !/^(service|family):.+/.test(group))
    throw new BadRequestError(`group must be service:NAME or family:NAME, got "${group}"`);
  const status = statusOf(value('status'));
  const range = rangeOf(
    { since: value('since'), from: value('from'), to: value('to'), at: value('at') },
    now,
  );
  return { scope: { cluster: value('cluster'), group }, range, status };
}

/** The CLI's status check: the same values, the same message. */
function statusOf(text: string | undefined): string | undefined {
  try {
    return parseStatusFilter(text);
  } catch (error) {
    if (error instanceof BadStatusError) throw new BadRequestError(error.message);
    throw error;
  }
}

/** The CLI's time range (or instant), its messages in the URL's words (`since`, not `--since`). */
function rangeOf(options: RunQueryOptions, now: number): TimeRange {
  try {
    return windowOf(runQueryOf(options, DEFAULT_SINCE, now)) as TimeRange;
  } catch (error) {
    if (error instanceof BadTimeRangeError)
      throw new BadRequestError(error.message.replace(/(^|[\s/])--(since|from|to|at)\b/g, '$1$2'));
    throw error;
  }
}
