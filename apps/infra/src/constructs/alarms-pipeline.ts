/**
 * The pipeline's alarms and dashboard: every way an event can stop short of the table or the lake
 * has an alarm, and every alarm notifies one SNS topic (alarm-topic.ts).
 */
import type { RemovalPolicy } from 'aws-cdk-lib';
import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import type * as kinesisfirehose from 'aws-cdk-lib/aws-kinesisfirehose';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import type * as sns from 'aws-cdk-lib/aws-sns';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { alarmTopic } from './alarm-topic';

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
  /** What teardown does to the alarm topic's key. */
  keyRemovalPolicy: RemovalPolicy;
  topology: 'direct' | 'stream';
  /** The ingest function: EventBridge target (`direct`) or Kinesis consumer (`stream`). */
  ingest: lambda.IFunction;
  transform?: { function: lambda.IFunction; logGroup: logs.ILogGroup };
  deadLetterQueue: sqs.IQueue;
  ingestFailureQueue: sqs.IQueue;
  quarantineQueue: sqs.IQueue;
  /** The Kinesis on-failure bucket: objects there are failed batches waiting for a redrive. */
  streamFailureBucket: s3.IBucket;
  /** Stream topology: the event-source mapping (iterator age, failed batches). */
  streamMapping?: lambda.IEventSourceMapping;
  deliveryStream?: kinesisfirehose.IDeliveryStream;
  metricsNamespace: string;
  serviceName: string;
  dashboardName?: string;
}

/** The metric the transform's log lines feed: records it returned as ProcessingFailed. */
export const TRANSFORM_FAILED_METRIC = 'TransformProcessingFailed';

/** A parked message this old has half of SQS's 14 days left: replay it before SQS drops it. */
const PARKED_AGE_LIMIT = Duration.days(7);

export class PipelineAlarms extends Construct {
  readonly topic: sns.ITopic;
  readonly alarms: cloudwatch.Alarm[] = [];
  readonly dashboard: cloudwatch.Dashboard;

