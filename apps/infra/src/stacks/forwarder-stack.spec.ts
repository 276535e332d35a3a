import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { readStageConfig } from '../config/stage-config';
import { NAG_PACKS } from '../ecslog-app';
import { CentralBusPolicy, ForwarderStack } from './forwarder-stack';
import { MAX_EVENT_AGE, RETRY_ATTEMPTS } from './pipeline-stack';

const config = (context: Record<string, unknown>) => readStageConfig((key) => context[key]);

describe('ForwarderStack (member accounts)', () => {
  const app = new App();
  const stack = new ForwarderStack(app, 'forwarder', {
    env: { account: '444455556666', region: 'eu-west-1' },
    config: config({ stage: 'prod', centralAccount: '111122223333', centralRegion: 'eu-west-1' }),
  });
  const template = Template.fromStack(stack);

  it('forwards every ECS detail-type and ECS API calls to the central default bus', () => {
    const central = 'arn:aws:events:eu-west-1:111122223333:event-bus/default';
    template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: {
        source: ['aws.ecs'],
        'detail-type': [{ 'anything-but': ['AWS API Call via CloudTrail'] }],
      },
      Targets: [Match.objectLike({ Arn: Match.anyValue(), RoleArn: Match.anyValue() })],
    });
    template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: {
        'detail-type': ['AWS API Call via CloudTrail'],
        detail: { eventSource: ['ecs.amazonaws.com'] },
      },
    });
    const arns = Object.values(template.findResources('AWS::Events::Rule')).map((rule) =>
      JSON.stringify(
        (rule as { Properties: { Targets: { Arn: unknown }[] } }).Properties.Targets[0]?.Arn,
      ),
    );
    expect(arns.every((arn) => arn.includes(':111122223333:event-bus/default'))).toBe(true);
    expect(central).toContain('111122223333');
  });

  it('lets its role put events on the central bus only', () => {
    const policies = Object.values(template.findResources('AWS::IAM::Policy')) as {
      Properties: { PolicyDocument: { Statement: { Action: unknown; Resource: unknown }[] } };
    }[];
    const statements = policies.flatMap((p) => p.Properties.PolicyDocument.Statement);

    expect(statements.map((s) => s.Action)).toEqual(['events:PutEvents']);
    expect(JSON.stringify(statements[0]?.Resource)).toContain(':111122223333:event-bus/default');
  });

  it('retries within bounds and dead-letters what the central bus does not accept', () => {
    const targets = Object.values(template.findResources('AWS::Events::Rule')).flatMap(
      (rule) => (rule as { Properties: { Targets: Record<string, unknown>[] } }).Properties.Targets,
    );
    expect(targets).toHaveLength(2);
    for (const target of targets)
      expect(target).toMatchObject({
        RetryPolicy: {
          MaximumRetryAttempts: RETRY_ATTEMPTS,
          MaximumEventAgeInSeconds: MAX_EVENT_AGE.toSeconds(),
        },
        DeadLetterConfig: {
          Arn: { 'Fn::GetAtt': ['DeadLetterQueue9F481546', 'Arn'] },
        },
      });
    template.hasResourceProperties('AWS::SQS::Queue', {
      SqsManagedSseEnabled: true,
      MessageRetentionPeriod: 14 * 24 * 3600,
    });
    // Exactly the forwarder's two rules may send to it.
    template.hasResourceProperties('AWS::SQS::QueuePolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Sid: 'ForwarderRules',
            Condition: {
              ArnEquals: {
                'aws:SourceArn': [
                  { 'Fn::GetAtt': [Match.stringLikeRegexp('^EcsEvents'), 'Arn'] },
                  { 'Fn::GetAtt': [Match.stringLikeRegexp('^EcsApiCalls'), 'Arn'] },
                ],
              },
            },
          }),
        ]),
      },
    });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'ApproximateNumberOfMessagesVisible',
      AlarmActions: [{ Ref: Match.stringLikeRegexp('^Topic') }],
    });
    template.hasOutput('ForwarderDeadLetterQueueUrl', Match.anyValue());
  });

  it('filters the watched clusters with the member account and region', () => {
    const member = new ForwarderStack(new App(), 'member', {
      env: { account: '444455556666', region: 'eu-west-1' },
      config: config({ centralAccount: '111122223333', clusters: 'web' }),
    });
    const memberTemplate = Template.fromStack(member);
    memberTemplate.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: Match.objectLike({
        detail: { clusterArn: ['arn:aws:ecs:eu-west-1:444455556666:cluster/web'] },
      }),
    });
    memberTemplate.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: Match.objectLike({
        account: ['444455556666'],
        detail: Match.objectLike({
          requestParameters: {
            cluster: ['web', 'arn:aws:ecs:eu-west-1:444455556666:cluster/web'],
          },
        }),
      }),
    });
  });

  it('has no AwsSolutions or Serverless findings', () => {
    for (const Pack of NAG_PACKS) expect(new Pack(app).validateScope(stack).violations).toEqual([]);
  });

  it('needs the central account', () => {
    expect(() => new ForwarderStack(new App(), 'f', { config: config({}) })).toThrow(
      /needs centralAccount/,
    );
  });
});

describe('CentralBusPolicy (central account)', () => {
  it('admits each member account to PutEvents on the default bus', () => {
    const stack = new Stack(new App(), 'central', {
      env: { account: '111122223333', region: 'eu-west-1' },
    });
    new CentralBusPolicy(stack, 'Members', {
      stage: 'prod',
      accounts: ['444455556666', '777788889999'],
    });

    const template = Template.fromStack(stack);

    template.resourceCountIs('AWS::Events::EventBusPolicy', 2);
    const statements = Object.values(template.findResources('AWS::Events::EventBusPolicy')).map(
      (policy) =>
        JSON.stringify((policy as { Properties: { Statement: unknown } }).Properties.Statement),
    );
    expect(statements.every((s) => s.includes('"Action":"events:PutEvents"'))).toBe(true);
    expect(statements.filter((s) => s.includes(':iam::777788889999:root'))).toHaveLength(1);
    expect(statements.filter((s) => s.includes(':iam::444455556666:root'))).toHaveLength(1);
  });
});

describe('CentralBusPolicy statement ids', () => {
  it('carry the stage, so two stages of one account do not collide', () => {
    const ids = ['prod', 'staging'].flatMap((stage) => {
      const stack = new Stack(new App(), `central-${stage}`, {
        env: { account: '111122223333', region: 'eu-west-1' },
      });
      new CentralBusPolicy(stack, 'Members', { stage, accounts: ['444455556666'] });
      return Object.values(
        Template.fromStack(stack).findResources('AWS::Events::EventBusPolicy'),
      ).map((policy) => (policy as { Properties: { StatementId: string } }).Properties.StatementId);
    });
    expect(ids).toEqual(['ecslog-prod-member-444455556666', 'ecslog-staging-member-444455556666']);
  });
});
