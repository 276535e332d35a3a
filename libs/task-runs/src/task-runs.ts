/**
 * Task runs: what ecslog stores, lists and draws. Pure.
 *
 * A run is one task, from its creation (or the call that started it) to its end, or a RunTask or
 * StartTask call that could not place or start a task (a run that never started). Every record
 * that makes a run has a **rank**; the record of the highest rank tells the run: a task's state
 * change by its version (ECS counts versions per task), above any API call about the task (history
 * replayed from CloudTrail), calls among themselves by time. The store keeps exactly that record
 * per run, so a run is a pure function of the set of its records, whatever their order.
 *
 * A run's end is explicit ({@link RunEnd}): `open` (still running), `stopped` (at its stoppedAt,
 * or the StopTask call that stopped it), `not-started`, `not-recorded` (known only by the call that
 * started it: shown at its start, never as running forever), or `closed` (by a later writer that
 * knows it ended without its STOPPED state change, see {@link RunClosure}).
 */
import type { AuditRecord, Outcome, OutcomeStatus } from '@ecslog/ecs-event-mapper';
import { TASK_LAST_STATUSES as ECS_TASK_LAST_STATUSES } from '@ecslog/ecs-event-mapper';
import { parseTime } from './iso-time';

/** How a run ended, or that it has not: see the module's comment. */
export type RunEnd = 'open' | 'stopped' | 'not-started' | 'not-recorded' | 'closed';

/**
 * A later writer's word that a run has ended although its STOPPED state change was never
 * recorded (a reconciler that asked ECS, or found the task gone): when, and why it says so.
 */
export interface RunClosure {
  /** ISO-8601 UTC: the run's end as far as the closer knows. */
  at: string;
  reason: string;
}

export interface TaskRun {
  /**
   * The run's identity: its task's ARN, or for a task that never started the failure record's id.
   */
  id: string;
  /** The record that tells the run (the highest rank), or the failure record of a task that never started. */
  record: AuditRecord;
  /** When the run began: the task's createdAt, else its record's time. */
  startTime: string;
  /**
   * When the run ended: its stoppedAt (or its STOPPED record's time), the time of the StopTask
   * call that stopped it, or its closure's. Absent while it is open, and when it is not recorded.
   */
  endTime?: string;
  end: RunEnd;
  /** True for a placement or start failure: no task was created. */
  neverStarted: boolean;
  /**
   * Set when the run is told by an API call, not by a state change of its task: `start-call`
   * (RunTask, StartTask: the run's course and end are not recorded) or `stop-call` (StopTask: the
   * run ended with the call).
   */
  knownOnlyBy?: 'start-call' | 'stop-call';
  /** The task's lastStatus as its state changes tell it; absent for a run known by calls only. */
  lastStatus?: string;
  /** The run's outcome: its record's, or what a call that alone tells of the run says. */
  outcome: Outcome;
  /** Set when a later writer closed the run. */
  closure?: RunClosure;
}

/** The instants a run covers, epoch ms: `end` is +Infinity while it is open. */
export interface RunSpan {
  start: number;
  end: number;
}

/** A window of time, ISO-8601 instants, both ends inclusive. */
export interface TimeWindow {
  from: string;
  to: string;
}

/**
 * True when `record` makes (or tells) a run: a task's state change, an API call about a task, or
 * a placement or start failure of a RunTask/StartTask call.
 */
export function makesRun(record: AuditRecord): boolean {
  return (
    record.recordType === 'task' ||
    (record.recordType === 'api-call' && (record.taskId !== undefined || isStartFailure(record)))
  );
}

/**
 * The key of the run a record belongs to: its task's ARN, or for a start failure its own record id
 * (each failure is a run of its own). Undefined for records that make no run.
 */
export function runIdOf(record: AuditRecord): string | undefined {
  if (!makesRun(record)) return undefined;
  return record.recordType === 'api-call' && record.taskId === undefined
    ? record.recordId
    : record.resourceArn;
}

/**
 * The rank of a record within its run, as a string whose order is the ranks' order: state changes
 * by version (`2#<version, 10 digits>`), above API calls about the task by time
 * (`1#<eventTime>#<recordId>`); a start failure is a run of its own (`0`). A closure ranks just
 * above the record it closes ({@link closureRankOf}) and below any later state change.
 */
export function runRankOf(record: AuditRecord): string {
  if (record.recordType === 'task') return `2#${String(record.version ?? 0).padStart(10, '0')}`;
  if (record.taskId !== undefined) return `1#${record.eventTime}#${record.recordId}`;
  return '0';
}

