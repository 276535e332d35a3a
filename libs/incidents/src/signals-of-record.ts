/**
 * What a stored record says to the notifier's items. Pure, no clock: the same record always gives
 * the same signals, so a record delivered twice gives the same signals twice, and the items count
 * them once (see `apply-signal.ts`).
 */
import type { AuditRecord, FailureCategory } from '@ecslog/ecs-event-mapper';
import type { TaskRun } from '@ecslog/task-runs';
import { taskRunOf } from '@ecslog/task-runs';
import type { FailedRun } from './incident';
import type { GroupRecoverySignal, Signal, WatchPlace } from './items';
import { failureKeyOf, incidentRefOf, watchIdOf } from './items';
import type { NotifyConfig } from './notify-config';

/**
 * `startedBy` prefixes of scheduled runs. An EventBridge rule's ECS target starts tasks with
 * `events-rule/<rule name>` (ECS's scheduled-tasks docs; the mapper's fixtures). EventBridge
 * Scheduler's ECS target has no StartedBy parameter (its CreateSchedule API reference lists
 * EcsParameters without one): the Scheduler sets it itself, to `chronos-schedule/<schedule name>`
 * ("Chronos" is the Scheduler's internal name) — the prefix a public ECS task classifier found with
 * the search tool (code corpus, `SCHEDULER_PREFIXES = ['events-rule/', 'chronos-schedule/']`)
 * treats as scheduled beside `events-rule/`.
 */
export const SCHEDULED_STARTED_BY_PREFIXES: readonly string[] = [
  'events-rule/',
  'chronos-schedule/',
];

/** True when a run was started by an EventBridge rule or EventBridge Scheduler. */
export function isScheduledStart(startedBy: string | undefined): boolean {
  return (
    startedBy !== undefined &&
    SCHEDULED_STARTED_BY_PREFIXES.some((prefix) => startedBy.startsWith(prefix))
  );
}

/**
 * What one stored record says to the notifier's items (pure, no clock):
 * - a failed run (also a RunTask/StartTask that could not place or start a task): a `failure`
 *   for the `failure` incident of (cluster, group, category), and for a service's task a
 *   `failed-stop` for its watch (crash loops). A Spot interruption of a *service* task is
 *   expected churn (the service replaces it): nothing. Routine churn is `stopped`: nothing.
 * - a succeeded run of a family: a `group-recovery` (`next-run-succeeded`) for the family's watch,
 *   which sends a `recovery` to each of the family's incidents it heard fail before it (one read
 *   when none did, not one per failure category); every failure of a family, a failed deployment
 *   and a refused start also give a `failure-notice` for the group's watch (a service's watch
 *   hears its task failures from their `failed-stop`);
 * - a record that tells the start of a run of a family started by a schedule (`events-rule/…`,
 *   `chronos-schedule/…`): its RunTask/StartTask call (also one that could not place its task:
 *   the schedule fired), its first state changes (PROVISIONING, PENDING) and its STOPPED one (a
 *   backstop for lost early events), not the states between: a `scheduled-start` for its
 *   schedule watch (its start time is what the cadence learns; a StopTask call tells no start);
 * - a failed deployment (SERVICE_DEPLOYMENT_FAILED): a `failure` of the service's
 *   `deployment-failed` incident; a RunTask/StartTask refused with an API error: a `failure` of
 *   the family's `api-error` incident (and a scheduled start when a schedule made the call);
 * - SERVICE_STEADY_STATE: a `group-recovery` (`steady-state`) for the service's watch, sent on
 *   to the service's failure and crash-loop incidents it heard fail;
 * - CreateService/UpdateService with a desired count: a `desired-count` for the service's watch.
 *
 * @example
 * signalsOfRecord(oomStop, DEFAULT_NOTIFY_CONFIG);
 * // [{ type: 'failure', target: { kind: 'incident', id: '…#family:nightly#failure#out-of-memory' }, … }]
 */
