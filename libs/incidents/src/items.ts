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

/** A fact for one item: see each variant. */
export type Signal =
  | FailureSignal
  | RecoverySignal
  | UpdateDueSignal
  | FailedStopSignal
  | DesiredCountSignal
  | RunningCountSignal
  | ScheduledStartSignal;

/**
 * An incident's stored state: the current episode and its bookkeeping.
 *
 * Each run counts once per episode: `countedRuns` holds `<at> <run key>` of the episode's counted
 * runs (the run key is the run id's last `/` segment: a task id, or a start failure's record id;
 * unique within the incident's cluster), in time order, the latest {@link MAX_COUNTED_RUN_IDS}.
 * When older entries are dropped, `droppedUpTo` keeps the latest `at` among them: a failure at or
 * before it whose key is not kept may be a dropped run delivered again, so it is not counted (the
 * count is then a lower bound; it stays exact while an episode has at most
 * {@link MAX_COUNTED_RUN_IDS} failed runs, and duplicates come within minutes of the original
 * (ECS's last state changes of a stopped task; a stopped run's rank never changes again, so its
 * item makes no further stream record), long before 200 newer failures of the same key).
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

/** A service's desired count, recent failed stops and below-desired mark. */
export interface ServiceWatch extends WatchPlace {
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

/** A scheduled family's recent starts, for its cadence. */
export interface ScheduleWatch extends WatchPlace {
  kind: 'schedule';
  /** `<clusterArn>#<group>`. */
  id: string;
  /** The last ≤ {@link MAX_SCHEDULE_STARTS} starts, by time, one per run id. */
  starts: { runId: string; at: string }[];
  /** The last start's `startedBy` (`events-rule/NAME`, or the Scheduler's). */
  startedBy: string;
}

/** One stored document per item; `kind` tells which. */
export type NotifierItem = IncidentItem | ServiceWatch | ScheduleWatch;

/**
 * How many counted runs an incident item keeps to count each run once: 200 entries of ≈ 60 bytes
 * are ≈ 12 KB, and every write of the item (each failure) is billed per KB, so 500 would make a
 * crash loop's writes cost ≈ 30 WCU each for no practical gain.
 */
export const MAX_COUNTED_RUN_IDS = 200;
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