/** The rank of a closure of the run whose highest record has rank `rank`. */
export function closureRankOf(rank: string): string {
  return `${rank}#closed`;
}

/**
 * The run a record tells (see {@link runRankOf} for which record that is), closed by `closure`
 * when a later writer closed it. Undefined for records that make no run.
 *
 * @example
 * taskRunOf(stoppedRecord).end;                 // 'stopped'
 * taskRunOf(runningRecord, { at, reason }).end; // 'closed'
 */
export function taskRunOf(record: AuditRecord, closure?: RunClosure): TaskRun | undefined {
  if (!makesRun(record)) return undefined;
  const id = runIdOf(record) as string;
  const run =
    record.recordType === 'task'
      ? runOfStateChange(id, record)
      : record.taskId !== undefined
        ? runOfCall(id, record)
        : ({
            id,
            record,
            startTime: record.eventTime,
            end: 'not-started',
            neverStarted: true,
            outcome: record.outcome,
          } satisfies TaskRun);
  if (closure === undefined || run.end !== 'open') return run;
  return {
    ...run,
    endTime: closure.at < run.startTime ? run.startTime : closure.at,
    end: 'closed',
    closure,
    outcome: {
      status: 'info',
      summary: `closed without its STOPPED state change: ${closure.reason}`,
    },
  };
}

/**
 * The instants a run covers: its start to its end; a run that never started, or whose end is not
 * recorded, covers its start only; an open run covers every instant from its start on.
 */
export function runSpanOf(run: Pick<TaskRun, 'startTime' | 'endTime' | 'end'>): RunSpan {
  const start = parseTime(run.startTime);
  if (run.end === 'open') return { start, end: Number.POSITIVE_INFINITY };
  const end = run.endTime === undefined ? start : parseTime(run.endTime);
  return { start, end: Math.max(start, end) };
}

/** True when the run was active at some instant of the window (both ends inclusive). */
export function isActiveDuring(
  run: Pick<TaskRun, 'startTime' | 'endTime' | 'end'>,
  window: TimeWindow,
): boolean {
  const span = runSpanOf(run);
  return span.start <= parseTime(window.to) && span.end >= parseTime(window.from);
}

/**
 * The runs any records make, each told by its highest-ranked record ({@link runRankOf}), ordered
 * by start time (then id). What the store keeps per run, computed from a bag of records: the model
 * the store is tested against, and how a task's own history reads.
 */
export function toTaskRuns(records: readonly AuditRecord[]): TaskRun[] {
  const top = new Map<string, { record: AuditRecord; rank: string }>();
  for (const record of records) {
    const id = runIdOf(record);
    if (id === undefined) continue;
    const rank = runRankOf(record);
    const current = top.get(id);
    if (current === undefined || rank > current.rank) top.set(id, { record, rank });
  }
  return sortRuns([...top.values()].map(({ record }) => taskRunOf(record) as TaskRun));
}

/** Runs by start time, then id. */
export function sortRuns(runs: readonly TaskRun[]): TaskRun[] {
  return [...runs].sort(
    (a, b) => a.startTime.localeCompare(b.startTime) || a.id.localeCompare(b.id),
  );
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

function runOfStateChange(id: string, record: AuditRecord): TaskRun {
  const stopped = record.lastStatus === 'STOPPED';
  const endTime = stopped ? (record.stoppedAt ?? record.eventTime) : undefined;
  return {
    id,
    record,
    startTime: record.createdAt ?? record.eventTime,
    ...(endTime !== undefined && { endTime }),
    end: stopped ? 'stopped' : 'open',
    neverStarted: false,
    ...(record.lastStatus !== undefined && { lastStatus: record.lastStatus }),
    outcome: record.outcome,
  };
}

/**
 * A run told by an API call about its task. The call's response describes the task as it was at
 * the call (PROVISIONING, or still RUNNING when asked to stop), so that is not the run's status;
 * the call's own outcome (a RunTask's "in-progress") says nothing of it later either.
 */
function runOfCall(id: string, call: AuditRecord): TaskRun {
  const startTime =
    call.createdAt !== undefined && call.createdAt <= call.eventTime
      ? call.createdAt
      : call.eventTime;
  if (call.eventName === 'StopTask')
    return {
      id,
      record: call,
      startTime,
      endTime: call.eventTime,
      end: 'stopped',
      neverStarted: false,
      knownOnlyBy: 'stop-call',
      outcome: { status: 'stopped', summary: call.outcome.summary },
    };
  return {
    id,
    record: call,
    startTime,
    end: 'not-recorded',
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
