/**
 * Reading ECS ARNs. Resource parts follow the long ARN format
 * (`task/CLUSTER/ID`, `service/CLUSTER/NAME`, `container-instance/CLUSTER/ID`); the old short
 * format (`task/ID`, `service/NAME`) is read too, without a cluster.
 */

export interface Arn {
  partition: string;
  service: string;
  region: string;
  account: string;
  /** Everything after the fifth colon, e.g. `task/prod-web/0a1b…`. */
  resource: string;
}

export function parseArn(value: string): Arn | undefined {
  const parts = value.split(':');
  if (parts.length < 6 || parts[0] !== 'arn') return undefined;
  const [, partition = '', service = '', region = '', account = ''] = parts;
  const resource = parts.slice(5).join(':');
  if (!partition || !service || !resource) return undefined;
  return { partition, service, region, account, resource };
}

/** `cluster/NAME` → NAME. Also accepts a bare cluster name, as RunTask's `cluster` parameter does. */
export function clusterNameOf(clusterArnOrName: string): string | undefined {
  const arn = parseArn(clusterArnOrName);
  if (!arn)
    return clusterArnOrName.includes('/') || clusterArnOrName === '' ? undefined : clusterArnOrName;
  return arn.resource.startsWith('cluster/')
    ? arn.resource.slice('cluster/'.length) || undefined
    : undefined;
}

/** The cluster ARN for a cluster given by name or ARN. */
export function clusterArnOf(
  clusterArnOrName: string,
  partition: string,
  region: string,
  account: string,
): string | undefined {
  if (parseArn(clusterArnOrName))
    return clusterNameOf(clusterArnOrName) ? clusterArnOrName : undefined;
  const name = clusterNameOf(clusterArnOrName);
  return name ? `arn:${partition}:ecs:${region}:${account}:cluster/${name}` : undefined;
}

/** The last path segment of a task ARN: its id. Accepts a bare id as well. */
export function taskIdOf(taskArnOrId: string): string | undefined {
  const arn = parseArn(taskArnOrId);
  if (!arn) return /^[A-Za-z0-9-]+$/.test(taskArnOrId) ? taskArnOrId : undefined;
  if (!arn.resource.startsWith('task/')) return undefined;
  return lastSegment(arn.resource);
}

/** The cluster name inside a long-format task, service or container-instance ARN. */
export function clusterNameInResourceArn(resourceArn: string): string | undefined {
  const arn = parseArn(resourceArn);
  if (!arn) return undefined;
  const segments = arn.resource.split('/');
  return segments.length >= 3 ? segments[1] || undefined : undefined;
}

/** `service/CLUSTER/NAME` or `service/NAME` → NAME. */
export function serviceNameOf(serviceArn: string): string | undefined {
  const arn = parseArn(serviceArn);
  if (!arn || !arn.resource.startsWith('service/')) return undefined;
  return lastSegment(arn.resource);
}

export interface TaskDefinitionRef {
  family: string;
  revision?: number;
}

/** `task-definition/FAMILY:REV`, `FAMILY:REV` or `FAMILY` → family and revision. */
export function taskDefinitionOf(value: string): TaskDefinitionRef | undefined {
  const arn = parseArn(value);
  let ref = value;
  if (arn) {
    if (!arn.resource.startsWith('task-definition/')) return undefined;
    ref = arn.resource.slice('task-definition/'.length);
  }
  const match = /^([A-Za-z0-9_-]{1,255})(?::(\d+))?$/.exec(ref);
  if (!match?.[1]) return undefined;
  return match[2] === undefined
    ? { family: match[1] }
    : { family: match[1], revision: Number(match[2]) };
}

/** `service:NAME` → NAME; anything else → undefined. */
export function serviceNameOfGroup(group: string): string | undefined {
  return group.startsWith('service:') ? group.slice('service:'.length) || undefined : undefined;
}

function lastSegment(resource: string): string | undefined {
  const segments = resource.split('/');
  return segments[segments.length - 1] || undefined;
}
