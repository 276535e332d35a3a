import type { AuditRecord, Outcome } from './audit-record';
import { createAuditRecord } from './audit-record';
import {
  clusterArnOf,
  clusterNameInResourceArn,
  clusterNameOf,
  parseArn,
  serviceNameOf,
  serviceNameOfGroup,
  taskDefinitionOf,
  taskIdOf,
} from './ecs-arn';
import type { FieldReader } from './field-reader';
import type { MapResult, Problem } from './map-result';
import { ignored, mapped } from './map-result';
import { withSummaryLine } from './summary-line';
import { readTask } from './task-fields';

export const ECS_EVENT_SOURCE = 'ecs.amazonaws.com';

/**
 * Calls the ECS container agent makes in volume on EC2 hosts. They repeat what the Task and
 * Container Instance State Change events already say, so they are not audited.
 */
const AGENT_CALLS = new Set([
  'SubmitTaskStateChange',
  'SubmitContainerStateChange',
  'SubmitAttachmentStateChanges',
  'DiscoverPollEndpoint',
  'Poll',
  'StartTelemetrySession',
  'PutSystemLogEvents',
]);

/** Calls whose omitted `cluster` parameter means the cluster named "default". */
const DEFAULT_CLUSTER_CALLS = new Set([
  'RunTask',
  'StartTask',
  'StopTask',
  'CreateService',
  'UpdateService',
  'DeleteService',
  'CreateTaskSet',
  'UpdateTaskSet',
  'DeleteTaskSet',
  'UpdateServicePrimaryTaskSet',
  'RegisterContainerInstance',
  'DeregisterContainerInstance',
  'UpdateContainerInstancesState',
  'UpdateContainerAgent',
  'ExecuteCommand',
  'UpdateTaskProtection',
  'DeleteCluster',
  'UpdateCluster',
  'UpdateClusterSettings',
  'PutClusterCapacityProviders',
]);

const READ_ONLY_PREFIXES = ['Describe', 'List', 'Get'];

/**
 * RunTask/StartTask failure reasons that mean "no room" (RESOURCE:CPU, RESOURCE:MEMORY,
 * RESOURCE:PORTS, RESOURCE:ENI, RESOURCE:GPU, Fargate's "Capacity is unavailable at this time").
 * Other reasons (AGENT, ATTRIBUTE, LOCATION, MISSING, INACTIVE) are start failures.
 */
const PLACEMENT_REASON = /^RESOURCE:|Capacity is unavailable/i;

interface CallContext {
  eventId: string;
  eventName: string;
  eventTime: string;
  account: string;
  region: string;
  partition: string;
  caller: string | undefined;
  clusterArn: string;
  clusterName: string;
  request: FieldReader | undefined;
  response: FieldReader | undefined;
}

/**
 * Maps one CloudTrail record of an ECS API call (from a log file, LookupEvents, or the
 * `detail` of an "AWS API Call via CloudTrail" event).
 *
 * RunTask/StartTask give one record per started task (`in-progress`) and one per entry of
 * `failures[]` (`failed`/`placement`, or `start-failure` for reasons such as AGENT or MISSING),
 * so a call that started 3 tasks and failed 2 placements gives 5 records. A call with
 * `errorCode` gives one `failed`/`api-error` record. Other mutating calls give one `info` record.
 */
