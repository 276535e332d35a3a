import type { AuditRecord, ContainerState } from './audit-record';
import { serviceNameOfGroup, taskDefinitionOf, taskIdOf } from './ecs-arn';
import type { FieldReader } from './field-reader';
import { durationMs } from './timestamps';

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
  // Explicit named stores rather than a generic helper: this is the mapper's hottest path.
  const taskArn = task.requiredString('taskArn');
  const taskId = taskArn ? taskIdOf(taskArn) : undefined;
  if (taskId !== undefined) out.taskId = taskId;
  const taskDefinitionArn = task.string('taskDefinitionArn');
  if (taskDefinitionArn !== undefined) {
    out.taskDefinitionArn = taskDefinitionArn;
    const definition = taskDefinitionOf(taskDefinitionArn);
    if (definition !== undefined) {
      out.family = definition.family;
      if (definition.revision !== undefined) out.revision = definition.revision;
    }
  }
  const group = task.string('group');
  if (group !== undefined) {
    const serviceName = serviceNameOfGroup(group);
    if (serviceName !== undefined) out.serviceName = serviceName;
    out.group = group;
  }
  const startedBy = task.string('startedBy');
  if (startedBy !== undefined) out.startedBy = startedBy;
  const launchType = task.string('launchType');
  if (launchType !== undefined) out.launchType = launchType;
  const capacityProviderName = task.string('capacityProviderName');
  if (capacityProviderName !== undefined) out.capacityProviderName = capacityProviderName;
  const availabilityZone = task.string('availabilityZone');
  if (availabilityZone !== undefined) out.availabilityZone = availabilityZone;
  const cpu = task.string('cpu');
  if (cpu !== undefined) out.cpu = cpu;
  const memory = task.string('memory');
  if (memory !== undefined) out.memory = memory;
  const lastStatus = task.string('lastStatus');
  if (lastStatus !== undefined) out.lastStatus = lastStatus;
  const desiredStatus = task.string('desiredStatus');
  if (desiredStatus !== undefined) out.desiredStatus = desiredStatus;
  const version = task.integer('version');
  if (version !== undefined) out.version = version;
  const createdAt = task.timestamp('createdAt');
  if (createdAt !== undefined) out.createdAt = createdAt;
  const pullStartedAt = task.timestamp('pullStartedAt');
  if (pullStartedAt !== undefined) out.pullStartedAt = pullStartedAt;
  const pullStoppedAt = task.timestamp('pullStoppedAt');
  if (pullStoppedAt !== undefined) out.pullStoppedAt = pullStoppedAt;
  const startedAt = task.timestamp('startedAt');
  if (startedAt !== undefined) out.startedAt = startedAt;
  const stoppingAt = task.timestamp('stoppingAt');
  if (stoppingAt !== undefined) out.stoppingAt = stoppingAt;
  const stoppedAt = task.timestamp('stoppedAt');
  if (stoppedAt !== undefined) out.stoppedAt = stoppedAt;
  const pullMs = durationMs(pullStartedAt, pullStoppedAt);
  if (pullMs !== undefined) out.pullMs = pullMs;
  const pendingMs = durationMs(createdAt, startedAt);
  if (pendingMs !== undefined) out.pendingMs = pendingMs;
  const runMs = durationMs(startedAt, stoppedAt);
  if (runMs !== undefined) out.runMs = runMs;
  const stopCode = task.string('stopCode');
  if (stopCode !== undefined) out.stopCode = stopCode;
  const stoppedReason = task.string('stoppedReason');
  if (stoppedReason !== undefined) out.stoppedReason = stoppedReason;
  if (task.has('containers')) out.containers = task.objects('containers').map(readContainer);
  return taskArn;
}

function readContainer(container: FieldReader): ContainerState {
  const out: ContainerState = { name: container.requiredString('name') };
  put(out, 'image', container.string('image'));
  put(out, 'lastStatus', container.string('lastStatus'));
  put(out, 'exitCode', container.integer('exitCode'));
  put(out, 'reason', container.string('reason'));
  return out;
}

/** Sets `target[key]` only when there is a value, so records stay minimal (no undefined keys). */
export function put<T extends object, K extends keyof T>(
  target: T,
  key: K,
  value: T[K] | undefined,
): void {
  if (value !== undefined) target[key] = value;
}

/** Copies the defined properties of `source` onto `target`. */
export function putAll<T extends object>(target: T, source: Partial<T>): T {
  for (const key in source) {
    const value = source[key];
    if (value !== undefined) target[key] = value as T[typeof key];
  }
  return target;
}
