/**
 * The notifier's public contract: what the Lambda handlers (apps/notifier), local mode and the CLI
 * call. Implementations live beside this file.
 */
import type { AuditRecord } from '@ecslog/ecs-event-mapper';
import type { Incident, IncidentMessage } from '@ecslog/incidents';

/**
 * Where a record came from, as its writer marks it. Only `live` records notify: history replayed
 * by the backfill and events redriven from a quarantine are stored, never told.
 */
export type RecordOrigin = 'live' | 'backfill' | 'redrive';

/** A record as its writer stored it, with the writer's origin mark. */
export interface ObservedRecord {
  record: AuditRecord;
  origin: RecordOrigin;
}

/** One delivery target. `send` throws {@link ChannelError} when the message did not get through. */
export interface Channel {
  /** `sns`, `slack`, `webhook`, … with a distinguishing suffix when there are several. */
  readonly name: string;
  send(message: IncidentMessage): Promise<void>;
}

/** What `observe` did with a batch of records. */
export interface ObserveReport {
  /** Records that changed an incident (opened, counted, resolved). */
  changed: number;
  /** Records that were duplicates, filtered, muted or not about incidents. */
  ignored: number;
  messagesQueued: number;
  /** Incident episodes these records opened (`createNotifier` reports it; told or not). */
  opened?: number;
  /** Incident episodes these records resolved. */
  resolved?: number;
}

/** What `deliverPending` did. */
export interface DeliveryReport {
  sent: number;
  /** Failed this time, retried later with backoff. */
  retrying: number;
  /** Given up after every attempt: handed to the dead letters (and alarmed). */
  deadLettered: number;
  /** From `tick`: incident episodes the clock opened (silence, missed runs). */
  opened?: number;
  /** From `tick`: incident episodes the clock resolved (quiet periods, running as desired). */
  resolved?: number;
}

export interface Notifier {
  /**
   * Records as written to the store (new run states, service actions, API calls) from the
   * table's stream or the local writer. Idempotent: any duplication and interleaving of the same
   * records, also across concurrent notifiers, opens and resolves each incident exactly once.
   * Records of origin other than `live` are ignored. Throws only for infrastructure failures
   * (the caller retries the batch).
   */
  observe(records: readonly ObservedRecord[]): Promise<ObserveReport>;
  /**
   * The clock's part: quiet-period resolutions, silence (fewer tasks than desired for too long),
   * missed scheduled runs, then {@link deliverPending}.
   */
  tick(): Promise<DeliveryReport>;
  /** Sends queued messages whose time has come; retries failed ones with backoff. */
  deliverPending(): Promise<DeliveryReport>;
}

/** Reads incidents for `ecslog incidents` and the web view. */
export interface IncidentReader {
  /** Newest first; `open` only open ones; `since` by the time they opened (or were open). */
  listIncidents(query: { open?: boolean; since?: string; to?: string }): Promise<Incident[]>;
}