export function mapCloudTrailRecord(
  trail: FieldReader,
  problems: Problem[],
): MapResult | undefined {
  const eventSource = trail.requiredString('eventSource');
  const eventName = trail.requiredString('eventName');
  if (eventSource && eventSource !== ECS_EVENT_SOURCE)
    return ignored(`CloudTrail event source ${eventSource} is not audited`);
  if (isReadOnly(trail, eventName)) return ignored(`${eventName} is a read-only call`);
  if (AGENT_CALLS.has(eventName))
    return ignored(`${eventName} is an ECS agent report, covered by ECS state change events`);

  const eventId = trail.requiredString('eventID');
  const eventTime = trail.requiredTimestamp('eventTime');
  const region = trail.requiredString('awsRegion');
  const identity = trail.lenientObject('userIdentity');
  const account = trail.string('recipientAccountId') ?? identity?.string('accountId') ?? '';
  if (!account && !problems.some((p) => p.path === 'recipientAccountId'))
    trail.problem('recipientAccountId', 'is required');
  const request = trail.lenientObject('requestParameters');
  const response = trail.lenientObject('responseElements');
  if (problems.length > 0) return undefined;

  const callerArn = identity?.string('arn');
  const partition =
    (callerArn ? parseArn(callerArn)?.partition : undefined) ?? partitionOfRegion(region);
  const clusterArn = clusterOfCall(eventName, request, response, partition, region, account);
  const clusterName = clusterArn ? clusterNameOf(clusterArn) : undefined;
  if (!clusterArn || !clusterName)
    return ignored(`${eventName} is an account-level call (no cluster)`);

  const context: CallContext = {
    eventId,
    eventName,
    eventTime,
    account,
    region,
    partition,
    caller: callerOf(identity),
    clusterArn,
    clusterName,
    request,
    response,
  };

  const errorCode = trail.string('errorCode');
  if (errorCode) {
    const errorMessage = trail.string('errorMessage');
    return mapped([apiErrorRecord(context, errorCode, errorMessage)]);
  }
  if (eventName === 'RunTask' || eventName === 'StartTask')
    return mapped(taskLaunchRecords(context));
  if (eventName === 'StopTask') return mapped([stopTaskRecord(context)]);
  const desiredCount =
    eventName === 'CreateService' || eventName === 'UpdateService'
      ? desiredCountOf(request, response)
      : undefined;
  const record = callRecord(context, subjectArn(context), {
    status: 'info',
    summary: `${eventName}${byCaller(context)}${desiredCount !== undefined ? `: desired count ${desiredCount}` : ''}`,
  });
  if (desiredCount !== undefined) record.desiredCount = desiredCount;
  return mapped([record]);
}

/**
 * The desired count a CreateService/UpdateService call set: the request's (what the caller asked
 * for), else the one of the service in the response (what ECS answered with; CreateService without
 * `desiredCount` answers with the default it chose). A value that is not a whole number ≥ 0 is
 * not a desired count: it is left out rather than invalidating the call's record.
 */
function desiredCountOf(
  request: FieldReader | undefined,
  response: FieldReader | undefined,
): number | undefined {
  return (
    countValue(request?.raw('desiredCount')) ??
    countValue(response?.object('service')?.raw('desiredCount'))
  );
}

function countValue(value: unknown): number | undefined {
  if (typeof value === 'number')
    return Number.isSafeInteger(value) && value >= 0 ? value : undefined;
  if (typeof value === 'string' && /^\d{1,15}$/.test(value.trim())) return Number(value.trim());
  return undefined;
}

/** The AWS partition a region belongs to, for building ARNs the record does not carry. */
function partitionOfRegion(region: string): string {
  if (region.startsWith('cn-')) return 'aws-cn';
  if (region.startsWith('us-gov-')) return 'aws-us-gov';
  return 'aws';
}

function isReadOnly(trail: FieldReader, eventName: string): boolean {
  const readOnly = trail.raw('readOnly');
  if (readOnly === true || readOnly === 'true') return true;
  if (readOnly === false || readOnly === 'false') return false;
  return READ_ONLY_PREFIXES.some((prefix) => eventName.startsWith(prefix));
}

