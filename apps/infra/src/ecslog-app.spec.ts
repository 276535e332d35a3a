/**
 * The whole app, as `cdk synth` builds it: every stack of a stage for both topologies, cdk-nag's
 * AwsSolutions checks as a synthesis plugin (a finding fails synthesis), and the stacks wired
 * together by the stateful stack's exports.
 */
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { readStageConfig } from './config/stage-config';
import { buildEcslogApp } from './ecslog-app';

const env = { account: '111122223333', region: 'eu-west-1' };

describe.each(['direct', 'stream'])('the ecslog app, topology %s', (topology) => {
  const app = new App();
  const config = readStageConfig(
    (key) => ({ stage: 'prod', topology, memberAccounts: '444455556666' })[key],
  );
  const stacks = buildEcslogApp(app, config, env);

  it('synthesizes with no unacknowledged cdk-nag finding', () => {
    const assembly = app.synth();

    expect(assembly.stacks.map((stack) => stack.stackName).sort()).toEqual([
      'ecslog-prod-pipeline',
      'ecslog-prod-stateful',
    ]);
  });

  it('tells the operator the table, lake and queues it made', () => {
    const outputs = Object.keys(Template.fromStack(stacks.stateful).findOutputs('*'));

    expect(outputs).toEqual(
      expect.arrayContaining([
        'TableName',
        'QuarantineQueueUrl',
        'DeadLetterQueueUrl',
        'LakeBucketName',
        'GlueTable',
      ]),
    );
    expect(outputs.includes('StreamName')).toBe(topology === 'stream');
  });

  it('admits the member accounts to the central bus, and deploys no forwarder in the central account', () => {
    Template.fromStack(stacks.pipeline).resourceCountIs('AWS::Events::EventBusPolicy', 1);
    expect(stacks.forwarder).toBeUndefined();
  });
});

describe('the ecslog app in a member account', () => {
  it('adds the forwarder stack', () => {
    const app = new App();
    const config = readStageConfig(
      (key) => ({ stage: 'prod', centralAccount: '111122223333' })[key],
    );

    const stacks = buildEcslogApp(app, config, { account: '444455556666', region: 'eu-west-1' });

    expect(app.synth().stacks.map((s) => s.stackName)).toContain('ecslog-prod-forwarder');
    expect(stacks.forwarder).toBeDefined();
  });
});
