/**
 * The notifier's items and the signals that change them. Each item is one JSON document in the
 * store (the notifier keeps it under `I#STATE` / `I#WATCH`); a signal is a fact for one item. Pure.
 */
import type { FailureCategory } from '@ecslog/ecs-event-mapper';
import type { FailedRun, Incident, IncidentKey, ResolutionReason } from './incident';
import { incidentIdOf } from './incident';

/** Which notifier item a signal is for. `id`: incident id ({@link incidentIdOf}), or `<clusterArn>#<group>` for watches. */
export interface ItemRef {
  kind: 'incident' | 'service' | 'schedule';
  id: string;
}

/** Where a watch is: a service's or a scheduled family's cluster and group. */
export interface WatchPlace {
  clusterArn: string;
  clusterName: string;
  /** `service:NAME` (service watches) or `family:NAME` (schedule watches). */
  group: string;
  account: string;
  region: string;
}

/** A failed run (or a crash loop's last stop, a silence, a missed slot) counts into an incident. */
export interface FailureSignal {
  type: 'failure';
  target: ItemRef & { kind: 'incident' };
  key: IncidentKey;
  run: FailedRun;
  /**
   * Earlier runs that belong to the incident with `run`, counted with it (each once): a crash
   * loop's stops that made the loop, so it opens with all of them counted.
   */
  earlier?: FailedRun[];
  /** For crash loops, silences and missed runs: what is wrong in words (becomes `Incident.detail`). */
  detail?: string;
}

/** Something that ends an incident when it comes after the incident's last failure. */
export interface RecoverySignal {
  type: 'recovery';
  target: ItemRef & { kind: 'incident' };
  reason: ResolutionReason;
  /** ISO-8601 UTC event time of the recovery (the clock's for quiet periods and silence). */
  at: string;
}

/** The clock found an open incident with failures not told yet, and the update interval passed. */
export interface UpdateDueSignal {
  type: 'update-due';
  target: ItemRef & { kind: 'incident' };
}

/** A failed stop of a service's task (crash-loop counting). */
export interface FailedStopSignal {
  type: 'failed-stop';
  target: ItemRef & { kind: 'service' };
  place: WatchPlace;
  run: FailedRun;
}

/** A CreateService/UpdateService call set the service's desired count. */
export interface DesiredCountSignal {
  type: 'desired-count';
  target: ItemRef & { kind: 'service' };
  place: WatchPlace;
  desiredCount: number;
  /** The call's event time. */
  at: string;
}

/**
 * The clock counted a service's open runs: `running` of `desired`. Sets or clears the watch's
 * below-desired mark (`at` is the clock's).
 */
export interface RunningCountSignal {
  type: 'running-count';
  target: ItemRef & { kind: 'service' };
  running: number;
  at: string;
}

/** A run of a family started by an EventBridge rule or EventBridge Scheduler (cadence learning). */
export interface ScheduledStartSignal {
  type: 'scheduled-start';
  target: ItemRef & { kind: 'schedule' };
  place: WatchPlace;
  runId: string;
  /** The run's start time. */
  at: string;
  startedBy: string;
}

/**
 * A group's recovery (a service's SERVICE_STEADY_STATE, a family's run that succeeded), for the
 * group's watch (`service` for a service, `schedule` for a family): the watch sends a `recovery`
 * to each incident of the group it heard a failure of before `at` (see {@link GroupRecoveryState}),
 * so a recovery costs one read when nothing of the group is open, not one per failure category.
 */
export interface GroupRecoverySignal {
  type: 'group-recovery';
  target: ItemRef & { kind: 'service' | 'schedule' };
  place: WatchPlace;
  reason: 'steady-state' | 'next-run-succeeded';
  /** ISO-8601 UTC event time of the recovery. */
  at: string;
}

/**
 * A failure of one of a group's incidents, for the group's watch (which hears a service's task
 * failures from their `failed-stop` already): a family's failed run, a failed deployment, a
 * refused start.
 */
export interface FailureNoticeSignal {
  type: 'failure-notice';
  target: ItemRef & { kind: 'service' | 'schedule' };
  place: WatchPlace;
  /** The incident's id after the watch's (`failure#<category>`, `crash-loop`). */
  incident: string;
  /** The failure's event time. */
  at: string;
}

/** A fact for one item: see each variant. */
export type Signal =
  | FailureSignal
  | RecoverySignal
  | GroupRecoverySignal
  | FailureNoticeSignal
  | UpdateDueSignal
  | FailedStopSignal
  | DesiredCountSignal
  | RunningCountSignal
  | ScheduledStartSignal;