function clusterOfCall(
  eventName: string,
  request: FieldReader | undefined,
  response: FieldReader | undefined,
  partition: string,
  region: string,
  account: string,
): string | undefined {
  const named =
    request?.string('cluster') ??
    (eventName === 'CreateCluster' ? request?.string('clusterName') : undefined);
  if (named) return clusterArnOf(named, partition, region, account);
  const responseCluster =
    response?.object('service')?.string('clusterArn') ??
    response?.object('task')?.string('clusterArn') ??
    response?.object('cluster')?.string('clusterArn') ??
    response?.objects('tasks')[0]?.string('clusterArn');
  if (responseCluster) return clusterArnOf(responseCluster, partition, region, account);
  const resourceArn = request?.string('resourceArn');
  const inResource = resourceArn
    ? (clusterNameOf(resourceArn) ?? clusterNameInResourceArn(resourceArn))
    : undefined;
  if (inResource) return clusterArnOf(inResource, partition, region, account);
  return DEFAULT_CLUSTER_CALLS.has(eventName)
    ? clusterArnOf('default', partition, region, account)
    : undefined;
}

/** The caller's ARN; for AWS services acting on their own, the service's name. */
function callerOf(identity: FieldReader | undefined): string | undefined {
  if (!identity) return undefined;
  return identity.string('arn') ?? identity.string('invokedBy') ?? identity.string('principalId');
}

function byCaller(context: CallContext): string {
  return context.caller ? ` by ${context.caller}` : '';
}

function taskLaunchRecords(context: CallContext): AuditRecord[] {
  const tasks = (context.response?.objects('tasks') ?? []).filter((task) => task.has('taskArn'));
  const failures = context.response?.objects('failures') ?? [];
  // Fields are written straight into each record (the request's first, then the task's own).
  const records: AuditRecord[] = tasks.map((taskReader, index) => {
    const record = callRecord(context, '', { status: 'in-progress', summary: '' }, `task:${index}`);
    readRequestedTask(context.request, record);
    const taskArn = readTask(taskReader, record);
    record.resourceArn = taskArn;
    const what = record.family
      ? ` (${record.family}${record.revision ? `:${record.revision}` : ''})`
      : '';
    record.outcome = withSummaryLine({
      status: 'in-progress',
      summary: `${context.eventName}${byCaller(context)} started task ${record.taskId ?? taskArn}${what}`,
    });
    return record;
  });
  failures.forEach((failure, index) => {
    const reason = failure.string('reason') ?? 'unknown';
    const detail = failure.string('detail');
    const arn = failure.string('arn');
    const category = PLACEMENT_REASON.test(reason) ? 'placement' : 'start-failure';
    const record = callRecord(
      context,
      arn ?? context.clusterArn,
      { status: 'failed', summary: '' },
      `failure:${index}`,
    );
    readRequestedTask(context.request, record);
    record.reason = reason;
    if (detail !== undefined) record.errorMessage = detail;
    const what = record.family ? `task ${record.family}` : 'task';
    const where = arn ? ` on ${arn}` : '';
    const verb = category === 'placement' ? 'place' : 'start';
    record.outcome = withSummaryLine({
      status: 'failed',
      category,
      summary: `${context.eventName}${byCaller(context)} could not ${verb} ${what}${where}: ${reason}${detail ? ` (${detail})` : ''}`,
    });
    records.push(record);
  });
  if (records.length === 0) {
    const record = callRecord(context, context.clusterArn, {
      status: 'info',
      summary: `${context.eventName}${byCaller(context)} returned no tasks and no failures`,
    });
    readRequestedTask(context.request, record);
    records.push(record);
  }
  return records;
}

/** Writes what the RunTask/StartTask request says about the tasks it asks for into `out`. */
function readRequestedTask(request: FieldReader | undefined, out: AuditRecord): void {
  if (!request) return;
  const taskDefinition = request.string('taskDefinition');
  if (taskDefinition !== undefined) {
    if (parseArn(taskDefinition)) out.taskDefinitionArn = taskDefinition;
    const definition = taskDefinitionOf(taskDefinition);
    if (definition !== undefined) {
      out.family = definition.family;
      if (definition.revision !== undefined) out.revision = definition.revision;
    }
  }
  const group = request.string('group');
  if (group !== undefined) {
    out.group = group;
    const serviceName = serviceNameOfGroup(group);
    if (serviceName !== undefined) out.serviceName = serviceName;
  }
  const startedBy = request.string('startedBy');
  if (startedBy !== undefined) out.startedBy = startedBy;
  const launchType = request.string('launchType');
  if (launchType !== undefined) out.launchType = launchType;
}

