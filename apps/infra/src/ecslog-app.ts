/**
 * The stacks of one stage, in one CDK app: `stateful` (table, lake, stream, queues, Glue),
 * `pipeline` (rules, Lambdas, Firehose, alarms) and, for member accounts of an organization,
 * `forwarder`. cdk-nag's AwsSolutions checks run on every stack at synthesis.
 */
import type { App, Environment } from 'aws-cdk-lib';
import { Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { StageConfig } from './config/stage-config';
import { CentralBusPolicy, ForwarderStack } from './stacks/forwarder-stack';
import { PipelineStack } from './stacks/pipeline-stack';
import { StatefulStack } from './stacks/stateful-stack';

export interface EcslogStacks {
  stateful: StatefulStack;
  pipeline: PipelineStack;
  forwarder?: ForwarderStack;
}

export function buildEcslogApp(app: App, config: StageConfig, env: Environment = {}): EcslogStacks {
  const prefix = `ecslog-${config.stage}`;
  const stateful = new StatefulStack(app, `${prefix}-stateful`, { env, config });
  const pipeline = new PipelineStack(app, `${prefix}-pipeline`, {
    env,
    config,
    stateful: stateful.resources,
  });
  if (config.memberAccounts.length > 0)
    new CentralBusPolicy(pipeline, 'MemberAccounts', { accounts: config.memberAccounts });
  const forwarder =
    config.centralAccount !== undefined
      ? new ForwarderStack(app, `${prefix}-forwarder`, { env, config })
      : undefined;
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  return { stateful, pipeline, ...(forwarder ? { forwarder } : {}) };
}
