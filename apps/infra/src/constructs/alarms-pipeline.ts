/**
 * The pipeline's alarms and dashboard. Every alarm notifies one SNS topic: a new one (encrypted
 * with a key CloudWatch may use, TLS only) or an existing one given by ARN; an e-mail address, when
 * given, is subscribed to it.
 */
import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kinesisfirehose from 'aws-cdk-lib/aws-kinesisfirehose';
import * as kms from 'aws-cdk-lib/aws-kms';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';

/**
 * The counters the ingest publishes per invocation (`METRIC_NAMES` of @ecslog/ingest-pipeline),
 * in the Powertools namespace and service the pipeline stack sets on the functions.
 */
export const INGEST_METRIC_NAMES = [
  'mapped',
  'ignored',
  'invalid',
  'written',
  'stale',
  'expired',
  'retried',
] as const;

export interface PipelineAlarmsProps {
  alarmEmail?: string;
  alarmTopicArn?: string;
  /** The ingest function(s): EventBridge target or Kinesis consumer. */
  ingest: lambda.IFunction;
  transform?: lambda.IFunction;
  deadLetterQueue: sqs.IQueue;
  quarantineQueue: sqs.IQueue;
  /** Stream topology: the Kinesis consumer's iterator age is alarmed. */
  iteratorAge?: boolean;
  deliveryStream?: kinesisfirehose.IDeliveryStream;
  metricsNamespace: string;
  serviceName: string;
  dashboardName?: string;
}

export class PipelineAlarms extends Construct {
  readonly topic: sns.ITopic;
  readonly alarms: cloudwatch.Alarm[] = [];
  readonly dashboard: cloudwatch.Dashboard;

  constructor(scope: Construct, id: string, props: PipelineAlarmsProps) {
    super(scope, id);
    this.topic = props.alarmTopicArn
      ? sns.Topic.fromTopicArn(this, 'Topic', props.alarmTopicArn)
      : this.createTopic();
    if (props.alarmEmail)
      this.topic.addSubscription(new subscriptions.EmailSubscription(props.alarmEmail));

    const fiveMinutes = Duration.minutes(5);
    const anyOf = (metric: cloudwatch.IMetric, name: string, description: string) =>
      this.alarm(name, {
        metric,
        threshold: 0,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        alarmDescription: description,
      });

    anyOf(
      props.ingest.metricErrors({ period: fiveMinutes, statistic: 'Sum' }),
      'IngestErrors',
      'The ingest Lambda failed (throttled store, bad configuration, bug): events are being retried',
    );
    if (props.transform)
      anyOf(
        props.transform.metricErrors({ period: fiveMinutes, statistic: 'Sum' }),
        'TransformErrors',
        'The Firehose transform Lambda failed: Firehose retries, then writes the records under errors/',
      );
    anyOf(
      props.deadLetterQueue.metricApproximateNumberOfMessagesVisible({
        period: fiveMinutes,
        statistic: 'Maximum',
      }),
      'DeadLetterQueueDepth',
      'Events (or Kinesis batch pointers) the pipeline gave up on are waiting in the dead-letter queue',
    );
    anyOf(
      props.quarantineQueue.metricApproximateNumberOfMessagesVisible({
        period: fiveMinutes,
        statistic: 'Maximum',
      }),
      'QuarantineQueueDepth',
      'ECS events the mapper could not read are waiting in the quarantine queue',
    );
    if (props.iteratorAge)
      this.alarm('IteratorAge', {
        metric: new cloudwatch.Metric({
          namespace: 'AWS/Lambda',
          metricName: 'IteratorAge',
          dimensionsMap: { FunctionName: props.ingest.functionName },
          period: fiveMinutes,
          statistic: 'Maximum',
        }),
        // Ten minutes behind: the consumer is stuck on a batch or cannot keep up with the shards.
        threshold: Duration.minutes(10).toMilliseconds(),
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        alarmDescription: 'The Kinesis ingest is more than ten minutes behind the stream',
      });
    const deliveryStream = props.deliveryStream;
    if (deliveryStream) {
      const below = (metricName: string, name: string, description: string) =>
        this.alarm(name, {
          metric: deliveryStream.metric(metricName, {
            period: fiveMinutes,
            statistic: 'Minimum',
          }),
          // The success ratio of each delivery attempt; below 1 means some records failed.
          threshold: 1,
          comparisonOperator: cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
          alarmDescription: description,
        });
      below(
        'ExecuteProcessing.Success',
        'FirehoseProcessingFailures',
        'Firehose could not invoke the transform Lambda for some records (they go to errors/)',
      );
      below(
        'DeliveryToS3.Success',
        'FirehoseDeliveryFailures',
        'Firehose could not write to the lake bucket (permissions, key, bucket policy)',
      );
    }

    const ingestMetric = (metricName: string) =>
      new cloudwatch.Metric({
        namespace: props.metricsNamespace,
        metricName,
        dimensionsMap: { service: props.serviceName },
        period: fiveMinutes,
        statistic: 'Sum',
      });
    this.dashboard = new cloudwatch.Dashboard(this, 'Dashboard', {
      ...(props.dashboardName ? { dashboardName: props.dashboardName } : {}),
      widgets: [
        [
          new cloudwatch.GraphWidget({
            title: 'Ingest: events by outcome',
            left: INGEST_METRIC_NAMES.map(ingestMetric),
            width: 12,
          }),
          new cloudwatch.GraphWidget({
            title: 'Ingest Lambda',
            left: [props.ingest.metricInvocations(), props.ingest.metricErrors()],
            right: [props.ingest.metricDuration({ statistic: 'p99' })],
            width: 12,
          }),
        ],
        [
          new cloudwatch.AlarmStatusWidget({
            title: 'Alarms',
            alarms: this.alarms,
            width: 24,
          }),
        ],
      ],
    });
  }

  private alarm(
    id: string,
    props: Omit<cloudwatch.AlarmProps, 'evaluationPeriods'>,
  ): cloudwatch.Alarm {
    const alarm = new cloudwatch.Alarm(this, id, {
      evaluationPeriods: 1,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      ...props,
    });
    alarm.addAlarmAction(new actions.SnsAction(this.topic));
    this.alarms.push(alarm);
    return alarm;
  }

  private createTopic(): sns.Topic {
    // CloudWatch cannot publish to a topic encrypted with the AWS-managed SNS key: it needs a
    // customer key whose policy lets it generate data keys.
    const key = new kms.Key(this, 'TopicKey', {
      description: 'Encrypts the ecslog alarm topic',
      enableKeyRotation: true,
    });
    key.addToResourcePolicy(
      new iam.PolicyStatement({
        principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey'],
        resources: ['*'],
      }),
    );
    return new sns.Topic(this, 'Topic', { masterKey: key, enforceSSL: true });
  }
}
