import type { AuditRecord, Outcome } from './audit-record';
import { createAuditRecord } from './audit-record';
import { classifyReason, classifyStop } from './classify-stop';
import { clusterArnInResourceArn, clusterNameOf, isArnOfType, serviceNameOf } from './ecs-arn';
import type { EventBridgeEnvelope } from './eventbridge-envelope';
import type { FieldReader } from './field-reader';
import type { Problem } from './map-result';
import { withSummaryLine } from './summary-line';
import { readTask } from './task-fields';

/**
 * Mappers for the four ECS state-change detail-types. Each returns one record, or undefined
 * when problems were recorded (the caller turns those into an `invalid` result).
 */

const IN_PROGRESS: Outcome = { status: 'in-progress', summary: '' };

export function mapTaskStateChange(
  envelope: EventBridgeEnvelope,
  detail: FieldReader,
  problems: Problem[],
) {
  const clusterArn = detail.requiredString('clusterArn');
  const clusterName = clusterArn ? clusterNameOf(clusterArn) : undefined;
  if (clusterArn && !clusterName)
    detail.problem('clusterArn', `is not a cluster ARN: ${clusterArn}`);
  // The task's fields are read straight into the record: no intermediate copy on the hot path.
  const draft = newRecord(
    envelope,
    '',
    'task',
    undefined,
    clusterArn,
    clusterName ?? '',
    '',
    IN_PROGRESS,
  );
  const taskArn = readTask(detail, draft);
  if (draft.lastStatus === undefined) detail.requirePresent('lastStatus');
  if (draft.version === undefined) detail.requirePresent('version');
  const updatedAt = detail.timestampValue(detail.fields['updatedAt'], 'updatedAt');
  if (problems.length > 0 || !clusterName) return undefined;
  draft.recordId = `task:${taskArn}:v${draft.version}`;
  draft.resourceArn = taskArn;
  // ECS always sends updatedAt; without it, the latest time the task itself carries, so that a
  // duplicate delivery (another envelope time) still gives the very same record.
  draft.eventTime = updatedAt ?? latestTaskTime(draft) ?? envelope.time;
  draft.outcome = withSummaryLine(classifyStop(draft));
  return draft;
}

export function mapContainerInstanceStateChange(
  envelope: EventBridgeEnvelope,
  detail: FieldReader,
  problems: Problem[],
) {
  const d = detail.fields; // fields loaded by name, as in readTask
  const containerInstanceArn = detail.requiredStringValue(
    d['containerInstanceArn'],
    'containerInstanceArn',
  );
  const clusterArn = detail.requiredStringValue(d['clusterArn'], 'clusterArn');
  const version = detail.integerValue(d['version'], 'version');
  if (version === undefined) detail.requirePresent('version');
  const status = detail.stringValue(d['status'], 'status');
  const agentConnected = detail.booleanValue(d['agentConnected'], 'agentConnected');
  const statusReason = detail.stringValue(d['statusReason'], 'statusReason');
  const ec2InstanceId = detail.stringValue(d['ec2InstanceId'], 'ec2InstanceId');
  const runningTasksCount = detail.integerValue(d['runningTasksCount'], 'runningTasksCount');
  const pendingTasksCount = detail.integerValue(d['pendingTasksCount'], 'pendingTasksCount');
  const updatedAt = detail.timestampValue(d['updatedAt'], 'updatedAt');
  const clusterName = clusterArn ? clusterNameOf(clusterArn) : undefined;
  if (clusterArn && !clusterName)
    detail.problem('clusterArn', `is not a cluster ARN: ${clusterArn}`);
  if (problems.length > 0 || !clusterName) return undefined;
  const instance = ec2InstanceId ? `${ec2InstanceId} ` : '';
  const agent = agentConnected === false ? ', agent disconnected' : '';
  const why = statusReason ? `: ${statusReason}` : '';
  const record = newRecord(
    envelope,
    `container-instance:${containerInstanceArn}:v${version}`,
    'container-instance',
    updatedAt,
    clusterArn,
    clusterName,
    containerInstanceArn,
    {
      status: 'info',
      summary: `container instance ${instance}${status ?? 'changed'}${agent}${why}`,
    },
  );
  if (ec2InstanceId !== undefined) record.ec2InstanceId = ec2InstanceId;
  if (agentConnected !== undefined) record.agentConnected = agentConnected;
  if (status !== undefined) record.lastStatus = status;
  record.version = version;
  if (statusReason !== undefined) record.reason = statusReason;
  if (runningTasksCount !== undefined) record.runningTasksCount = runningTasksCount;
  if (pendingTasksCount !== undefined) record.pendingTasksCount = pendingTasksCount;
  return record;
}

