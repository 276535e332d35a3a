/**
 * The pipeline: EventBridge rules for the ECS events, the ingest Lambda (an EventBridge target in
 * the `direct` topology, a Kinesis consumer in `stream`), the lake's Firehose stream with the
 * transform Lambda, alarms, a dashboard, and the managed policy for operators who run backfills.
 * Everything stateful comes from the stateful stack.
 */
import type { StackProps } from 'aws-cdk-lib';
import { CfnOutput, Duration, RemovalPolicy, Stack, Token, Validations } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sources from 'aws-cdk-lib/aws-lambda-event-sources';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { RegionInfo } from 'aws-cdk-lib/region-info';
import type { Construct } from 'constructs';
import type { StageConfig } from '../config/stage-config';
import { PipelineAlarms } from '../constructs/alarms-pipeline';
import { FirehoseLake } from '../constructs/firehose-lake';
import {
  ecsApiCallPattern,
  ecsDeploymentPattern,
  ecsStatePattern,
} from '../constructs/pipeline-event-patterns';
import { PipelineFunction } from '../constructs/pipeline-function';
import type { StatefulResources } from './stateful-stack';

/** The Powertools namespace and service the ingest publishes its metrics under. */
export const INGEST_METRICS_NAMESPACE = 'ecslog';
export const INGEST_SERVICE_NAME = 'ecslog-ingest';

/** EventBridge → target and Kinesis → Lambda give up after this many retries / this age. */
export const RETRY_ATTEMPTS = 8;
export const MAX_EVENT_AGE = Duration.hours(6);

export interface PipelineStackProps extends StackProps {
  config: StageConfig;
  stateful: StatefulResources;
}

export class PipelineStack extends Stack {
  readonly ingest: lambda.IFunction;
  readonly transform?: lambda.IFunction;
  readonly rules: events.Rule[] = [];
  readonly alarms: PipelineAlarms;
  readonly backfillPolicy: iam.ManagedPolicy;

