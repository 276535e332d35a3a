/**
 * The lake's Firehose stream: ECS events in (Direct PUT from an EventBridge rule, or read from the
 * Kinesis stream), the transform Lambda turns each into one NDJSON row and a `dt` partition key,
 * and Firehose writes them under `events/dt=YYYY-MM-DD/` (dynamic partitioning, docs/athena.md), encrypted with the
 * lake's key. Records the transform rejects land under `errors/<error type>/dt=…/`.
 */
import type { CfnResource, RemovalPolicy } from 'aws-cdk-lib';
import { Duration, Size, Stack, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kinesis from 'aws-cdk-lib/aws-kinesis';
import * as firehose from 'aws-cdk-lib/aws-kinesisfirehose';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as s3 from 'aws-cdk-lib/aws-s3';
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
  /** Firehose's error log group: retention and what teardown does to it. */
  logRetention: logs.RetentionDays;
  removalPolicy: RemovalPolicy;
}

/**
 * What Firehose needs to write objects to S3 (the Firehose guide's S3 destination policy): no
 * delete, no object lock, no tagging. The L2's own grant is `bucket.grantReadWrite`, which adds
 * `s3:DeleteObject*` and the rest, so its role gets no policy updates and this one instead.
 */
export const FIREHOSE_S3_ACTIONS = [
  's3:AbortMultipartUpload',
  's3:GetBucketLocation',
  's3:GetObject',
  's3:ListBucket',
  's3:ListBucketMultipartUploads',
  's3:PutObject',
];

export class FirehoseLake extends Construct {
  readonly deliveryStream: firehose.DeliveryStream;
  readonly logGroup: logs.LogGroup;

  constructor(scope: Construct, id: string, props: FirehoseLakeProps) {
    super(scope, id);
    this.logGroup = new logs.LogGroup(this, 'Logs', {
      retention: props.logRetention,
      removalPolicy: props.removalPolicy,
    });
    const role = new iam.Role(this, 'S3DestinationRole', {
      assumedBy: new iam.ServicePrincipal('firehose.amazonaws.com'),
      description: 'Lets Firehose write the lake: objects in, transform invoked, errors logged',
    });
    const policy = new iam.Policy(this, 'S3DestinationPolicy', {
      roles: [role],
      statements: [
        new iam.PolicyStatement({
          sid: 'WriteLakeObjects',
          actions: FIREHOSE_S3_ACTIONS,
          resources: [props.bucket.bucketArn, props.bucket.arnForObjects('*')],
        }),
        new iam.PolicyStatement({
          sid: 'InvokeTransform',
          actions: ['lambda:InvokeFunction', 'lambda:GetFunctionConfiguration'],
          resources: [props.transform.functionArn, `${props.transform.functionArn}:*`],
        }),
        new iam.PolicyStatement({
          sid: 'LogDeliveryErrors',
          actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
          resources: [this.logGroup.logGroupArn],
        }),
        ...(props.key
          ? [
              new iam.PolicyStatement({
                sid: 'EncryptLakeObjects',
                actions: ['kms:GenerateDataKey', 'kms:Decrypt'],
                resources: [props.key.keyArn],
              }),
            ]
          : []),
      ],
    });
    const destination = new firehose.S3Bucket(props.bucket, {
      role: role.withoutPolicyUpdates(),
      loggingConfig: new firehose.EnableLogging(this.logGroup),
      dataOutputPrefix: LAKE_DATA_PREFIX,
      errorOutputPrefix: LAKE_ERROR_PREFIX,
      dynamicPartitioning: { enabled: true, retryDuration: Duration.minutes(5) },
      // Dynamic partitioning needs a buffer of at least 64 MiB and 60 s; at ECS event rates the
      // 60 s interval is what flushes, so objects appear about a minute after the event. Such
      // objects are small (gzip, one per minute and day partition): S3 lifecycle transitions skip
      // objects under 128 KB by default, so most stay in S3 Standard (README "What it costs").
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
    // Firehose checks its role's permissions when the stream is created.
    this.deliveryStream.node.addDependency(policy);
    this.acknowledgeFindings(policy, props);
  }

  private acknowledgeFindings(policy: iam.Policy, props: FirehoseLakeProps): void {
    const here = Stack.of(this);
    const objects = here.resolve(props.bucket.arnForObjects('*')) as unknown;
    const transformId = here.getLogicalId(props.transform.node.defaultChild as CfnResource);
    const ack = (id: string, reason: string) => Validations.of(policy).acknowledge({ id, reason });
    ack(
      `AwsSolutions-IAM5[Resource::${nagResource(objects)}]`,
      'Firehose writes objects under any dt= prefix (and errors/) of the lake bucket, and only there',
    );
    ack(
      `AwsSolutions-IAM5[Resource::<${transformId}.Arn>:*]`,
      'Firehose invokes the transform function and its versions only',
    );
    if (props.source)
      Validations.of(this.deliveryStream).acknowledge({
        id: 'AwsSolutions-KDF1',
        reason:
          'A Firehose stream reading from Kinesis cannot enable its own SSE; the source stream is KMS-encrypted (stateful stack) and the lake objects are encrypted with the lake key',
      });
  }
}

/** How cdk-nag writes a resolved resource in a finding: `<Logical.Arn>/*`, or the value itself. */
export function nagResource(value: unknown): string {
  if (typeof value === 'string') return value;
  const join = (value as { 'Fn::Join'?: [string, unknown[]] })['Fn::Join'];
  if (join) return join[1].map(nagResource).join(join[0]);
  const getAtt = (value as { 'Fn::GetAtt'?: [string, string] })['Fn::GetAtt'];
  if (getAtt) return `<${getAtt[0]}.${getAtt[1]}>`;
  return JSON.stringify(value);
}