export function signalsOfRecord(record: AuditRecord, config: NotifyConfig): Signal[] {
  void config; // every record is signalled: filters decide what is told, not what is kept
  if (record.recordType === 'service-action') return serviceActionSignals(record);
  if (record.recordType === 'api-call' && isServiceCall(record.eventName)) {
    const signal = desiredCountSignal(record);
    if (signal !== undefined) return [signal];
  }
  if (record.recordType === 'deployment') return deploymentSignals(record);
  if (isRefusedStart(record)) return refusedStartSignals(record);
  const run = taskRunOf(record);
  if (run === undefined) return [];
  const group = groupOf(record);
  if (group === undefined) return [];
  const place = placeOf(record, group);
  const isService = group.startsWith('service:');
  const signals: Signal[] = [];
  const status = run.outcome.status;
  if (status === 'failed' && run.outcome.category !== undefined) {
    const category = run.outcome.category;
    if (!(isService && category === 'spot-interruption')) {
      const failed = failedRunOf(record, run.id, category);
      signals.push({
        type: 'failure',
        target: incidentRefOf(failureKeyOf(place, category)),
        key: failureKeyOf(place, category),
        run: failed,
      });
      // The group's watch hears the failure (a service's from its failed stop), to route the
      // group's recoveries.
      if (isService)
        signals.push({
          type: 'failed-stop',
          target: { kind: 'service', id: watchIdOf(place.clusterArn, group) },
          place,
          run: failed,
        });
      else signals.push(failureNotice(place, category, failed.at));
    }
  }
  if (!isService && status === 'succeeded')
    signals.push(groupRecovery(place, 'next-run-succeeded', run.endTime ?? record.eventTime));
  if (!isService && tellsStart(record, run) && isScheduledStart(record.startedBy))
    signals.push({
      type: 'scheduled-start',
      target: { kind: 'schedule', id: watchIdOf(place.clusterArn, group) },
      place,
      runId: run.id,
      at: run.startTime,
      startedBy: record.startedBy as string,
    });
  return signals;
}

/**
 * Task states whose records tell a run's start to a schedule watch: the first state changes
 * (PROVISIONING, PENDING), and STOPPED as a backstop for a run whose early events were lost. The
 * states between (ACTIVATING, RUNNING, DEACTIVATING, STOPPING, DEPROVISIONING…) say nothing the
 * watch does not know from these, so they cost the notifier no read.
 */
export const START_TELLING_STATUSES: readonly string[] = ['PROVISIONING', 'PENDING', 'STOPPED'];

/**
 * Whether a run's record tells its start: a RunTask/StartTask call (and its placement failures),
 * a state change of a {@link START_TELLING_STATUSES} status (or of no known status); never a
 * StopTask call.
 */
function tellsStart(record: AuditRecord, run: TaskRun): boolean {
  if (run.knownOnlyBy === 'stop-call') return false;
  if (record.recordType !== 'task' || record.lastStatus === undefined) return true;
  return START_TELLING_STATUSES.includes(record.lastStatus);
}

/** A failed deployment (SERVICE_DEPLOYMENT_FAILED: the circuit breaker rolled back) fails the service. */
function deploymentSignals(record: AuditRecord): Signal[] {
  if (record.outcome.status !== 'failed' || record.serviceName === undefined) return [];
  const place = placeOf(record, `service:${record.serviceName}`);
  const category = record.outcome.category ?? 'deployment-failed';
  const key = failureKeyOf(place, category);
  const run = failedRunOf(record, record.recordId, category);
  return [
    { type: 'failure', target: incidentRefOf(key), key, run },
    failureNotice(place, category, run.at),
  ];
}

/** A RunTask/StartTask that ECS refused (an API error: no task, no placement failure). */
function isRefusedStart(record: AuditRecord): boolean {
  return (
    record.recordType === 'api-call' &&
    (record.eventName === 'RunTask' || record.eventName === 'StartTask') &&
    record.taskId === undefined &&
    record.outcome.category === 'api-error'
  );
}

/**
 * A refused RunTask/StartTask (AccessDenied for the rule's role, a bad task definition…) fails its
 * family at once, like a placement failure; a scheduled one is also a start (the schedule fired).
 */
