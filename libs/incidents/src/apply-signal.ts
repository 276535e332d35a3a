/**
 * How a signal changes its item. Pure: the new item is a function of the stored item, the signal,
 * the configuration and the clock (`now`, used only for messages' createdAt and interval
 * decisions; every incident time is an event time from the signal).
 *
 * Why duplicates and disorder change nothing twice:
 * - a failure counts once per episode, by its run (see {@link IncidentItem}): a run delivered twice,
 *   or once running (no failure signal) and once stopped, counts once;
 * - a recovery resolves only when it comes after the incident's last failure: one older than it
 *   (delivered late) changes nothing;
 * - a failure at or before the resolution of the current episode does not reopen it: it is counted
 *   into the resolved episode (its totals stay true for `ecslog incidents`) without a message;
 *   a failure after it opens the next episode;
 * - a watch keeps its stops and starts by run id and time, so repeats change nothing.
 */
import type {
  FailedRun,
  Incident,
  IncidentKey,
  IncidentMessage,
  IncidentMessageKind,
} from './incident';
import { incidentIdOf } from './incident';
import type {
  DesiredCountSignal,
  FailedStopSignal,
  FailureNoticeSignal,
  FailureSignal,
  GroupRecoverySignal,
  IncidentItem,
  NotifierItem,
  RecoverySignal,
  RunningCountSignal,
  ScheduledStartSignal,
  ScheduleWatch,
  ServiceWatch,
  Signal,
  WatchPlace,
} from './items';
import {
  byCountedRunEntry,
  compactCountedRun,
  countedRunEntryOf,
  countedRunHashOf,
  countedRunSecondsOf,
  incidentRefOf,
  MAX_COUNTED_RUN_IDS,
  MAX_KEPT_TEXT_CHARS,
  MAX_SCHEDULE_STARTS,
  scheduleStartEntriesOf,
} from './items';
import type { NotifyConfig } from './notify-config';
import { minutesBetween } from './time';

/** What applying a signal changed: the new item, its messages, follow-up signals for other items. */
export interface Applied {
  item: NotifierItem;
  messages: IncidentMessage[];
  signals: Signal[];
}

/**
 * Applies one signal to its item (undefined: the item does not exist yet). Returns undefined when
 * nothing changes (a duplicate, a recovery of nothing open, an older desired count, …): the caller
 * then writes nothing. `messages` only come from incident items; `signals` are follow-ups for
 * other items (a service watch that sees a crash loop signals the crash-loop incident; a schedule
 * watch's new start signals the recovery of its missed-run incident).
 *
 * @example
 * const opened = applySignal(undefined, failure, DEFAULT_NOTIFY_CONFIG, now);
 * opened?.messages[0].kind; // 'opened'
 * applySignal(opened!.item, failure, DEFAULT_NOTIFY_CONFIG, now); // undefined: counted already
 */
export function applySignal(
  item: NotifierItem | undefined,
  signal: Signal,
  config: NotifyConfig,
  now: string,
): Applied | undefined {
  if (item !== undefined && item.kind !== signal.target.kind) return undefined;
  switch (signal.type) {
    case 'failure':
      return applyFailure(item as IncidentItem | undefined, signal, config, now);
    case 'recovery':
      return applyRecovery(item as IncidentItem | undefined, signal, now);
    case 'group-recovery':
      return applyGroupRecovery(item as GroupWatch | undefined, signal);
    case 'failure-notice':
      return applyFailureNotice(item as GroupWatch | undefined, signal);
    case 'update-due':
      return applyUpdateDue(item as IncidentItem | undefined, config, now);
    case 'failed-stop':
      return applyFailedStop(item as ServiceWatch | undefined, signal, config);
    case 'desired-count':
      return applyDesiredCount(item as ServiceWatch | undefined, signal);
    case 'running-count':
      return applyRunningCount(item as ServiceWatch | undefined, signal);
    case 'scheduled-start':
      return applyScheduledStart(item as ScheduleWatch | undefined, signal);
  }
}

// ---- incidents ----

function applyFailure(
  item: IncidentItem | undefined,
  signal: FailureSignal,
  config: NotifyConfig,
  now: string,
): Applied | undefined {
  const { run } = signal;
  const earlier = signal.earlier ?? [];
  if (item === undefined) return opened(undefined, signal, earlier, now);
  const resolvedAt = item.incident.resolvedAt;
  if (item.incident.status === 'resolved' && run.at > (resolvedAt as string))
    return opened(
      item,
      signal,
      earlier.filter((failed) => failed.at > (resolvedAt as string)),
      now,
    );
  const next = countAll(item, signal, [run, ...earlier]);
  if (next === undefined) return undefined;
  if (next.incident.status === 'resolved') return changed(next, []);
  if (minutesBetween(item.lastMessageAt, now) < config.updateIntervalMinutes)
    return changed(next, []);
  return withMessage(next, 'updated', now);
}

