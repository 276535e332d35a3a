/**
 * The notifier: records in, incidents kept in the audit table, messages out through the outbox.
 * The imperative shell around `@ecslog/incidents`: every decision is the pure core's
 * (`signalsOfRecord`, `applySignal`, `tickSignals`, `isTold`); this module reads items, writes
 * them conditionally with their messages, and sends.
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { createAuditReader, groupOf, runWithLimit } from '@ecslog/audit-store';
import type {
  Incident,
  IncidentItem,
  ItemRef,
  Mute,
  NotifierItem,
  NotifyConfig,
  Signal,
} from '@ecslog/incidents';
import { applySignal, isTold, signalsOfRecord, tickSignals } from '@ecslog/incidents';
import type { DeadLetters } from './delivery/dead-letters';
import type { DeliveryPolicy } from './delivery/deliver-pending';
import { createOutboxSender } from './delivery/deliver-pending';
import { createMuteStore } from './mutes';
import type {
  Channel,
  DeliveryReport,
  Notifier,
  ObservedRecord,
  ObserveReport,
} from './notifier-api';
import type { IncidentStore, StoredDocument } from './store/incident-store';
import { createIncidentStore, DEFAULT_MAX_ROUNDS, refKeyOf } from './store/incident-store';

export interface NotifierOptions {
  client: DynamoDBClient;
  tableName: string;
  config: NotifyConfig;
  /** Every message told is queued once per channel. */
  channels: readonly Channel[];
  deadLetters: DeadLetters;
  /** Epoch ms (default Date.now): ticks' decisions, messages' createdAt, delivery times. */
  now?: () => number;
  /** How long a resolved episode's snapshot is kept (default 30, the audit table's default). */
  retentionDays?: number;
  /**
   * Open runs per `<clusterArn>#<group>` for silence; default: the audit reader's open runs
   * (the runs index's `S#OPEN#<shard>` partitions), read only when a service's desired count is
   * known.
   */
  openRunsByGroup?: () => Promise<Map<string, number>>;
  /** Retries and leases of deliveries (default {@link DEFAULT_DELIVERY_POLICY}). */
  delivery?: Partial<DeliveryPolicy>;
  /** Jitter source in [0, 1) (default Math.random). */
  random?: () => number;
  /** Rounds of the optimistic update per signal (default 8). */
  maxRounds?: number;
  /** Items changed at once (default 8); one item's signals are applied in order. */
  maxParallel?: number;
}

