/**
 * The notifier (issue 18): the audit table's stream → the notifier's stream function, and a
 * 5-minute schedule → its tick function (apps/notifier, two bundles), with their channels, their
 * dead letters and alarms. Deployed only when the stage sets `notifications`.
 *
 * Why the stream: a run item changes only when a higher-ranked record arrives, so duplicate and
 * out-of-order deliveries make no stream record; every writer (both topologies, backfill, redrive)
 * goes through the table; a failing channel never stalls ingest; Lambda's stream reads cost
 * nothing, and the mapping's filter criteria drop every item the notifier does not read before
 * Lambda is invoked (filtered records are not billed).
 */
import type { RemovalPolicy } from 'aws-cdk-lib';
import { Duration, Stack, Validations } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as logs from 'aws-cdk-lib/aws-logs';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { INDEX } from '@ecslog/audit-store';
import type { NotificationsConfig } from '../config/notifications-config';
import { LAMBDA_BUNDLES, PipelineFunction } from './pipeline-function';

export const NOTIFIER_SERVICE_NAME = 'ecslog-notifier';
export const NOTIFIER_METRICS_NAMESPACE = 'ecslog';

/** The stream mapping: a full batch, retried (bisected) within bounds, then parked. */
export const NOTIFIER_BATCH_SIZE = 100;
export const NOTIFIER_RETRY_ATTEMPTS = 8;
/** Older than this, a record goes to the failure queue: an incident told a day late helps no one. */
export const NOTIFIER_MAX_RECORD_AGE = Duration.hours(6);
export const NOTIFIER_TICK_RATE = Duration.minutes(5);
/** The stream falls this far behind (IteratorAge): the alarm fires. */
export const NOTIFIER_ITERATOR_AGE_ALARM = Duration.minutes(15);

/**
 * What the notifier does with the table, on the `I#…` partitions only (its incidents, watches,
 * mutes, outbox): read (strongly consistent; BatchGetItem: the items a stream batch queued
 * messages in), conditional put / update, delete a mute, query a partition.
 */
export const NOTIFIER_ITEM_ACTIONS = [
  'dynamodb:GetItem',
  'dynamodb:BatchGetItem',
  'dynamodb:PutItem',
  'dynamodb:UpdateItem',
  'dynamodb:DeleteItem',
  'dynamodb:Query',
];

/**
 * The stream read actions of the event-source mapping (the Lambda guide's execution-role list
 * for DynamoDB streams). ListStreams has no resource-level permission.
 */
export const STREAM_READ_ACTIONS = [
  'dynamodb:DescribeStream',
  'dynamodb:GetRecords',
  'dynamodb:GetShardIterator',
];

/**
 * The mapping's filters (ORed; Lambda event filtering, DynamoDB streams): a new or changed item
 * that holds a record (`r`), carries no origin mark (`src`: written by a backfill or redrive), and
 * is either a run (`sk = RUN`: task runs, never-started runs) or a service's action, deployment or
 * API call (`R#…` history: steady states, failed deployments, desired counts). Deletions (TTL) have no NewImage and never match.
 * `exists` works on leaf nodes only (the guide's "Using the Exists operator"): hence `src.S`, `r.B`.
 */
export const NOTIFIER_FILTER_PATTERNS: Record<string, unknown>[] = [
  {
    eventName: ['INSERT', 'MODIFY'],
    dynamodb: {
      Keys: { sk: { S: ['RUN'] } },
      NewImage: { r: { B: [{ exists: true }] }, src: { S: [{ exists: false }] } },
    },
  },
  {
    eventName: ['INSERT', 'MODIFY'],
    dynamodb: {
      Keys: { pk: { S: [{ prefix: 'R#' }] } },
      NewImage: {
        rt: { S: ['service-action', 'deployment', 'api-call'] },
        r: { B: [{ exists: true }] },
        src: { S: [{ exists: false }] },
      },
    },
  },
];

export interface NotifierProps {
  stage: string;
  notifications: NotificationsConfig;
  table: dynamodb.ITableV2 | dynamodb.ITable;
  retentionDays: number;
  /** Where the notifier's alarms go (the pipeline's alarm topic). */
  alarmTopic: sns.ITopic;
  logRetention: logs.RetentionDays;
  /** Log groups and queues: as the stage's other pipeline resources. */
  removalPolicy: RemovalPolicy;
  queueRemovalPolicy: RemovalPolicy;
}