function refusedStartSignals(record: AuditRecord): Signal[] {
  const group = groupOf(record);
  if (group === undefined) return [];
  const place = placeOf(record, group);
  const key = failureKeyOf(place, 'api-error');
  const run = failedRunOf(record, record.recordId, 'api-error');
  const signals: Signal[] = [
    { type: 'failure', target: incidentRefOf(key), key, run },
    failureNotice(place, 'api-error', run.at),
  ];
  if (!group.startsWith('service:') && isScheduledStart(record.startedBy))
    signals.push({
      type: 'scheduled-start',
      target: { kind: 'schedule', id: watchIdOf(place.clusterArn, group) },
      place,
      runId: record.recordId,
      at: record.eventTime,
      startedBy: record.startedBy as string,
    });
  return signals;
}

function serviceActionSignals(record: AuditRecord): Signal[] {
  if (record.eventName !== 'SERVICE_STEADY_STATE' || record.serviceName === undefined) return [];
  const place = placeOf(record, `service:${record.serviceName}`);
  return [groupRecovery(place, 'steady-state', record.eventTime)];
}

function isServiceCall(eventName: string | undefined): boolean {
  return eventName === 'CreateService' || eventName === 'UpdateService';
}

function desiredCountSignal(record: AuditRecord): Signal | undefined {
  // Read defensively: records written before the field existed lack it.
  const desiredCount = (record as { desiredCount?: unknown }).desiredCount;
  if (typeof desiredCount !== 'number' || !Number.isSafeInteger(desiredCount) || desiredCount < 0)
    return undefined;
  if (record.serviceName === undefined || record.outcome.status === 'failed') return undefined;
  const place = placeOf(record, `service:${record.serviceName}`);
  return {
    type: 'desired-count',
    target: { kind: 'service', id: watchIdOf(place.clusterArn, place.group) },
    place,
    desiredCount,
    at: record.eventTime,
  };
}

/** A group's recovery, for its watch (which sends it on to the group's incidents it heard fail). */
function groupRecovery(
  place: WatchPlace,
  reason: GroupRecoverySignal['reason'],
  at: string,
): GroupRecoverySignal {
  return { type: 'group-recovery', target: watchRefOf(place), place, reason, at };
}

/** A failure of the group's `failure` incident of `category`, for the group's watch. */
function failureNotice(place: WatchPlace, category: FailureCategory, at: string): Signal {
  return {
    type: 'failure-notice',
    target: watchRefOf(place),
    place,
    incident: `failure#${category}`,
    at,
  };
}

/** The ref of a group's watch: a service's, or a family's (`schedule`, also unscheduled ones). */
function watchRefOf(place: WatchPlace): GroupRecoverySignal['target'] {
  return {
    kind: place.group.startsWith('service:') ? 'service' : 'schedule',
    id: watchIdOf(place.clusterArn, place.group),
  };
}

/** A run's group: as ECS reports it, else from its service or family. */
function groupOf(record: AuditRecord): string | undefined {
  if (record.group !== undefined && record.group !== '') return record.group;
  if (record.serviceName !== undefined) return `service:${record.serviceName}`;
  if (record.family !== undefined) return `family:${record.family}`;
  return undefined;
}

function placeOf(record: AuditRecord, group: string): WatchPlace {
  return {
    clusterArn: record.clusterArn,
    clusterName: record.clusterName,
    group,
    account: record.account,
    region: record.region,
  };
}

/** The failed run as an incident's messages tell it. */
export function failedRunOf(
  record: AuditRecord,
  runId: string,
  category: FailureCategory,
): FailedRun {
  const failed: FailedRun = {
    runId,
    at: record.stoppedAt ?? record.eventTime,
    category,
    summary: record.outcome.summary,
    exitCodes: (record.containers ?? []).flatMap((container) =>
      container.exitCode === undefined
        ? []
        : [{ container: container.name, exitCode: container.exitCode }],
    ),
    account: record.account,
    region: record.region,
  };
  if (record.taskId !== undefined) failed.taskId = record.taskId;
  if (record.stoppedReason !== undefined) failed.stoppedReason = record.stoppedReason;
  if (record.stopCode !== undefined) failed.stopCode = record.stopCode;
  if (record.reason !== undefined) failed.reason = record.reason;
  if (record.startedBy !== undefined) failed.startedBy = record.startedBy;
  return failed;
}
