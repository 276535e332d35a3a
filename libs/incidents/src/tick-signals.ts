/**
 * The clock's part. Pure: what is due at `now` for the current items. Times of the incidents the
 * clock opens or resolves (silence, quiet periods) are the clock's, the only ones not from records.
 */
import { describeCadence, learnCadence, nextExpectedAfter } from './cadence';
import type { FailedRun, IncidentKey } from './incident';
import { incidentIdOf } from './incident';
import type { IncidentItem, NotifierItem, ScheduleWatch, ServiceWatch, Signal } from './items';
import { incidentRefOf, scheduleStartTimesOf } from './items';
import type { NotifyConfig } from './notify-config';
import { addMinutes, minutesBetween } from './time';

/**
 * The clock's signals for the current items:
 * - open `failure` and `crash-loop` incidents without a failure for `quietPeriodMinutes`: a
 *   `recovery` (`quiet-period`) at `now`;
 * - other open incidents with failures not told yet, once `updateIntervalMinutes` passed since the
 *   last message: `update-due`;
 * - services with a known desired count: `running-count` for the watch when the count of open runs
 *   (`runningByGroup`, keyed `<clusterArn>#<group>`; absent means 0) crosses the desired count; a
 *   `silence` failure once it has been below for longer than `silence.afterMinutes`; a `recovery`
 *   (`running-as-desired`) of an open silence once it is not below any more;
 * - scheduled families with a learnt cadence overdue by more than `missedRun.graceMinutes`: a
 *   `missed-run` failure for the first overdue slot (one per episode; it resolves when the family
 *   runs again).
 *
 * @example
 * for (const signal of tickSignals(items, running, DEFAULT_NOTIFY_CONFIG, clock.now())) apply(signal);
 */
export function tickSignals(
  items: readonly NotifierItem[],
  runningByGroup: ReadonlyMap<string, number>,
  config: NotifyConfig,
  now: string,
): Signal[] {
  const incidents = new Map<string, IncidentItem>();
  for (const item of items) if (item.kind === 'incident') incidents.set(item.id, item);
  const signals: Signal[] = [];
  for (const item of items) {
    if (item.kind === 'incident') signals.push(...incidentSignals(item, config, now));
    else if (item.kind === 'service')
      signals.push(...serviceSignals(item, incidents, runningByGroup, config, now));
    else signals.push(...scheduleSignals(item, incidents, config, now));
  }
  return signals;
}

function incidentSignals(item: IncidentItem, config: NotifyConfig, now: string): Signal[] {
  const incident = item.incident;
  if (incident.status !== 'open') return [];
  const target = { kind: 'incident' as const, id: item.id };
  const quiet = incident.key.kind === 'failure' || incident.key.kind === 'crash-loop';
  if (quiet && minutesBetween(incident.lastFailureAt, now) >= config.quietPeriodMinutes)
    return [{ type: 'recovery', target, reason: 'quiet-period', at: now }];
  if (
    incident.failedRuns > item.failedRunsAtLastMessage &&
    minutesBetween(item.lastMessageAt, now) >= config.updateIntervalMinutes
  )
    return [{ type: 'update-due', target }];
  return [];
}

function serviceSignals(
  watch: ServiceWatch,
  incidents: ReadonlyMap<string, IncidentItem>,
  runningByGroup: ReadonlyMap<string, number>,
  config: NotifyConfig,
  now: string,
): Signal[] {
  const desired = watch.desiredCount;
  if (desired === undefined) return [];
  const running = runningByGroup.get(watch.id) ?? 0;
  const key = keyOf(watch, 'silence');
  const silence = incidents.get(incidentIdOf(key));
  const silent = silence?.incident.status === 'open';
  const target = { kind: 'service' as const, id: watch.id };
  if (running >= desired) {
    const signals: Signal[] = [];
    if (watch.belowDesiredSince !== undefined)
      signals.push({ type: 'running-count', target, running, at: now });
    if (silent)
      signals.push({
        type: 'recovery',
        target: incidentRefOf(key),
        reason: 'running-as-desired',
        at: now,
      });
    return signals;
  }
  const since = watch.belowDesiredSince;
  if (since === undefined) return [{ type: 'running-count', target, running, at: now }];
  const minutes = minutesBetween(since, now);
  if (silent || minutes <= config.silence.afterMinutes) return [];
  const detail = `${running} of ${desired} tasks running for ${Math.floor(minutes)} min`;
  const run: FailedRun = {
    runId: `silence:${since}`,
    at: since,
    category: 'other',
    summary: `fewer tasks running than desired: ${detail}`,
    exitCodes: [],
    account: watch.account,
    region: watch.region,
  };
  return [{ type: 'failure', target: incidentRefOf(key), key, run, detail }];
}

function scheduleSignals(
  watch: ScheduleWatch,
  incidents: ReadonlyMap<string, IncidentItem>,
  config: NotifyConfig,
  now: string,
): Signal[] {
  const starts = scheduleStartTimesOf(watch);
  const last = starts[starts.length - 1];
  if (last === undefined) return [];
  const cadence = learnCadence(starts, { minRuns: config.missedRun.minRuns });
  if (cadence === undefined) return [];
  // One missed run per episode: the first overdue slot. Later slots add nothing a person needs
  // (a job that stopped running would otherwise send an update every interval forever).
  const expected = nextExpectedAfter(cadence, last);
  if (addMinutes(expected, config.missedRun.graceMinutes) >= now) return [];
  const key = keyOf(watch, 'missed-run');
  const runId = `missed:${expected}`;
  const open = incidents.get(incidentIdOf(key));
  if (open?.incident.status === 'open' && open.incident.last.runId === runId) return [];
  const overdue = Math.floor(minutesBetween(expected, now));
  const detail = `${describeCadence(cadence)}, none since ${clockTime(last)} (${overdue} min overdue)`;
  const run: FailedRun = {
    runId,
    at: expected,
    category: 'other',
    summary: `scheduled run missed: expected at ${expected} (${describeCadence(cadence)})`,
    exitCodes: [],
    account: watch.account,
    region: watch.region,
  };
  if (watch.startedBy !== undefined) run.startedBy = watch.startedBy;
  return [{ type: 'failure', target: incidentRefOf(key), key, run, detail }];
}

function keyOf(watch: ServiceWatch | ScheduleWatch, kind: 'silence' | 'missed-run'): IncidentKey {
  return {
    clusterArn: watch.clusterArn,
    clusterName: watch.clusterName,
    group: watch.group,
    kind,
  };
}

/** `HH:MM UTC` of an instant (the run's full time is in the message's failed run). */
function clockTime(at: string): string {
  return `${at.slice(11, 16)} UTC`;
}
