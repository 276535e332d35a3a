/**
 * Realistic records for the notifier's tests: the mapper's fixtures, re-timed and given invented
 * task ids, so a test can make a failure burst of a service or family and its recovery.
 */
import type { AuditRecord, Outcome } from '@ecslog/ecs-event-mapper';
import { fixtureRecords } from '@ecslog/ecs-event-mapper/testing';

function only(path: string): AuditRecord {
  const records = fixtureRecords(path);
  if (records.length !== 1) throw new Error(`${path}: expected one record, got ${records.length}`);
  return records[0] as AuditRecord;
}

const OOM_STOP = only('eventbridge/task-stopped-oom.json');
const STEADY_STATE = only('eventbridge/service-action-steady-state.json');
const FAMILY_RUN = only('eventbridge/task-stopped-succeeded.json');
const UPDATE_SERVICE = only('cloudtrail/update-service.json');

/** The cluster of the service fixtures (prod-web, eu-west-1) and of the family ones (batch). */
export const PROD_WEB_CLUSTER = OOM_STOP.clusterArn;
export const BATCH_CLUSTER = FAMILY_RUN.clusterArn;

export const OOM_OUTCOME: Outcome = OOM_STOP.outcome;
export const EXIT_OUTCOME: Outcome = {
  status: 'failed',
  category: 'essential-container-exited',
  summary: 'container worker exited with code 1',
};

const TASK_ID = /[0-9a-f]{32}/;

/** A hex task id from a number (invented, distinct per number). */
export function taskIdOf(n: number): string {
  return n.toString(16).padStart(8, '0').repeat(4);
}

function asTask(
  base: AuditRecord,
  options: { taskId: string; at: string; outcome: Outcome; runMinutes?: number },
): AuditRecord {
  const created = new Date(
    Date.parse(options.at) - (options.runMinutes ?? 5) * 60_000,
  ).toISOString();
  const resourceArn = base.resourceArn.replace(TASK_ID, options.taskId);
  return {
    ...base,
    taskId: options.taskId,
    resourceArn,
    recordId: `task:${resourceArn}:v${base.version ?? 0}`,
    createdAt: created,
    startedAt: created,
    eventTime: options.at,
    stoppedAt: options.at,
    outcome: options.outcome,
  };
}

/** A failed stop of a task of `service` in prod-web (OOM unless another outcome is given). */
export function serviceStop(options: {
  service: string;
  taskId: string;
  at: string;
  outcome?: Outcome;
}): AuditRecord {
  return {
    ...asTask(OOM_STOP, {
      taskId: options.taskId,
      at: options.at,
      outcome: options.outcome ?? OOM_OUTCOME,
    }),
    serviceName: options.service,
    group: `service:${options.service}`,
    family: options.service,
  };
}

/** SERVICE_STEADY_STATE of `service` in prod-web at `at`. */
export function steadyState(service: string, at: string): AuditRecord {
  return {
    ...STEADY_STATE,
    recordId: `service-action:steady-${service}-${at}`,
    resourceArn: STEADY_STATE.resourceArn.replace(/\/web$/, `/${service}`),
    serviceName: service,
    eventTime: at,
    outcome: { status: 'info', summary: `service ${service} reached a steady state` },
  };
}

/** A run of family `family` in batch, started by hand (no schedule: no cadence to learn). */
export function familyRun(options: {
  family: string;
  taskId: string;
  at: string;
  outcome: Outcome;
}): AuditRecord {
  const record: AuditRecord = {
    ...asTask(FAMILY_RUN, options),
    family: options.family,
    group: `family:${options.family}`,
  };
  record.startedBy = 'ops-console';
  return record;
}

export const FAMILY_EXIT_OUTCOME: Outcome = {
  status: 'failed',
  category: 'essential-container-exited',
  summary: 'container report exited with code 1',
};
export const SUCCEEDED_OUTCOME: Outcome = FAMILY_RUN.outcome;

/** An UpdateService call of `service` in prod-web setting its desired count. */
export function updateService(service: string, desiredCount: number, at: string): AuditRecord {
  return {
    ...UPDATE_SERVICE,
    clusterArn: PROD_WEB_CLUSTER,
    clusterName: 'prod-web',
    recordId: `api-call:update-${service}-${at}`,
    serviceName: service,
    eventTime: at,
    desiredCount,
  } as AuditRecord;
}