export class Notifier extends Construct {
  readonly streamFunction: lambda.Function;
  readonly tickFunction: lambda.Function;
  readonly mapping: lambda.EventSourceMapping;
  /** The mapping's on-failure destination: records the stream function never handled. */
  readonly streamFailureQueue: sqs.Queue;
  /** Messages a channel never took after every attempt (`DEAD_LETTER_QUEUE_URL`). */
  readonly deadLetterQueue: sqs.Queue;
  readonly topic?: sns.ITopic;
  readonly rule: events.Rule;
  readonly alarms: cloudwatch.Alarm[] = [];

  constructor(scope: Construct, id: string, props: NotifierProps) {
    super(scope, id);
    const { notifications: options, table } = props;
    if (!table.tableStreamArn) throw new Error('the notifier needs the audit table stream');

    const queueProps: sqs.QueueProps = {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
      removalPolicy: props.queueRemovalPolicy,
    };
    this.streamFailureQueue = new sqs.Queue(this, 'StreamFailureQueue', queueProps);
    this.deadLetterQueue = new sqs.Queue(this, 'DeadLetterQueue', queueProps);
    for (const [queue, role] of [
      [this.streamFailureQueue, 'the stream mapping’s on-failure destination'],
      [this.deadLetterQueue, 'the notifier’s dead letters'],
    ] as const) {
      Validations.of(queue).acknowledge({
        id: 'AwsSolutions-SQS3',
        reason: `${queue.node.id} is itself a terminal queue (${role}): a person reads it, nothing consumes it automatically, so it has no further DLQ`,
      });
      Validations.of(queue).acknowledge({
        id: 'Serverless-SQSRedrivePolicy',
        reason: `${queue.node.id} is a terminal queue (${role}), alarmed when it holds a message`,
      });
    }

    this.topic = this.createTopic(options);

    const environment: Record<string, string> = {
      TABLE_NAME: table.tableName,
      RETENTION_DAYS: String(props.retentionDays),
      DEAD_LETTER_QUEUE_URL: this.deadLetterQueue.queueUrl,
      NOTIFY_CONFIG: JSON.stringify(options.config),
      POWERTOOLS_SERVICE_NAME: NOTIFIER_SERVICE_NAME,
      POWERTOOLS_METRICS_NAMESPACE: NOTIFIER_METRICS_NAMESPACE,
      ...(this.topic ? { SNS_TOPIC_ARN: this.topic.topicArn } : {}),
      ...(options.slackWebhookSecretArn
        ? { SLACK_WEBHOOK_SECRET_ARN: options.slackWebhookSecretArn }
        : {}),
      ...(options.webhookUrlParameterName
        ? { WEBHOOK_URL_PARAMETER: options.webhookUrlParameterName }
        : {}),
      ...(options.webhookSigningSecretArn
        ? { WEBHOOK_SIGNING_SECRET_ARN: options.webhookSigningSecretArn }
        : {}),
    };
    const fn = (
      fnId: string,
      bundle: keyof typeof LAMBDA_BUNDLES,
      what: string,
      timeout: Duration,
    ) =>
      new PipelineFunction(this, fnId, {
        bundle: LAMBDA_BUNDLES[bundle],
        // Not measured yet: the stream function decodes up to 100 records (≈1 KB each) and keeps
        // one item per signal in memory; 256 MB leaves room, like the ingest's stream consumer.
        memorySize: 256,
        description: `ecslog ${props.stage}: ${what}`,
        environment,
        timeout,
        logRetention: props.logRetention,
        removalPolicy: props.removalPolicy,
      });
    const streamFn = fn(
      'Stream',
      'notifierStream',
      'audit table stream -> incidents',
      Duration.seconds(60),
    );
    const tickFn = fn(
      'Tick',
      'notifierTick',
      'every 5 minutes: quiet periods, silence, missed runs, retries',
      Duration.minutes(2),
    );
    this.streamFunction = streamFn.function;
    this.tickFunction = tickFn.function;

    for (const part of [streamFn, tickFn]) this.grantNotifier(part.role, props, options);
    // The tick counts the open runs per group (silence): the runs index's open partitions.
    tickFn.role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'ReadOpenRuns',
        actions: ['dynamodb:Query'],
        resources: [`${table.tableArn}/index/${INDEX.runs.name}`],
      }),
    );

    streamFn.role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'ReadTableStream',
        actions: STREAM_READ_ACTIONS,
        resources: [table.tableStreamArn],
      }),
    );
    streamFn.role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'ListTableStreams',
        actions: ['dynamodb:ListStreams'],
        resources: ['*'],
      }),
    );
    streamFn.role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'ParkFailedRecords',
        actions: ['sqs:SendMessage'],
        resources: [this.streamFailureQueue.queueArn],
      }),
    );
    Validations.of(streamFn.role).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'The notifier stream role: dynamodb:ListStreams has no resource-level permissions (the Lambda guide lists it for DynamoDB stream event sources); it lists stream names, no data. Every other statement names the table, its stream, a queue, a topic, a secret or a parameter',
    });

    this.mapping = new lambda.EventSourceMapping(this, 'StreamMapping', {
      target: this.streamFunction,
      eventSourceArn: table.tableStreamArn,
      // LATEST: a first deploy must not tell the last 24 hours of failures as news.
      startingPosition: lambda.StartingPosition.LATEST,
      batchSize: NOTIFIER_BATCH_SIZE,
      maxBatchingWindow: Duration.seconds(1),
      reportBatchItemFailures: true,
      bisectBatchOnError: true,
      retryAttempts: NOTIFIER_RETRY_ATTEMPTS,
      maxRecordAge: NOTIFIER_MAX_RECORD_AGE,
      onFailure: new QueueDestination(this.streamFailureQueue.queueArn),
      filters: NOTIFIER_FILTER_PATTERNS.map((pattern) => ({ pattern: JSON.stringify(pattern) })),
      metricsConfig: { metrics: [lambda.MetricType.EVENT_COUNT] },
    });

    // Idempotent and frequent: a tick that fails is not retried (the next one does the same
    // work); the Errors alarm tells.
    this.tickFunction.configureAsyncInvoke({ retryAttempts: 0, maxEventAge: Duration.minutes(5) });
    const tickInvokeConfig = this.tickFunction.node.tryFindChild('EventInvokeConfig');
    if (tickInvokeConfig)
      Validations.of(tickInvokeConfig).acknowledge({
        id: 'Serverless-LambdaAsyncFailureDestination',
        reason:
          'The tick: a failed tick holds nothing to keep (the next one, 5 minutes later, does the same work from the table), so it has no on-failure destination; NotifierTickErrors alarms',
      });
    this.rule = new events.Rule(this, 'TickSchedule', {
      description: `ecslog ${props.stage}: the notifier's tick (quiet periods, silence, missed runs, retries)`,
      schedule: events.Schedule.rate(NOTIFIER_TICK_RATE),
      targets: [new targets.LambdaFunction(this.tickFunction, { retryAttempts: 0 })],
    });
    Validations.of(this.rule).acknowledge({
      id: 'Serverless-EventBusDLQ',
      reason:
        'The tick schedule: an undelivered tick carries no data (the next one does the same work), so there is nothing for a DLQ to keep',
    });

    for (const part of [streamFn, tickFn]) {
      const ack = (nagId: string, reason: string) =>
        Validations.of(part.function).acknowledge({ id: nagId, reason });
      ack(
        'AwsSolutions-L1',
        'nodejs22.x is deliberate: the bundles are built and tested for node22 (tools/build/bundle-lambdas.cjs, apps/notifier build spec); nodejs24.x is a separate upgrade',
      );
      ack(
        'Serverless-LambdaLatestVersion',
        'nodejs22.x is deliberate: the bundles are built and tested for node22; nodejs24.x is a separate upgrade',
      );
      ack(
        'Serverless-LambdaTracing',
        `${part.node.id}: no X-Ray. Each invocation logs one summary line and publishes its counts (Powertools EMF); traces would cost per invocation without a question they answer`,
      );
      ack(
        'Serverless-LambdaDLQ',
        part === streamFn
          ? 'The stream function is invoked synchronously by its event-source mapping, whose on-failure destination is StreamFailureQueue: a function DLQ would never receive anything'
          : 'The tick is idempotent and runs every 5 minutes: a failed tick is not retried or parked, the next one does the same work, and NotifierTickErrors alarms',
      );
    }
    this.createAlarms(props.alarmTopic);
  }

  private createTopic(options: NotificationsConfig): sns.ITopic | undefined {
    if (options.snsTopic === undefined) return undefined;
    const topic =
      options.snsTopic === true
        ? new sns.Topic(this, 'Topic', {
            displayName: 'ecslog incidents',
            // The AWS-managed SNS key: no key to pay for, and only this account's roles
            // (the notifier) publish — CloudWatch, which cannot use it, never does.
            masterKey: kms.Alias.fromAliasName(this, 'TopicKey', 'alias/aws/sns'),
            enforceSSL: true,
          })
        : sns.Topic.fromTopicArn(this, 'Topic', options.snsTopic.arn);
    for (const email of options.emails) {
      const subscription = topic.addSubscription(new subscriptions.EmailSubscription(email));
      Validations.of(subscription).acknowledge({
        id: 'Serverless-SNSRedrivePolicy',
        reason:
          'An incident e-mail subscription: a mail SNS cannot deliver would sit in a queue nobody reads; the incident itself is kept in the table (ecslog incidents) and the other channels',
      });
    }
    return topic;
  }

  /** Both functions: their items, their channels, their dead letters. */
  private grantNotifier(role: iam.Role, props: NotifierProps, options: NotificationsConfig): void {
    const stack = Stack.of(this);
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'NotifierItems',
        actions: NOTIFIER_ITEM_ACTIONS,
        resources: [props.table.tableArn],
        conditions: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['I#*'] } },
      }),
    );
    props.table.encryptionKey?.grant(role, 'kms:Decrypt', 'kms:GenerateDataKey');
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'DeadLetters',
        actions: ['sqs:SendMessage'],
        resources: [this.deadLetterQueue.queueArn],
      }),
    );
    if (this.topic)
      role.addToPrincipalPolicy(
        new iam.PolicyStatement({
          sid: 'PublishIncidents',
          actions: ['sns:Publish'],
          resources: [this.topic.topicArn],
        }),
      );
    const secrets = [options.slackWebhookSecretArn, options.webhookSigningSecretArn].filter(
      (arn): arn is string => arn !== undefined,
    );
    if (secrets.length > 0)
      role.addToPrincipalPolicy(
        new iam.PolicyStatement({
          sid: 'ReadChannelSecrets',
          actions: ['secretsmanager:GetSecretValue'],
          resources: secrets,
        }),
      );
    if (options.webhookUrlParameterName)
      role.addToPrincipalPolicy(
        new iam.PolicyStatement({
          sid: 'ReadWebhookParameter',
          actions: ['ssm:GetParameter'],
          resources: [
            stack.formatArn({
              service: 'ssm',
              resource: 'parameter',
              resourceName: options.webhookUrlParameterName.replace(/^\//, ''),
            }),
          ],
        }),
      );
    if (options.secretKeyArns.length > 0)
      role.addToPrincipalPolicy(
        new iam.PolicyStatement({
          sid: 'DecryptChannelSecrets',
          actions: ['kms:Decrypt'],
          resources: options.secretKeyArns,
          conditions: {
            StringEquals: {
              'kms:ViaService': [
                `secretsmanager.${stack.region}.amazonaws.com`,
                `ssm.${stack.region}.amazonaws.com`,
              ],
            },
          },
        }),
      );
  }

  private createAlarms(topic: sns.ITopic): void {
    const fiveMinutes = Duration.minutes(5);
    const sum = { period: fiveMinutes, statistic: 'Sum' };
    const alarm = (
      alarmId: string,
      metric: cloudwatch.IMetric,
      threshold: number,
      description: string,
    ) => {
      const created = new cloudwatch.Alarm(this, alarmId, {
        metric,
        threshold,
        evaluationPeriods: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
        alarmDescription: description,
      });
      created.addAlarmAction(new actions.SnsAction(topic));
      this.alarms.push(created);
    };
    alarm(
      'StreamErrors',
      this.streamFunction.metricErrors(sum),
      0,
      'The notifier stream function failed (table throttled, bad configuration, a secret it cannot read): the mapping retries the batch, bisecting it, then parks the records in the notifier stream failure queue',
    );
    alarm(
      'TickErrors',
      this.tickFunction.metricErrors(sum),
      0,
      'The notifier tick failed: quiet-period resolutions, silence, missed runs and channel retries wait for a tick that works',
    );
    alarm(
      'IteratorAge',
      this.streamFunction.metric('IteratorAge', { period: fiveMinutes, statistic: 'Maximum' }),
      NOTIFIER_ITERATOR_AGE_ALARM.toMilliseconds(),
      'The notifier is more than 15 minutes behind the audit table stream: incidents are told late (a failing batch being retried, or throttling)',
    );
    const depth = (queue: sqs.IQueue) =>
      queue.metricApproximateNumberOfMessagesVisible({ period: fiveMinutes, statistic: 'Maximum' });
    alarm(
      'StreamFailureQueueDepth',
      depth(this.streamFailureQueue),
      0,
      'Stream records the notifier never handled (after every retry, or too old) are in the notifier stream failure queue: their incidents may be missing; each message names the shard and sequence numbers',
    );
    alarm(
      'DeadLetterQueueDepth',
      depth(this.deadLetterQueue),
      0,
      'A notification was given up after every attempt (a channel kept failing): it is in the notifier dead-letter queue with its last error; the incident itself is kept (ecslog incidents)',
    );
  }
}

/** An on-failure destination by ARN: the role gets exactly sqs:SendMessage (ParkFailedRecords). */
class QueueDestination implements lambda.IEventSourceDlq {
  constructor(private readonly arn: string) {}

  bind(): lambda.DlqDestinationConfig {
    return { destination: this.arn };
  }
}
