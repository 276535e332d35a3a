import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { Mute } from '@ecslog/incidents';
import { createIncidentStore } from './store/incident-store';

/** A mute that names no group, or ends at no valid time. */
export class InvalidMuteError extends Error {
  override readonly name = 'InvalidMuteError';
}

/**
 * Mutes: nothing about a service or family (in one cluster, or in all) is told until a time.
 * Incidents are still kept; only their messages are not queued while it lasts.
 *
 * @example
 * const mutes = createMuteStore({ client, tableName });
 * await mutes.muteGroup({ group: 'service:web', until: '2026-12-03T09:00:00.000Z' });
 */
export function createMuteStore(options: {
  client: DynamoDBClient;
  tableName: string;
  now?: () => number;
}) {
  const store = createIncidentStore(options);
  const now = options.now ?? Date.now;

  async function muteGroup(mute: Mute): Promise<void> {
    if (!/^(?:service|family):.+$/.test(mute.group))
      throw new InvalidMuteError(
        `a mute's group is service:NAME or family:NAME, got ${JSON.stringify(mute.group)}`,
      );
    const until = Date.parse(mute.until);
    if (Number.isNaN(until))
      throw new InvalidMuteError(
        `a mute's end is an ISO-8601 time, got ${JSON.stringify(mute.until)}`,
      );
    if (until <= now())
      throw new InvalidMuteError(`a mute's end must be in the future, got ${mute.until}`);
    await store.putMute({
      group: mute.group,
      ...(mute.clusterArn !== undefined && { clusterArn: mute.clusterArn }),
      until: new Date(until).toISOString(),
    });
  }

  /** The mutes in force now. */
  async function listMutes(): Promise<Mute[]> {
    const at = now();
    return (await store.mutes()).filter((mute) => Date.parse(mute.until) > at);
  }

  async function unmuteGroup(mute: Pick<Mute, 'clusterArn' | 'group'>): Promise<void> {
    await store.deleteMute(mute);
  }

  return { muteGroup, listMutes, unmuteGroup };
}

export type MuteStore = ReturnType<typeof createMuteStore>;
