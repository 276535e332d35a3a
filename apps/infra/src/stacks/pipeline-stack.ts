/**
 * The pipeline: EventBridge rules for the ECS events, the ingest Lambda (an EventBridge target in
 * the `direct` topology, a Kinesis consumer in `stream`), the lake's Firehose stream with the
 * transform Lambda, alarms, a dashboard, and the managed policies for operators who run
 * backfills and redrives. Everything stateful comes from the stateful stack, by weak references
 * (`Fn::GetStackOutput`, see ecslog-app.ts): no export pins the stateful stack's shape.
 *
 * Where the pipeline parks what it could not store — this stack's outputs, read by
 * `ecslog redrive` and named in the README's Deploy section; the names are stable:
 * - `IngestDeadLetterQueueUrl`: SQS, the EventBridge targets' dead-letter queue; each body is
 *   the ECS event EventBridge could not deliver (to the ingest, Firehose or the stream).
 * - `IngestFailureQueueUrl`: SQS, the ingest's on-failure destination for asynchronous
 *   invocations (`direct`); each body is Lambda's invocation record, the event in
 *   `requestPayload`.
 * - `StreamFailureBucketName` + `StreamFailureBucketPrefix`: S3, the Kinesis event-source
 *   mapping's on-failure destination (`stream`); one object per failed batch, the invocation
 *   record with the batch's records, replayable after the stream has dropped them.
 * - `QuarantineQueueUrl`: SQS, events the mapper could not read, kept whole by the ingest.
 * - `TableName`: where a redrive writes; `RedrivePolicyArn`: the managed policy it needs.
 * Every location exists in both topologies, so a switch never deletes one that holds failures.
 */
import type { StackProps } from 'aws-cdk-lib';
import {
  CfnOutput,
  CrossStackReferences,
  Duration,
  ReferenceStrength,
  RemovalPolicy,
  Stack,
  Validations,
} from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import type { StageConfig } from '../config/stage-config';
import { PipelineAlarms } from '../constructs/alarms-pipeline';
import { boundedDelivery } from '../constructs/delivery-bounds';
import { FirehoseLake, nagResource } from '../constructs/firehose-lake';
import { clusterScopeOf } from '../constructs/pipeline-event-patterns';
import { Notifier } from '../constructs/notifier';
import { LAMBDA_BUNDLES, PipelineFunction } from '../constructs/pipeline-function';
import type { PipelineRule } from '../constructs/pipeline-rule-names';
import { pipelineRuleName, pipelineRulePatterns } from '../constructs/pipeline-rule-names';
import type { StatefulResources } from './stateful-stack';
import { STREAM_FAILURE_PREFIX } from './stateful-stack';

/** The Powertools namespace and service the ingest publishes its metrics under. */
export const INGEST_METRICS_NAMESPACE = 'ecslog';
export const INGEST_SERVICE_NAME = 'ecslog-ingest';

/** EventBridge → target and Kinesis → Lambda give up after this many retries / this age. */
export const RETRY_ATTEMPTS = 8;
export const MAX_EVENT_AGE = Duration.hours(6);

/**
 * Lambda's own retries of an asynchronous invocation that failed (`direct`), then the event goes
 * to the ingest failure queue. Two (the most Lambda allows) with its back-off of about 1 and 2
 * minutes: the ingest already retries DynamoDB per key inside one invocation, so a failure here
 * is an outage, and the queue keeps it 14 days for `ecslog redrive`. The age limit matches the
 * EventBridge retry window: an event older than 6 hours goes to the queue rather than waiting.
 */
export const ASYNC_RETRY_ATTEMPTS = 2;
export const ASYNC_MAX_EVENT_AGE = MAX_EVENT_AGE;

/**
 * The ingest's memory (MB), from `tools/bench/src/ingest-lambda-benchmark.ts` on the bundled
 * handler (README "What it costs"): peak RSS 66 MB for one event per invocation (`direct`),
 * 89 MB for a batch of 100 and 137 MB for 500 (`stream`). 128 MB holds the direct handler
 * twice over; the stream consumer gets 256 MB so a full batch (and bisected retries) never nears
 * the limit.
 */
