/**
 * The stateful stack: the audit table, the S3 lake (and its access-log bucket), the Kinesis
 * stream (topology `stream`), the Glue catalog over the lake and the SQS quarantine and
 * dead-letter queues. Everything here holds data, so it lives apart from the pipeline, keeps
 * fixed construct ids (stable logical IDs: see the spec) and follows the stage's removal policy.
 */
import type { StackProps } from 'aws-cdk-lib';
import { Aws, CfnOutput, Duration, RemovalPolicy, Stack, Token, Validations } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as glue from 'aws-cdk-lib/aws-glue';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kinesis from 'aws-cdk-lib/aws-kinesis';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { AUDIT_TABLE } from '@ecslog/audit-store';
import type { KeyAttribute } from '@ecslog/audit-store';
import { LAKE_COLUMNS, LAKE_PARTITION_COLUMN } from '@ecslog/ecs-event-mapper';
import type { Construct } from 'constructs';
import type { StageConfig } from '../config/stage-config';
import { pipelineRuleName, pipelineRules } from '../constructs/pipeline-rule-names';

/** What the other stacks use from the stateful stack. */
export interface StatefulResources {
  table: dynamodb.ITableV2 | dynamodb.ITable;
  /** When `config.lake`. */
  lakeBucket?: s3.IBucket;
  /** Unset: the lake is encrypted with S3-managed keys (SSE-S3). */
  lakeKey?: kms.IKey;
  /** Topology `stream` only. */
  stream?: kinesis.IStream;
  /** The ingest's SQS quarantine: invalid events, kept whole. */
  quarantineQueue: sqs.IQueue;
  /** The EventBridge targets' dead-letter queue: each message body is the undelivered event. */
  deadLetterQueue: sqs.IQueue;
  /**
   * The ingest's on-failure destination for asynchronous invocations (`direct`): each message is
   * Lambda's invocation record, the event in `requestPayload`.
   */
  ingestFailureQueue: sqs.IQueue;
  /**
   * The Kinesis event-source mapping's on-failure destination (`stream`): one object per failed
   * batch, with the records themselves, so the batch can be replayed after the stream dropped it.
   */
  streamFailureBucket: s3.IBucket;
  /**
   * The ARNs of the buckets, as another stack reads them: `Fn::GetStackOutput` of an output with
   * a fixed name (a weak reference). Policies name their objects with these, so cdk-nag's
   * findings (and the acknowledgements) read the same at every synthesis.
   */
  streamFailureBucketArnRef: string;
  lakeBucketArnRef?: string;
  /** When `config.lake`: the Glue database and table over the lake. */
  glueDatabaseName?: string;
  glueTableName?: string;
}

export interface StatefulStackProps extends StackProps {
  config: StageConfig;
}

/**
 * Fixed construct ids: renaming one changes a logical ID, and CloudFormation would replace (and,
 * with RETAIN, orphan) the resource. The spec pins the resulting logical IDs.
 */
export const STATEFUL_IDS = {
  table: 'AuditTable',
  lakeBucket: 'LakeBucket',
  lakeAccessLogBucket: 'LakeAccessLogBucket',
  stream: 'EventStream',
  quarantineQueue: 'QuarantineQueue',
  deadLetterQueue: 'DeadLetterQueue',
  ingestFailureQueue: 'IngestFailureQueue',
  streamFailureBucket: 'StreamFailureBucket',
  glueDatabase: 'LakeGlueDatabase',
  glueTable: 'LakeGlueTable',
} as const;

/** Outputs other stacks read by name (`StatefulResources.*ArnRef`). */
export const STATEFUL_OUTPUTS = {
  streamFailureBucketArn: 'StreamFailureBucketArn',
  lakeBucketArn: 'LakeBucketArn',
} as const;

/** The Glue table over the lake (Athena: `<database>.events`). */
export const LAKE_GLUE_TABLE_NAME = 'events';

/** Where Athena's partition projection starts (`projection.dt.range`). */
export const LAKE_PROJECTION_START = '2024-01-01';

/** SQS's longest retention: time to inspect and replay what failed. */
export const QUEUE_RETENTION = Duration.days(14);

/**
 * How long a failed Kinesis batch stays in the stream failure bucket. The stream keeps records
 * 24 hours; the bucket keeps the records themselves, so `ecslog redrive` can replay a batch for a
 * year after it failed (objects are small; S3 Standard costs cents for thousands of batches).
 */
export const STREAM_FAILURE_RETENTION = Duration.days(365);

/** Where Lambda writes the event-source mapping's failure records in that bucket. */
export const STREAM_FAILURE_PREFIX = 'aws/lambda/';

const keyAttribute = (key: KeyAttribute): dynamodb.Attribute => ({
  name: key.name,
  type: dynamodb.AttributeType.STRING,
});

