/**
 * What the notifier tells and when: intervals, thresholds and filters. Parsed and validated
 * purely ({@link parseNotifyConfig}): a result, never a throw.
 */
import { FAILURE_CATEGORIES } from '@ecslog/ecs-event-mapper';

export interface NotifyConfig {
  /** At most one `updated` message per incident per this many minutes (all channels). */
  updateIntervalMinutes: number;
  /** A failure or crash-loop incident without a new failure for this long resolves. */
  quietPeriodMinutes: number;
  /** This many failed stops of one service within this many minutes is a crash loop. */
  crashLoop: { stops: number; withinMinutes: number };
  /** A service running fewer tasks than desired for longer than this is silent. */
  silence: { afterMinutes: number };
  /** A scheduled family overdue by more than `graceMinutes` missed a run; a cadence needs `minRuns` starts. */
  missedRun: { graceMinutes: number; minRuns: number };
  /**
   * What is told (every incident is kept either way): clusters (names or ARNs), groups
   * (`service:NAME`, `family:NAME`), categories (failure categories, `crash-loop`, `silence`,
   * `missed-run`). An absent list lets everything through.
   */
  filters: { clusters?: string[]; groups?: string[]; categories?: string[] };
}

/** The defaults: updates every 15 min, quiet after 60, crash loop 5 stops in 10 min, silence after 10, missed runs 15 min late after 4 runs. */
export const DEFAULT_NOTIFY_CONFIG: NotifyConfig = {
  updateIntervalMinutes: 15,
  quietPeriodMinutes: 60,
  crashLoop: { stops: 5, withinMinutes: 10 },
  silence: { afterMinutes: 10 },
  missedRun: { graceMinutes: 15, minRuns: 4 },
  filters: {},
};

/** The categories a filter may name: every failure category and the non-failure kinds. */
export const FILTER_CATEGORIES: readonly string[] = [
  ...FAILURE_CATEGORIES,
  'crash-loop',
  'silence',
  'missed-run',
];

/**
 * Checks a notify configuration (parsed JSON, environment, CLI flags): absent fields take the
 * defaults; numbers must be finite and > 0; filters lists of non-empty strings, groups
 * `service:NAME` or `family:NAME`, categories from {@link FILTER_CATEGORIES}. The error names
 * the field.
 *
 * @example
 * parseNotifyConfig({ crashLoop: { stops: 3 } });        // { ok: true, config: { …, crashLoop: { stops: 3, withinMinutes: 10 } } }
 * parseNotifyConfig({ quietPeriodMinutes: 0 });          // { ok: false, error: 'quietPeriodMinutes must be a number > 0, got 0' }
 */
export function parseNotifyConfig(
  input: unknown,
): { ok: true; config: NotifyConfig } | { ok: false; error: string } {
  try {
    return { ok: true, config: readConfig(input) };
  } catch (error) {
    if (error instanceof NotifyConfigError) return { ok: false, error: error.message };
    throw error;
  }
}

/** Why a notify configuration was refused (internal: {@link parseNotifyConfig} returns its message). */
class NotifyConfigError extends Error {
  override readonly name = 'NotifyConfigError';
}

const GROUP_PATTERN = /^(service|family):\S+$/;

function readConfig(input: unknown): NotifyConfig {
  const root = objectAt(input ?? {}, 'the notify configuration');
  const d = DEFAULT_NOTIFY_CONFIG;
  const crashLoop = objectAt(root.crashLoop ?? {}, 'crashLoop');
  const silence = objectAt(root.silence ?? {}, 'silence');
  const missedRun = objectAt(root.missedRun ?? {}, 'missedRun');
  const filters = objectAt(root.filters ?? {}, 'filters');
  const config: NotifyConfig = {
    updateIntervalMinutes: positive(
      root.updateIntervalMinutes,
      'updateIntervalMinutes',
      d.updateIntervalMinutes,
    ),
    quietPeriodMinutes: positive(
      root.quietPeriodMinutes,
      'quietPeriodMinutes',
      d.quietPeriodMinutes,
    ),
    crashLoop: {
      stops: whole(crashLoop.stops, 'crashLoop.stops', d.crashLoop.stops),
      withinMinutes: positive(
        crashLoop.withinMinutes,
        'crashLoop.withinMinutes',
        d.crashLoop.withinMinutes,
      ),
    },
    silence: {
      afterMinutes: positive(silence.afterMinutes, 'silence.afterMinutes', d.silence.afterMinutes),
    },
    missedRun: {
      graceMinutes: positive(
        missedRun.graceMinutes,
        'missedRun.graceMinutes',
        d.missedRun.graceMinutes,
      ),
      minRuns: whole(missedRun.minRuns, 'missedRun.minRuns', d.missedRun.minRuns),
    },
    filters: {},
  };
  const clusters = strings(filters.clusters, 'filters.clusters');
  if (clusters !== undefined) config.filters.clusters = clusters;
  const groups = strings(filters.groups, 'filters.groups');
  if (groups !== undefined) {
    const bad = groups.find((group) => !GROUP_PATTERN.test(group));
    if (bad !== undefined)
      throw new NotifyConfigError(
        `filters.groups must name service:NAME or family:NAME, got "${bad}"`,
      );
    config.filters.groups = groups;
  }
  const categories = strings(filters.categories, 'filters.categories');
  if (categories !== undefined) {
    const bad = categories.find((category) => !FILTER_CATEGORIES.includes(category));
    if (bad !== undefined)
      throw new NotifyConfigError(
        `filters.categories must be among ${FILTER_CATEGORIES.join(', ')}, got "${bad}"`,
      );
    config.filters.categories = categories;
  }
  return config;
}

function objectAt(value: unknown, field: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new NotifyConfigError(`${field} must be an object, got ${shown(value)}`);
  return value as Record<string, unknown>;
}

function positive(value: unknown, field: string, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0)
    throw new NotifyConfigError(`${field} must be a number > 0, got ${shown(value)}`);
  return value;
}

function whole(value: unknown, field: string, fallback: number): number {
  const number = positive(value, field, fallback);
  if (!Number.isInteger(number))
    throw new NotifyConfigError(`${field} must be a whole number > 0, got ${shown(value)}`);
  return number;
}

function strings(value: unknown, field: string): string[] | undefined {
  if (value === undefined) return undefined;
  if (!Array.isArray(value) || value.some((item) => typeof item !== 'string' || item.trim() === ''))
    throw new NotifyConfigError(
      `${field} must be a list of non-empty strings, got ${shown(value)}`,
    );
  return (value as string[]).map((item) => item.trim());
}

function shown(value: unknown): string {
  if (value === undefined) return 'nothing';
  const text = typeof value === 'number' ? String(value) : (JSON.stringify(value) ?? String(value));
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}
