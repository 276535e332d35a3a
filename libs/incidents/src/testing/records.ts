/**
 * Realistic records for this library's tests: the mapper's fixtures, re-timed and given invented
 * task ids, so a test can make a burst of failures of one service or family.
 */
import type { AuditRecord, Outcome } from '@ecslog/ecs-event-mapper';
import { fixtureRecords } from '@ecslog/ecs-event-mapper/testing';

function only(path: string): AuditRecord {
  const records = fixtureRecords(path);
  if (records.length !== 1) throw new Error(`${path}: expected one record, got ${records.length}`);
  return records[0] as AuditRecord;
}

/** service:queue-worker in prod-web (eu-west-1): a task killed for out of memory. */
export const SERVICE_OOM = only('eventbridge/task-stopped-oom.json');
/** service:api in prod-web: the essential container exited with code 1. */
export const SERVICE_EXIT = only('eventbridge/task-stopped-essential-exit.json');
/** service:thumbnailer in batch (us-east-1): a Spot interruption. */
export const SERVICE_SPOT = only('eventbridge/task-stopped-spot.json');
/** service:web in prod-web: stopped by the scheduler (scale-in churn). */
export const SERVICE_CHURN = only('eventbridge/task-lifecycle-07-stopped.json');
/** service:web in prod-web reached a steady state. */
export const STEADY_STATE = only('eventbridge/service-action-steady-state.json');
/** UpdateService of web-api in prod-web, desired count 6. */
export const UPDATE_SERVICE = only('cloudtrail/update-service.json');
/** family:nightly-report in batch, started by events-rule/nightly-report: succeeded. */
export const FAMILY_SUCCEEDED = only('eventbridge/task-stopped-succeeded.json');
/** A RunTask of nightly-report (events-rule) that could not place its task: RESOURCE:MEMORY. */
export const FAMILY_PLACEMENT = only('cloudtrail/runtask-placement-failure-only.json');

const TASK_ID = /[0-9a-f]{32}/;

/** A hex task id from a number (invented, distinct per number). */
export function taskIdOf(n: number): string {
  return n.toString(16).padStart(8, '0').repeat(4);
}

/**
 * `base` as another task's record: `taskId` (its ARN and record id follow), stopped at `at` (or
 * running then, with `running`), started `runMinutes` before.
 */
export function taskRecord(
  base: AuditRecord,
  options: {
    taskId: string;
    at: string;
    runMinutes?: number;
    outcome?: Outcome;
    running?: boolean;
    version?: number;
  },
): AuditRecord {
  const created = new Date(
    Date.parse(options.at) - (options.runMinutes ?? 5) * 60_000,
  ).toISOString();
  const record: AuditRecord = {
    ...base,
    taskId: options.taskId,
    resourceArn: base.resourceArn.replace(TASK_ID, options.taskId),
    createdAt: created,
    startedAt: created,
    eventTime: options.at,
    outcome: options.outcome ?? base.outcome,
  };
  record.version = options.version ?? base.version;
  record.recordId = `task:${record.resourceArn}:v${record.version ?? 0}`;
  if (options.running) {
    delete record.stoppedAt;
    delete record.stoppedReason;
    record.lastStatus = 'RUNNING';
    record.outcome = { status: 'in-progress', summary: 'running' };
    record.version = 3;
    record.recordId = `task:${record.resourceArn}:v3`;
    record.containers = base.containers?.map(({ exitCode: _exitCode, ...container }) => container);
  } else {
    record.stoppedAt = options.at;
  }
  return record;
}

/** A failed outcome of nightly-report's report container. */
export const FAMILY_EXIT_OUTCOME: Outcome = {
  status: 'failed',
  category: 'essential-container-exited',
  summary: 'container report exited with code 1',
};