  constructor(scope: Construct, id: string, props: PipelineAlarmsProps) {
    super(scope, id);
    this.topic = alarmTopic(this, props);

    const fiveMinutes = Duration.minutes(5);
    const anyOf = (metric: cloudwatch.IMetric, name: string, description: string) =>
      this.alarm(name, {
        metric,
        threshold: 0,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        alarmDescription: description,
      });
    const sum = { period: fiveMinutes, statistic: 'Sum' };
    const lambdaMetric = (fn: lambda.IFunction, metricName: string) => fn.metric(metricName, sum);

    anyOf(
      props.ingest.metricErrors(sum),
      'IngestErrors',
      props.topology === 'direct'
        ? 'The ingest Lambda failed (store throttled or down, bad configuration, bug). Lambda retries each failed event twice within 6 hours, then parks it in the ingest failure queue (IngestFailureQueueDepth): replay with ecslog redrive'
        : 'The ingest Lambda failed (store throttled or down, bad configuration, bug). The event-source mapping retries the batch (bisecting it) up to 8 times within 6 hours, then writes it with its records to the stream failure bucket (StreamFailedBatches): replay with ecslog redrive',
    );
    anyOf(
      props.ingest.metricThrottles(sum),
      'IngestThrottles',
      'The ingest Lambda was throttled (account concurrency): events wait and are retried; sustained throttling ends in the failure destination',
    );
    if (props.topology === 'direct')
      anyOf(
        lambdaMetric(props.ingest, 'AsyncEventsDropped'),
        'IngestAsyncEventsDropped',
        'Lambda dropped asynchronous events without running the ingest (too old, or retries exhausted with no destination): these events are lost, look for the cause now',
      );
    anyOf(
      lambdaMetric(props.ingest, 'DestinationDeliveryFailures'),
      'IngestDestinationDeliveryFailures',
      'Lambda could not write a failed invocation to its on-failure destination (queue or bucket permissions, deleted destination): those events are lost',
    );
    if (props.transform) {
      anyOf(
        props.transform.function.metricErrors(sum),
        'TransformErrors',
        'The Firehose transform Lambda failed: Firehose retries it 3 times, then writes the records unchanged under errors/ in the lake bucket',
      );
      // The transform emits no metric of its own; its summary line per batch counts the records
      // it returned as ProcessingFailed (apps/firehose-transform: `batch transformed`, `failed`).
      new logs.MetricFilter(this, 'TransformFailedRecords', {
        logGroup: props.transform.logGroup,
        filterPattern: logs.FilterPattern.all(
          logs.FilterPattern.stringValue('$.message', '=', 'batch transformed'),
          logs.FilterPattern.numberValue('$.failed', '>', 0),
        ),
        metricNamespace: props.metricsNamespace,
        metricName: TRANSFORM_FAILED_METRIC,
        metricValue: '$.failed',
        unit: cloudwatch.Unit.COUNT,
      });
      anyOf(
        new cloudwatch.Metric({
          namespace: props.metricsNamespace,
          metricName: TRANSFORM_FAILED_METRIC,
          ...sum,
        }),
        'TransformProcessingFailed',
        'The transform could not read some records (ProcessingFailed): Firehose wrote them, with their raw data, under errors/ in the lake bucket',
      );
    }
    const parked = (queue: sqs.IQueue, name: string, what: string) => {
      anyOf(
        queue.metricApproximateNumberOfMessagesVisible({
          period: fiveMinutes,
          statistic: 'Maximum',
        }),
        `${name}Depth`,
        `${what} are waiting in the queue: replay with ecslog redrive`,
      );
      this.alarm(`${name}Age`, {
        metric: queue.metricApproximateAgeOfOldestMessage({
          period: fiveMinutes,
          statistic: 'Maximum',
        }),
        threshold: PARKED_AGE_LIMIT.toSeconds(),
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        alarmDescription: `${what} have waited 7 days: SQS deletes them at 14; replay with ecslog redrive`,
      });
    };
    parked(
      props.deadLetterQueue,
      'DeadLetterQueue',
      'ECS events EventBridge could not deliver to the ingest, Firehose or the stream',
    );
    parked(
      props.ingestFailureQueue,
      'IngestFailureQueue',
      'ECS events the ingest Lambda failed on after its retries (Lambda invocation records)',
    );
    parked(
      props.quarantineQueue,
      'QuarantineQueue',
      'ECS events the mapper could not read (a mapper fix and ecslog redrive recover them)',
    );
    if (props.streamMapping) {
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
      // The event-source mapping counts the records it sent to its on-failure destination (its
      // EventCount metrics, switched on in the pipeline stack): the signal arrives with the
      // batch. S3's own object count is a daily storage metric, and request metrics cost extra.
      anyOf(
        new cloudwatch.Metric({
          namespace: 'AWS/Lambda',
          metricName: 'OnFailureDestinationDeliveredEventCount',
          dimensionsMap: { EventSourceMappingUUID: props.streamMapping.eventSourceMappingId },
          ...sum,
        }),
        'StreamFailedBatches',
        'The Kinesis ingest gave up on records after its retries: they are in the stream failure bucket with their data; replay with ecslog redrive',
      );
    }
    // A backstop in both topologies (batches parked before a switch to `direct` still wait
    // there): S3's daily object count. Slow — S3 publishes it once a day — but it needs no
    // metrics configuration and fires for as long as anything is left unreplayed.
    anyOf(
      new cloudwatch.Metric({
        namespace: 'AWS/S3',
        metricName: 'NumberOfObjects',
        dimensionsMap: {
          BucketName: props.streamFailureBucket.bucketName,
          StorageType: 'AllStorageTypes',
        },
        period: Duration.days(1),
        statistic: 'Maximum',
      }),
      'StreamFailureBucketObjects',
      'Failed Kinesis batches are waiting in the stream failure bucket (S3 daily count): replay with ecslog redrive',
    );
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
      this.alarm('FirehoseDataFreshness', {
        metric: deliveryStream.metric('DeliveryToS3.DataFreshness', {
          period: fiveMinutes,
          statistic: 'Maximum',
        }),
        // Records normally reach the lake in about two minutes (60 s transform buffer + 60 s
        // delivery buffer); fifteen means delivery is stuck and Firehose's 24 h window is running.
        threshold: Duration.minutes(15).toSeconds(),
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        alarmDescription:
          'The oldest record in Firehose is more than 15 minutes old: the lake is behind, and Firehose drops what it cannot deliver within 24 hours',
      });
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
}
