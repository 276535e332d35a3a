import { App } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readStageConfig } from '../config/stage-config';
import { FIREHOSE_S3_ACTIONS } from '../constructs/firehose-lake';
import { LAMBDA_BUNDLES, REPO_ROOT } from '../constructs/pipeline-function';
import { NAG_PACKS } from '../ecslog-app';
import {
  ASYNC_MAX_EVENT_AGE,
  ASYNC_RETRY_ATTEMPTS,
  INGEST_MEMORY_MB,
  KINESIS_READ_ACTIONS,
  PipelineStack,
} from './pipeline-stack';
import { StatefulStack } from './stateful-stack';

const env = { account: '111122223333', region: 'eu-west-1' };
const config = (context: Record<string, unknown>) => readStageConfig((key) => context[key]);

function synth(context: Record<string, unknown>) {
  const app = new App();
  const stageConfig = config(context);
  const stateful = new StatefulStack(app, 'stateful', { env, config: stageConfig });
  const stack = new PipelineStack(app, 'pipeline', {
    env,
    config: stageConfig,
    stateful: stateful.resources,
  });
  return { app, stack, template: Template.fromStack(stack) };
}

type Statement = { Action: string | string[]; Resource: unknown; Sid?: string };
const statements = (template: Template, type: string): Statement[] =>
  Object.values(template.findResources(type)).flatMap(
    (p) =>
      (p as { Properties: { PolicyDocument: { Statement: Statement[] } } }).Properties
        .PolicyDocument.Statement,
  );
const actions = (s: Statement) => (Array.isArray(s.Action) ? s.Action : [s.Action]);

/** Every detail-type of aws.ecs but API calls (those have their own rule). */
const EVERY_ECS_EVENT = [{ 'anything-but': ['AWS API Call via CloudTrail'] }];

