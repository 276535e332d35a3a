/**
 * Multi-account: each member account of an organization deploys only the forwarder stack, which
 * sends its ECS events (and ECS API calls from CloudTrail) to the central account's default event
 * bus; the central account admits them with a bus policy ({@link CentralBusPolicy}). ecslog then
 * runs once, centrally. What the central bus does not accept in time is kept in this account's
 * dead-letter queue (14 days, alarmed).
 */
import type { StackProps } from 'aws-cdk-lib';
import { CfnOutput, Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { StageConfig } from '../config/stage-config';
import { alarmTopic } from '../constructs/alarm-topic';
import { boundedDelivery } from '../constructs/delivery-bounds';
import { clusterScopeOf } from '../constructs/pipeline-event-patterns';
import { pipelineRulePatterns } from '../constructs/pipeline-rule-names';
import { MAX_EVENT_AGE, RETRY_ATTEMPTS } from './pipeline-stack';
import { QUEUE_RETENTION } from './stateful-stack';

export interface ForwarderStackProps extends StackProps {
  config: StageConfig;
}

export class ForwarderStack extends Stack {
  readonly rules: events.Rule[] = [];
  readonly deadLetterQueue: sqs.Queue;

  constructor(scope: Construct, id: string, props: ForwarderStackProps) {
    super(scope, id, props);
    const { config } = props;
    if (config.centralAccount === undefined)
      throw new Error('the forwarder stack needs centralAccount (-c centralAccount=111122223333)');
    const region = config.centralRegion ?? this.region;
    const centralBus = events.EventBus.fromEventBusArn(
      this,
      'CentralBus',
      `arn:${this.partition}:events:${region}:${config.centralAccount}:event-bus/default`,
    );
    const removalPolicy =
      config.removalPolicy === 'retain' ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY;
    this.deadLetterQueue = new sqs.Queue(this, 'DeadLetterQueue', {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: QUEUE_RETENTION,
      removalPolicy,
    });
    Validations.of(this.deadLetterQueue).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason:
        "DeadLetterQueue is itself the forwarder rules' dead-letter queue (bodies are the ECS events the central bus did not accept); nothing consumes it automatically",
    });
    Validations.of(this.deadLetterQueue).acknowledge({
      id: 'Serverless-SQSRedrivePolicy',
      reason:
        'DeadLetterQueue is terminal: its events wait for ecslog redrive or a person, never for an automatic consumer',
    });
    // One role for both rules: events:PutEvents on the central bus only.
    const role = new iam.Role(this, 'ForwardRole', {
      assumedBy: new iam.ServicePrincipal('events.amazonaws.com'),
      description: 'Lets EventBridge put ECS events on the central ecslog account bus',
    });
    const target = boundedDelivery(new targets.EventBus(centralBus, { role }), {
      deadLetterQueueArn: this.deadLetterQueue.queueArn,
      retryAttempts: RETRY_ATTEMPTS,
      maxEventAge: MAX_EVENT_AGE,
    });
    // The member's own clusters, named here, expand with the member's account and region.
    const clusterScope = clusterScopeOf(this);
    const forward = (ruleId: string, description: string, eventPattern: events.EventPattern) => {
      this.rules.push(
        new events.Rule(this, ruleId, { description, eventPattern, targets: [target] }),
      );
    };
    for (const { rule, matches, eventPattern } of pipelineRulePatterns(config, clusterScope))
      forward(rule, `${matches} → the central ecslog account`, eventPattern);
    // The DLQ admits exactly these rules.
    this.deadLetterQueue.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'ForwarderRules',
        principals: [new iam.ServicePrincipal('events.amazonaws.com')],
        actions: ['sqs:SendMessage'],
        resources: [this.deadLetterQueue.queueArn],
        conditions: { ArnEquals: { 'aws:SourceArn': this.rules.map((rule) => rule.ruleArn) } },
      }),
    );

    const topic = alarmTopic(this, {
      ...(config.alarmEmail ? { alarmEmail: config.alarmEmail } : {}),
      ...(config.alarmTopicArn ? { alarmTopicArn: config.alarmTopicArn } : {}),
      keyRemovalPolicy: config.stage === 'dev' ? RemovalPolicy.DESTROY : removalPolicy,
    });
    const alarm = new cloudwatch.Alarm(this, 'DeadLetterQueueDepth', {
      metric: this.deadLetterQueue.metricApproximateNumberOfMessagesVisible({
        period: Duration.minutes(5),
        statistic: 'Maximum',
      }),
      threshold: 0,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      alarmDescription:
        'ECS events the central ecslog bus did not accept (bus policy, central region down) are waiting in the forwarder dead-letter queue: replay with ecslog redrive --queue',
    });
    alarm.addAlarmAction(new actions.SnsAction(topic));
    new CfnOutput(this, 'ForwarderDeadLetterQueueUrl', {
      value: this.deadLetterQueue.queueUrl,
      description: 'SQS: ECS events the central bus did not accept (body = the event)',
    });
  }
}

export interface CentralBusPolicyProps {
  /** Names the statements, so that two stages of one account do not collide. */
  stage: string;
  /** Member accounts whose forwarders may put events on this account's default bus. */
  accounts: readonly string[];
}

/** In the central account: lets the member accounts' forwarders put events on the default bus. */
export class CentralBusPolicy extends Construct {
  constructor(scope: Construct, id: string, props: CentralBusPolicyProps) {
    super(scope, id);
    const bus = events.EventBus.fromEventBusName(this, 'DefaultBus', 'default');
    for (const account of props.accounts)
      new events.CfnEventBusPolicy(this, `Member${account}`, {
        eventBusName: bus.eventBusName,
        statementId: busPolicyStatementId(props.stage, account),
        statement: {
          Effect: 'Allow',
          Principal: { AWS: `arn:${Stack.of(this).partition}:iam::${account}:root` },
          Action: 'events:PutEvents',
          Resource: bus.eventBusArn,
        },
      });
  }
}

/** The bus policy statement of a stage's member account: unique per stage and account. */
export function busPolicyStatementId(stage: string, account: string): string {
  return `ecslog-${stage}-member-${account}`;
}