/** The runs' group counts the default {@link NotifierOptions.openRunsByGroup} reads. */
export function openRunsByGroupReader(
  client: DynamoDBClient,
  tableName: string,
): () => Promise<Map<string, number>> {
  const reader = createAuditReader({ client, tableName, decodedRuns: 0 });
  return async () => {
    const { runs } = await reader.openRuns();
    const counts = new Map<string, number>();
    for (const { record } of runs) {
      const group = groupOf(record);
      if (group === undefined) continue;
      const key = `${record.clusterArn}#${group}`;
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
    return counts;
  };
}

/**
 * Builds the notifier on the audit table. `observe` changes items only; call `deliverQueued`
 * after it (the stream handler does), or let `tick` send.
 *
 * @example
 * const notifier = createNotifier({
 *   client, tableName, config: DEFAULT_NOTIFY_CONFIG,
 *   channels: [createWebhookChannel({ url })],
 *   deadLetters: createFileDeadLetters(LOCAL_DEAD_LETTERS_FILE),
 * });
 * await notifier.observe(written.map((record) => ({ record, origin: 'live' })));
 * await notifier.deliverQueued(); // the schedule calls tick(), which ends with deliverPending()
 */
export function createNotifier(options: NotifierOptions): Notifier & {
  /**
   * Sends what this notifier's `observe` calls queued, reading only those incidents' items —
   * what the stream handler calls after `observe`. `deliverPending` reads every incident's state
   * item (a query of `I#STATE`), which is for the schedule: retries, and anything a notifier that
   * stopped left queued.
   */
  deliverQueued(): Promise<DeliveryReport>;
  store: IncidentStore;
  muteGroup(mute: Mute): Promise<void>;
  listMutes(): Promise<Mute[]>;
} {
  const { client, tableName, config, channels } = options;
  const now = options.now ?? Date.now;
  const retentionSeconds = (options.retentionDays ?? 30) * 86_400;
  const maxRounds = options.maxRounds ?? DEFAULT_MAX_ROUNDS;
  const maxParallel = options.maxParallel ?? 8;
  const openRunsByGroup = options.openRunsByGroup ?? openRunsByGroupReader(client, tableName);
  const store = createIncidentStore({ client, tableName });
  const mutes = createMuteStore({ client, tableName, now });
  /** Items whose outboxes this notifier's `observe` added to since its last `deliverQueued`. */
  const queuedTo = new Map<string, ItemRef>();
  const sender = createOutboxSender({
    store,
    channels,
    deadLetters: options.deadLetters,
    now,
    ...(options.random && { random: options.random }),
    ...(options.delivery && { policy: options.delivery }),
  });

  /**
   * One signal applied to its item (starting from `known`, the item as last read or written);
   * its follow-ups, how many deliveries it queued, and the item as it now stands.
   */
  async function applyOne(
    signal: Signal,
    activeMutes: readonly Mute[],
    known: { stored: StoredDocument<NotifierItem> | undefined },
  ): Promise<{
    changed: boolean;
    queued: number;
    signals: Signal[];
    stored: StoredDocument<NotifierItem> | undefined;
    opened: boolean;
    resolved: boolean;
  }> {
    const at = now();
    const nowIso = new Date(at).toISOString();
    let followUps: Signal[] = [];
    let seen = known.stored;
    const written = await store.update<NotifierItem>(
      signal.target,
      (current, version) => {
        seen = current === undefined ? undefined : { doc: current, version: version as number };
        const applied = applySignal(current, signal, config, nowIso);
        if (applied === undefined) return undefined;
        followUps = applied.signals;
        const told = applied.messages.filter((message) =>
          isTold(message.incident, config, activeMutes, nowIso),
        );
        return {
          doc: applied.item,
          deliveries: told.flatMap((message) =>
            channels.map((channel) => ({ message, channel: channel.name })),
          ),
        };
      },
      at,
      maxRounds,
      known,
    );
    if (written !== undefined && written.deliveries.length > 0)
      queuedTo.set(refKeyOf(signal.target), signal.target);
    if (written === undefined)
      return {
        changed: false,
        queued: 0,
        signals: [],
        stored: seen,
        opened: false,
        resolved: false,
      };
    let opened = false;
    let resolved = false;
    if (written.doc.kind === 'incident') {
      const previous = written.previous?.doc as IncidentItem | undefined;
      // The episode before, once more: its last snapshot write may have been lost.
      if (previous && previous.incident.episode < written.doc.incident.episode)
        await snapshot(previous.incident, written.previous?.version ?? 0);
      await snapshot(written.doc.incident, written.version);
      const episodeBefore = previous?.incident.episode ?? 0;
      opened = written.doc.incident.episode > episodeBefore;
      resolved =
        written.doc.incident.status === 'resolved' &&
        (opened || previous?.incident.status === 'open');
    }
    return {
      changed: true,
      queued: written.deliveries.length,
      signals: followUps,
      stored: { doc: written.doc, version: written.version },
      opened,
      resolved,
    };
  }

  async function snapshot(incident: Incident, version: number): Promise<void> {
    const expiresAt =
      incident.status === 'resolved' && incident.resolvedAt !== undefined
        ? Math.floor(Date.parse(incident.resolvedAt) / 1000) + retentionSeconds
        : undefined;
    await store.putSnapshot(incident, version, expiresAt);
  }

  /**
   * Applies signals (tagged with the input they came from) and their follow-ups, in waves: the
   * same signal twice in a wave once (applying it again changes nothing: the core counts by run
   * and time), the wave's items read in batches, items in parallel, each item's signals in order.
   * Returns the tags that changed something.
   */
  async function applyAll(
    signals: { signal: Signal; tag: number }[],
  ): Promise<{ changedTags: Set<number>; queued: number; opened: number; resolved: number }> {
    const activeMutes = await mutes.listMutes();
    const changedTags = new Set<number>();
    let queued = 0;
    let opened = 0;
    let resolved = 0;
    let wave = signals;
    while (wave.length > 0) {
      const byItem = new Map<string, { signal: Signal; tag: number }[]>();
      const seen = new Set<string>();
      for (const tagged of wave) {
        const text = JSON.stringify(tagged.signal);
        if (seen.has(text)) continue;
        seen.add(text);
        const key = refKeyOf(tagged.signal.target);
        byItem.set(key, [...(byItem.get(key) ?? []), tagged]);
      }
      const chains = [...byItem.values()];
      const stored = await store.readMany<NotifierItem>(
        chains.map((chain) => (chain[0] as { signal: Signal }).signal.target),
      );
      const next: { signal: Signal; tag: number }[] = [];
      await runWithLimit(
        chains.map((chain) => async () => {
          let known = {
            stored: stored.get(refKeyOf((chain[0] as { signal: Signal }).signal.target)),
          };
          for (const { signal, tag } of chain) {
            const result = await applyOne(signal, activeMutes, known);
            known = { stored: result.stored };
            if (!result.changed) continue;
            changedTags.add(tag);
            queued += result.queued;
            if (result.opened) opened += 1;
            if (result.resolved) resolved += 1;
            next.push(...result.signals.map((followUp) => ({ signal: followUp, tag })));
          }
        }),
        maxParallel,
      );
      wave = next;
    }
    return { changedTags, queued, opened, resolved };
  }

  async function observe(records: readonly ObservedRecord[]): Promise<ObserveReport> {
    const signals = records.flatMap(({ record, origin }, tag) =>
      origin === 'live' ? signalsOfRecord(record, config).map((signal) => ({ signal, tag })) : [],
    );
    const { changedTags, queued, opened, resolved } = await applyAll(signals);
    return {
      changed: changedTags.size,
      ignored: records.length - changedTags.size,
      messagesQueued: queued,
      opened,
      resolved,
    };
  }

  async function tick(): Promise<DeliveryReport> {
    const items = await store.documents<NotifierItem>();
    const needsRuns = items.some(
      (item) => item.kind === 'service' && item.desiredCount !== undefined,
    );
    const running = needsRuns ? await openRunsByGroup() : new Map<string, number>();
    const signals = tickSignals(items, running, config, new Date(now()).toISOString());
    const { opened, resolved } = await applyAll(signals.map((signal, tag) => ({ signal, tag })));
    return { ...(await sender.deliverPending()), opened, resolved };
  }

  return {
    observe,
    tick,
    deliverPending: () => sender.deliverPending(),
    async deliverQueued() {
      const refs = [...queuedTo.values()];
      queuedTo.clear();
      if (refs.length === 0) return { sent: 0, retrying: 0, deadLettered: 0 };
      try {
        return await sender.deliverPending(refs);
      } catch (error) {
        for (const ref of refs) queuedTo.set(refKeyOf(ref), ref);
        throw error;
      }
    },
    store,
    muteGroup: (mute) => mutes.muteGroup(mute),
    listMutes: () => mutes.listMutes(),
  };
}
