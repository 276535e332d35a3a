import type { AuditRecord, FailureCategory, InstanceHealthCheck, Outcome } from './audit-record';
import { createAuditRecord } from './audit-record';
import { classifyReason } from './classify-stop';
import { clusterArnInResourceArn, clusterNameOf, isArnOfType } from './ecs-arn';
import type { EventBridgeEnvelope, NewerEcsDetailType } from './eventbridge-envelope';
import type { FieldReader } from './field-reader';
import type { Problem } from './map-result';
import { withSummaryLine } from './summary-line';

/**
 * Mappers of the detail-types ECS added after the classic four, from the shapes in the current ECS
 * Developer Guide ("Amazon ECS container instance health change events", "Daemon events"). Their
 * detail is read by a lenient reader: an optional value that cannot be read is left out; a missing
 * required one (the instance, the cluster, the event name) is a problem, and then the caller keeps
 * the event as a generic record instead. Each returns one record, or undefined with problems.
 */
export type NewerDetailMapper = (
  envelope: EventBridgeEnvelope,
  detail: FieldReader,
  problems: Problem[],
) => AuditRecord | undefined;

/** The most health checks a record lists: it stays bounded whatever the detail holds. */
const MAX_HEALTH_CHECKS = 16;

/**
 * "ECS Container Instance Health Change" → a container-instance record with the overall status and
 * each check. It has no `version` (health events carry none), so it never competes with the
 * instance's state changes for its latest state; its id is the EventBridge id's (retries and
 * replays keep it).
 */
export function mapContainerInstanceHealthChange(
  envelope: EventBridgeEnvelope,
  detail: FieldReader,
  problems: Problem[],
): AuditRecord | undefined {
  const d = detail.fields;
  const instanceArn = detail.requiredStringValue(d['containerInstanceArn'], 'containerInstanceArn');
  if (instanceArn && !isArnOfType(instanceArn, 'container-instance'))
    detail.problem('containerInstanceArn', `is not a container instance ARN: ${instanceArn}`);
  const cluster = clusterOf(detail, instanceArn);
  const overallStatus = detail.stringValue(d['overallStatus'], 'overallStatus');
  const ec2InstanceId = detail.stringValue(d['ec2InstanceId'], 'ec2InstanceId');
  const capacityProviderName = detail.stringValue(
    d['capacityProviderName'],
    'capacityProviderName',
  );
  const checks: InstanceHealthCheck[] = [];
  for (const check of detail.objects('healthChecks')) {
    // ECS documents four kinds of check; the detail is kept whole for any beyond the bound.
    if (checks.length === MAX_HEALTH_CHECKS) break;
    const c = check.fields;
    const type = check.stringValue(c['type'], 'type');
    if (type === undefined) continue;
    const status = check.stringValue(c['status'], 'status');
    const statusReason = check.stringValue(c['statusReason'], 'statusReason');
    const lastStatusChange = check.timestampValue(c['lastStatusChange'], 'lastStatusChange');
    const lastUpdated = check.timestampValue(c['lastUpdated'], 'lastUpdated');
    checks.push({
      type,
      ...(status !== undefined && { status }),
      ...(statusReason !== undefined && { statusReason }),
      ...(lastStatusChange !== undefined && { lastStatusChange }),
      ...(lastUpdated !== undefined && { lastUpdated }),
    });
  }
  if (problems.length > 0 || cluster === undefined) return undefined;
  const instance = ec2InstanceId ? `${ec2InstanceId} ` : '';
  const told = (
    checks.some((c) => c.status !== 'OK') ? checks.filter((c) => c.status !== 'OK') : checks
  )
    .map((c) => `${c.type} ${c.status ?? '?'}${c.statusReason ? ` (${c.statusReason})` : ''}`)
    .join(', ');
  const summary = `container instance ${instance}health ${overallStatus ?? 'changed'}${told ? `: ${told}` : ''}`;
  // An impaired instance cannot run containers well: a failure of the infrastructure, not of a task.
  const outcome: Outcome =
    overallStatus === 'IMPAIRED'
      ? { status: 'failed', category: 'infrastructure', summary }
      : { status: 'info', summary };
  const record = createAuditRecord(
    `container-instance:${instanceArn}:health:${envelope.id}`,
    'container-instance',
    'eventbridge',
    envelope.time,
    envelope.account,
    envelope.region,
    cluster.arn,
    cluster.name,
    instanceArn,
    withSummaryLine(outcome),
  );
  if (ec2InstanceId !== undefined) record.ec2InstanceId = ec2InstanceId;
  if (capacityProviderName !== undefined) record.capacityProviderName = capacityProviderName;
  if (overallStatus !== undefined) record.healthStatus = overallStatus;
  if (checks.length > 0) record.healthChecks = checks;
  return record;
}

