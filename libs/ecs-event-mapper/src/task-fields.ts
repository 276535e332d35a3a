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
> & { taskArn: string; clusterArn?: string };

/**
 * Reads an ECS Task object (the `detail` of a Task State Change, or a task inside a
 * RunTask/StartTask/StopTask response). `taskArn` is required; everything else is optional.
 */
export function readTask(task: FieldReader): TaskFields {
  const taskArn = task.requiredString('taskArn');
  const taskDefinitionArn = task.string('taskDefinitionArn');
  const definition = taskDefinitionArn ? taskDefinitionOf(taskDefinitionArn) : undefined;
  const group = task.string('group');
  const createdAt = task.timestamp('createdAt');
  const pullStartedAt = task.timestamp('pullStartedAt');
  const pullStoppedAt = task.timestamp('pullStoppedAt');
  const startedAt = task.timestamp('startedAt');
  const stoppedAt = task.timestamp('stoppedAt');
  return withoutUndefined({
    taskArn,
    clusterArn: task.string('clusterArn'),
    taskId: taskArn ? taskIdOf(taskArn) : undefined,
    taskDefinitionArn,
    family: definition?.family,
    revision: definition?.revision,
    serviceName: group ? serviceNameOfGroup(group) : undefined,
    group,
    startedBy: task.string('startedBy'),
    launchType: task.string('launchType'),
    capacityProviderName: task.string('capacityProviderName'),
    availabilityZone: task.string('availabilityZone'),
    cpu: task.string('cpu'),
    memory: task.string('memory'),
    lastStatus: task.string('lastStatus'),
    desiredStatus: task.string('desiredStatus'),
    version: task.integer('version'),
    createdAt,
    pullStartedAt,
    pullStoppedAt,
    startedAt,
    stoppingAt: task.timestamp('stoppingAt'),
    stoppedAt,
    pullMs: durationMs(pullStartedAt, pullStoppedAt),
    pendingMs: durationMs(createdAt, startedAt),
    runMs: durationMs(startedAt, stoppedAt),
    stopCode: task.string('stopCode'),
    stoppedReason: task.string('stoppedReason'),
    containers: readContainers(task),
  });
}

function readContainers(task: FieldReader): ContainerState[] | undefined {
  if (!task.has('containers')) return undefined;
  return task.objects('containers').map((container) =>
    withoutUndefined({
      name: container.requiredString('name'),
      image: container.string('image'),
      lastStatus: container.string('lastStatus'),
      exitCode: container.integer('exitCode'),
      reason: container.string('reason'),
    }),
  );
}

/** Drops undefined properties, so records stay minimal and JSON round trips are exact. */
export function withoutUndefined<T extends object>(value: T): T {
  const out = {} as Record<string, unknown>;
  for (const [key, field] of Object.entries(value)) if (field !== undefined) out[key] = field;
  return out as T;
}
