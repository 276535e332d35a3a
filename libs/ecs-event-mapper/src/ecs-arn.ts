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
  if (!value.startsWith('arn:')) return undefined;
  const partitionEnd = value.indexOf(':', 4);
  const serviceEnd = partitionEnd < 0 ? -1 : value.indexOf(':', partitionEnd + 1);
  const regionEnd = serviceEnd < 0 ? -1 : value.indexOf(':', serviceEnd + 1);
  const accountEnd = regionEnd < 0 ? -1 : value.indexOf(':', regionEnd + 1);
  if (accountEnd < 0) return undefined;
  const partition = value.slice(4, partitionEnd);
  const service = value.slice(partitionEnd + 1, serviceEnd);
  const resource = value.slice(accountEnd + 1);
  if (!partition || !service || !resource) return undefined;
  return {
    partition,
    service,
    region: value.slice(serviceEnd + 1, regionEnd),
    account: value.slice(regionEnd + 1, accountEnd),
    resource,
  };
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
  const first = arn.resource.indexOf('/');
  const second = first < 0 ? -1 : arn.resource.indexOf('/', first + 1);
  return second < 0 ? undefined : arn.resource.slice(first + 1, second) || undefined;
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
  return resource.slice(resource.lastIndexOf('/') + 1) || undefined;
}
