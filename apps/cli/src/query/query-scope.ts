/**
 * Which index partitions a query reads, from what the store saw in the range (`activity`) and
 * what the person asked for. Pure.
 */
import type { Activity } from '@ecslog/audit-store';

export interface QueryScope {
  /** A cluster name or ARN. */
  cluster?: string;
  /** `service:NAME` or `family:NAME`. */
  group?: string;
}

export type Partitions =
  { index: 'byCluster'; clusterArns: string[] } | { index: 'byGroup'; groups: Activity[] };

/** True when `clusterArn` is the cluster named (by ARN or by name). */
export function isCluster(clusterArn: string, nameOrArn: string): boolean {
  return clusterArn === nameOrArn || clusterArn.endsWith(`:cluster/${nameOrArn}`);
}

/**
 * A group's partitions when a service or family is asked for, else whole clusters'; each in the
 * cluster asked for, if any.
 */
export function partitionsOf(activity: readonly Activity[], scope: QueryScope): Partitions {
  const inCluster = activity.filter(
    (a) => scope.cluster === undefined || isCluster(a.clusterArn, scope.cluster),
  );
  if (scope.group !== undefined)
    return { index: 'byGroup', groups: inCluster.filter((a) => a.group === scope.group) };
  return { index: 'byCluster', clusterArns: [...new Set(inCluster.map((a) => a.clusterArn))] };
}