/**
 * An incident's stored state: the current episode and its bookkeeping.
 *
 * Each run counts once per episode: `countedRuns` holds one short entry per counted run of the
 * episode ({@link countedRunEntryOf}: the failure's time in epoch seconds, base 36, then a 6-char
 * base-36 hash of the run key, e.g. `tkd3a0k3f9q2z`; the run key is the run id's last `/`
 * segment: a task id, or a start failure's record id), in time order, the latest
 * {@link MAX_COUNTED_RUN_IDS}. A run counts when no kept entry has its hash. When older entries
 * are dropped, `droppedUpTo` keeps the latest time among them (whole seconds): a failure at or
 * before that second whose hash is not kept may be a dropped run delivered again, so it is not
 * counted. The count is therefore a lower bound; it stays exact while an episode has at most
 * {@link MAX_COUNTED_RUN_IDS} failed runs and no two of its runs share a hash, and duplicates come
 * within minutes of the original (ECS's last state changes of a stopped task; a stopped run's rank
 * never changes again, so its item makes no further stream record), long before 64 newer failures
 * of the same key.
 *
 * Collision odds: the hash has 36^6 ≈ 2.2·10^9 values, so a new run is taken for one of the ≤ 64
 * kept runs with probability ≤ 64 / 2.2·10^9 ≈ 3·10^-8 (once in ~34 million failures of one
 * incident); it then is not counted (the count stays a lower bound; nothing is told twice).
 * Entries of the older form `<ISO time> <run key>` (items written before) are read as well.
 */
export interface IncidentItem {
  kind: 'incident';
  /** The incident id. */
  id: string;
  incident: Incident;
  countedRuns: string[];
  droppedUpTo?: string;
  /** `updated` messages made in this episode (the next one is number `updates + 1`). */
  updates: number;
  /** Clock time of the episode's last message. */
  lastMessageAt: string;
  /** `incident.failedRuns` when the last message was made. */
  failedRunsAtLastMessage: number;
}

/**
 * What a group's watch keeps to route the group's recoveries (see {@link GroupRecoverySignal}).
 *
 * `pending`: the incidents of the group (`failure#<category>`, `crash-loop`) the watch heard a
 * failure of since it last sent them a recovery, each with the latest failure time heard. A
 * recovery at `t` goes to each with a time before `t` (the incident resolves only if it is open
 * and its last failure is before `t`: a needless one changes nothing) and clears them.
 * `recoveredAt`: the last such recovery's time; a failure heard later but older than it gets the
 * recovery at once (it may belong to an incident the recovery did not reach).
 *
 * The watch hears a failure from the same record as the incident, so a batch's failure and its
 * later recovery reach the watch in order. A recovery that comes to the watch before the failure
 * it follows (records of one group delivered out of order) does not resolve that incident: its
 * quiet period does, as when the recovery reached the incident before the failure.
 */
export interface GroupRecoveryState {
  pending?: Record<string, string>;
  recoveredAt?: string;
}

/** A service's desired count, recent failed stops and below-desired mark. */
export interface ServiceWatch extends WatchPlace, GroupRecoveryState {
  kind: 'service';
  /** `<clusterArn>#<group>`. */
  id: string;
  desiredCount?: number;
  /** Event time of the call that set `desiredCount`. */
  desiredCountAt?: string;
  /** The last ≤ `crashLoop.stops` failed stops, by time. */
  recentStops: FailedRun[];
  /** Clock time since when it ran fewer tasks than desired (absent: as desired, or not known). */
  belowDesiredSince?: string;
}

/**
 * A family's watch: its recent scheduled starts, for its cadence (none for a family no schedule
 * starts), and its recoveries' routing ({@link GroupRecoveryState}).
 */
export interface ScheduleWatch extends WatchPlace, GroupRecoveryState {
  kind: 'schedule';
  /** `<clusterArn>#<group>`. */
  id: string;
  /**
   * The last ≤ {@link MAX_SCHEDULE_STARTS} starts, by time, one per run: short entries like an
   * incident's counted runs ({@link countedRunEntryOf}: the start's epoch seconds, base 36, and a
   * 6-char hash of the run key), ≈ 15 bytes each instead of ≈ 130 with the run's ARN, so a
   * watch of 60 starts is ≈ 1 KB (one write unit per start, not eight). Read them with
   * {@link scheduleStartTimesOf}.
   */
  recentStarts?: string[];
  /** Starts as items written before `recentStarts` kept them (by run id); read, never written. */
  starts?: { runId: string; at: string }[];
  /** The last start's `startedBy` (`events-rule/NAME`, or the Scheduler's); absent before a start. */
  startedBy?: string;
}

/** One stored document per item; `kind` tells which. */
export type NotifierItem = IncidentItem | ServiceWatch | ScheduleWatch;

/**
 * How many counted runs an incident item keeps to count each run once. Sized by cost: DynamoDB
 * bills a write per started KB of the item, and an incident item is written on every failure it
 * counts, every outbox claim and every removal. 64 entries of ≈ 15 bytes (JSON) are ≈ 1 KB, so the
 * item with its first and last failure stays ≈ 2 KB (200 of the older 60-byte entries were
 * ≈ 12 KB: 12 write units on every write); duplicates come within minutes, long before 64 newer
 * failures of one key.
 */