describe.each(['direct', 'stream'] as const)('PipelineStack, %s topology', (topology) => {
  let built: ReturnType<typeof synth>;
  beforeAll(() => {
    built = synth({ stage: 'prod', topology, alarmEmail: 'ops@example.com' });
  });

  it('gives every rule target a retry policy and the dead-letter queue', () => {
    const rules = Object.values(built.template.findResources('AWS::Events::Rule')) as {
      Properties: { Targets: { RetryPolicy?: unknown; DeadLetterConfig?: { Arn: unknown } }[] };
    }[];
    const targets = rules.flatMap((rule) => rule.Properties.Targets);

    expect(targets.length).toBeGreaterThanOrEqual(rules.length);
    for (const target of targets) {
      expect(target.RetryPolicy).toEqual({
        MaximumRetryAttempts: expect.any(Number),
        MaximumEventAgeInSeconds: expect.any(Number),
      });
      expect(JSON.stringify(target.DeadLetterConfig?.Arn)).toContain('DeadLetterQueue');
    }
  });

  it('runs the ingest on nodejs22.x, arm64, with its configuration', () => {
    built.template.hasResourceProperties('AWS::Lambda::Function', {
      Runtime: 'nodejs22.x',
      Architectures: ['arm64'],
      Environment: {
        Variables: Match.objectLike({
          TABLE_NAME: Match.anyValue(),
          QUARANTINE_QUEUE_URL: Match.anyValue(),
          RETENTION_DAYS: '30',
          POWERTOOLS_SERVICE_NAME: 'ecslog-ingest',
          POWERTOOLS_METRICS_NAMESPACE: 'ecslog',
        }),
      },
    });
    const functions = Object.values(built.template.findResources('AWS::Lambda::Function'));
    expect(functions).toHaveLength(2); // ingest + Firehose transform
    for (const fn of functions)
      expect(fn).toMatchObject({ Properties: { Runtime: 'nodejs22.x', Architectures: ['arm64'] } });
  });

  it('listens for every ECS detail-type and ECS API calls on the default bus', () => {
    built.template.resourceCountIs('AWS::Events::Rule', 2);
    built.template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: { source: ['aws.ecs'], 'detail-type': EVERY_ECS_EVENT },
    });
    built.template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: {
        source: ['aws.ecs'],
        'detail-type': ['AWS API Call via CloudTrail'],
        detail: { eventSource: ['ecs.amazonaws.com'] },
      },
    });
  });

  it('delivers to the lake through Firehose with dynamic partitioning on dt', () => {
    built.template.resourceCountIs('AWS::KinesisFirehose::DeliveryStream', 1);
    built.template.hasResourceProperties('AWS::KinesisFirehose::DeliveryStream', {
      DeliveryStreamType: topology === 'stream' ? 'KinesisStreamAsSource' : 'DirectPut',
      ExtendedS3DestinationConfiguration: Match.objectLike({
        Prefix: 'events/dt=!{partitionKeyFromLambda:dt}/',
        ErrorOutputPrefix: 'errors/!{firehose:error-output-type}/dt=!{timestamp:yyyy-MM-dd}/',
        DynamicPartitioningConfiguration: Match.objectLike({ Enabled: true }),
        BufferingHints: { IntervalInSeconds: 60, SizeInMBs: 64 },
        // The lake bucket's own SSE-S3 (Athena users need no key grant).
        EncryptionConfiguration: Match.absent(),
        ProcessingConfiguration: {
          Enabled: true,
          Processors: [Match.objectLike({ Type: 'Lambda' })],
        },
      }),
    });
  });

  it('never grants a service-wide or global action', () => {
    const all = [
      ...statements(built.template, 'AWS::IAM::Policy'),
      ...statements(built.template, 'AWS::IAM::ManagedPolicy'),
    ];
    expect(all.length).toBeGreaterThan(0);
    for (const action of all.flatMap(actions)) expect(action).not.toMatch(/^\*$|:\*$/);
  });

  it("lets the ingest write the audit table's items with the writer's actions, on the table only", () => {
    const table = Object.keys(built.template.findResources('AWS::DynamoDB::Table'));
    const onTable = statements(built.template, 'AWS::IAM::Policy').filter((s) =>
      actions(s).some((action) => action.startsWith('dynamodb:')),
    );

    expect(onTable.map((s) => actions(s).sort())).toEqual([
      [
        'dynamodb:BatchWriteItem',
        'dynamodb:PartiQLInsert',
        'dynamodb:PartiQLUpdate',
        'dynamodb:PutItem',
      ],
    ]);
    // The table's ARN, nothing under it (`/index/*`): DynamoDB maintains the indexes.
    expect(JSON.stringify(onTable[0]?.Resource)).not.toContain('index');
    expect(table).toEqual([]); // the table is the stateful stack's: referenced, not defined here
  });

  it('publishes a backfill policy with exactly the backfill actions', () => {
    const policy = Object.entries(built.template.findResources('AWS::IAM::ManagedPolicy'))
      .filter(([id]) => id.startsWith('BackfillPolicy'))
      .flatMap(
        ([, p]) =>
          (p as { Properties: { PolicyDocument: { Statement: Statement[] } } }).Properties
            .PolicyDocument.Statement,
      );
    expect(policy.flatMap(actions).sort()).toEqual(
      [
        'cloudtrail:LookupEvents',
        'dynamodb:BatchGetItem',
        'dynamodb:BatchWriteItem',
        'dynamodb:DescribeTable',
        'dynamodb:PartiQLInsert',
        'dynamodb:PartiQLUpdate',
        'dynamodb:PutItem',
        ...(topology === 'stream' ? ['kinesis:DescribeStreamSummary', 'kinesis:PutRecords'] : []),
      ].sort(),
    );
    built.template.hasOutput('BackfillPolicyArn', {
      Value: { Ref: Match.stringLikeRegexp('BackfillPolicy') },
    });
  });

  it('alarms on every way an event can stop short of the table or the lake', () => {
    const metrics = Object.values(built.template.findResources('AWS::CloudWatch::Alarm')).map(
      (a) => (a as { Properties: { MetricName: string } }).Properties.MetricName,
    );
    expect(metrics.sort()).toEqual(
      [
        'Errors', // ingest
        'Errors', // transform
        'Throttles',
        'DestinationDeliveryFailures',
        'TransformProcessingFailed',
        ...Array(3).fill('ApproximateNumberOfMessagesVisible'),
        ...Array(3).fill('ApproximateAgeOfOldestMessage'),
        'ExecuteProcessing.Success',
        'DeliveryToS3.Success',
        'DeliveryToS3.DataFreshness',
        'NumberOfObjects', // the stream failure bucket, in both topologies
        ...(topology === 'stream'
          ? ['IteratorAge', 'OnFailureDestinationDeliveredEventCount']
          : ['AsyncEventsDropped']),
      ].sort(),
    );
    // The transform's ProcessingFailed records are counted from its summary log line.
    built.template.hasResourceProperties('AWS::Logs::MetricFilter', {
      FilterPattern: '{ ($.message = "batch transformed") && ($.failed > 0) }',
      MetricTransformations: [
        Match.objectLike({ MetricName: 'TransformProcessingFailed', MetricValue: '$.failed' }),
      ],
    });
    built.template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'Errors',
      AlarmDescription: Match.stringLikeRegexp(
        topology === 'direct' ? 'ingest failure queue' : 'stream failure bucket',
      ),
    });
    built.template.allResourcesProperties('AWS::CloudWatch::Alarm', {
      AlarmActions: [{ Ref: Match.stringLikeRegexp('AlarmsTopic') }],
    });
    built.template.hasResourceProperties('AWS::SNS::Topic', {
      KmsMasterKeyId: Match.anyValue(),
    });
    built.template.hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'email',
      Endpoint: 'ops@example.com',
    });
    built.template.resourceCountIs('AWS::CloudWatch::Dashboard', 1);
  });

  it('has no unacknowledged AwsSolutions or Serverless findings', () => {
    for (const Pack of NAG_PACKS) {
      const { violations } = new Pack(built.app).validateScope(built.stack);
      // Rule names and paths first: they say what to fix or acknowledge.
      expect(
        violations.map((v) => `${v.ruleName} ${v.violatingResources.map((r) => r.constructPath)}`),
      ).toEqual([]);
    }
  });

  it('gives every acknowledged finding a written reason that names what it is about', () => {
    const acknowledged = built.stack.node
      .findAll()
      .flatMap((construct) =>
        construct.node.metadata
          .filter((entry) => entry.type === 'aws:cdk:acknowledged-rules')
          .flatMap((entry) => Object.entries(entry.data as Record<string, string>)),
      );
    expect(acknowledged.length).toBeGreaterThan(0);
    for (const [id, reason] of acknowledged) {
      expect({ id, long: reason.length > 60 }).toEqual({ id, long: true });
      expect(reason).not.toMatch(/NodejsFunction|86 KB|externalModules/);
    }
  });

  it('deploys the tested bundle: the ingest and transform assets are byte for byte dist/', () => {
    const outdir = built.app.synth().directory;
    const ingestBundle =
      topology === 'direct' ? LAMBDA_BUNDLES.ingestEventBridge : LAMBDA_BUNDLES.ingestKinesis;
    for (const [logicalPrefix, bundle] of [
      ['IngestFunction', ingestBundle],
      ['TransformFunction', LAMBDA_BUNDLES.transform],
    ] as const) {
      const fn = Object.entries(built.template.findResources('AWS::Lambda::Function')).find(
        ([id]) => id.startsWith(logicalPrefix),
      )?.[1] as { Properties: { Code: { S3Key: string }; Handler: string } };
      expect(fn.Properties.Handler).toBe('index.handler');
      const asset = join(outdir, `asset.${fn.Properties.Code.S3Key.replace(/\.zip$/, '')}`);
      const dist = join(REPO_ROOT, bundle.dir);
      const digest = (dir: string) =>
        readdirSync(dir)
          .sort()
          .map(
            (file) =>
              `${file} ${createHash('sha256')
                .update(readFileSync(join(dir, file)))
                .digest('hex')}`,
          );
      expect(digest(asset)).toEqual(digest(dist));
      expect(digest(dist).map((line) => line.split(' ')[0])).toEqual(['index.js', 'index.js.map']);
    }
  });

  it('gives the ingest the measured memory, and both functions no re-bundling', () => {
    built.template.hasResourceProperties('AWS::Lambda::Function', {
      Description: Match.stringLikeRegexp('audit table'),
      MemorySize: INGEST_MEMORY_MB[topology],
    });
    expect(JSON.stringify(built.template.toJSON())).not.toContain('aws-lambda-nodejs');
  });

  it('names every place parked events wait, and the redrive policy, in stable outputs', () => {
    const outputs = built.template.findOutputs('*');
    expect(Object.keys(outputs)).toEqual(
      expect.arrayContaining([
        'IngestDeadLetterQueueUrl',
        'IngestFailureQueueUrl',
        'StreamFailureBucketName',
        'StreamFailureBucketPrefix',
        'QuarantineQueueUrl',
        'TableName',
        'RedrivePolicyArn',
        'BackfillPolicyArn',
      ]),
    );
    expect(outputs['StreamFailureBucketPrefix']).toMatchObject({ Value: 'aws/lambda/' });
    // Plain outputs: an export could not change (or go) while something imports it.
    for (const output of Object.values(outputs)) expect(output).not.toHaveProperty('Export');
  });

  it('publishes a least-privilege redrive policy', () => {
    const redrive = Object.entries(built.template.findResources('AWS::IAM::ManagedPolicy')).find(
      ([id]) => id.startsWith('RedrivePolicy'),
    )?.[1] as { Properties: { PolicyDocument: { Statement: Statement[] } } };
    const bySid = Object.fromEntries(
      redrive.Properties.PolicyDocument.Statement.map((s) => [s.Sid, actions(s).sort()]),
    );
    expect(bySid).toEqual({
      ReadParkedQueues: [
        'sqs:ChangeMessageVisibility',
        'sqs:DeleteMessage',
        'sqs:GetQueueAttributes',
        'sqs:ReceiveMessage',
      ],
      ListFailedBatches: ['s3:ListBucket'],
      ReadAndDeleteFailedBatches: ['s3:DeleteObject', 's3:GetObject'],
      WriteAuditTable: [
        'dynamodb:BatchWriteItem',
        'dynamodb:DescribeTable',
        'dynamodb:PartiQLInsert',
        'dynamodb:PartiQLUpdate',
        'dynamodb:PutItem',
      ],
      ...(topology === 'stream'
        ? { ReadStreamForPointers: ['kinesis:GetRecords', 'kinesis:GetShardIterator'] }
        : {}),
    });
    const objects = redrive.Properties.PolicyDocument.Statement.find(
      (s) => s.Sid === 'ReadAndDeleteFailedBatches',
    );
    expect(JSON.stringify(objects?.Resource)).toContain('/aws/lambda/*');
  });

  it('lets the Firehose S3 role write objects, never delete, lock, retain or tag them', () => {
    const policies = Object.entries(built.template.findResources('AWS::IAM::Policy'))
      .filter(([id]) => id.startsWith('LakeS3DestinationPolicy'))
      .flatMap(
        ([, p]) =>
          (p as { Properties: { PolicyDocument: { Statement: Statement[] } } }).Properties
            .PolicyDocument.Statement,
      );
    const s3Actions = policies.flatMap(actions).filter((a) => a.startsWith('s3:'));
    expect(s3Actions.sort()).toEqual([...FIREHOSE_S3_ACTIONS].sort());
    const everyRoleAction = statements(built.template, 'AWS::IAM::Policy').flatMap(actions);
    for (const forbidden of [/^s3:DeleteObject/, /Legal|Retention/, /Tagging/])
      expect(everyRoleAction.filter((a) => forbidden.test(a))).toEqual([]);
  });

  it('lets the key of the alarm topic be used by CloudWatch of this account only', () => {
    built.template.hasResourceProperties('AWS::KMS::Key', {
      KeyPolicy: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Principal: { Service: 'cloudwatch.amazonaws.com' },
            Condition: { StringEquals: { 'aws:SourceAccount': env.account } },
          }),
        ]),
      },
    });
  });
});

