/**
 * The CDK app's entry (`cdk.json`): the stage configuration from context, the stacks, synthesis.
 * Environment-agnostic unless CDK_DEFAULT_ACCOUNT/REGION are set (synth needs no credentials).
 */
import { App } from 'aws-cdk-lib';
import { readStageConfig } from './config/stage-config';
import { buildEcslogApp } from './ecslog-app';

const app = new App();
const config = readStageConfig((key) => app.node.tryGetContext(key));
buildEcslogApp(app, config, {
  ...(process.env['CDK_DEFAULT_ACCOUNT'] ? { account: process.env['CDK_DEFAULT_ACCOUNT'] } : {}),
  ...(process.env['CDK_DEFAULT_REGION'] ? { region: process.env['CDK_DEFAULT_REGION'] } : {}),
});
app.synth();