export const MAX_COUNTED_RUN_IDS = 64;
/**
 * The longest verbatim text (stop reason, placement reason, summary) an incident item keeps of a
 * failed run; longer text is cut and ends in `…`. ECS's stopped reasons are at most 1,024
 * characters in practice, so real ones are kept whole; an item keeps only its episode's first and
 * last failed run, so its size is bounded whatever an episode counts.
 */
export const MAX_KEPT_TEXT_CHARS = 1024;
/** How many starts a schedule watch keeps. */
export const MAX_SCHEDULE_STARTS = 60;

/** The id of a watch: `<clusterArn>#<group>`. */
export function watchIdOf(clusterArn: string, group: string): string {
  return `${clusterArn}#${group}`;
}

/** The ref of an incident item. */
export function incidentRefOf(key: IncidentKey): ItemRef & { kind: 'incident' } {
  return { kind: 'incident', id: incidentIdOf(key) };
}

/** The key of a `failure` incident. */
export function failureKeyOf(
  place: Pick<WatchPlace, 'clusterArn' | 'clusterName' | 'group'>,
  category: FailureCategory,
): IncidentKey {
  return {
    clusterArn: place.clusterArn,
    clusterName: place.clusterName,
    group: place.group,
    kind: 'failure',
    category,
  };
}

/** Characters of a counted run's hash (base 36): see {@link IncidentItem}. */
const RUN_HASH_CHARS = 6;
const RUN_HASH_VALUES = 36 ** RUN_HASH_CHARS;

/**
 * A counted run's entry: its time in epoch seconds (base 36), then a stable 6-char base-36 hash of
 * its run key (see {@link IncidentItem}).
 *
 * @example
 * countedRunEntryOf({ runId: 'arn:aws:ecs:…:task/prod/0123abcd…', at: '2026-11-20T05:00:00.000Z' });
 * // 'tk1v8g' + 6 hash characters
 */
export function countedRunEntryOf(run: { runId: string; at: string }): string {
  return `${Math.floor(Date.parse(run.at) / 1000).toString(36)}${runHashOf(runKeyOf(run.runId))}`;
}

/** An entry's time in epoch seconds (also of the older `<ISO time> <run key>` form). */
export function countedRunSecondsOf(entry: string): number {
  const space = entry.indexOf(' ');
  if (space >= 0) return Math.floor(Date.parse(entry.slice(0, space)) / 1000);
  return parseInt(entry.slice(0, -RUN_HASH_CHARS), 36);
}

/** An entry in the compact form (an older `<ISO time> <run key>` entry converted). */
export function compactCountedRun(entry: string): string {
  const space = entry.indexOf(' ');
  if (space < 0) return entry;
  return countedRunEntryOf({ at: entry.slice(0, space), runId: entry.slice(space + 1) });
}

/** The hash part of an entry. */
export function countedRunHashOf(entry: string): string {
  return entry.slice(-RUN_HASH_CHARS);
}

/** The run key of a run id: its last `/` segment (a task id, or a start failure's record id). */
function runKeyOf(runId: string): string {
  return runId.slice(runId.lastIndexOf('/') + 1);
}

/**
 * cyrb53 (a public-domain 53-bit string hash: two multiplicative 32-bit lanes), reduced to
 * {@link RUN_HASH_CHARS} base-36 characters. Stable across processes and versions.
 */
function runHashOf(text: string): string {
  let h1 = 0xdeadbeef;
  let h2 = 0x41c6ce57;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    h1 = Math.imul(h1 ^ c, 2654435761);
    h2 = Math.imul(h2 ^ c, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  const hash = 4294967296 * (2097151 & h2) + (h1 >>> 0);
  return (hash % RUN_HASH_VALUES).toString(36).padStart(RUN_HASH_CHARS, '0');
}

/**
 * A schedule watch's starts as compact entries ({@link ScheduleWatch}`.recentStarts`, and older
 * `starts` converted), in time order.
 */
export function scheduleStartEntriesOf(watch: ScheduleWatch): string[] {
  const entries = [
    ...(watch.starts ?? []).map((start) => countedRunEntryOf(start)),
    ...(watch.recentStarts ?? []),
  ];
  return [...new Set(entries)].sort(byCountedRunEntry);
}

/**
 * The start times (ISO-8601 UTC, whole seconds) of a schedule watch, in time order: what its
 * cadence learns from.
 *
 * @example
 * learnCadence(scheduleStartTimesOf(watch), { minRuns: 4 });
 */
export function scheduleStartTimesOf(watch: ScheduleWatch): string[] {
  return scheduleStartEntriesOf(watch).map((entry) =>
    new Date(countedRunSecondsOf(entry) * 1000).toISOString(),
  );
}

/** Orders compact entries by time, then hash. */
export function byCountedRunEntry(a: string, b: string): number {
  return countedRunSecondsOf(a) - countedRunSecondsOf(b) || (a < b ? -1 : a > b ? 1 : 0);
}