describe('PipelineStack topologies', () => {
  let direct: ReturnType<typeof synth>;
  let stream: ReturnType<typeof synth>;
  beforeAll(() => {
    direct = synth({ topology: 'direct' });
    stream = synth({ topology: 'stream' });
  });

  it('direct: the rule invokes the ingest with bounded retries and a DLQ, and feeds Firehose', () => {
    direct.template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: Match.objectLike({ 'detail-type': EVERY_ECS_EVENT }),
      Targets: Match.arrayWith([
        Match.objectLike({
          Arn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^IngestFunction'), 'Arn'] },
          RetryPolicy: { MaximumRetryAttempts: 8, MaximumEventAgeInSeconds: 21600 },
          DeadLetterConfig: { Arn: Match.anyValue() },
        }),
        Match.objectLike({
          Arn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^LakeDeliveryStream'), 'Arn'] },
        }),
      ]),
    });
    direct.template.resourceCountIs('AWS::Lambda::EventSourceMapping', 0);
  });

  it('direct: every event the ingest finally fails lands, with its payload, in the ingest failure queue', () => {
    // An on-failure destination receives Lambda's invocation record (requestPayload = the event).
    direct.template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
      FunctionName: { Ref: Match.stringLikeRegexp('^IngestFunction') },
      Qualifier: '$LATEST',
      MaximumRetryAttempts: ASYNC_RETRY_ATTEMPTS,
      MaximumEventAgeInSeconds: ASYNC_MAX_EVENT_AGE.toSeconds(),
      DestinationConfig: {
        OnFailure: {
          Destination: {
            'Fn::GetStackOutput': Match.objectLike({
              StackName: 'stateful',
              OutputName: Match.stringLikeRegexp('IngestFailureQueue.*Arn'),
            }),
          },
        },
      },
    });
    const ingestPolicy = statements(direct.template, 'AWS::IAM::Policy').find(
      (s) => s.Sid === 'ParkFailedInvocations',
    );
    expect(ingestPolicy && actions(ingestPolicy)).toEqual(['sqs:SendMessage']);
  });

  it('stream: the rule puts to Kinesis keyed by event id, the ingest consumes it', () => {
    stream.template.hasResourceProperties('AWS::Events::Rule', {
      Targets: [Match.objectLike({ KinesisParameters: { PartitionKeyPath: '$.id' } })],
    });
    stream.template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      BisectBatchOnFunctionError: true,
      MaximumRetryAttempts: 8,
      MaximumRecordAgeInSeconds: 21600,
      StartingPosition: 'TRIM_HORIZON',
      DestinationConfig: {
        OnFailure: {
          Destination: {
            'Fn::GetStackOutput': { StackName: 'stateful', OutputName: 'StreamFailureBucketArn' },
          },
        },
      },
      MetricsConfig: { Metrics: ['EventCount'] },
    });
    stream.template.resourceCountIs('AWS::Lambda::EventInvokeConfig', 0);
  });

  it('stream: the ingest reads the stream with the ESM actions only and may only put failed batches', () => {
    const all = Object.entries(stream.template.findResources('AWS::IAM::Policy'))
      .filter(([id]) => id.startsWith('IngestRole'))
      .flatMap(
        ([, p]) =>
          (p as { Properties: { PolicyDocument: { Statement: Statement[] } } }).Properties
            .PolicyDocument.Statement,
      );
    const kinesisActions = all.flatMap(actions).filter((a) => a.startsWith('kinesis:'));
    expect([...new Set(kinesisActions)].sort()).toEqual([...KINESIS_READ_ACTIONS].sort());
    expect(kinesisActions).not.toContain('kinesis:ListStreams');
    expect(kinesisActions).not.toContain('kinesis:DescribeStreamConsumer');
    const park = all.find((s) => s.Sid === 'ParkFailedBatches');
    expect(park && actions(park).sort()).toEqual(['s3:ListBucket', 's3:PutObject']);
  });

  it('dev: the alarm key and the log groups go with the stack; prod keeps them', () => {
    for (const [stage, policy] of [
      ['dev', 'Delete'],
      ['prod', 'Retain'],
    ] as const) {
      const { template } = synth({ stage, topology: 'direct' });
      for (const type of ['AWS::KMS::Key', 'AWS::Logs::LogGroup']) {
        const resources = Object.values(template.findResources(type));
        expect(resources.length).toBeGreaterThan(0);
        for (const resource of resources)
          expect({ type, policy: (resource as { DeletionPolicy: string }).DeletionPolicy }).toEqual(
            {
              type,
              policy,
            },
          );
      }
      // ingest, transform and Firehose's own error log group
      template.resourceCountIs('AWS::Logs::LogGroup', 3);
    }
  });

  it('without the lake: no Firehose, no transform', () => {
    const { template } = synth({ topology: 'direct', lake: false, captureApiCalls: false });
    template.resourceCountIs('AWS::KinesisFirehose::DeliveryStream', 0);
    template.resourceCountIs('AWS::Lambda::Function', 1);
    template.resourceCountIs('AWS::Events::Rule', 1);
  });

  it('filters by cluster: events by clusterArn, those without one (deployments) by a resource ARN, API calls by name or ARN', () => {
    const other = 'arn:aws:ecs:eu-west-1:444455556666:cluster/shared';
    const { template } = synth({ topology: 'stream', clusters: `prod,${other}` });
    const prodArn = 'arn:aws:ecs:eu-west-1:111122223333:cluster/prod';
    template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: {
        source: ['aws.ecs'],
        'detail-type': EVERY_ECS_EVENT,
        detail: { clusterArn: [prodArn, other] },
      },
    });
    const ofCluster = (arn: string) => [
      arn,
      ...['service', 'task', 'container-instance', 'daemon'].map((type) => ({
        prefix: `${arn.replace(':cluster/', `:${type}/`)}/`,
      })),
    ];
    template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: {
        source: ['aws.ecs'],
        'detail-type': EVERY_ECS_EVENT,
        detail: { clusterArn: [{ exists: false }] },
        resources: [...ofCluster(prodArn), ...ofCluster(other)],
      },
    });
    // A name counts only in calls of its own cluster's account and region.
    template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: {
        source: ['aws.ecs'],
        'detail-type': ['AWS API Call via CloudTrail'],
        $or: [
          {
            account: ['111122223333'],
            region: ['eu-west-1'],
            detail: {
              eventSource: ['ecs.amazonaws.com'],
              requestParameters: { cluster: ['prod', prodArn] },
            },
          },
          {
            account: ['444455556666'],
            region: ['eu-west-1'],
            detail: {
              eventSource: ['ecs.amazonaws.com'],
              requestParameters: { cluster: ['shared', other] },
            },
          },
        ],
      },
    });
  });

  it('names its rules by stage, as the stateful stack admits them to the DLQ', () => {
    const { template } = synth({ stage: 'team-a', topology: 'direct', clusters: 'web' });
    const names = Object.values(template.findResources('AWS::Events::Rule'))
      .map((rule) => (rule as { Properties: { Name: string } }).Properties.Name)
      .sort();
    expect(names).toEqual([
      'ecslog-team-a-ecs-api-calls',
      'ecslog-team-a-ecs-deployments',
      'ecslog-team-a-ecs-events',
    ]);
  });

  it('uses an existing alarm topic when given one', () => {
    const arn = 'arn:aws:sns:eu-west-1:111122223333:ops';
    const { template } = synth({ topology: 'direct', alarmTopicArn: arn });
    template.resourceCountIs('AWS::SNS::Topic', 0);
    template.allResourcesProperties('AWS::CloudWatch::Alarm', { AlarmActions: [arn] });
  });
});
