/**
 * Task runs from audit records: what `ecslog tasks` lists. Pure.
 *
 * A run is one task, told by its latest record in the range (highest version; ECS counts versions
 * per task). A RunTask or StartTask call that could not place or start a task is a run that never
 * started, told by its failure record. An API call's record about a task that has state changes
 * of its own stands for that task only when none of them is in the range — history replayed from
 * CloudTrail holds nothing else — and then tells only what the call does: a RunTask or StartTask
 * call that the task was started, not that it is still running; a StopTask call that it was
 * stopped then.
 */
import type { AuditRecord, Outcome, OutcomeStatus } from '@ecslog/ecs-event-mapper';
import { TASK_LAST_STATUSES as ECS_TASK_LAST_STATUSES } from '@ecslog/ecs-event-mapper';

export interface TaskRun {
  /** The task's latest record in the range, or the failure record of a task that never started. */
  record: AuditRecord;
  /** When the run began: the task's createdAt, else its record's time. */
  startTime: string;
  /**
   * When the run ended: its stoppedAt (or its STOPPED record's time), or the time of the StopTask
   * call that stopped it. Absent while it runs, and when that is not recorded.
   */
  endTime?: string;
  /** True for a placement or start failure: no task was created. */
  neverStarted: boolean;
  /**
   * Set when the store holds none of the task's state changes in the range, only the latest API
   * call about it: `start-call` (RunTask, StartTask: the run's course and end are not recorded)
   * or `stop-call` (StopTask: the run ended with the call).
   */
  knownOnlyBy?: 'start-call' | 'stop-call';
  /** The task's lastStatus as its state changes tell it; absent for a run known by calls only. */
  lastStatus?: string;
  /** The run's outcome: its record's, or what a call that alone tells of the run says. */
  outcome: Outcome;
}

/**
 * The `--status` values: an outcome (`info`: a run known only by the call that started it),
 * `not-started`, or a task's lastStatus (RUNNING, STOPPED…).
 */
export const OUTCOME_FILTERS: readonly (OutcomeStatus | 'not-started')[] = [
  'in-progress',
  'succeeded',
  'failed',
  'stopped',
  'info',
  'not-started',
];

/** A task's lastStatus values (ECS's order), which `--status` takes too, in any case. */
export const TASK_LAST_STATUSES: readonly string[] = ECS_TASK_LAST_STATUSES;

/** A status filter that names neither an outcome nor a last status; the message lists both. */
export class BadStatusError extends Error {
  override readonly name = 'BadStatusError';
}

const ACCEPTED_STATUSES = new Set<string>([
  ...OUTCOME_FILTERS,
  ...TASK_LAST_STATUSES.map((status) => status.toLowerCase()),
]);

/**
 * Checks a status filter as `ecslog tasks --status` and the web view's `status=` take it: an
 * {@link OUTCOME_FILTERS} value or a {@link TASK_LAST_STATUSES} value, in any case. Returns it
 * trimmed (undefined when absent or blank: no filter); anything else is a {@link BadStatusError}.
 *
 * @example
 * parseStatusFilter('running'); // 'running'
 * parseStatusFilter('faild');   // throws: status must be one of in-progress, succeeded, …, got "faild"
 */
export function parseStatusFilter(text: string | undefined): string | undefined {
  const status = text?.trim();
  if (status === undefined || status === '') return undefined;
  if (!ACCEPTED_STATUSES.has(status.toLowerCase()))
    throw new BadStatusError(
      `status must be one of ${[...OUTCOME_FILTERS, ...TASK_LAST_STATUSES].join(', ')}, got "${status}"`,
    );
  return status;
}

/** Runs, ordered by start time (then task), from any records of a range. */
export function toTaskRuns(records: readonly AuditRecord[]): TaskRun[] {
  const tasks = new Map<string, AuditRecord>();
  const calls = new Map<string, AuditRecord>();
  /** Per task known by calls: the earliest start any of its calls tells. */
  const callStarts = new Map<string, string>();
  const neverStarted: AuditRecord[] = [];
  for (const record of records) {
    if (record.recordType === 'task') {
      const current = tasks.get(record.resourceArn);
      if (!current || isLater(record, current)) tasks.set(record.resourceArn, record);
    } else if (record.recordType === 'api-call' && record.taskId !== undefined) {
      const current = calls.get(record.resourceArn);
      if (!current || record.eventTime > current.eventTime) calls.set(record.resourceArn, record);
      const start = record.createdAt ?? record.eventTime;
      const earliest = callStarts.get(record.resourceArn);
      if (earliest === undefined || start < earliest) callStarts.set(record.resourceArn, start);
    } else if (record.recordType === 'api-call' && isStartFailure(record)) {
      neverStarted.push(record);
    }
  }
  const runs: TaskRun[] = [
    ...[...tasks.values()].map(runOfStateChange),
    ...[...calls]
      .filter(([arn]) => !tasks.has(arn))
      .map(([arn, call]) => runOfCall(call, callStarts.get(arn) as string)),
    ...neverStarted.map((record): TaskRun => ({
      record,
      startTime: record.eventTime,
      neverStarted: true,
      outcome: record.outcome,
    })),
  ];
  return runs.sort(
    (a, b) =>
      a.startTime.localeCompare(b.startTime) || a.record.recordId.localeCompare(b.record.recordId),
  );
}

/**
 * Keeps the runs `--status` names (case-insensitive): an outcome, `not-started` or a lastStatus
 * (checked first with {@link parseStatusFilter}).
 */
export function filterRunsByStatus(
  runs: readonly TaskRun[],
  status: string | undefined,
): TaskRun[] {
  if (status === undefined) return [...runs];
  const wanted = status.toLowerCase();
  return runs.filter(({ neverStarted, outcome, lastStatus }) =>
    wanted === 'not-started'
      ? neverStarted
      : outcome.status === wanted || lastStatus?.toLowerCase() === wanted,
  );
}

function runOfStateChange(record: AuditRecord): TaskRun {
  const endTime =
    record.stoppedAt ?? (record.lastStatus === 'STOPPED' ? record.eventTime : undefined);
  return {
    record,
    startTime: record.createdAt ?? record.eventTime,
    ...(endTime !== undefined && { endTime }),
    neverStarted: false,
    ...(record.lastStatus !== undefined && { lastStatus: record.lastStatus }),
    outcome: record.outcome,
  };
}

/**
 * A run known only by the latest API call about it. The call's response describes the task as
 * it was at the call (PROVISIONING, or still RUNNING when asked to stop), so that is not the run's
 * status; the call's own outcome (a RunTask's "in-progress") says nothing of it later either.
 */
function runOfCall(call: AuditRecord, startTime: string): TaskRun {
  if (call.eventName === 'StopTask')
    return {
      record: call,
      startTime,
      endTime: call.eventTime,
      neverStarted: false,
      knownOnlyBy: 'stop-call',
      outcome: { status: 'stopped', summary: call.outcome.summary },
    };
  return {
    record: call,
    startTime,
    neverStarted: false,
    knownOnlyBy: 'start-call',
    outcome: {
      status: 'info',
      summary: `${call.outcome.summary}; no state change of the task is recorded after the call`,
    },
  };
}

/** A placement failure or a start failure inside a RunTask/StartTask call. */
function isStartFailure(record: AuditRecord): boolean {
  return record.outcome.category === 'placement' || record.outcome.category === 'start-failure';
}

function isLater(a: AuditRecord, b: AuditRecord): boolean {
  if (a.version !== undefined && b.version !== undefined && a.version !== b.version)
    return a.version > b.version;
  return a.eventTime > b.eventTime;
}
