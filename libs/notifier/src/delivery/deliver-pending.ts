/**
 * The sender: delivers the outboxes' entries whose time has come, each by one sender at a time
 * (a conditional lease), in order per item and channel, and retries failures with exponential
 * backoff and jitter across calls until the last attempt, then hands the message to the dead
 * letters. An entry leaves its outbox only once it was sent or dead-lettered.
 *
 * A message is repeated only when a sender stops (crashes, times out) after the channel took it
 * and before its entry was removed: the lease expires and another sender sends it again, with
 * the same messageId (`Idempotency-Key`, SNS attribute `messageId`).
 */
import { randomUUID } from 'node:crypto';
import { runWithLimit } from '@ecslog/audit-store';
import type { IncidentMessage, ItemRef } from '@ecslog/incidents';
import { ChannelError } from '../channels/channel-error';
import type { Channel, DeliveryReport } from '../notifier-api';
import { decodeDocument } from '../store/document-codec';
import type { IncidentStore, OutboxEntry } from '../store/incident-store';
import type { DeadLetters } from './dead-letters';

export interface DeliveryPolicy {
  /** Attempts per message and channel, the first included (default 10). */
  maxAttempts: number;
  /** The wait after the first failure (default 30 s); doubled after each further one. */
  baseDelayMs: number;
  /** The longest wait (default 1 h). */
  maxDelayMs: number;
  /** How long a sender holds an entry it is sending (default 60 s; longer than any timeout). */
  leaseMs: number;
  /** Deliveries in flight at once (default 4). */
  maxParallel: number;
}

export const DEFAULT_DELIVERY_POLICY: DeliveryPolicy = {
  maxAttempts: 10,
  baseDelayMs: 30_000,
  maxDelayMs: 3_600_000,
  leaseMs: 60_000,
  maxParallel: 4,
};

/**
 * The wait after `attempts` failed attempts: min(cap, base × 2^(attempts − 1)), of which the
 * upper half is jitter ("equal jitter": never less than half, so a retry is never immediate).
 */
export function backoffMs(attempts: number, policy: DeliveryPolicy, random: number): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempts - 1));
  return Math.round(ceiling / 2 + (random * ceiling) / 2);
}

export interface OutboxSenderOptions {
  store: IncidentStore;
  channels: readonly Channel[];
  deadLetters: DeadLetters;
  /** Epoch ms (default Date.now). */
  now?: () => number;
  /** In [0, 1) (default Math.random): the backoff's jitter. */
  random?: () => number;
  policy?: Partial<DeliveryPolicy>;
}

type Outcome = 'sent' | 'retrying' | 'dead-lettered' | 'skipped';

/**
 * @example
 * const sender = createOutboxSender({ store, channels, deadLetters });
 * const { sent, retrying, deadLettered } = await sender.deliverPending();
 */
export function createOutboxSender(options: OutboxSenderOptions) {
  const { store, deadLetters } = options;
  const now = options.now ?? Date.now;
  const random = options.random ?? Math.random;
  const policy = { ...DEFAULT_DELIVERY_POLICY, ...options.policy };
  const channels = new Map(options.channels.map((channel) => [channel.name, channel]));

  /**
   * Delivers what is due in the outboxes of `refs` (incidents), or of every incident when
   * undefined.
   */
  async function deliverPending(refs?: readonly ItemRef[]): Promise<DeliveryReport> {
    const token = randomUUID();
    const report: DeliveryReport = { sent: 0, retrying: 0, deadLettered: 0 };
    const chains: { ref: ItemRef; entries: [string, OutboxEntry][] }[] = [];
    for (const { ref, entries } of await store.outboxes(refs)) {
      const byChannel = new Map<string, [string, OutboxEntry][]>();
      for (const [key, entry] of Object.entries(entries)) {
        const chain = byChannel.get(entry.c) ?? [];
        chain.push([key, entry]);
        byChannel.set(entry.c, chain);
      }
      for (const chain of byChannel.values())
        chains.push({ ref, entries: chain.sort(([, a], [, b]) => a.s - b.s) });
    }
    const failures: unknown[] = [];
    await runWithLimit(
      chains.map(({ ref, entries }) => async () => {
        try {
          for (const [key, entry] of entries) {
            const at = now();
            if (entry.n > at || (entry.l !== undefined && entry.l >= at)) break;
            const outcome = await deliverOne(ref, key, token);
            if (outcome === 'sent') report.sent += 1;
            else if (outcome === 'dead-lettered') report.deadLettered += 1;
            else {
              if (outcome === 'retrying') report.retrying += 1;
              // Later messages of this incident on this channel wait for this one.
              break;
            }
          }
        } catch (error) {
          failures.push(error);
        }
      }),
      policy.maxParallel,
    );
    if (failures.length > 0) throw failures[0];
    return report;
  }

  async function deliverOne(ref: ItemRef, key: string, token: string): Promise<Outcome> {
    const entry = await store.claim(ref, key, token, now(), policy.leaseMs);
    if (entry === undefined) return 'skipped';
    const message = decodeDocument<IncidentMessage>(entry.m);
    if (entry.x === true) {
      await giveUp(ref, key, token, message, entry.c, new Error(entry.e ?? 'given up'));
      return 'dead-lettered';
    }
    const channel = channels.get(entry.c);
    try {
      if (channel === undefined)
        throw new ChannelError(`no channel named ${JSON.stringify(entry.c)} is configured`, {
          channel: entry.c,
          retryable: false,
        });
      await channel.send(message);
    } catch (error) {
      const failure = error instanceof Error ? error : new Error(String(error));
      const attempts = entry.a + 1;
      const retryable = !(failure instanceof ChannelError) || failure.retryable;
      const givenUp = !retryable || attempts >= policy.maxAttempts;
      const line = `${failure.name}: ${failure.message}`.replace(/\s+/g, ' ');
      const nextAt = givenUp ? now() : now() + backoffMs(attempts, policy, random());
      const held = await store.postpone(ref, key, token, {
        attempts,
        nextAt,
        error: line,
        givenUp,
      });
      if (!held || !givenUp) return held ? 'retrying' : 'skipped';
      await giveUp(ref, key, token, message, entry.c, failure);
      return 'dead-lettered';
    }
    // False: the lease expired while sending and another sender holds the entry now.
    await store.remove(ref, key, token);
    return 'sent';
  }

  async function giveUp(
    ref: ItemRef,
    key: string,
    token: string,
    message: IncidentMessage,
    channel: string,
    error: Error,
  ): Promise<void> {
    await deadLetters.put(message, channel, error);
    await store.remove(ref, key, token);
  }

  return { deliverPending };
}

export type OutboxSender = ReturnType<typeof createOutboxSender>;
