/**
 * A tiny in-memory notifier for this library's tests: items in a map, a queue of signals applied
 * one by one with their follow-ups, the messages collected. What the real notifier does with the
 * store, without the store.
 */
import type { AuditRecord } from '@ecslog/ecs-event-mapper';
import { applySignal } from '../apply-signal';
import type { IncidentMessage } from '../incident';
import type { NotifierItem, Signal } from '../items';
import type { NotifyConfig } from '../notify-config';
import { signalsOfRecord } from '../signals-of-record';
import { tickSignals } from '../tick-signals';

export class MemoryNotifier {
  readonly items = new Map<string, NotifierItem>();
  readonly messages: IncidentMessage[] = [];

  /**
   * `pick` (absent: first in, first out) chooses which queued signal is applied next, given how
   * many wait: any interleaving of signals for different items (and of follow-ups), as
   * notifiers running side by side and redeliveries make.
   */
  constructor(
    readonly config: NotifyConfig,
    private readonly pick?: (waiting: number) => number,
  ) {}

  observe(record: AuditRecord, now: string): void {
    this.apply(signalsOfRecord(record, this.config), now);
  }

  tick(now: string, runningByGroup: ReadonlyMap<string, number> = new Map()): void {
    this.apply(tickSignals([...this.items.values()], runningByGroup, this.config, now), now);
  }

  apply(signals: readonly Signal[], now: string): void {
    const queue = [...signals];
    const next = () =>
      this.pick === undefined
        ? queue.shift()
        : queue.splice(this.pick(queue.length) % queue.length, 1)[0];
    for (let signal = next(); signal !== undefined; signal = next()) {
      const key = `${signal.target.kind}:${signal.target.id}`;
      const applied = applySignal(this.items.get(key), signal, this.config, now);
      if (applied === undefined) continue;
      this.items.set(key, applied.item);
      this.messages.push(...applied.messages);
      queue.push(...applied.signals);
    }
  }

  incident(id: string): NotifierItem | undefined {
    return this.items.get(`incident:${id}`);
  }
}
