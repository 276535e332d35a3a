/**
 * The names of the pipeline's EventBridge rules. They are fixed per stage so that the stateful
 * stack can admit exactly these rules to its dead-letter queue (`aws:SourceArn`) without a
 * reference from the stateful stack to the pipeline stack (which would be a cycle). The stage in
 * the name keeps two stages of one account apart; rules hold no data, so a redeploy after
 * `cdk destroy` recreates them under the same names.
 */
import type * as events from 'aws-cdk-lib/aws-events';
import type { StageConfig } from '../config/stage-config';
import type { ClusterScope } from './pipeline-event-patterns';
import {
  ecsApiCallPattern,
  ecsDeploymentPattern,
  ecsStatePattern,
} from './pipeline-event-patterns';

export type PipelineRule = 'EcsEvents' | 'EcsDeployments' | 'EcsApiCalls';

/** `ecslog-<stage>-ecs-events`, … (EventBridge allows 64 characters; stages have ≤ 20). */
export function pipelineRuleName(stage: string, rule: PipelineRule): string {
  const suffix = {
    EcsEvents: 'ecs-events',
    EcsDeployments: 'ecs-deployments',
    EcsApiCalls: 'ecs-api-calls',
  };
  return `ecslog-${stage}-${suffix[rule]}`;
}

/** The rules the pipeline stack creates for this configuration. */
export function pipelineRules(config: StageConfig): PipelineRule[] {
  return [
    'EcsEvents',
    ...(config.clusters.length > 0 ? (['EcsDeployments'] as const) : []),
    ...(config.captureApiCalls ? (['EcsApiCalls'] as const) : []),
  ];
}

/** What each rule matches, for its description. */
const MATCHES: Record<PipelineRule, string> = {
  EcsEvents: 'ECS events of every detail-type',
  EcsDeployments: 'ECS events without a clusterArn (deployments) of the watched clusters',
  EcsApiCalls: 'ECS API calls (CloudTrail)',
};

/**
 * The rules for this configuration (those of {@link pipelineRules}), each with what it matches
 * and its pattern: the pipeline's own rules and a member account's forwarding rules alike.
 */
export function pipelineRulePatterns(
  config: StageConfig,
  scope: ClusterScope,
): { rule: PipelineRule; matches: string; eventPattern: events.EventPattern }[] {
  const pattern = {
    EcsEvents: ecsStatePattern,
    EcsDeployments: ecsDeploymentPattern,
    EcsApiCalls: ecsApiCallPattern,
  };
  return pipelineRules(config).map((rule) => ({
    rule,
    matches: MATCHES[rule],
    eventPattern: pattern[rule](config.clusters, scope),
  }));
}