export class StatefulStack extends Stack {
  readonly resources: StatefulResources;

  constructor(scope: Construct, id: string, props: StatefulStackProps) {
    super(scope, id, props);
    // Server access logs are delivered under a bucket policy, not the LogDeliveryWrite ACL, so
    // every bucket keeps ACLs disabled (BucketOwnerEnforced) whatever the app's feature flags.
    this.node.setContext('@aws-cdk/aws-s3:serverAccessLogsUseBucketPolicy', true);
    const { config } = props;
    const removalPolicy =
      config.removalPolicy === 'retain' ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY;

    const table = this.createTable(config, removalPolicy);
    const { quarantineQueue, deadLetterQueue, ingestFailureQueue } = this.createQueues(
      config,
      removalPolicy,
    );
    const accessLogBucket = this.createAccessLogBucket(removalPolicy);
    // Both failure destinations exist in both topologies: a switch of topology then never
    // deletes (or orphans) a queue or bucket that may still hold failures to replay.
    const streamFailureBucket = this.createStreamFailureBucket(accessLogBucket, removalPolicy);
    const stream =
      config.topology === 'stream'
        ? new kinesis.Stream(this, STATEFUL_IDS.stream, {
            streamMode: kinesis.StreamMode.PROVISIONED,
            shardCount: config.shardCount,
            // The free minimum: the ingest ESM retries within it, and Firehose reads it in seconds.
            retentionPeriod: Duration.hours(24),
            // The aws/kinesis key: cdk-nag KDS3 asks for it, and consumers need no key grants.
            encryption: kinesis.StreamEncryption.MANAGED,
            removalPolicy,
          })
        : undefined;
    const lake = config.lake ? this.createLake(config, accessLogBucket, removalPolicy) : undefined;

    new CfnOutput(this, STATEFUL_OUTPUTS.streamFailureBucketArn, {
      value: streamFailureBucket.bucketArn,
    });
    if (lake) new CfnOutput(this, STATEFUL_OUTPUTS.lakeBucketArn, { value: lake.bucket.bucketArn });
    this.resources = {
      table,
      streamFailureBucketArnRef: this.outputRef(STATEFUL_OUTPUTS.streamFailureBucketArn),
      ...(lake ? { lakeBucketArnRef: this.outputRef(STATEFUL_OUTPUTS.lakeBucketArn) } : {}),
      quarantineQueue,
      deadLetterQueue,
      ingestFailureQueue,
      streamFailureBucket,
      ...(stream ? { stream } : {}),
      ...(lake
        ? {
            lakeBucket: lake.bucket,
            glueDatabaseName: lake.databaseName,
            glueTableName: LAKE_GLUE_TABLE_NAME,
          }
        : {}),
    };
    // What people type next: `ecslog tasks --table <TableName>`, Athena over the Glue table.
    new CfnOutput(this, 'TableName', { value: table.tableName, description: 'ecslog … --table' });
    new CfnOutput(this, 'QuarantineQueueUrl', { value: quarantineQueue.queueUrl });
    new CfnOutput(this, 'DeadLetterQueueUrl', { value: deadLetterQueue.queueUrl });
    new CfnOutput(this, 'IngestFailureQueueUrl', { value: ingestFailureQueue.queueUrl });
    new CfnOutput(this, 'StreamFailureBucketName', { value: streamFailureBucket.bucketName });
    if (lake) {
      new CfnOutput(this, 'LakeBucketName', { value: lake.bucket.bucketName });
      new CfnOutput(this, 'GlueTable', { value: `${lake.databaseName}.${LAKE_GLUE_TABLE_NAME}` });
    }
    if (stream) new CfnOutput(this, 'StreamName', { value: stream.streamName });
  }

  /** This stack's output `name`, for use in another stack of the same region. */
  private outputRef(name: string): string {
    return Token.asString({
      'Fn::GetStackOutput': { StackName: this.stackName, OutputName: name },
    });
  }

  /** The audit table exactly as `@ecslog/audit-store` defines it. */
  private createTable(config: StageConfig, removalPolicy: RemovalPolicy): dynamodb.TableV2 {
    return new dynamodb.TableV2(this, STATEFUL_IDS.table, {
      partitionKey: keyAttribute(AUDIT_TABLE.partitionKey),
      sortKey: keyAttribute(AUDIT_TABLE.sortKey),
      globalSecondaryIndexes: AUDIT_TABLE.globalSecondaryIndexes.map((index) => ({
        indexName: index.indexName,
        partitionKey: keyAttribute(index.partitionKey),
        sortKey: keyAttribute(index.sortKey),
        projectionType: dynamodb.ProjectionType[index.projection],
        ...(index.nonKeyAttributes && { nonKeyAttributes: [...index.nonKeyAttributes] }),
      })),
      billing: dynamodb.Billing.onDemand(),
      timeToLiveAttribute: AUDIT_TABLE.timeToLiveAttribute,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      // dev stacks are torn down often; everywhere else a stray delete must not drop the history.
      deletionProtection: config.stage !== 'dev',
      encryption: dynamodb.TableEncryptionV2.awsManagedKey(),
      // The notifier reads the new images (apps/notifier). Always on: a stream costs nothing
      // until read, and turning it off and on would change its ARN under a deployed notifier.
      dynamoStream: dynamodb.StreamViewType.NEW_IMAGE,
      removalPolicy,
    });
  }

