/**
 * Reading ECS ARNs. Resource parts follow the long ARN format
 * (`task/CLUSTER/ID`, `service/CLUSTER/NAME`, `container-instance/CLUSTER/ID`); the old short
 * format (`task/ID`, `service/NAME`) is read too, without a cluster. The readers index into the
 * string instead of splitting it: they run several times for every event.
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
  const resourceStart = resourceStartOf(value);
  if (resourceStart < 0) return undefined;
  const partitionEnd = value.indexOf(':', 4);
  const serviceEnd = value.indexOf(':', partitionEnd + 1);
  const regionEnd = value.indexOf(':', serviceEnd + 1);
  return {
    partition: value.slice(4, partitionEnd),
    service: value.slice(partitionEnd + 1, serviceEnd),
    region: value.slice(serviceEnd + 1, regionEnd),
    account: value.slice(regionEnd + 1, resourceStart - 1),
    resource: value.slice(resourceStart),
  };
}

/**
 * Index where the resource part of an ARN starts (after the fifth colon), or -1 when the value
 * is not an ARN (no `arn:` prefix, fewer than six parts, or an empty partition, service or resource).
 */
export function resourceStartOf(value: string): number {
  if (!value.startsWith('arn:')) return -1;
  const partitionEnd = value.indexOf(':', 4);
  if (partitionEnd <= 4) return -1;
  const serviceEnd = value.indexOf(':', partitionEnd + 1);
  if (serviceEnd <= partitionEnd + 1) return -1;
  const regionEnd = value.indexOf(':', serviceEnd + 1);
  if (regionEnd < 0) return -1;
  const accountEnd = value.indexOf(':', regionEnd + 1);
  if (accountEnd < 0 || accountEnd === value.length - 1) return -1;
  return accountEnd + 1;
}

/** True for an ARN whose resource is of `type` (`service`, `task`, …). */
export function isArnOfType(value: string, type: string): boolean {
  const start = resourceStartOf(value);
  return (
    start >= 0 && value.startsWith(type, start) && value.charCodeAt(start + type.length) === 47
  ); /* / */
}

/** `cluster/NAME` → NAME. Also accepts a bare cluster name, as RunTask's `cluster` parameter does. */
export function clusterNameOf(clusterArnOrName: string): string | undefined {
  if (!clusterArnOrName.startsWith('arn:')) {
    return clusterArnOrName.includes('/') || clusterArnOrName === '' ? undefined : clusterArnOrName;
  }
  const start = resourceStartOf(clusterArnOrName);
  if (start < 0 || !clusterArnOrName.startsWith('cluster/', start)) return undefined;
  return clusterArnOrName.slice(start + 'cluster/'.length) || undefined;
}

/** The cluster ARN for a cluster given by name or ARN. */
export function clusterArnOf(
  clusterArnOrName: string,
  partition: string,
  region: string,
  account: string,
): string | undefined {
  const name = clusterNameOf(clusterArnOrName);
  if (!name) return undefined;
  return clusterArnOrName.startsWith('arn:')
    ? clusterArnOrName
    : `arn:${partition}:ecs:${region}:${account}:cluster/${name}`;
}

/** The cluster ARN of the cluster named inside a long-format service, task or instance ARN. */
export function clusterArnInResourceArn(resourceArn: string): string | undefined {
  const cluster = clusterNameInResourceArn(resourceArn);
  return cluster
    ? `${resourceArn.slice(0, resourceStartOf(resourceArn))}cluster/${cluster}`
    : undefined;
}

/** The last path segment of a task ARN: its id. Accepts a bare id as well. */
export function taskIdOf(taskArnOrId: string): string | undefined {
  if (!taskArnOrId.startsWith('arn:')) {
    return /^[A-Za-z0-9-]+$/.test(taskArnOrId) ? taskArnOrId : undefined;
  }
  return isArnOfType(taskArnOrId, 'task') ? lastSegment(taskArnOrId) : undefined;
}

/** The cluster name inside a long-format task, service or container-instance ARN. */
export function clusterNameInResourceArn(resourceArn: string): string | undefined {
  const start = resourceStartOf(resourceArn);
  if (start < 0) return undefined;
  const first = resourceArn.indexOf('/', start);
  const second = first < 0 ? -1 : resourceArn.indexOf('/', first + 1);
  return second < 0 ? undefined : resourceArn.slice(first + 1, second) || undefined;
}

/** `service/CLUSTER/NAME` or `service/NAME` → NAME. */
export function serviceNameOf(serviceArn: string): string | undefined {
  return isArnOfType(serviceArn, 'service') ? lastSegment(serviceArn) : undefined;
}

export interface TaskDefinitionRef {
  family: string;
  revision?: number;
}

/** Task definition family names: 1–255 letters, digits, hyphens and underscores. */
function isFamilyName(name: string): boolean {
  if (name.length === 0 || name.length > 255) return false;
  for (let i = 0; i < name.length; i++) {
    const c = name.charCodeAt(i);
    const ok =
      (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 45 || c === 95;
    if (!ok) return false;
  }
  return true;
}

/** `task-definition/FAMILY:REV`, `FAMILY:REV` or `FAMILY` → family and revision. */
export function taskDefinitionOf(value: string): TaskDefinitionRef | undefined {
  let ref = value;
  if (value.startsWith('arn:')) {
    if (!isArnOfType(value, 'task-definition')) return undefined;
    ref = value.slice(resourceStartOf(value) + 'task-definition/'.length);
  }
  const colon = ref.indexOf(':');
  const family = colon < 0 ? ref : ref.slice(0, colon);
  if (!isFamilyName(family)) return undefined;
  if (colon < 0) return { family };
  let revision = 0;
  for (let i = colon + 1; i < ref.length; i++) {
    const digit = ref.charCodeAt(i) - 48;
    if (digit < 0 || digit > 9 || i > colon + 9) return undefined;
    revision = revision * 10 + digit;
  }
  return colon + 1 < ref.length ? { family, revision } : undefined;
}

/** `service:NAME` → NAME; anything else → undefined. */
export function serviceNameOfGroup(group: string): string | undefined {
  return group.startsWith('service:') ? group.slice('service:'.length) || undefined : undefined;
}

/** The text after the last slash (an ARN's resource id). */
function lastSegment(arn: string): string | undefined {
  return arn.slice(arn.lastIndexOf('/') + 1) || undefined;
}