function stopTaskRecord(context: CallContext): AuditRecord {
  const record = callRecord(context, context.clusterArn, { status: 'info', summary: '' });
  const responseTask = context.response?.object('task');
  const respondedTaskArn = responseTask?.has('taskArn')
    ? readTask(responseTask, record)
    : undefined;
  const requestedTask = context.request?.string('task');
  const taskArn = respondedTaskArn || taskArnOf(requestedTask, context);
  if (taskArn) record.resourceArn = taskArn;
  const taskId = record.taskId ?? (taskArn ? taskIdOf(taskArn) : undefined);
  if (taskId !== undefined) record.taskId = taskId;
  const reason = context.request?.string('reason');
  if (reason !== undefined) record.reason = reason;
  record.outcome = withSummaryLine({
    status: 'info',
    summary: `StopTask${byCaller(context)} stopped task ${taskId ?? requestedTask ?? '?'}${reason ? `: ${reason}` : ''}`,
  });
  return record;
}

/** A task given as an id or an ARN, as an ARN. */
function taskArnOf(task: string | undefined, context: CallContext): string | undefined {
  if (!task) return undefined;
  if (parseArn(task)) return task;
  const id = taskIdOf(task);
  return id
    ? `arn:${context.partition}:ecs:${context.region}:${context.account}:task/${context.clusterName}/${id}`
    : undefined;
}

function apiErrorRecord(
  context: CallContext,
  errorCode: string,
  errorMessage: string | undefined,
): AuditRecord {
  const record = callRecord(context, subjectArn(context), {
    status: 'failed',
    category: 'api-error',
    summary: `${context.eventName}${byCaller(context)} failed: ${errorCode}${errorMessage ? `: ${errorMessage}` : ''}`,
  });
  if (context.eventName === 'RunTask' || context.eventName === 'StartTask')
    readRequestedTask(context.request, record);
  record.errorCode = errorCode;
  if (errorMessage !== undefined) record.errorMessage = errorMessage;
  return record;
}

/** What a generic call is about: the service, task definition, container instance or cluster. */
function subjectArn(context: CallContext): string {
  const { request, response } = context;
  const fromResponse =
    response?.object('service')?.string('serviceArn') ??
    response?.object('taskSet')?.string('serviceArn') ??
    response?.object('containerInstance')?.string('containerInstanceArn') ??
    response?.object('cluster')?.string('clusterArn');
  if (fromResponse) return fromResponse;
  const service =
    request?.string('service') ??
    (context.eventName === 'CreateService' ? request?.string('serviceName') : undefined);
  if (service) {
    return parseArn(service)
      ? service
      : `arn:${context.partition}:ecs:${context.region}:${context.account}:service/${context.clusterName}/${service}`;
  }
  return (
    request?.string('resourceArn') ?? request?.string('containerInstance') ?? context.clusterArn
  );
}

/** A record of this call about `resourceArn`; callers add the fields that apply. */
function callRecord(
  context: CallContext,
  resourceArn: string,
  outcome: Outcome,
  part?: string,
): AuditRecord {
  const record = createAuditRecord(
    part ? `api-call:${context.eventId}:${part}` : `api-call:${context.eventId}`,
    'api-call',
    'cloudtrail',
    context.eventTime,
    context.account,
    context.region,
    context.clusterArn,
    context.clusterName,
    resourceArn,
    withSummaryLine(outcome),
  );
  record.eventName = context.eventName;
  const serviceName = serviceNameOf(resourceArn);
  if (serviceName !== undefined) record.serviceName = serviceName;
  if (context.caller !== undefined) record.caller = context.caller;
  return record;
}
