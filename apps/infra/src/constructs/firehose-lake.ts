/**
 * The lake's Firehose stream: ECS events in (Direct PUT from an EventBridge rule, or read from the
 * Kinesis stream), the transform Lambda turns each into one NDJSON row and a `dt` partition key,
 * and Firehose writes them under `events/dt=YYYY-MM-DD/` (dynamic partitioning, docs/athena.md), encrypted with the
 * lake's key. Records the transform rejects land under `errors/<error type>/dt=…/`.
 */
import type { CfnResource } from 'aws-cdk-lib';
import { Duration, Size, Stack, Validations } from 'aws-cdk-lib';
import type * as kinesis from 'aws-cdk-lib/aws-kinesis';
import * as firehose from 'aws-cdk-lib/aws-kinesisfirehose';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';

/** Where rows land: the partition Athena's `dt` projection reads. */
export const LAKE_DATA_PREFIX = 'events/dt=!{partitionKeyFromLambda:dt}/';
/** Where rejected records land, by error type and arrival day. */
export const LAKE_ERROR_PREFIX = 'errors/!{firehose:error-output-type}/dt=!{timestamp:yyyy-MM-dd}/';

export interface FirehoseLakeProps {
  bucket: s3.IBucket;
  /** Encrypts the objects Firehose writes; default the bucket's own encryption. */
  key?: kms.IKey;
  transform: lambda.IFunction;
  /** Read from this stream (stream topology); otherwise Direct PUT. */
  source?: kinesis.IStream;
}

export class FirehoseLake extends Construct {
  readonly deliveryStream: firehose.DeliveryStream;

  constructor(scope: Construct, id: string, props: FirehoseLakeProps) {
    super(scope, id);
    const bucket = this.localBucket(props.bucket);
    const destination = new firehose.S3Bucket(bucket.bucket, {
      dataOutputPrefix: LAKE_DATA_PREFIX,
      errorOutputPrefix: LAKE_ERROR_PREFIX,
      dynamicPartitioning: { enabled: true, retryDuration: Duration.minutes(5) },
      // Dynamic partitioning needs a buffer of at least 64 MiB and 60 s; at ECS event rates the
      // 60 s interval is what flushes, so objects appear about a minute after the event.
      bufferingSize: Size.mebibytes(64),
      bufferingInterval: Duration.seconds(60),
      compression: firehose.Compression.GZIP,
      ...(props.key ? { encryptionKey: props.key } : {}),
      processors: [
        new firehose.LambdaFunctionProcessor(props.transform, {
          bufferSize: Size.mebibytes(1),
          bufferInterval: Duration.seconds(60),
          retries: 3,
        }),
      ],
    });
    this.deliveryStream = new firehose.DeliveryStream(this, 'DeliveryStream', {
      destination,
      ...(props.source
        ? { source: new firehose.KinesisStreamSource(props.source) }
        : // Direct PUT: encrypt at rest inside Firehose too (a Kinesis source keeps the stream's).
          { encryption: firehose.StreamEncryption.awsOwnedKey() }),
    });
    const transformId = Stack.of(this).getLogicalId(
      props.transform.node.defaultChild as CfnResource,
    );
    this.acknowledgeFindings(
      bucket.objectsFinding,
      `<${transformId}.Arn>:*`,
      props.source !== undefined,
    );
  }

  /**
   * The bucket as this stack sees it. A bucket of another stack is imported through an explicit
   * export, whose name is known now: cdk-nag's IAM5 finding for `<bucket ARN>/*` names it.
   */
  private localBucket(bucket: s3.IBucket): { bucket: s3.IBucket; objectsFinding: string } {
    const here = Stack.of(this);
    if (Stack.of(bucket) === here)
      return {
        bucket,
        objectsFinding: `<${here.getLogicalId(bucket.node.defaultChild as CfnResource)}.Arn>/*`,
      };
    const imported = Stack.of(bucket).exportValue(bucket.bucketArn);
    const resolved = here.resolve(imported) as { 'Fn::ImportValue': string };
    return {
      bucket: s3.Bucket.fromBucketArn(this, 'Bucket', imported),
      objectsFinding: `${resolved['Fn::ImportValue']}/*`,
    };
  }

  private acknowledgeFindings(
    objectsFinding: string,
    transformVersions: string,
    kinesisSource: boolean,
  ): void {
    const role = this.deliveryStream.node.findChild('S3 Destination Role');
    const ack = (finding: string, reason: string) =>
      Validations.of(role).acknowledge({ id: `AwsSolutions-IAM5[${finding}]`, reason });
    const s3Grant =
      'The Firehose L2 S3 destination grants its role bucket.grantReadWrite (the action groups Firehose needs to write and abort multipart uploads) on the lake bucket only';
    for (const action of [
      's3:GetObject*',
      's3:GetBucket*',
      's3:List*',
      's3:DeleteObject*',
      's3:Abort*',
    ])
      ack(`Action::${action}`, s3Grant);
    ack(
      `Resource::${objectsFinding}`,
      'Firehose writes objects under any dt= prefix of the lake bucket',
    );
    for (const action of ['kms:ReEncrypt*', 'kms:GenerateDataKey*'])
      ack(
        `Action::${action}`,
        'key.grantEncryptDecrypt on the lake key only, so Firehose can encrypt the objects it writes',
      );
    ack(
      `Resource::${transformVersions}`,
      'The LambdaFunctionProcessor grants lambda:InvokeFunction on the transform function and its versions only',
    );
    if (kinesisSource)
      Validations.of(this.deliveryStream).acknowledge({
        id: 'AwsSolutions-KDF1',
        reason:
          'A Firehose stream reading from Kinesis cannot enable its own SSE; the source stream is KMS-encrypted (stateful stack) and the lake objects are encrypted with the lake key',
      });
  }
}
