import type { AuditRecord, ContainerState } from './audit-record';
import { serviceNameOfGroup, taskDefinitionOf, taskIdOf } from './ecs-arn';
import type { FieldReader, JsonObject } from './field-reader';
import { isJsonObject } from './field-reader';
import {
  containerInstanceArnOf,
  containerNetworkInterfacesOf,
  imageDigestOf,
  taskNetworkOf,
  tokenOf,
} from './task-network';
import { canonicalIsoMs } from './timestamps';

/** The task fields of an AuditRecord, as read from an ECS Task object. */
export type TaskFields = Pick<
  AuditRecord,
  | 'taskId'
  | 'taskDefinitionArn'
  | 'family'
  | 'revision'
  | 'serviceName'
  | 'group'
  | 'startedBy'
  | 'launchType'
  | 'capacityProviderName'
  | 'platformVersion'
  | 'containerInstanceArn'
  | 'network'
  | 'availabilityZone'
  | 'cpu'
  | 'memory'
  | 'lastStatus'
  | 'desiredStatus'
  | 'version'
  | 'createdAt'
  | 'pullStartedAt'
  | 'pullStoppedAt'
  | 'startedAt'
  | 'stoppingAt'
  | 'stoppedAt'
  | 'pullMs'
  | 'pendingMs'
  | 'runMs'
  | 'stopCode'
  | 'stoppedReason'
  | 'containers'
>;

/**
 * Reads an ECS Task object (the `detail` of a Task State Change, or a task inside a
 * RunTask/StartTask/StopTask response) into `out`, and returns its `taskArn` (required;
 * everything else is optional). Writing into the caller's object spares a copy per event.
 */
export function readTask(task: FieldReader, out: TaskFields): string {
  // The mapper's hottest path: fields are loaded by name (fast, monomorphic property loads on
  // JSON.parse's objects) and validated by the reader, and only defined values are stored.
  const d = task.fields;
  const taskArn = task.requiredString('taskArn');
  const taskId = taskArn ? taskIdOf(taskArn) : undefined;
  if (taskId !== undefined) out.taskId = taskId;
  const taskDefinitionArn = task.stringValue(d['taskDefinitionArn'], 'taskDefinitionArn');
  if (taskDefinitionArn !== undefined) {
    out.taskDefinitionArn = taskDefinitionArn;
    const definition = taskDefinitionOf(taskDefinitionArn);
    if (definition !== undefined) {
      out.family = definition.family;
      if (definition.revision !== undefined) out.revision = definition.revision;
    }
  }
  const group = task.stringValue(d['group'], 'group');
  if (group !== undefined) {
    const serviceName = serviceNameOfGroup(group);
    if (serviceName !== undefined) out.serviceName = serviceName;
    out.group = group;
  }
  const startedBy = task.stringValue(d['startedBy'], 'startedBy');
  if (startedBy !== undefined) out.startedBy = startedBy;
  const launchType = task.stringValue(d['launchType'], 'launchType');
  if (launchType !== undefined) out.launchType = launchType;
  const capacityProviderName = task.stringValue(d['capacityProviderName'], 'capacityProviderName');
  if (capacityProviderName !== undefined) out.capacityProviderName = capacityProviderName;
  // Provenance is read leniently (task-network.ts): what is not well-formed is left out.
  const platformVersion = tokenOf(d['platformVersion']);
  if (platformVersion !== undefined) out.platformVersion = platformVersion;
  const containerInstanceArn = containerInstanceArnOf(d['containerInstanceArn']);
  if (containerInstanceArn !== undefined) out.containerInstanceArn = containerInstanceArn;
  const attachments = d['attachments'];
  if (attachments !== undefined && attachments !== null) {
    const network = taskNetworkOf(attachments, d['containers']);
    if (network !== undefined) out.network = network;
  }
  const availabilityZone = task.stringValue(d['availabilityZone'], 'availabilityZone');
  if (availabilityZone !== undefined) out.availabilityZone = availabilityZone;
  const cpu = task.stringValue(d['cpu'], 'cpu');
  if (cpu !== undefined) out.cpu = cpu;
  const memory = task.stringValue(d['memory'], 'memory');
  if (memory !== undefined) out.memory = memory;
  const lastStatus = task.stringValue(d['lastStatus'], 'lastStatus');
  if (lastStatus !== undefined) out.lastStatus = lastStatus;
  const desiredStatus = task.stringValue(d['desiredStatus'], 'desiredStatus');
  if (desiredStatus !== undefined) out.desiredStatus = desiredStatus;
  const version = task.integerValue(d['version'], 'version');
  if (version !== undefined) out.version = version;
  // Timestamps: ECS sends canonical ISO, read once for both the value and the durations.
  // Each timestamp is read once, for both its value and the durations.
  const t: ReadTimestamp = { iso: '', ms: NaN };
  if (readTimestamp(task, d['createdAt'], 'createdAt', t)) out.createdAt = t.iso;
  const createdMs = t.ms;
  if (readTimestamp(task, d['pullStartedAt'], 'pullStartedAt', t)) out.pullStartedAt = t.iso;
  const pullStartedMs = t.ms;
  if (readTimestamp(task, d['pullStoppedAt'], 'pullStoppedAt', t)) out.pullStoppedAt = t.iso;
  const pullStoppedMs = t.ms;
  if (readTimestamp(task, d['startedAt'], 'startedAt', t)) out.startedAt = t.iso;
  const startedMs = t.ms;
  if (readTimestamp(task, d['stoppingAt'], 'stoppingAt', t)) out.stoppingAt = t.iso;
  if (readTimestamp(task, d['stoppedAt'], 'stoppedAt', t)) out.stoppedAt = t.iso;
  const stoppedMs = t.ms;
  // NaN (a missing bound) and negative spans (clock skew) give no duration.
  const pullMs = pullStoppedMs - pullStartedMs;
  if (pullMs >= 0) out.pullMs = pullMs;
  const pendingMs = startedMs - createdMs;
  if (pendingMs >= 0) out.pendingMs = pendingMs;
  const runMs = stoppedMs - startedMs;
  if (runMs >= 0) out.runMs = runMs;
  const stopCode = task.stringValue(d['stopCode'], 'stopCode');
  if (stopCode !== undefined) out.stopCode = stopCode;
  const stoppedReason = task.stringValue(d['stoppedReason'], 'stoppedReason');
  if (stoppedReason !== undefined) out.stoppedReason = stoppedReason;
  const containers = d['containers'];
  if (containers !== undefined && containers !== null)
    out.containers = readContainers(task, containers);
  return taskArn;
}