  constructor(scope: Construct, id: string, props: PipelineStackProps) {
    super(scope, id, props);
    const { config, stateful } = props;
    if (config.topology === 'stream' && !stateful.stream)
      throw new Error('the stream topology needs the stateful stack to provide the Kinesis stream');
    if (config.lake && !stateful.lakeBucket)
      throw new Error('lake=true needs the stateful stack to provide the lake bucket');

    const removalPolicy =
      config.removalPolicy === 'destroy' ? RemovalPolicy.DESTROY : RemovalPolicy.RETAIN;
    const logRetention = logs.RetentionDays.ONE_MONTH;
    // The queues live in the stateful stack. Handed to an EventBridge target, a queue of another
    // stack would get a resource-policy statement naming this stack's rule: a cycle between the
    // stacks. Importing it by ARN keeps this stack one-way; the stateful stack's DLQ policy admits
    // events.amazonaws.com for this account's rules.
    const deadLetterQueue = sqs.Queue.fromQueueAttributes(this, 'DeadLetterQueue', {
      queueArn: stateful.deadLetterQueue.queueArn,
      queueUrl: stateful.deadLetterQueue.queueUrl,
      ...(stateful.deadLetterQueue.encryptionMasterKey
        ? { keyArn: stateful.deadLetterQueue.encryptionMasterKey.keyArn }
        : {}),
    });

    const ingest = new PipelineFunction(this, 'Ingest', {
      entry:
        config.topology === 'direct'
          ? 'apps/ingest/src/eventbridge.handler.ts'
          : 'apps/ingest/src/kinesis.handler.ts',
      description: `ecslog ${config.stage}: ECS events -> audit table (${config.topology})`,
      environment: {
        TABLE_NAME: stateful.table.tableName,
        RETENTION_DAYS: String(config.retentionDays),
        QUARANTINE_QUEUE_URL: stateful.quarantineQueue.queueUrl,
        POWERTOOLS_SERVICE_NAME: INGEST_SERVICE_NAME,
        POWERTOOLS_METRICS_NAMESPACE: INGEST_METRICS_NAMESPACE,
      },
      timeout: Duration.seconds(60),
      logRetention,
      removalPolicy,
    });
    this.ingest = ingest.function;
    const latestRuntime = {
      id: 'AwsSolutions-L1',
      reason:
        'nodejs22.x is deliberate: the handlers are bundled and tested for node22 (tools/build/bundle-lambdas.cjs); nodejs24.x is a separate upgrade',
    };
    Validations.of(ingest.function).acknowledge(latestRuntime);
    // The audit writer puts items (conditional, out-of-order guard) and batch-writes; nothing else.
    // The ingest writes base-table items only (DynamoDB maintains the indexes): no `index/*` grant.
    ingest.function.addToRolePolicy(
      new iam.PolicyStatement({
        actions: ['dynamodb:BatchWriteItem', 'dynamodb:PutItem'],
        resources: [stateful.table.tableArn],
      }),
    );
    stateful.table.encryptionKey?.grant(ingest.function, 'kms:Decrypt', 'kms:GenerateDataKey');
    stateful.quarantineQueue.grantSendMessages(ingest.function);

    const transform = config.lake
      ? new PipelineFunction(this, 'Transform', {
          entry: 'apps/firehose-transform/src/transform.handler.ts',
          description: `ecslog ${config.stage}: ECS events -> lake rows (Firehose transform)`,
          environment: { POWERTOOLS_SERVICE_NAME: 'ecslog-firehose-transform' },
          timeout: Duration.minutes(1),
          logRetention,
          removalPolicy,
        })
      : undefined;
    if (transform) {
      this.transform = transform.function;
      Validations.of(transform.function).acknowledge(latestRuntime);
    }
    const lake =
      transform && stateful.lakeBucket
        ? new FirehoseLake(this, 'Lake', {
            bucket: stateful.lakeBucket,
            ...(stateful.lakeKey ? { key: stateful.lakeKey } : {}),
            transform: transform.function,
            ...(config.topology === 'stream' && stateful.stream ? { source: stateful.stream } : {}),
          })
        : undefined;

    const ruleTargets: events.IRuleTarget[] = [];
    if (config.topology === 'direct') {
      ruleTargets.push(
        new targets.LambdaFunction(ingest.function, {
          retryAttempts: RETRY_ATTEMPTS,
          maxEventAge: MAX_EVENT_AGE,
          deadLetterQueue,
        }),
      );
      if (lake) ruleTargets.push(new targets.FirehoseDeliveryStream(lake.deliveryStream));
    } else if (stateful.stream) {
      // One JSON path only. `$.detail.taskArn` is absent from service, deployment, container
      // instance and API-call events; the envelope id is always there and spreads events evenly
      // over the shards. Order per task does not matter: the writer keeps the highest version.
      ruleTargets.push(new targets.KinesisStream(stateful.stream, { partitionKeyPath: '$.id' }));
      ingest.function.addEventSource(
        new sources.KinesisEventSource(stateful.stream, {
          startingPosition: lambda.StartingPosition.TRIM_HORIZON,
          batchSize: 100,
          maxBatchingWindow: Duration.seconds(1),
          reportBatchItemFailures: true,
          bisectBatchOnError: true,
          retryAttempts: RETRY_ATTEMPTS,
          maxRecordAge: MAX_EVENT_AGE,
          onFailure: new sources.SqsDlq(deadLetterQueue),
        }),
      );
    }

    // A literal partition when the region is known, so the patterns hold plain ARNs.
    const partition = Token.isUnresolved(this.region)
      ? this.partition
      : (RegionInfo.get(this.region).partition ?? this.partition);
    const clusterScope = { partition, region: this.region, account: this.account };
    const rule = (ruleId: string, description: string, eventPattern: events.EventPattern) => {
      const created = new events.Rule(this, ruleId, {
        description,
        eventPattern,
        targets: ruleTargets,
      });
      // Every target retries and dead-letters, not only the Lambda one: the Kinesis and Firehose
      // L2 targets have no such options, so set them on the rule's targets directly.
      const cfnRule = created.node.defaultChild as events.CfnRule;
      ruleTargets.forEach((_, index) => {
        cfnRule.addPropertyOverride(`Targets.${index}.RetryPolicy`, {
          MaximumRetryAttempts: RETRY_ATTEMPTS,
          MaximumEventAgeInSeconds: MAX_EVENT_AGE.toSeconds(),
        });
        cfnRule.addPropertyOverride(`Targets.${index}.DeadLetterConfig`, {
          Arn: deadLetterQueue.queueArn,
        });
      });
      this.rules.push(created);
    };
    rule(
      'EcsEvents',
      'ECS state changes -> ecslog',
      ecsStatePattern(config.clusters, clusterScope),
    );
    if (config.clusters.length > 0)
      rule(
        'EcsDeployments',
        'ECS deployment state changes of the watched clusters -> ecslog',
        ecsDeploymentPattern(config.clusters, clusterScope),
      );
    if (config.captureApiCalls)
      rule(
        'EcsApiCalls',
        'ECS API calls (CloudTrail) -> ecslog',
        ecsApiCallPattern(config.clusters, clusterScope),
      );

    this.alarms = new PipelineAlarms(this, 'Alarms', {
      ...(config.alarmEmail ? { alarmEmail: config.alarmEmail } : {}),
      ...(config.alarmTopicArn ? { alarmTopicArn: config.alarmTopicArn } : {}),
      ingest: ingest.function,
      ...(transform ? { transform: transform.function } : {}),
      deadLetterQueue: stateful.deadLetterQueue,
      quarantineQueue: stateful.quarantineQueue,
      iteratorAge: config.topology === 'stream',
      ...(lake ? { deliveryStream: lake.deliveryStream } : {}),
      metricsNamespace: INGEST_METRICS_NAMESPACE,
      serviceName: INGEST_SERVICE_NAME,
    });

    this.backfillPolicy = this.createBackfillPolicy(config, stateful);
    new CfnOutput(this, 'BackfillPolicyArn', {
      description: 'Attach to the operators who run apps/backfill (LookupEvents -> table/stream)',
      value: this.backfillPolicy.managedPolicyArn,
      exportName: `${this.stackName}-BackfillPolicyArn`,
    });
  }

