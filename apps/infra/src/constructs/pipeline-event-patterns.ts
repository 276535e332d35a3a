/**
 * The EventBridge patterns of the ECS events ecslog audits, optionally narrowed to some clusters.
 * Pure: the partition, region and account come in (tokens in an environment-agnostic stack).
 */
import type { Stack } from 'aws-cdk-lib';
import { Token } from 'aws-cdk-lib';
import type * as events from 'aws-cdk-lib/aws-events';
import { RegionInfo } from 'aws-cdk-lib/region-info';

/** The four ECS detail-types ecslog audits. */
export const ECS_STATE_DETAIL_TYPES = [
  'ECS Task State Change',
  'ECS Container Instance State Change',
  'ECS Service Action',
  'ECS Deployment State Change',
];

export interface ClusterScope {
  partition: string;
  region: string;
  account: string;
}

/** The stack's own scope, with a literal partition when the region is known (plain ARNs). */
export function clusterScopeOf(stack: Stack): ClusterScope {
  const partition = Token.isUnresolved(stack.region)
    ? stack.partition
    : (RegionInfo.get(stack.region).partition ?? stack.partition);
  return { partition, region: stack.region, account: stack.account };
}

/** A cluster given by name becomes its ARN in this account and region; an ARN stays as it is. */
export function clusterArn(cluster: string, scope: ClusterScope): string {
  return cluster.startsWith('arn:')
    ? cluster
    : `arn:${scope.partition}:ecs:${scope.region}:${scope.account}:cluster/${cluster}`;
}

/** The cluster's name: the last segment of an ARN, or the name itself. */
export function clusterName(cluster: string): string {
  return cluster.startsWith('arn:') ? (cluster.split('/').pop() ?? cluster) : cluster;
}

/**
 * State changes of the four detail-types. With clusters, `detail.clusterArn` must be one of them.
 * Deployment State Change events carry no clusterArn, so they get their own pattern, see
 * {@link ecsDeploymentPattern}; without clusters one pattern takes all four.
 */
export function ecsStatePattern(clusters: string[], scope: ClusterScope): events.EventPattern {
  if (clusters.length === 0) return { source: ['aws.ecs'], detailType: ECS_STATE_DETAIL_TYPES };
  return {
    source: ['aws.ecs'],
    detailType: ECS_STATE_DETAIL_TYPES.filter((t) => t !== DEPLOYMENT),
    detail: { clusterArn: clusters.map((c) => clusterArn(c, scope)) },
  };
}

const DEPLOYMENT = 'ECS Deployment State Change';

/**
 * Deployment State Change events of the clusters' services: `resources[0]` is the service ARN,
 * `arn:…:service/<cluster>/<service>` (the long ARN format, the default since 2021).
 */
export function ecsDeploymentPattern(clusters: string[], scope: ClusterScope): events.EventPattern {
  const prefixes = clusters.map((c) => ({
    prefix: `${clusterArn(c, scope).replace(':cluster/', ':service/')}/`,
  }));
  // EventBridge accepts `{prefix}` matchers in any array; the L2's type only knows strings.
  return {
    source: ['aws.ecs'],
    detailType: [DEPLOYMENT],
    resources: prefixes as unknown as string[],
  };
}

/** The account and region a cluster lives in: from its ARN, or the scope's for a bare name. */
export function clusterHome(
  cluster: string,
  scope: ClusterScope,
): { account: string; region: string } {
  if (!cluster.startsWith('arn:')) return { account: scope.account, region: scope.region };
  const [, , , region = scope.region, account = scope.account] = cluster.split(':');
  return { account, region };
}

/**
 * ECS API calls recorded by CloudTrail. `requestParameters.cluster` is whatever the caller passed,
 * a name or an ARN, so both are matched; calls without a cluster parameter (the default cluster,
 * CreateCluster, List*) are dropped by a cluster filter. A name alone would match a cluster of
 * that name in any account forwarding to this bus, so each cluster's names are matched only in
 * events of its own account and region (the envelope's `account` and `region`): one `$or`
 * branch per account and region.
 */
export function ecsApiCallPattern(clusters: string[], scope: ClusterScope): events.EventPattern {
  const base = { source: ['aws.ecs'], detailType: ['AWS API Call via CloudTrail'] };
  if (clusters.length === 0) return { ...base, detail: { eventSource: ['ecs.amazonaws.com'] } };
  const byHome = new Map<string, { account: string; region: string; names: Set<string> }>();
  for (const cluster of clusters) {
    const home = clusterHome(cluster, scope);
    const key = `${home.account} ${home.region}`;
    const entry = byHome.get(key) ?? { ...home, names: new Set<string>() };
    entry.names.add(clusterName(cluster)).add(clusterArn(cluster, scope));
    byHome.set(key, entry);
  }
  const branches = [...byHome.values()].map(({ account, region, names }) => ({
    account: [account],
    region: [region],
    detail: { eventSource: ['ecs.amazonaws.com'], requestParameters: { cluster: [...names] } },
  }));
  if (branches.length === 1) return { ...base, ...branches[0] };
  // EventBridge's `$or` combines whole sub-patterns; the L2's EventPattern type does not know it.
  return { ...base, ...({ $or: branches } as unknown as events.EventPattern) };
}
