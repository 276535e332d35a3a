/**
 * The EventBridge patterns of the ECS events ecslog audits, optionally narrowed to some clusters.
 * Pure: the partition, region and account come in (tokens in an environment-agnostic stack).
 */
import type * as events from 'aws-cdk-lib/aws-events';

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

/**
 * ECS API calls recorded by CloudTrail. `requestParameters.cluster` is whatever the caller passed,
 * a name or an ARN, so both are matched; calls without a cluster parameter (the default cluster,
 * CreateCluster, List*) are dropped by a cluster filter.
 */
export function ecsApiCallPattern(clusters: string[], scope: ClusterScope): events.EventPattern {
  const names = clusters.map(clusterName);
  const arns = clusters.map((c) => clusterArn(c, scope));
  return {
    source: ['aws.ecs'],
    detailType: ['AWS API Call via CloudTrail'],
    detail: {
      eventSource: ['ecs.amazonaws.com'],
      ...(clusters.length > 0
        ? { requestParameters: { cluster: [...new Set([...names, ...arns])] } }
        : {}),
    },
  };
}