  private createQueues(config: StageConfig, removalPolicy: RemovalPolicy) {
    const queueProps: sqs.QueueProps = {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: QUEUE_RETENTION,
      removalPolicy,
    };
    const quarantineQueue = new sqs.Queue(this, STATEFUL_IDS.quarantineQueue, queueProps);
    const deadLetterQueue = new sqs.Queue(this, STATEFUL_IDS.deadLetterQueue, queueProps);
    // Lambda sends here with the ingest role's own permission (granted in the pipeline stack).
    const ingestFailureQueue = new sqs.Queue(this, STATEFUL_IDS.ingestFailureQueue, queueProps);
    // The pipeline stack imports this queue by ARN for its EventBridge targets (a cross-stack
    // grant would make the stacks depend on each other), so the policy lives here: exactly the
    // pipeline's rules may send, named by their fixed per-stage names (pipeline-rule-names.ts).
    // SSE-SQS needs no key policy for EventBridge.
    const ruleArns = pipelineRules(config).map(
      (rule) =>
        `arn:${Aws.PARTITION}:events:${Aws.REGION}:${Aws.ACCOUNT_ID}:rule/${pipelineRuleName(config.stage, rule)}`,
    );
    deadLetterQueue.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'EventBridgeRulesOfThisAccount',
        principals: [new iam.ServicePrincipal('events.amazonaws.com')],
        actions: ['sqs:SendMessage'],
        resources: [deadLetterQueue.queueArn],
        conditions: {
          ArnEquals: { 'aws:SourceArn': ruleArns },
        },
      }),
    );
    for (const [queue, role] of [
      [quarantineQueue, 'the ingest quarantine, where invalid events are kept whole'],
      [deadLetterQueue, 'the dead-letter queue of the EventBridge targets'],
      [ingestFailureQueue, "the ingest's on-failure destination for asynchronous invocations"],
    ] as const)
      Validations.of(queue).acknowledge({
        id: 'AwsSolutions-SQS3',
        reason: `${queue.node.id} is itself a terminal queue (${role}); nothing consumes it automatically, so it has no redrive to a further DLQ. The pipeline stack, not this one, names it as a DLQ, which cdk-nag cannot see from here.`,
      });
    for (const queue of [quarantineQueue, deadLetterQueue, ingestFailureQueue])
      Validations.of(queue).acknowledge({
        id: 'Serverless-SQSRedrivePolicy',
        reason: `${queue.node.id} is a terminal queue: what lands here waits for ecslog redrive (or a person), never for an automatic consumer that could fail it on`,
      });
    return { quarantineQueue, deadLetterQueue, ingestFailureQueue };
  }

  /** The bucket of server access logs of the lake and the stream failure bucket. */
  private createAccessLogBucket(removalPolicy: RemovalPolicy): s3.Bucket {
    // cdk-nag S1 accepts this bucket unlogged because it is the others' log destination.
    return new s3.Bucket(this, STATEFUL_IDS.lakeAccessLogBucket, {
      ...lockedDownBucket(removalPolicy),
      lifecycleRules: [
        {
          id: 'ExpireAccessLogs',
          expiration: Duration.days(365),
          noncurrentVersionExpiration: Duration.days(30),
          abortIncompleteMultipartUploadAfter: Duration.days(7),
        },
      ],
    });
  }

  /**
   * Unversioned on purpose: Lambda writes each failed batch once under a unique key, and
   * `ecslog redrive` deletes an object only after every record of it is in the table; versioning
   * would keep replayed batches as noncurrent versions, to be found and paid for again.
   */
  private createStreamFailureBucket(accessLogBucket: s3.IBucket, removalPolicy: RemovalPolicy) {
    return new s3.Bucket(this, STATEFUL_IDS.streamFailureBucket, {
      ...lockedDownBucket(removalPolicy),
      versioned: false,
      serverAccessLogsBucket: accessLogBucket,
      serverAccessLogsPrefix: 'stream-failures/',
      lifecycleRules: [
        {
          id: 'ExpireReplayableBatches',
          expiration: STREAM_FAILURE_RETENTION,
          abortIncompleteMultipartUploadAfter: Duration.days(7),
        },
      ],
    });
  }

  /** The lake bucket, its access-log bucket and the Glue catalog over it. */
  private createLake(
    config: StageConfig,
    accessLogBucket: s3.IBucket,
    removalPolicy: RemovalPolicy,
  ) {
    const expireDays = config.lakeExpireDays;
    // S3 rejects a rule whose expiration is not later than its transition; objects that expire
    // first are never worth moving to Standard-IA (30-day minimum charge).
    const transition = expireDays === 0 || expireDays > config.lakeInfrequentAccessDays;
    const bucket = new s3.Bucket(this, STATEFUL_IDS.lakeBucket, {
      ...lockedDownBucket(removalPolicy),
      serverAccessLogsBucket: accessLogBucket,
      serverAccessLogsPrefix: 'lake/',
      lifecycleRules: [
        {
          id: 'LakeStorageLifecycle',
          abortIncompleteMultipartUploadAfter: Duration.days(7),
          noncurrentVersionExpiration: Duration.days(30),
          ...(transition
            ? {
                transitions: [
                  {
                    storageClass: s3.StorageClass.INFREQUENT_ACCESS,
                    transitionAfter: Duration.days(config.lakeInfrequentAccessDays),
                  },
                ],
              }
            : {}),
          ...(expireDays > 0 ? { expiration: Duration.days(expireDays) } : {}),
        },
      ],
    });

    // Glue names allow no dashes; stages do. The stage in the name keeps two stages of one
    // account apart. The catalog holds no data (the rows are in the bucket) and is rebuilt from
    // this code, so it is deleted with the stack whatever the removal policy: a retained database
    // would make the redeploy after `cdk destroy --all` fail with AlreadyExists.
    const databaseName = `ecslog_${config.stage.replace(/-/g, '_')}`;
    const database = new glue.CfnDatabase(this, STATEFUL_IDS.glueDatabase, {
      catalogId: Aws.ACCOUNT_ID,
      databaseInput: {
        name: databaseName,
        description: `ecslog ${config.stage}: the audit lake (NDJSON, one row per state change)`,
      },
    });
    database.applyRemovalPolicy(RemovalPolicy.DESTROY);
    const lakeRoot = `s3://${bucket.bucketName}/events/`;
    const table = new glue.CfnTable(this, STATEFUL_IDS.glueTable, {
      catalogId: Aws.ACCOUNT_ID,
      databaseName,
      tableInput: {
        name: LAKE_GLUE_TABLE_NAME,
        description: 'ecslog audit records, one row per state change (apps/firehose-transform)',
        tableType: 'EXTERNAL_TABLE',
        partitionKeys: [
          {
            name: LAKE_PARTITION_COLUMN.name,
            type: LAKE_PARTITION_COLUMN.type,
            comment: LAKE_PARTITION_COLUMN.comment,
          },
        ],
        parameters: {
          EXTERNAL: 'TRUE',
          classification: 'json',
          // Partition projection: Athena computes the dt= prefixes, no crawler, no MSCK REPAIR.
          'projection.enabled': 'true',
          'projection.dt.type': 'date',
          'projection.dt.format': 'yyyy-MM-dd',
          'projection.dt.range': `${LAKE_PROJECTION_START},NOW`,
          'projection.dt.interval': '1',
          'projection.dt.interval.unit': 'DAYS',
          // Firehose writes `events/dt=!{partitionKeyFromLambda:dt}/` (docs/athena.md); errors go elsewhere.
          'storage.location.template': `${lakeRoot}dt=\${dt}/`,
        },
        storageDescriptor: {
          columns: LAKE_COLUMNS.map(({ name, type, comment }) => ({ name, type, comment })),
          location: lakeRoot,
          inputFormat: 'org.apache.hadoop.mapred.TextInputFormat',
          outputFormat: 'org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat',
          serdeInfo: { serializationLibrary: 'org.openx.data.jsonserde.JsonSerDe' },
        },
      },
    });
    table.addResourceDependency(database);
    table.applyRemovalPolicy(RemovalPolicy.DESTROY);
    return { bucket, databaseName };
  }
}

/** Every bucket here: private, TLS only, ACLs disabled, versioned unless said otherwise. */
function lockedDownBucket(removalPolicy: RemovalPolicy) {
  return {
    blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
    enforceSSL: true,
    // Server access logging delivers only to SSE-S3 buckets; the lake uses the same so Athena
    // users need no KMS grant.
    encryption: s3.BucketEncryption.S3_MANAGED,
    objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
    versioned: true,
    removalPolicy,
  } satisfies s3.BucketProps;
}