export const INGEST_MEMORY_MB = { direct: 128, stream: 256 } as const;

/** The transform buffers up to 1 MB of records per invocation: 128 MB is ample. */
export const TRANSFORM_MEMORY_MB = 128;

/**
 * The Kinesis read actions of the event-source mapping (the Lambda guide's execution-role list
 * for Kinesis): no ListStreams, no DescribeStreamConsumer (no enhanced fan-out consumer here).
 */
export const KINESIS_READ_ACTIONS = [
  'kinesis:DescribeStream',
  'kinesis:DescribeStreamSummary',
  'kinesis:GetRecords',
  'kinesis:GetShardIterator',
  'kinesis:ListShards',
];

/**
 * What `@ecslog/audit-store`'s writer sends to write records, on the table only: BatchWriteItem
 * (history, never-started runs), PartiQL INSERT / UPDATE in BatchExecuteStatement (runs, carries,
 * latest states; conditional), PutItem (the same, one at a time, where PartiQL is missing).
 */
export const AUDIT_WRITER_ACTIONS = [
  'dynamodb:BatchWriteItem',
  'dynamodb:PartiQLInsert',
  'dynamodb:PartiQLUpdate',
  'dynamodb:PutItem',
] as const;

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
  readonly redrivePolicy: iam.ManagedPolicy;
  /** When the stage sets `notifications`. */
  readonly notifier?: Notifier;

  constructor(scope: Construct, id: string, props: PipelineStackProps) {
    super(scope, id, props);
    // The stateful stack's values arrive by Fn::GetStackOutput, not Fn::ImportValue: an export
    // cannot be removed or changed while imported, so switching topology or lake (which removes
    // the stream or the lake bucket) would fail on the stateful stack's update.
    CrossStackReferences.of(this).consume(ReferenceStrength.WEAK);
    const { config, stateful } = props;
    if (config.topology === 'stream' && !stateful.stream)
      throw new Error('the stream topology needs the stateful stack to provide the Kinesis stream');
    if (config.lake && !stateful.lakeBucketArnRef)
      throw new Error('lake=true needs the stateful stack to provide the lake bucket');

    const removalPolicy =
      config.removalPolicy === 'destroy' ? RemovalPolicy.DESTROY : RemovalPolicy.RETAIN;
    // Log groups and the alarm key hold nothing to keep in dev; in dev they go with the stack.
    const devOnlyRemoval = config.stage === 'dev' ? RemovalPolicy.DESTROY : removalPolicy;
    const logRetention = logs.RetentionDays.ONE_MONTH;
    // The buckets as this stack reads them, under fixed output names (StatefulResources).
    const streamFailureBucket = s3.Bucket.fromBucketArn(
      this,
      'StreamFailureBucket',
      stateful.streamFailureBucketArnRef,
    );
    const lakeBucket = stateful.lakeBucketArnRef
      ? s3.Bucket.fromBucketArn(this, 'LakeBucket', stateful.lakeBucketArnRef)
      : undefined;
    // The DLQ lives in the stateful stack, whose queue policy admits this stack's rules by
    // name (pipeline-rule-names.ts): a grant from here would make the stacks depend both ways.
    const ingest = new PipelineFunction(this, 'Ingest', {
      bundle:
        config.topology === 'direct'
          ? LAMBDA_BUNDLES.ingestEventBridge
          : LAMBDA_BUNDLES.ingestKinesis,
      memorySize: INGEST_MEMORY_MB[config.topology],
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
      removalPolicy: devOnlyRemoval,
    });
    this.ingest = ingest.function;
    const latestRuntime = {
      id: 'AwsSolutions-L1',
      reason:
        "nodejs22.x is deliberate: the handlers are bundled (AWS SDK included) and tested for node22 by tools/build/bundle-lambdas.cjs and the apps' build specs, and this asset is that bundle; nodejs24.x is a separate upgrade",
    };
    Validations.of(ingest.function).acknowledge(latestRuntime);
    this.acknowledgeServerlessFindings(ingest.function, config);
    // The audit writer batch-writes history, and writes runs, carries and latest states as
    // conditional PartiQL INSERT / UPDATE statements (BatchExecuteStatement), or conditional
    // PutItem where a server has no PartiQL; it never reads (closing runs, which reads, is not
    // the ingest's). Base-table items only (DynamoDB maintains the indexes): no `index/*` grant.
    ingest.function.addToRolePolicy(
      new iam.PolicyStatement({
        actions: [...AUDIT_WRITER_ACTIONS],
        resources: [stateful.table.tableArn],
      }),
    );
    stateful.table.encryptionKey?.grant(ingest.function, 'kms:Decrypt', 'kms:GenerateDataKey');
    stateful.quarantineQueue.grantSendMessages(ingest.function);

    const transform = config.lake
      ? new PipelineFunction(this, 'Transform', {
          bundle: LAMBDA_BUNDLES.transform,
          memorySize: TRANSFORM_MEMORY_MB,
          description: `ecslog ${config.stage}: ECS events -> lake rows (Firehose transform)`,
          environment: { POWERTOOLS_SERVICE_NAME: 'ecslog-firehose-transform' },
          timeout: Duration.minutes(1),
          logRetention,
          removalPolicy: devOnlyRemoval,
        })
      : undefined;
    if (transform) {
      this.transform = transform.function;
      Validations.of(transform.function).acknowledge(latestRuntime);
      this.acknowledgeServerlessFindings(transform.function, config);
    }
    const lake =
      transform && lakeBucket
        ? new FirehoseLake(this, 'Lake', {
            bucket: lakeBucket,
            ...(stateful.lakeKey ? { key: stateful.lakeKey } : {}),
            transform: transform.function,
            ...(config.topology === 'stream' && stateful.stream ? { source: stateful.stream } : {}),
            logRetention,
            removalPolicy: devOnlyRemoval,
          })
        : undefined;

    const ruleTargets: events.IRuleTarget[] = [];
    let streamMapping: lambda.EventSourceMapping | undefined;
    if (config.topology === 'direct') {
      // EventBridge's DLQ catches only what it cannot hand to Lambda. Once Lambda has accepted
      // the event, a function error is Lambda's to retry; then the event goes, with its payload
      // (the invocation record's requestPayload), to the ingest failure queue instead of nowhere.
      ingest.function.configureAsyncInvoke({
        retryAttempts: ASYNC_RETRY_ATTEMPTS,
        maxEventAge: ASYNC_MAX_EVENT_AGE,
        onFailure: new FailureDestination(stateful.ingestFailureQueue.queueArn),
      });
      ruleTargets.push(new targets.LambdaFunction(ingest.function));
      if (lake) ruleTargets.push(new targets.FirehoseDeliveryStream(lake.deliveryStream));
    } else if (stateful.stream) {
      // One JSON path only. `$.detail.taskArn` is absent from service, deployment, container
      // instance and API-call events; the envelope id is always there and spreads events evenly
      // over the shards. Order per task does not matter: the writer keeps the highest version.
      ruleTargets.push(new targets.KinesisStream(stateful.stream, { partitionKeyPath: '$.id' }));
      // An S3 destination receives the whole invocation record, the batch's records included (an
      // SQS one only shard and sequence pointers, useless once the stream's 24 h have passed).
      // The mapping is built here rather than by KinesisEventSource, whose stream.grantRead adds
      // kinesis:ListStreams and DescribeStreamConsumer; the role gets the read actions below.
      streamMapping = new lambda.EventSourceMapping(this, 'IngestStreamMapping', {
        target: ingest.function,
        eventSourceArn: stateful.stream.streamArn,
        startingPosition: lambda.StartingPosition.TRIM_HORIZON,
        batchSize: 100,
        maxBatchingWindow: Duration.seconds(1),
        reportBatchItemFailures: true,
        bisectBatchOnError: true,
        retryAttempts: RETRY_ATTEMPTS,
        maxRecordAge: MAX_EVENT_AGE,
        onFailure: new FailureDestination(streamFailureBucket.bucketArn),
        // EventCount metrics: OnFailureDestinationDeliveredEventCount feeds the StreamFailedBatches alarm.
        metricsConfig: { metrics: [lambda.MetricType.EVENT_COUNT] },
      });
      ingest.role.addToPrincipalPolicy(
        new iam.PolicyStatement({
          sid: 'ReadEventStream',
          actions: KINESIS_READ_ACTIONS,
          resources: [stateful.stream.streamArn],
        }),
      );
      stateful.stream.encryptionKey?.grantDecrypt(ingest.function);
    }
    // Lambda writes failure records with the function's role: exactly the actions it needs.
    this.grantFailureDestinations(ingest.role, stateful.ingestFailureQueue, streamFailureBucket);

    const clusterScope = clusterScopeOf(this);
    const rule = (ruleId: PipelineRule, description: string, eventPattern: events.EventPattern) => {
      const created = new events.Rule(this, ruleId, {
        // Named, so that the stateful stack's DLQ policy can admit exactly these rules.
        ruleName: pipelineRuleName(config.stage, ruleId),
        description,
        eventPattern,
        // Every target retries within bounds and dead-letters, not only the Lambda one.
        targets: ruleTargets.map((target) =>
          boundedDelivery(target, {
            deadLetterQueueArn: stateful.deadLetterQueue.queueArn,
            retryAttempts: RETRY_ATTEMPTS,
            maxEventAge: MAX_EVENT_AGE,
          }),
        ),
      });
      this.rules.push(created);
    };
    for (const { rule: ruleId, matches, eventPattern } of pipelineRulePatterns(
      config,
      clusterScope,
    ))
      rule(ruleId, `${matches} -> ecslog`, eventPattern);

    this.alarms = new PipelineAlarms(this, 'Alarms', {
      ...(config.alarmEmail ? { alarmEmail: config.alarmEmail } : {}),
      ...(config.alarmTopicArn ? { alarmTopicArn: config.alarmTopicArn } : {}),
      keyRemovalPolicy: devOnlyRemoval,
      topology: config.topology,
      ingest: ingest.function,
      ...(transform
        ? { transform: { function: transform.function, logGroup: transform.logGroup } }
        : {}),
      deadLetterQueue: stateful.deadLetterQueue,
      ingestFailureQueue: stateful.ingestFailureQueue,
      quarantineQueue: stateful.quarantineQueue,
      streamFailureBucket,
      ...(streamMapping ? { streamMapping } : {}),
      ...(lake ? { deliveryStream: lake.deliveryStream } : {}),
      metricsNamespace: INGEST_METRICS_NAMESPACE,
      serviceName: INGEST_SERVICE_NAME,
    });

    if (config.notifications) {
      this.notifier = new Notifier(this, 'Notifier', {
        stage: config.stage,
        notifications: config.notifications,
        table: stateful.table,
        retentionDays: config.retentionDays,
        alarmTopic: this.alarms.topic,
        logRetention,
        removalPolicy: devOnlyRemoval,
        queueRemovalPolicy: removalPolicy,
      });
      new CfnOutput(this, 'NotifierDeadLetterQueueUrl', {
        value: this.notifier.deadLetterQueue.queueUrl,
        description:
          'SQS: notifications given up after every attempt (body = ecslog.dead-letter/1)',
      });
      new CfnOutput(this, 'NotifierStreamFailureQueueUrl', {
        value: this.notifier.streamFailureQueue.queueUrl,
        description:
          'SQS: table stream records the notifier never handled (shard and sequence numbers)',
      });
      if (this.notifier.topic)
        new CfnOutput(this, 'IncidentTopicArn', {
          value: this.notifier.topic.topicArn,
          description: 'SNS: incident messages (subscribe e-mail, SMS, chat integrations)',
        });
    }

    this.backfillPolicy = this.createBackfillPolicy(config, stateful);
    this.redrivePolicy = this.createRedrivePolicy(config, stateful, streamFailureBucket);
    // Plain outputs, no exports: an export cannot change while imported, and nothing imports these.
    new CfnOutput(this, 'BackfillPolicyArn', {
      description: 'Attach to the operators who run apps/backfill (LookupEvents -> table/stream)',
      value: this.backfillPolicy.managedPolicyArn,
    });
    new CfnOutput(this, 'RedrivePolicyArn', {
      description: 'Attach to the operators who run ecslog redrive (parked events -> table)',
      value: this.redrivePolicy.managedPolicyArn,
    });
    const parked: Record<string, [string, string]> = {
      IngestDeadLetterQueueUrl: [
        stateful.deadLetterQueue.queueUrl,
        'SQS: events EventBridge could not deliver (body = the event)',
      ],
      IngestFailureQueueUrl: [
        stateful.ingestFailureQueue.queueUrl,
        'SQS: events the ingest failed on (body = Lambda invocation record)',
      ],
      StreamFailureBucketName: [
        streamFailureBucket.bucketName,
        'S3: failed Kinesis batches with their records',
      ],
      StreamFailureBucketPrefix: [STREAM_FAILURE_PREFIX, 'where Lambda writes them in that bucket'],
      QuarantineQueueUrl: [
        stateful.quarantineQueue.queueUrl,
        'SQS: events the mapper could not read (kept whole)',
      ],
      TableName: [stateful.table.tableName, 'the audit table a redrive writes to'],
    };
    for (const [name, [value, description]] of Object.entries(parked))
      new CfnOutput(this, name, { value, description });
  }

  /**
   * What Lambda needs to deliver a failure record, and no more: SQS SendMessage on the ingest
   * failure queue (async, `direct`); PutObject and ListBucket on the stream failure bucket (the
   * Lambda guide's S3 destination permissions, `stream`).
   */
  private grantFailureDestinations(role: iam.Role, queue: sqs.IQueue, bucket: s3.IBucket): void {
    const objects = bucket.arnForObjects(`${STREAM_FAILURE_PREFIX}*`);
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'ParkFailedInvocations',
        actions: ['sqs:SendMessage'],
        resources: [queue.queueArn],
      }),
    );
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'ParkFailedBatches',
        actions: ['s3:PutObject', 's3:ListBucket'],
        resources: [bucket.bucketArn, objects],
      }),
    );
    Validations.of(role).acknowledge({
      id: `AwsSolutions-IAM5[Resource::${nagResource(this.resolve(objects))}]`,
      reason:
        'The ingest role: Lambda writes each failed Kinesis batch under a new unique key below aws/lambda/ of the stream failure bucket; PutObject only, no read or delete',
    });
  }

  /** cdk-nag Serverless findings this design answers differently, each with its reason. */
  private acknowledgeServerlessFindings(fn: lambda.IFunction, config: StageConfig): void {
    const ack = (id: string, reason: string) => Validations.of(fn).acknowledge({ id, reason });
    ack(
      'Serverless-LambdaTracing',
      `${fn.node.scope?.node.id}: no X-Ray. Every invocation logs one structured summary line (Powertools) and the ingest publishes per-outcome metrics; traces would add cost per event without a question they answer`,
    );
    ack(
      'Serverless-LambdaLatestVersion',
      'nodejs22.x is deliberate: the bundles are built and tested for node22 (tools/build/bundle-lambdas.cjs); nodejs24.x is a separate upgrade',
    );
    const invokedBy =
      fn === this.transform
        ? 'Transform is invoked synchronously by Firehose, which writes the records it could not transform under errors/: a function DLQ would never receive anything'
        : config.topology === 'stream'
          ? 'Ingest is invoked synchronously by the Kinesis event-source mapping, whose on-failure destination is the stream failure bucket: a function DLQ would never receive anything'
          : 'Ingest has an on-failure destination (EventInvokeConfig, the ingest failure queue) instead of a DLQ: it receives the whole invocation record (event, error, attempts), a DLQ only the event';
    ack('Serverless-LambdaDLQ', invokedBy);
  }

  /**
   * For `ecslog redrive` (README "Deploy"): read and delete parked messages and failed batches,
   * write the audit table, and read the stream for pointer-only failure messages of older
   * deployments. Queues and buckets use SSE-SQS / SSE-S3, so KMS appears only for customer keys.
   */
  private createRedrivePolicy(
    config: StageConfig,
    stateful: StatefulResources,
    bucket: s3.IBucket,
  ): iam.ManagedPolicy {
    const statements = [
      new iam.PolicyStatement({
        sid: 'ReadParkedQueues',
        actions: [
          'sqs:ReceiveMessage',
          'sqs:DeleteMessage',
          'sqs:ChangeMessageVisibility',
          'sqs:GetQueueAttributes',
        ],
        resources: [
          stateful.deadLetterQueue.queueArn,
          stateful.ingestFailureQueue.queueArn,
          stateful.quarantineQueue.queueArn,
        ],
      }),
      new iam.PolicyStatement({
        sid: 'ListFailedBatches',
        actions: ['s3:ListBucket'],
        resources: [bucket.bucketArn],
        conditions: { StringLike: { 's3:prefix': [`${STREAM_FAILURE_PREFIX}*`] } },
      }),
      new iam.PolicyStatement({
        sid: 'ReadAndDeleteFailedBatches',
        actions: ['s3:GetObject', 's3:DeleteObject'],
        resources: [bucket.arnForObjects(`${STREAM_FAILURE_PREFIX}*`)],
      }),
      new iam.PolicyStatement({
        sid: 'WriteAuditTable',
        actions: ['dynamodb:DescribeTable', ...AUDIT_WRITER_ACTIONS],
        resources: [stateful.table.tableArn],
      }),
    ];
    const keys = [
      ...[stateful.deadLetterQueue, stateful.ingestFailureQueue, stateful.quarantineQueue].map(
        (queue) => queue.encryptionMasterKey,
      ),
      stateful.table.encryptionKey,
      stateful.stream?.encryptionKey,
    ].filter((key) => key !== undefined);
    if (keys.length > 0)
      statements.push(
        new iam.PolicyStatement({
          sid: 'UseCustomerKeys',
          actions: ['kms:Decrypt', 'kms:GenerateDataKey'],
          resources: keys.map((key) => key.keyArn),
        }),
      );
    if (stateful.stream)
      statements.push(
        new iam.PolicyStatement({
          sid: 'ReadStreamForPointers',
          actions: ['kinesis:GetShardIterator', 'kinesis:GetRecords'],
          resources: [stateful.stream.streamArn],
        }),
      );
    const policy = new iam.ManagedPolicy(this, 'RedrivePolicy', {
      description: `ecslog ${config.stage}: run ecslog redrive (parked events -> the audit table)`,
      statements,
    });
    const objects = nagResource(this.resolve(bucket.arnForObjects(`${STREAM_FAILURE_PREFIX}*`)));
    Validations.of(policy).acknowledge({
      id: `AwsSolutions-IAM5[Resource::${objects}]`,
      reason:
        'RedrivePolicy: Lambda names each failed-batch object uniquely under aws/lambda/ of the stream failure bucket; the redrive reads and deletes those objects, nothing else in the bucket',
    });
    return policy;
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
        // BatchGetItem: which records are stored already (a re-run skips them).
        actions: ['dynamodb:DescribeTable', 'dynamodb:BatchGetItem', ...AUDIT_WRITER_ACTIONS],
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
      // Constant: a description is create-only, so one that followed the topology would replace
      // the policy (and detach it from every operator) at each switch.
      description: `ecslog ${config.stage}: run apps/backfill into the audit table (or the stream)`,
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

/**
 * An on-failure destination by ARN, for an asynchronous invocation or an event-source mapping
 * (an S3 bucket there: Lambda's S3 destination). The library's SqsDestination and
 * S3OnFailureDestination also grant the role access (S3: read, write and delete); the pipeline
 * grants exactly the delivery actions itself (`grantFailureDestinations`).
 */
class FailureDestination implements lambda.IDestination, lambda.IEventSourceDlq {
  constructor(private readonly arn: string) {}

  bind(): lambda.DestinationConfig & lambda.DlqDestinationConfig {
    return { destination: this.arn };
  }
}