/**
 * "ECS Daemon Service Action" → a service-action record about the daemon (ECS Managed Instances'
 * daemons). `DAEMON_TASK_START_IMPAIRED` is a failure: by its reason when recognised (an image
 * pull, …), else a placement failure for `TASK_CREATION_FAILED` / `RESOURCE:*` and a start failure
 * otherwise.
 */
export function mapDaemonServiceAction(
  envelope: EventBridgeEnvelope,
  detail: FieldReader,
  problems: Problem[],
): AuditRecord | undefined {
  const d = detail.fields;
  const eventName = detail.requiredStringValue(d['eventName'], 'eventName');
  const eventType = detail.stringValue(d['eventType'], 'eventType');
  const daemonArn = arnOfType(detail, 'daemonArn', 'daemon');
  const taskArn = arnOfType(detail, 'taskArn', 'task');
  const instanceArn = arnOfType(detail, 'containerInstanceArn', 'container-instance');
  const capacityProviderName = detail.stringValue(
    d['capacityProviderName'],
    'capacityProviderName',
  );
  const failureType = detail.stringValue(d['failureType'], 'failureType');
  const reason = detail.stringValue(d['reason'], 'reason');
  const createdAt = detail.timestampValue(d['createdAt'], 'createdAt');
  const cluster = clusterOf(detail, daemonArn ?? instanceArn ?? taskArn);
  if (problems.length > 0 || cluster === undefined) return undefined;
  const daemon = daemonArn ? `daemon ${lastSegment(daemonArn)}` : 'daemon';
  const on = instanceArn ? ` on container instance ${lastSegment(instanceArn)}` : '';
  const because = `${failureType ? ` (${failureType})` : ''}${reason ? `: ${reason}` : ''}`;
  const failure: FailureCategory | undefined =
    eventName === 'DAEMON_TASK_START_IMPAIRED' || eventType === 'ERROR'
      ? ((reason ? classifyReason(reason) : undefined) ??
        (failureType === 'TASK_CREATION_FAILED' || reason?.startsWith('RESOURCE:')
          ? 'placement'
          : 'start-failure'))
      : undefined;
  const phrase = eventName === 'DAEMON_TASK_START_IMPAIRED' ? 'could not start a task' : eventName;
  const summary = `${daemon} ${phrase}${on}${because}`;
  const outcome: Outcome = failure
    ? { status: 'failed', category: failure, summary }
    : { status: 'info', summary };
  const record = createAuditRecord(
    `service-action:${envelope.id}`,
    'service-action',
    'eventbridge',
    createdAt ?? envelope.time,
    envelope.account,
    envelope.region,
    cluster.arn,
    cluster.name,
    daemonArn ?? instanceArn ?? taskArn ?? cluster.arn,
    withSummaryLine(outcome),
  );
  record.eventName = eventName;
  if (eventType !== undefined) record.eventType = eventType;
  if (reason !== undefined) record.reason = reason;
  if (taskArn !== undefined) record.taskArns = [taskArn];
  if (instanceArn !== undefined) record.containerInstanceArn = instanceArn;
  if (capacityProviderName !== undefined) record.capacityProviderName = capacityProviderName;
  return record;
}

/** How each daemon deployment event ends up; unknown names are `info` (ERROR ones failed). */
const DAEMON_DEPLOYMENT_OUTCOMES: Readonly<
  Record<string, { status: Outcome['status']; phrase: string }>
> = {
  DAEMON_DEPLOYMENT_PENDING: { status: 'in-progress', phrase: 'pending' },
  DAEMON_DEPLOYMENT_IN_PROGRESS: { status: 'in-progress', phrase: 'in progress' },
  DAEMON_DEPLOYMENT_SUCCESSFUL: { status: 'succeeded', phrase: 'succeeded' },
  // "Stopped the deployment from moving forward and will now start to roll back": it failed.
  DAEMON_DEPLOYMENT_STOP_REQUESTED: { status: 'failed', phrase: 'failed: rolling back' },
  DAEMON_DEPLOYMENT_ROLLBACK_IN_PROGRESS: { status: 'in-progress', phrase: 'rolling back' },
  DAEMON_DEPLOYMENT_ROLLBACK_SUCCESSFUL: { status: 'info', phrase: 'rolled back' },
  DAEMON_DEPLOYMENT_ROLLBACK_FAILED: { status: 'failed', phrase: 'rollback failed' },
  // Failed, or replaced by a newer deployment: stopped either way.
  DAEMON_DEPLOYMENT_STOPPED: { status: 'stopped', phrase: 'stopped' },
};

