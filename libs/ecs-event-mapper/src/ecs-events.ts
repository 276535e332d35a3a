import type { AuditRecord, Outcome } from './audit-record';
import { AUDIT_RECORD_SCHEMA_VERSION } from './audit-record';
import { classifyReason, classifyStop } from './classify-stop';
import { clusterArnInResourceArn, clusterNameOf, isArnOfType, serviceNameOf } from './ecs-arn';
import type { EventBridgeEnvelope } from './eventbridge-envelope';
import type { FieldReader } from './field-reader';
import type { Problem } from './map-result';
import { withSummaryLine } from './summary-line';
import { putAll, readTask } from './task-fields';

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
  const draft: AuditRecord = {
    schemaVersion: AUDIT_RECORD_SCHEMA_VERSION,
    recordId: '',
    recordType: 'task',
    source: 'eventbridge',
    eventTime: envelope.time,
    account: envelope.account,
    region: envelope.region,
    clusterArn,
    clusterName: clusterName ?? '',
    resourceArn: '',
    outcome: IN_PROGRESS,
  };
  const taskArn = readTask(detail, draft);
  detail.requirePresent('lastStatus', 'version');
  const updatedAt = detail.timestamp('updatedAt');
  if (problems.length > 0 || !clusterName) return undefined;
  draft.recordId = `task:${taskArn}:v${draft.version}`;
  draft.resourceArn = taskArn;
  if (updatedAt !== undefined) draft.eventTime = updatedAt;
  draft.outcome = withSummaryLine(classifyStop(draft));
  return draft;
}

export function mapContainerInstanceStateChange(
  envelope: EventBridgeEnvelope,
  detail: FieldReader,
  problems: Problem[],
) {
  const containerInstanceArn = detail.requiredString('containerInstanceArn');
  const clusterArn = detail.requiredString('clusterArn');
  const version = detail.requiredInteger('version');
  const status = detail.string('status');
  const agentConnected = detail.boolean('agentConnected');
  const statusReason = detail.string('statusReason');
  const ec2InstanceId = detail.string('ec2InstanceId');
  const fields = {
    ec2InstanceId,
    agentConnected,
    lastStatus: status,
    version,
    reason: statusReason,
    runningTasksCount: detail.integer('runningTasksCount'),
    pendingTasksCount: detail.integer('pendingTasksCount'),
  };
  const updatedAt = detail.timestamp('updatedAt');
  const clusterName = clusterArn ? clusterNameOf(clusterArn) : undefined;
  if (clusterArn && !clusterName)
    detail.problem('clusterArn', `is not a cluster ARN: ${clusterArn}`);
  if (problems.length > 0 || !clusterName) return undefined;
  const instance = ec2InstanceId ? `${ec2InstanceId} ` : '';
  const agent = agentConnected === false ? ', agent disconnected' : '';
  const why = statusReason ? `: ${statusReason}` : '';
  return record({
    recordId: `container-instance:${containerInstanceArn}:v${version}`,
    recordType: 'container-instance',
    eventTime: updatedAt ?? envelope.time,
    envelope,
    clusterArn,
    clusterName,
    resourceArn: containerInstanceArn,
    fields,
    outcome: {
      status: 'info',
      summary: `container instance ${instance}${status ?? 'changed'}${agent}${why}`,
    },
  });
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
  const eventName = detail.requiredString('eventName');
  const eventType = detail.string('eventType');
  const reason = detail.string('reason');
  const serviceArn = serviceArnOf(envelope, detail);
  const clusterArn =
    detail.string('clusterArn') ?? (serviceArn ? clusterArnInResourceArn(serviceArn) : undefined);
  const clusterName = clusterArn ? clusterNameOf(clusterArn) : undefined;
  if (!clusterName)
    detail.problem(
      'clusterArn',
      'is required (neither detail.clusterArn nor resources[0] names the cluster)',
    );
  const createdAt = detail.timestamp('createdAt');
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
  return record({
    recordId: `service-action:${envelope.id}`,
    recordType: 'service-action',
    eventTime: createdAt ?? envelope.time,
    envelope,
    clusterArn,
    clusterName,
    resourceArn: serviceArn ?? clusterArn,
    fields: {
      serviceName,
      eventName,
      eventType,
      reason,
      taskArns: taskArns?.length ? taskArns : undefined,
    },
    outcome,
  });
}

export function mapDeploymentStateChange(
  envelope: EventBridgeEnvelope,
  detail: FieldReader,
  problems: Problem[],
) {
  const eventName = detail.requiredString('eventName');
  const eventType = detail.string('eventType');
  const deploymentId = detail.string('deploymentId');
  const reason = detail.string('reason');
  const updatedAt = detail.timestamp('updatedAt');
  const serviceArn = serviceArnOf(envelope, detail);
  if (!serviceArn) problems.push({ path: 'resources[0]', message: 'must be the service ARN' });
  const clusterArn =
    detail.string('clusterArn') ?? (serviceArn ? clusterArnInResourceArn(serviceArn) : undefined);
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
  return record({
    recordId: `deployment:${envelope.id}`,
    recordType: 'deployment',
    eventTime: updatedAt ?? envelope.time,
    envelope,
    clusterArn,
    clusterName,
    resourceArn: serviceArn,
    fields: { serviceName, eventName, eventType, deploymentId, reason },
    outcome,
  });
}

/** The service ARN of a service-level event: `resources[0]`, or `detail.serviceArn` if present. */
function serviceArnOf(envelope: EventBridgeEnvelope, detail: FieldReader): string | undefined {
  const fromDetail = detail.string('serviceArn');
  if (fromDetail !== undefined && isServiceArn(fromDetail)) return fromDetail;
  for (const arn of envelope.event.strings('resources') ?? []) if (isServiceArn(arn)) return arn;
  return undefined;
}

function isServiceArn(arn: string): boolean {
  return isArnOfType(arn, 'service');
}

interface RecordParts {
  recordId: string;
  recordType: AuditRecord['recordType'];
  eventTime: string;
  envelope: EventBridgeEnvelope;
  clusterArn: string;
  clusterName: string;
  resourceArn: string;
  fields: Partial<AuditRecord>;
  outcome: Outcome;
}

function record(parts: RecordParts): AuditRecord {
  const base: AuditRecord = {
    schemaVersion: AUDIT_RECORD_SCHEMA_VERSION,
    recordId: parts.recordId,
    recordType: parts.recordType,
    source: 'eventbridge',
    eventTime: parts.eventTime,
    account: parts.envelope.account,
    region: parts.envelope.region,
    clusterArn: parts.clusterArn,
    clusterName: parts.clusterName,
    resourceArn: parts.resourceArn,
    outcome: withSummaryLine(parts.outcome),
  };
  return putAll(base, parts.fields);
}