function applyRecovery(
  item: IncidentItem | undefined,
  signal: RecoverySignal,
  now: string,
): Applied | undefined {
  if (item === undefined || item.incident.status !== 'open') return undefined;
  if (signal.at <= item.incident.lastFailureAt) return undefined;
  const resolved: IncidentItem = {
    ...item,
    incident: {
      ...item.incident,
      status: 'resolved',
      resolvedAt: signal.at,
      resolution: signal.reason,
    },
  };
  return withMessage(resolved, 'resolved', now);
}

function applyUpdateDue(
  item: IncidentItem | undefined,
  config: NotifyConfig,
  now: string,
): Applied | undefined {
  if (item === undefined || item.incident.status !== 'open') return undefined;
  if (item.incident.failedRuns <= item.failedRunsAtLastMessage) return undefined;
  if (minutesBetween(item.lastMessageAt, now) < config.updateIntervalMinutes) return undefined;
  return withMessage(item, 'updated', now);
}

/**
 * A new episode (the first when `item` is undefined) of `signal.run` and the `earlier` runs that
 * belong to it: one `opened` message.
 */
function opened(
  item: IncidentItem | undefined,
  signal: FailureSignal,
  earlier: readonly FailedRun[],
  now: string,
): Applied {
  const { run } = signal;
  const id = incidentIdOf(signal.key);
  const incident: Incident = {
    id,
    key: signal.key,
    episode: item === undefined ? 1 : item.incident.episode + 1,
    status: 'open',
    openedAt: run.at,
    lastFailureAt: run.at,
    failedRuns: 1,
    first: keptRunOf(run),
    last: keptRunOf(run),
  };
  if (signal.detail !== undefined) incident.detail = signal.detail;
  const fresh: IncidentItem = {
    kind: 'incident',
    id,
    incident,
    countedRuns: [countedRunEntryOf(run)],
    updates: 0,
    lastMessageAt: now,
    failedRunsAtLastMessage: 0,
  };
  return withMessage(countAll(fresh, signal, earlier) ?? fresh, 'opened', now);
}

/** The item with each of `runs` counted that was not yet; undefined when none was new. */
function countAll(
  item: IncidentItem,
  signal: FailureSignal,
  runs: readonly FailedRun[],
): IncidentItem | undefined {
  let next: IncidentItem | undefined;
  for (const failed of runs) {
    const counted = countRun(next ?? item, failed);
    if (counted === undefined) continue;
    const detail = failed === signal.run ? signal.detail : undefined;
    next = { ...counted, incident: withFailure(counted.incident, failed, detail) };
  }
  return next;
}

/** The item with `run` counted, or undefined when it counted already (or may have). */
function countRun(item: IncidentItem, run: FailedRun): IncidentItem | undefined {
  const entry = countedRunEntryOf(run);
  const hash = countedRunHashOf(entry);
  const kept = item.countedRuns.map(compactCountedRun);
  if (kept.some((counted) => countedRunHashOf(counted) === hash)) return undefined;
  if (
    item.droppedUpTo !== undefined &&
    countedRunSecondsOf(entry) <= Math.floor(Date.parse(item.droppedUpTo) / 1000)
  )
    return undefined;
  const countedRuns = [...kept, entry].sort(byCountedRunEntry);
  let dropped: number | undefined =
    item.droppedUpTo === undefined ? undefined : Math.floor(Date.parse(item.droppedUpTo) / 1000);
  while (countedRuns.length > MAX_COUNTED_RUN_IDS) {
    const seconds = countedRunSecondsOf(countedRuns.shift() as string);
    if (dropped === undefined || seconds > dropped) dropped = seconds;
  }
  const next: IncidentItem = { ...item, countedRuns };
  if (dropped !== undefined) next.droppedUpTo = new Date(dropped * 1000).toISOString();
  return next;
}

/** A failed run as an incident item keeps it: its verbatim texts cut at {@link MAX_KEPT_TEXT_CHARS}. */
function keptRunOf(run: FailedRun): FailedRun {
  const kept: FailedRun = { ...run, summary: cut(run.summary) };
  if (run.stoppedReason !== undefined) kept.stoppedReason = cut(run.stoppedReason);
  if (run.reason !== undefined) kept.reason = cut(run.reason);
  return kept;
}