/** "ECS Daemon Deployment State Change" → a deployment record about the daemon. */
export function mapDaemonDeploymentStateChange(
  envelope: EventBridgeEnvelope,
  detail: FieldReader,
  problems: Problem[],
): AuditRecord | undefined {
  const d = detail.fields;
  const eventName = detail.requiredStringValue(d['eventName'], 'eventName');
  const eventType = detail.stringValue(d['eventType'], 'eventType');
  const daemonArn =
    arnOfType(detail, 'daemonArn', 'daemon') ??
    envelope.event.strings('resources')?.find((arn) => isArnOfType(arn, 'daemon'));
  const deploymentArn = arnOfType(detail, 'daemonDeploymentArn', 'daemon-deployment');
  const reason = detail.stringValue(d['reason'], 'reason');
  const updatedAt = detail.timestampValue(d['updatedAt'], 'updatedAt');
  const cluster = clusterOf(detail, daemonArn);
  if (problems.length > 0 || cluster === undefined) return undefined;
  const known = DAEMON_DEPLOYMENT_OUTCOMES[eventName];
  const status = known?.status ?? (eventType === 'ERROR' ? 'failed' : 'info');
  const deployment = deploymentArn
    ? `deployment ${lastSegment(deploymentArn)} of `
    : 'deployment of ';
  const subject = `${deployment}daemon ${daemonArn ? lastSegment(daemonArn) : '?'}`;
  const summary = `${subject} ${known?.phrase ?? eventName}${reason ? `: ${reason}` : ''}`;
  const outcome: Outcome =
    status === 'failed' ? { status, category: 'deployment-failed', summary } : { status, summary };
  const record = createAuditRecord(
    `deployment:${envelope.id}`,
    'deployment',
    'eventbridge',
    updatedAt ?? envelope.time,
    envelope.account,
    envelope.region,
    cluster.arn,
    cluster.name,
    daemonArn ?? cluster.arn,
    withSummaryLine(outcome),
  );
  record.eventName = eventName;
  if (eventType !== undefined) record.eventType = eventType;
  if (deploymentArn !== undefined) record.deploymentId = deploymentArn;
  if (reason !== undefined) record.reason = reason;
  return record;
}

/** The mapper of each newer detail-type. */
export const NEWER_DETAIL_MAPPERS: Readonly<Record<NewerEcsDetailType, NewerDetailMapper>> = {
  'ECS Container Instance Health Change': mapContainerInstanceHealthChange,
  'ECS Daemon Service Action': mapDaemonServiceAction,
  'ECS Daemon Deployment State Change': mapDaemonDeploymentStateChange,
};

/** A field holding an ARN of `type`, or nothing (a value of another shape is left out). */
function arnOfType(detail: FieldReader, key: string, type: string): string | undefined {
  const value = detail.stringValue(detail.fields[key], key);
  return value !== undefined && isArnOfType(value, type) ? value : undefined;
}

/**
 * `detail.clusterArn`, else the cluster named in a resource's ARN; a problem when neither names a
 * cluster.
 */
function clusterOf(
  detail: FieldReader,
  resourceArn: string | undefined,
): { arn: string; name: string } | undefined {
  const fromDetail = detail.stringValue(detail.fields['clusterArn'], 'clusterArn');
  const arn =
    fromDetail !== undefined && fromDetail.startsWith('arn:') && clusterNameOf(fromDetail)
      ? fromDetail
      : resourceArn
        ? clusterArnInResourceArn(resourceArn)
        : undefined;
  const name = arn ? clusterNameOf(arn) : undefined;
  if (arn && name) return { arn, name };
  detail.problem(
    'clusterArn',
    'is required (neither detail.clusterArn nor a resource ARN names the cluster)',
  );
  return undefined;
}

/** The text after the last slash of an ARN (its id or name). */
function lastSegment(arn: string): string {
  return arn.slice(arn.lastIndexOf('/') + 1);
}