/** Service Action events that report a failure, and its category. */
const SERVICE_ACTION_FAILURES: Readonly<Record<string, Outcome['category']>> = {
  SERVICE_TASK_PLACEMENT_FAILURE: 'placement',
  SERVICE_TASK_START_IMPAIRED: 'start-failure',
  SERVICE_TASK_CONFIGURATION_FAILURE: 'start-failure',
  SERVICE_DISCOVERY_INSTANCE_UNHEALTHY: 'health-check',
};

/** How a summary says what a service action means; unknown names are shown as they are. */
const SERVICE_ACTION_PHRASES: Readonly<Record<string, string>> = {
  SERVICE_STEADY_STATE: 'reached a steady state',
  SERVICE_TASK_PLACEMENT_FAILURE: 'could not place a task',
  SERVICE_TASK_START_IMPAIRED: 'cannot start tasks successfully',
  SERVICE_TASK_CONFIGURATION_FAILURE: 'has a task configuration failure',
  SERVICE_DISCOVERY_INSTANCE_UNHEALTHY: 'has an unhealthy service discovery instance',
  SERVICE_DESIRED_COUNT_UPDATED: 'desired count updated',
  TASKS_STOPPED: 'stopped tasks',
  ECS_OPERATION_THROTTLED: 'was throttled by ECS',
  SERVICE_DAEMON_PLACEMENT_CONSTRAINT_VIOLATED: 'has a daemon placement constraint violated',
};

export function mapServiceAction(
  envelope: EventBridgeEnvelope,
  detail: FieldReader,
  problems: Problem[],
) {
  const d = detail.fields;
  const eventName = detail.requiredStringValue(d['eventName'], 'eventName');
  const eventType = detail.stringValue(d['eventType'], 'eventType');
  const reason = detail.stringValue(d['reason'], 'reason');
  const serviceArn = serviceArnOf(envelope, detail);
  const clusterArn = clusterArnOfServiceEvent(detail, serviceArn);
  const clusterName = clusterArn ? clusterNameOf(clusterArn) : undefined;
  if (!clusterName) {
    detail.problem(
      'clusterArn',
      'is required (neither detail.clusterArn nor resources[0] names the cluster)',
    );
  }
  const createdAt = detail.timestampValue(d['createdAt'], 'createdAt');
  const taskArns = detail.strings('taskArns');
  if (problems.length > 0 || !clusterArn || !clusterName) return undefined;
  const serviceName = serviceArn ? serviceNameOf(serviceArn) : undefined;
  const subject = serviceName ? `service ${serviceName}` : 'service';
  const because = reason ? `: ${reason}` : '';
  const phrase = SERVICE_ACTION_PHRASES[eventName] ?? eventName;
  const failure =
    SERVICE_ACTION_FAILURES[eventName] ??
    (eventType === 'ERROR'
      ? ((reason ? classifyReason(reason) : undefined) ?? 'other')
      : undefined);
  const outcome: Outcome = failure
    ? { status: 'failed', category: failure, summary: `${subject} ${phrase}${because}` }
    : { status: 'info', summary: `${subject} ${phrase}${because}` };
  const record = newRecord(
    envelope,
    `service-action:${envelope.id}`,
    'service-action',
    createdAt,
    clusterArn,
    clusterName,
    serviceArn ?? clusterArn,
    outcome,
  );
  if (serviceName !== undefined) record.serviceName = serviceName;
  record.eventName = eventName;
  if (eventType !== undefined) record.eventType = eventType;
  if (reason !== undefined) record.reason = reason;
  if (taskArns !== undefined && taskArns.length > 0) record.taskArns = taskArns;
  return record;
}