function cut(text: string): string {
  return text.length <= MAX_KEPT_TEXT_CHARS ? text : `${text.slice(0, MAX_KEPT_TEXT_CHARS - 1)}…`;
}

function withFailure(incident: Incident, run: FailedRun, detail: string | undefined): Incident {
  const next: Incident = { ...incident, failedRuns: incident.failedRuns + 1 };
  if (run.at < incident.first.at) {
    next.first = keptRunOf(run);
    next.openedAt = run.at;
  }
  if (run.at >= incident.last.at) {
    next.last = keptRunOf(run);
    next.lastFailureAt = run.at;
    if (detail !== undefined) next.detail = detail;
  }
  return next;
}

function withMessage(item: IncidentItem, kind: IncidentMessageKind, now: string): Applied {
  const updates = kind === 'updated' ? item.updates + 1 : item.updates;
  const next: IncidentItem = {
    ...item,
    updates,
    lastMessageAt: now,
    failedRunsAtLastMessage: item.incident.failedRuns,
  };
  const n = kind === 'updated' ? updates : 0;
  const message: IncidentMessage = {
    messageId: `${item.id}#${item.incident.episode}#${kind}#${n}`,
    kind,
    incident: next.incident,
    createdAt: now,
  };
  if (kind === 'updated')
    message.failedRunsSinceLastMessage = item.incident.failedRuns - item.failedRunsAtLastMessage;
  return changed(next, [message]);
}

function changed(item: NotifierItem, messages: IncidentMessage[], signals: Signal[] = []): Applied {
  return { item, messages, signals };
}

// ---- service watches ----

function newServiceWatch(id: string, place: WatchPlace): ServiceWatch {
  return { kind: 'service', id, ...placeFields(place), recentStops: [] };
}

function applyFailedStop(
  item: ServiceWatch | undefined,
  signal: FailedStopSignal,
  config: NotifyConfig,
): Applied | undefined {
  const watch = item ?? newServiceWatch(signal.target.id, signal.place);
  const { run } = signal;
  if (watch.recentStops.some((stop) => stop.runId === run.runId)) return undefined;
  const signals: Signal[] = [];
  let next: ServiceWatch = watch;
  const failureHeard = heard(next, `failure#${run.category}`, run.at);
  if (failureHeard !== undefined) {
    next = failureHeard.watch;
    signals.push(...failureHeard.signals);
  }
  const stops = [...watch.recentStops, run].sort(
    (a, b) => a.at.localeCompare(b.at) || a.runId.localeCompare(b.runId),
  );
  const kept = stops.slice(-config.crashLoop.stops);
  if (kept.includes(run)) {
    next = { ...next, recentStops: kept };
    const first = kept[0] as FailedRun;
    const last = kept[kept.length - 1] as FailedRun;
    const span = minutesBetween(first.at, last.at);
    if (kept.length >= config.crashLoop.stops && span <= config.crashLoop.withinMinutes) {
      const key: IncidentKey = {
        clusterArn: watch.clusterArn,
        clusterName: watch.clusterName,
        group: watch.group,
        kind: 'crash-loop',
      };
      signals.push({
        type: 'failure',
        target: incidentRefOf(key),
        key,
        run,
        earlier: kept.filter((stop) => stop !== run),
        detail: `${kept.length} tasks stopped in ${Math.max(1, Math.ceil(span))} min`,
      });
      const loopHeard = heard(next, 'crash-loop', run.at);
      if (loopHeard !== undefined) {
        next = loopHeard.watch;
        signals.push(...loopHeard.signals);
      }
    }
  }
  if (next === watch && signals.length === 0) return undefined; // older than every kept stop, heard
  return changed(next, [], signals);
}

function applyDesiredCount(
  item: ServiceWatch | undefined,
  signal: DesiredCountSignal,
): Applied | undefined {
  const watch = item ?? newServiceWatch(signal.target.id, signal.place);
  if (watch.desiredCountAt !== undefined && signal.at <= watch.desiredCountAt) return undefined;
  return changed({ ...watch, desiredCount: signal.desiredCount, desiredCountAt: signal.at }, []);
}

function applyRunningCount(
  item: ServiceWatch | undefined,
  signal: RunningCountSignal,
): Applied | undefined {
  if (item?.desiredCount === undefined) return undefined;
  if (signal.running < item.desiredCount) {
    if (item.belowDesiredSince !== undefined) return undefined;
    return changed({ ...item, belowDesiredSince: signal.at }, []);
  }
  if (item.belowDesiredSince === undefined) return undefined;
  const next: ServiceWatch = { ...item };
  delete next.belowDesiredSince;
  return changed(next, []);
}

// ---- a group's recoveries, routed by its watch ----

