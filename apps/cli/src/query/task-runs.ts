/**
 * Task runs from audit records: what `ecslog tasks` lists. Pure.
 *
 * A run is one task, told by its latest record in the range (highest version; ECS counts versions
 * per task). A RunTask or StartTask call that could not place or start a task is a run that never
 * started, told by its failure record. An API call's record about a task that has state changes
 * of its own stands for that task only when none of them is in the range.
 */
import type { AuditRecord, OutcomeStatus } from '@ecslog/ecs-event-mapper';

export interface TaskRun {
  /** The task's latest record in the range, or the failure record of a task that never started. */
  record: AuditRecord;
  /** When the run began: the task's createdAt, else its record's time. */
  startTime: string;
  /** True for a placement or start failure: no task was created. */
  neverStarted: boolean;
}

/** The `--status` values: an outcome, `not-started`, or a task's lastStatus (RUNNING, STOPPED…). */
export const OUTCOME_FILTERS: readonly (OutcomeStatus | 'not-started')[] = [
  'in-progress',
  'succeeded',
  'failed',
  'stopped',
  'not-started',
];

/** Runs, ordered by start time (then task), from any records of a range. */
export function toTaskRuns(records: readonly AuditRecord[]): TaskRun[] {
  const tasks = new Map<string, AuditRecord>();
  const calls = new Map<string, AuditRecord>();
  const neverStarted: AuditRecord[] = [];
  for (const record of records) {
    if (record.recordType === 'task') {
      const current = tasks.get(record.resourceArn);
      if (!current || isLater(record, current)) tasks.set(record.resourceArn, record);
    } else if (record.recordType === 'api-call' && record.taskId !== undefined) {
      const current = calls.get(record.resourceArn);
      if (!current || record.eventTime > current.eventTime) calls.set(record.resourceArn, record);
    } else if (record.recordType === 'api-call' && isStartFailure(record)) {
      neverStarted.push(record);
    }
  }
  for (const [arn, call] of calls) if (!tasks.has(arn)) tasks.set(arn, call);

  const runs: TaskRun[] = [
    ...[...tasks.values()].map((record) => ({
      record,
      startTime: record.createdAt ?? record.eventTime,
      neverStarted: false,
    })),
    ...neverStarted.map((record) => ({ record, startTime: record.eventTime, neverStarted: true })),
  ];
  return runs.sort(
    (a, b) =>
      a.startTime.localeCompare(b.startTime) || a.record.recordId.localeCompare(b.record.recordId),
  );
}

/** Keeps the runs `--status` names (case-insensitive): an outcome, `not-started` or a lastStatus. */
export function filterRunsByStatus(
  runs: readonly TaskRun[],
  status: string | undefined,
): TaskRun[] {
  if (status === undefined) return [...runs];
  const wanted = status.toLowerCase();
  return runs.filter(({ record, neverStarted }) =>
    wanted === 'not-started'
      ? neverStarted
      : record.outcome.status === wanted ||
        (!neverStarted && record.lastStatus?.toLowerCase() === wanted),
  );
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