export function mapDeploymentStateChange(
  envelope: EventBridgeEnvelope,
  detail: FieldReader,
  problems: Problem[],
) {
  const d = detail.fields;
  const eventName = detail.requiredStringValue(d['eventName'], 'eventName');
  const eventType = detail.stringValue(d['eventType'], 'eventType');
  const deploymentId = detail.stringValue(d['deploymentId'], 'deploymentId');
  const reason = detail.stringValue(d['reason'], 'reason');
  const updatedAt = detail.timestampValue(d['updatedAt'], 'updatedAt');
  const serviceArn = serviceArnOf(envelope, detail);
  if (!serviceArn) problems.push({ path: 'resources[0]', message: 'must be the service ARN' });
  const clusterArn = clusterArnOfServiceEvent(detail, serviceArn);
  const clusterName = clusterArn ? clusterNameOf(clusterArn) : undefined;
  if (serviceArn && !clusterName) {
    problems.push({
      path: 'resources[0]',
      message: `service ARN does not name its cluster (short ARN format): ${serviceArn}`,
    });
  }
  if (problems.length > 0 || !serviceArn || !clusterArn || !clusterName) return undefined;
  const serviceName = serviceNameOf(serviceArn);
  const subject =
    `deployment ${deploymentId ?? ''} of service ${serviceName ?? serviceArn}`.replace('  ', ' ');
  const because = reason ? `: ${reason}` : '';
  const outcome: Outcome =
    eventName === 'SERVICE_DEPLOYMENT_FAILED'
      ? { status: 'failed', category: 'deployment-failed', summary: `${subject} failed${because}` }
      : eventName === 'SERVICE_DEPLOYMENT_COMPLETED'
        ? { status: 'succeeded', summary: `${subject} completed${because}` }
        : eventName === 'SERVICE_DEPLOYMENT_IN_PROGRESS'
          ? { status: 'in-progress', summary: `${subject} in progress${because}` }
          : { status: 'info', summary: `${subject}: ${eventName}${because}` };
  const record = newRecord(
    envelope,
    `deployment:${envelope.id}`,
    'deployment',
    updatedAt,
    clusterArn,
    clusterName,
    serviceArn,
    outcome,
  );
  if (serviceName !== undefined) record.serviceName = serviceName;
  record.eventName = eventName;
  if (eventType !== undefined) record.eventType = eventType;
  if (deploymentId !== undefined) record.deploymentId = deploymentId;
  if (reason !== undefined) record.reason = reason;
  return record;
}

/** The service ARN of a service-level event: `resources[0]`, or `detail.serviceArn` if present. */
function serviceArnOf(envelope: EventBridgeEnvelope, detail: FieldReader): string | undefined {
  const fromDetail = detail.string('serviceArn');
  if (fromDetail !== undefined && isServiceArn(fromDetail)) return fromDetail;
  for (const arn of envelope.event.strings('resources') ?? []) if (isServiceArn(arn)) return arn;
  return undefined;
}

/** `detail.clusterArn` when present (service actions), else the cluster named in the service ARN. */
function clusterArnOfServiceEvent(
  detail: FieldReader,
  serviceArn: string | undefined,
): string | undefined {
  const fromDetail = detail.stringValue(detail.fields['clusterArn'], 'clusterArn');
  return fromDetail ?? (serviceArn ? clusterArnInResourceArn(serviceArn) : undefined);
}

function isServiceArn(arn: string): boolean {
  return isArnOfType(arn, 'service');
}

/** The latest of the task's own timestamps (canonical ISO strings sort as times). */
function latestTaskTime(task: AuditRecord): string | undefined {
  let latest: string | undefined;
  for (const time of [
    task.createdAt,
    task.pullStartedAt,
    task.pullStoppedAt,
    task.startedAt,
    task.stoppingAt,
    task.stoppedAt,
  ]) {
    if (time !== undefined && (latest === undefined || time > latest)) latest = time;
  }
  return latest;
}

/** A record of an EventBridge event; mappers add the fields that apply. */
function newRecord(
  envelope: EventBridgeEnvelope,
  recordId: string,
  recordType: AuditRecord['recordType'],
  changedAt: string | undefined,
  clusterArn: string,
  clusterName: string,
  resourceArn: string,
  outcome: Outcome,
): AuditRecord {
  return createAuditRecord(
    recordId,
    recordType,
    'eventbridge',
    changedAt ?? envelope.time,
    envelope.account,
    envelope.region,
    clusterArn,
    clusterName,
    resourceArn,
    withSummaryLine(outcome),
  );
}