type GroupWatch = ServiceWatch | ScheduleWatch;

/** The recovery a watch's group sends its incidents. */
const RECOVERY_OF_WATCH = {
  service: 'steady-state',
  schedule: 'next-run-succeeded',
} as const satisfies Record<GroupWatch['kind'], GroupRecoverySignal['reason']>;

/**
 * The watch having heard a failure of its group's `incident` (`failure#<category>`,
 * `crash-loop`) at `at`, and the recovery it owes that incident when the failure is older than
 * the last recovery it sent (see {@link GroupRecoveryState}); undefined when it knew already.
 */
function heard<W extends GroupWatch>(
  watch: W,
  incident: string,
  at: string,
): { watch: W; signals: Signal[] } | undefined {
  if (watch.recoveredAt !== undefined && at < watch.recoveredAt)
    return {
      watch,
      signals: [recoveryOf(watch, incident, RECOVERY_OF_WATCH[watch.kind], watch.recoveredAt)],
    };
  const known = watch.pending?.[incident];
  if (known !== undefined && known >= at) return undefined;
  return { watch: { ...watch, pending: { ...watch.pending, [incident]: at } }, signals: [] };
}

function recoveryOf(
  watch: GroupWatch,
  incident: string,
  reason: GroupRecoverySignal['reason'],
  at: string,
): Signal {
  return {
    type: 'recovery',
    target: { kind: 'incident', id: `${watch.id}#${incident}` },
    reason,
    at,
  };
}

function newWatchOf(target: GroupRecoverySignal['target'], place: WatchPlace): GroupWatch {
  if (target.kind === 'service') return newServiceWatch(target.id, place);
  return { kind: 'schedule', id: target.id, ...placeFields(place) };
}

function applyFailureNotice(
  item: GroupWatch | undefined,
  signal: FailureNoticeSignal,
): Applied | undefined {
  const watch = item ?? newWatchOf(signal.target, signal.place);
  const noted = heard(watch, signal.incident, signal.at);
  return noted === undefined ? undefined : changed(noted.watch, [], noted.signals);
}

/**
 * A recovery of the group at `at`: a `recovery` for each incident the watch heard a failure of
 * before `at`; nothing (no write) when there is none, or the watch sent a later recovery already.
 */
function applyGroupRecovery(
  item: GroupWatch | undefined,
  signal: GroupRecoverySignal,
): Applied | undefined {
  if (item === undefined) return undefined;
  if (item.recoveredAt !== undefined && signal.at <= item.recoveredAt) return undefined;
  const pending = item.pending ?? {};
  const due = Object.keys(pending)
    .filter((incident) => (pending[incident] as string) < signal.at)
    .sort();
  if (due.length === 0) return undefined;
  const left = { ...pending };
  for (const incident of due) delete left[incident];
  const next: GroupWatch = { ...item, recoveredAt: signal.at };
  if (Object.keys(left).length > 0) next.pending = left;
  else delete next.pending;
  return changed(
    next,
    [],
    due.map((incident) => recoveryOf(item, incident, signal.reason, signal.at)),
  );
}

// ---- schedule watches ----

function applyScheduledStart(
  item: ScheduleWatch | undefined,
  signal: ScheduledStartSignal,
): Applied | undefined {
  const watch: ScheduleWatch = item ?? {
    kind: 'schedule',
    id: signal.target.id,
    ...placeFields(signal.place),
  };
  const kept = scheduleStartEntriesOf(watch);
  const start = countedRunEntryOf(signal);
  const hash = countedRunHashOf(start);
  if (kept.some((entry) => countedRunHashOf(entry) === hash)) return undefined;
  const recentStarts = [...kept, start].sort(byCountedRunEntry).slice(-MAX_SCHEDULE_STARTS);
  if (!recentStarts.includes(start)) return undefined;
  const latest = recentStarts[recentStarts.length - 1] === start;
  const next: ScheduleWatch = { ...watch, recentStarts };
  delete next.starts;
  if (latest || next.startedBy === undefined) next.startedBy = signal.startedBy;
  const signals: Signal[] = [];
  if (latest) {
    const key: IncidentKey = {
      clusterArn: watch.clusterArn,
      clusterName: watch.clusterName,
      group: watch.group,
      kind: 'missed-run',
    };
    signals.push({
      type: 'recovery',
      target: incidentRefOf(key),
      reason: 'ran-again',
      at: signal.at,
    });
  }
  return changed(next, [], signals);
}

function placeFields(place: WatchPlace): WatchPlace {
  return {
    clusterArn: place.clusterArn,
    clusterName: place.clusterName,
    group: place.group,
    account: place.account,
    region: place.region,
  };
}
