/**
 * The stacks of one stage, in one CDK app: `stateful` (table, lake, stream, queues, buckets,
 * Glue) and `pipeline` (rules, Lambdas, Firehose, alarms) in the central account; in a member
 * account of an organization (`centralAccount` set) only `forwarder`. cdk-nag's AwsSolutions and
 * Serverless checks run on every stack at synthesis.
 */
import type { App, Environment } from 'aws-cdk-lib';
import { Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks, ServerlessChecks } from 'cdk-nag';
import type { StageConfig } from './config/stage-config';
import { CentralBusPolicy, ForwarderStack } from './stacks/forwarder-stack';
import { PipelineStack } from './stacks/pipeline-stack';
import { StatefulStack } from './stacks/stateful-stack';

/** The central account's stacks, or a member account's forwarder. */
export type EcslogStacks =
  | { stateful: StatefulStack; pipeline: PipelineStack; forwarder?: undefined }
  | { forwarder: ForwarderStack; stateful?: undefined; pipeline?: undefined };

/** Every cdk-nag pack the app answers to; tests run the same list. */
export const NAG_PACKS = [AwsSolutionsChecks, ServerlessChecks] as const;

export function buildEcslogApp(app: App, config: StageConfig, env: Environment = {}): EcslogStacks {
  const prefix = `ecslog-${config.stage}`;
  Validations.of(app).addPlugins(...NAG_PACKS.map((Pack) => new Pack(app)));
  // A member account forwards its events and holds nothing else: no table, lake or keys.
  if (config.centralAccount !== undefined)
    return { forwarder: new ForwarderStack(app, `${prefix}-forwarder`, { env, config }) };

  const stateful = new StatefulStack(app, `${prefix}-stateful`, { env, config });
  const pipeline = new PipelineStack(app, `${prefix}-pipeline`, {
    env,
    config,
    stateful: stateful.resources,
  });
  // Some values arrive by output name (StatefulResources.*ArnRef), which CDK cannot see.
  pipeline.addStackDependency(stateful);
  if (config.memberAccounts.length > 0)
    new CentralBusPolicy(pipeline, 'MemberAccounts', {
      stage: config.stage,
      accounts: config.memberAccounts,
    });
  return { stateful, pipeline };
}
