/**
 * The EventBridge patterns of the ECS events ecslog audits — every detail-type of `aws.ecs` —
 * optionally narrowed to some clusters.
 * Pure: the partition, region and account come in (tokens in an environment-agnostic stack).
 */
import type { Stack } from 'aws-cdk-lib';
import { Token } from 'aws-cdk-lib';
import type * as events from 'aws-cdk-lib/aws-events';
import { RegionInfo } from 'aws-cdk-lib/region-info';

/** CloudTrail's detail-type: ECS API calls, matched by their own rule (a trail, filters). */
export const API_CALL_DETAIL_TYPE = 'AWS API Call via CloudTrail';

/**
 * Every detail-type of `aws.ecs` but the API calls: the classic four, the newer ones (container
 * instance health changes, daemon events) and whatever ECS adds next. The mapper keeps each, a
 * detail-type it does not model as a generic record. EventBridge accepts `anything-but` matchers;
 * the L2's type only knows strings.
 */
export const EVERY_ECS_EVENT_DETAIL_TYPE = [
  { 'anything-but': [API_CALL_DETAIL_TYPE] },
] as unknown as string[];

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
 * Every ECS event but API calls ({@link EVERY_ECS_EVENT_DETAIL_TYPE}). With clusters,
 * `detail.clusterArn` must be one of them; events that carry no clusterArn (Deployment State
 * Change, and any newer kind without one) get their own pattern, see {@link ecsDeploymentPattern}.
 */
export function ecsStatePattern(clusters: string[], scope: ClusterScope): events.EventPattern {
  if (clusters.length === 0)
    return { source: ['aws.ecs'], detailType: EVERY_ECS_EVENT_DETAIL_TYPE };
  return {
    source: ['aws.ecs'],
    detailType: EVERY_ECS_EVENT_DETAIL_TYPE,
    detail: { clusterArn: clusters.map((c) => clusterArn(c, scope)) },
  };
}

/** The resource types whose long-format ARNs name their cluster: `<type>/<cluster>/…`. */
const CLUSTER_SCOPED_RESOURCES = ['service', 'task', 'container-instance', 'daemon'] as const;

/**
 * ECS events of the clusters that carry no `detail.clusterArn` — Deployment State Change events,
 * whose `resources[0]` is the service ARN, and any other kind without one — matched by a resource
 * ARN of the cluster (`arn:…:service/<cluster>/…`, the long ARN format, the default since 2021, or
 * the cluster's own ARN). `exists: false` keeps an event the first pattern takes out of this one,
 * so no event is delivered twice. An event naming no cluster at all cannot be told to be of a
 * watched one, so a cluster filter leaves it out.
 */
export function ecsDeploymentPattern(clusters: string[], scope: ClusterScope): events.EventPattern {
  const matchers = clusters.flatMap((c) => {
    const arn = clusterArn(c, scope);
    return [
      arn,
      ...CLUSTER_SCOPED_RESOURCES.map((type) => ({
        prefix: `${arn.replace(':cluster/', `:${type}/`)}/`,
      })),
    ];
  });
  // EventBridge accepts `{prefix}` and `{exists}` matchers in any array; the L2's type only knows
  // strings.
  return {
    source: ['aws.ecs'],
    detailType: EVERY_ECS_EVENT_DETAIL_TYPE,
    detail: { clusterArn: [{ exists: false }] as unknown as string[] },
    resources: matchers as unknown as string[],
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
  const base = { source: ['aws.ecs'], detailType: [API_CALL_DETAIL_TYPE] };
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