  /**
   * apps/backfill/README.md "IAM permissions". Reading a trail's S3 bucket is left out: the bucket
   * (and its key) belongs to the account's trail, not to ecslog; grant it next to this policy.
   */
  private createBackfillPolicy(
    config: StageConfig,
    stateful: StatefulResources,
  ): iam.ManagedPolicy {
    const statements = [
      new iam.PolicyStatement({
        sid: 'LookupEcsApiCalls',
        actions: ['cloudtrail:LookupEvents'],
        // LookupEvents has no resource-level permissions.
        resources: ['*'],
      }),
      new iam.PolicyStatement({
        sid: 'WriteAuditTable',
        actions: [
          'dynamodb:DescribeTable',
          'dynamodb:BatchGetItem',
          'dynamodb:BatchWriteItem',
          'dynamodb:PutItem',
        ],
        resources: [stateful.table.tableArn],
      }),
    ];
    if (stateful.table.encryptionKey)
      statements.push(
        new iam.PolicyStatement({
          sid: 'UseAuditTableKey',
          actions: ['kms:Decrypt', 'kms:GenerateDataKey'],
          resources: [stateful.table.encryptionKey.keyArn],
        }),
      );
    if (config.topology === 'stream' && stateful.stream) {
      statements.push(
        new iam.PolicyStatement({
          sid: 'PutToStream',
          actions: ['kinesis:DescribeStreamSummary', 'kinesis:PutRecords'],
          resources: [stateful.stream.streamArn],
        }),
      );
      if (stateful.stream.encryptionKey)
        statements.push(
          new iam.PolicyStatement({
            sid: 'UseStreamKey',
            actions: ['kms:GenerateDataKey'],
            resources: [stateful.stream.encryptionKey.keyArn],
          }),
        );
    }
    const policy = new iam.ManagedPolicy(this, 'BackfillPolicy', {
      description: `ecslog ${config.stage}: run apps/backfill into the audit table${config.topology === 'stream' ? ' or the stream' : ''}`,
      statements,
    });
    Validations.of(policy).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'BackfillPolicy: cloudtrail:LookupEvents has no resource-level permissions; every other statement names the table, stream or key',
    });
    return policy;
  }
}
