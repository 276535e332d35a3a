/** Whether an incident is told: the configuration's filters and the mutes in force. Pure. */
import type { Incident } from './incident';
import type { NotifyConfig } from './notify-config';

/** A mute: nothing about `group` (in `clusterArn`, or in every cluster) is told until `until`. */
export interface Mute {
  /** `service:NAME` or `family:NAME`. */
  group: string;
  /** Absent: the group in every cluster. */
  clusterArn?: string;
  /** ISO-8601 UTC. */
  until: string;
}

/**
 * Whether an incident's messages are told at all: it passes every filter of the configuration
 * (clusters by name or ARN, groups, categories: a failure's category or the incident's kind) and
 * no mute of its group is in force at `now`. Incidents are kept either way.
 *
 * @example
 * isTold(incident, { ...config, filters: { groups: ['service:web'] } }, [], now); // only web's incidents
 * isTold(incident, config, [{ group: 'service:web', until: '2026-11-21T00:00:00.000Z' }], now);
 */
export function isTold(
  incident: Incident,
  config: NotifyConfig,
  mutes: readonly Mute[],
  now: string,
): boolean {
  const { key } = incident;
  const { clusters, groups, categories } = config.filters;
  if (
    clusters !== undefined &&
    !clusters.includes(key.clusterName) &&
    !clusters.includes(key.clusterArn)
  )
    return false;
  if (groups !== undefined && !groups.includes(key.group)) return false;
  if (categories !== undefined && !categories.includes(key.category ?? key.kind)) return false;
  return !mutes.some(
    (mute) =>
      mute.group === key.group &&
      (mute.clusterArn === undefined || mute.clusterArn === key.clusterArn) &&
      mute.until > now,
  );
}