/**
 * The task's containers. Well-typed containers (non-empty string name, string or absent image,
 * lastStatus and reason, integer or absent exitCode: what ECS sends) are copied directly; any
 * other goes through a FieldReader, which applies the tolerance rules and reports problems.
 */
interface ReadTimestamp {
  iso: string;
  ms: number;
}

/**
 * Reads a timestamp into `t` (ISO and epoch ms; ms NaN when absent or unreadable) and says
 * whether there is one. Canonical ISO, what ECS sends, is validated and converted in one pass.
 */
function readTimestamp(task: FieldReader, raw: unknown, key: string, t: ReadTimestamp): boolean {
  t.ms = typeof raw === 'string' ? canonicalIsoMs(raw) : NaN;
  if (t.ms === t.ms) {
    t.iso = raw as string;
    return true;
  }
  const iso = task.timestampValue(raw, key);
  if (iso === undefined) return false;
  t.iso = iso;
  t.ms = canonicalIsoMs(iso);
  return true;
}

function readContainers(task: FieldReader, containers: unknown): ContainerState[] {
  if (!Array.isArray(containers)) return task.objects('containers').map(readContainer);
  const states: ContainerState[] = [];
  for (let index = 0; index < containers.length; index++) {
    const container: unknown = containers[index];
    const state = isJsonObject(container) ? wellTypedContainer(container) : undefined;
    if (state !== undefined) states.push(state);
    else {
      const reader = task.element('containers', index);
      if (reader) states.push(readContainer(reader));
    }
  }
  return states;
}

function wellTypedContainer(c: JsonObject): ContainerState | undefined {
  const name = c['name'];
  const image = c['image'];
  const lastStatus = c['lastStatus'];
  const exitCode = c['exitCode'];
  const reason = c['reason'];
  if (typeof name !== 'string' || name === '') return undefined;
  if (!isOptionalString(image) || !isOptionalString(lastStatus) || !isOptionalString(reason))
    return undefined;
  if (exitCode !== undefined && !(typeof exitCode === 'number' && Number.isSafeInteger(exitCode)))
    return undefined;
  const state: ContainerState = { name };
  if (image !== undefined) state.image = image;
  readContainerProvenance(c, state);
  if (lastStatus !== undefined) state.lastStatus = lastStatus;
  if (exitCode !== undefined) state.exitCode = exitCode;
  if (reason !== undefined) state.reason = reason;
  return state;
}

/** A non-empty string or absent (null, '' and other types take the FieldReader's slow path). */
function isOptionalString(value: unknown): value is string | undefined {
  return value === undefined || (typeof value === 'string' && value !== '');
}

function readContainer(container: FieldReader): ContainerState {
  const c = container.fields;
  const out: ContainerState = { name: container.requiredString('name') };
  const image = container.stringValue(c['image'], 'image');
  if (image !== undefined) out.image = image;
  readContainerProvenance(c, out);
  const lastStatus = container.stringValue(c['lastStatus'], 'lastStatus');
  if (lastStatus !== undefined) out.lastStatus = lastStatus;
  const exitCode = container.integerValue(c['exitCode'], 'exitCode');
  if (exitCode !== undefined) out.exitCode = exitCode;
  const reason = container.stringValue(c['reason'], 'reason');
  if (reason !== undefined) out.reason = reason;
  return out;
}

/** A container's image digest, runtime id and addresses, the well-formed ones (task-network.ts). */
function readContainerProvenance(c: JsonObject, out: ContainerState): void {
  const imageDigest = imageDigestOf(c['imageDigest']);
  if (imageDigest !== undefined) out.imageDigest = imageDigest;
  const runtimeId = tokenOf(c['runtimeId']);
  if (runtimeId !== undefined) out.runtimeId = runtimeId;
  const networkInterfaces = containerNetworkInterfacesOf(c['networkInterfaces']);
  if (networkInterfaces !== undefined) out.networkInterfaces = networkInterfaces;
}
