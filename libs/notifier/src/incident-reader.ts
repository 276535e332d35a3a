import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { Incident, Mute, NotifierItem } from '@ecslog/incidents';
import { createMuteStore } from './mutes';
import type { IncidentReader } from './notifier-api';
import { createIncidentStore } from './store/incident-store';

export interface IncidentReaderOptions {
  client: DynamoDBClient;
  tableName: string;
  /** Epoch ms (default Date.now). */
  now?: () => number;
  /** Resolved episodes older than this are not listed (default 30, as the notifier keeps them). */
  retentionDays?: number;
}

/**
 * Incidents for `ecslog incidents` and the web view: every episode's snapshot (`I#HIST`) with
 * each key's current episode from its state item (`I#STATE`, which is never behind).
 *
 * @example
 * const reader = createIncidentReader({ client, tableName });
 * const open = await reader.listIncidents({ open: true });
 */
export function createIncidentReader(
  options: IncidentReaderOptions,
): IncidentReader & { listMutes(): Promise<Mute[]> } {
  const store = createIncidentStore(options);
  const mutes = createMuteStore(options);
  const now = options.now ?? Date.now;
  const retentionMs = (options.retentionDays ?? 30) * 86_400_000;

  async function listIncidents(
    query: { open?: boolean; since?: string; to?: string } = {},
  ): Promise<Incident[]> {
    const at = now();
    const [snapshots, documents] = await Promise.all([
      store.snapshots(query.to, Math.floor(at / 1000)),
      store.documents<NotifierItem>(),
    ]);
    const byEpisode = new Map<string, Incident>();
    for (const incident of snapshots) byEpisode.set(`${incident.id}#${incident.episode}`, incident);
    for (const item of documents)
      if (item.kind === 'incident')
        byEpisode.set(`${item.incident.id}#${item.incident.episode}`, item.incident);
    return [...byEpisode.values()]
      .filter(
        (incident) =>
          !(
            incident.status === 'resolved' &&
            incident.resolvedAt !== undefined &&
            Date.parse(incident.resolvedAt) + retentionMs <= at
          ),
      )
      .filter((incident) => query.open !== true || incident.status === 'open')
      .filter((incident) => query.to === undefined || incident.openedAt <= query.to)
      .filter(
        (incident) =>
          query.since === undefined ||
          incident.status === 'open' ||
          (incident.resolvedAt ?? incident.openedAt) >= query.since,
      )
      .sort(
        (a, b) =>
          (a.openedAt < b.openedAt ? 1 : a.openedAt > b.openedAt ? -1 : 0) ||
          (a.id < b.id ? -1 : a.id > b.id ? 1 : 0),
      );
  }

  return { listIncidents, listMutes: () => mutes.listMutes() };
}
