import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as kinesis from 'aws-cdk-lib/aws-kinesis';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { AwsSolutionsChecks } from 'cdk-nag';
import { readStageConfig } from '../config/stage-config';
import type { StatefulResources } from './stateful-stack';
import { PipelineStack } from './pipeline-stack';

const env = { account: '111122223333', region: 'eu-west-1' };
const config = (context: Record<string, unknown>) => readStageConfig((key) => context[key]);

/** The stateful stack's resources, built here until the real stack is the test's input. */
function statefulResources(app: App): StatefulResources {
  const stack = new Stack(app, 'stateful', { env });
  const lakeKey = new kms.Key(stack, 'LakeKey', { enableKeyRotation: true });
  return {
    table: new dynamodb.TableV2(stack, 'Table', {
      partitionKey: { name: 'pk', type: dynamodb.AttributeType.STRING },
      sortKey: { name: 'sk', type: dynamodb.AttributeType.STRING },
    }),
    lakeBucket: new s3.Bucket(stack, 'Lake', { encryptionKey: lakeKey }),
    lakeKey,
    stream: new kinesis.Stream(stack, 'Stream', { encryption: kinesis.StreamEncryption.MANAGED }),
    quarantineQueue: new sqs.Queue(stack, 'Quarantine', { enforceSSL: true }),
    deadLetterQueue: new sqs.Queue(stack, 'DeadLetters', { enforceSSL: true }),
  };
}

function synth(context: Record<string, unknown>) {
  const app = new App();
  const stack = new PipelineStack(app, 'pipeline', {
    env,
    config: config(context),
    stateful: statefulResources(app),
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

const ECS_DETAIL_TYPES = [
  'ECS Task State Change',
  'ECS Container Instance State Change',
  'ECS Service Action',
  'ECS Deployment State Change',
];

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
      expect(JSON.stringify(target.DeadLetterConfig?.Arn)).toContain('DeadLetters');
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

  it('listens for the four ECS detail-types and ECS API calls on the default bus', () => {
    built.template.resourceCountIs('AWS::Events::Rule', 2);
    built.template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: { source: ['aws.ecs'], 'detail-type': ECS_DETAIL_TYPES },
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
        EncryptionConfiguration: { KMSEncryptionConfig: { AWSKMSKeyARN: Match.anyValue() } },
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

  it('publishes a backfill policy with exactly the backfill actions', () => {
    const policy = statements(built.template, 'AWS::IAM::ManagedPolicy');
    expect(policy.flatMap(actions).sort()).toEqual(
      [
        'cloudtrail:LookupEvents',
        'dynamodb:BatchGetItem',
        'dynamodb:BatchWriteItem',
        'dynamodb:DescribeTable',
        'dynamodb:PutItem',
        ...(topology === 'stream' ? ['kinesis:DescribeStreamSummary', 'kinesis:PutRecords'] : []),
      ].sort(),
    );
    built.template.hasOutput('BackfillPolicyArn', {
      Value: { Ref: Match.stringLikeRegexp('BackfillPolicy') },
      Export: Match.anyValue(),
    });
  });

  it('alarms on ingest and transform errors, queue depths, Firehose failures (and iterator age)', () => {
    const metrics = Object.values(built.template.findResources('AWS::CloudWatch::Alarm')).map(
      (a) => (a as { Properties: { MetricName: string } }).Properties.MetricName,
    );
    expect(metrics.sort()).toEqual(
      [
        'Errors',
        'Errors',
        'ApproximateNumberOfMessagesVisible',
        'ApproximateNumberOfMessagesVisible',
        'ExecuteProcessing.Success',
        'DeliveryToS3.Success',
        ...(topology === 'stream' ? ['IteratorAge'] : []),
      ].sort(),
    );
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

  it('has no unacknowledged AwsSolutions findings', () => {
    const { violations } = new AwsSolutionsChecks(built.app).validateScope(built.stack);
    // Rule names and paths first: they say what to fix or acknowledge.
    expect(
      violations.map((v) => `${v.ruleName} ${v.violatingResources.map((r) => r.constructPath)}`),
    ).toEqual([]);
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
      EventPattern: Match.objectLike({ 'detail-type': ECS_DETAIL_TYPES }),
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
      DestinationConfig: { OnFailure: { Destination: Match.anyValue() } },
    });
  });

  it('without the lake: no Firehose, no transform', () => {
    const { template } = synth({ topology: 'direct', lake: false, captureApiCalls: false });
    template.resourceCountIs('AWS::KinesisFirehose::DeliveryStream', 0);
    template.resourceCountIs('AWS::Lambda::Function', 1);
    template.resourceCountIs('AWS::Events::Rule', 1);
  });

  it('filters by cluster: state changes by clusterArn, deployments by service ARN, API calls by name or ARN', () => {
    const other = 'arn:aws:ecs:eu-west-1:444455556666:cluster/shared';
    const { template } = synth({ topology: 'stream', clusters: `prod,${other}` });
    const prodArn = 'arn:aws:ecs:eu-west-1:111122223333:cluster/prod';
    template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: {
        source: ['aws.ecs'],
        'detail-type': ECS_DETAIL_TYPES.slice(0, 3),
        detail: { clusterArn: [prodArn, other] },
      },
    });
    template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: {
        source: ['aws.ecs'],
        'detail-type': ['ECS Deployment State Change'],
        resources: [
          { prefix: 'arn:aws:ecs:eu-west-1:111122223333:service/prod/' },
          { prefix: 'arn:aws:ecs:eu-west-1:444455556666:service/shared/' },
        ],
      },
    });
    template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: {
        'detail-type': ['AWS API Call via CloudTrail'],
        detail: {
          eventSource: ['ecs.amazonaws.com'],
          requestParameters: { cluster: ['prod', 'shared', prodArn, other] },
        },
      },
    });
  });

  it('uses an existing alarm topic when given one', () => {
    const arn = 'arn:aws:sns:eu-west-1:111122223333:ops';
    const { template } = synth({ topology: 'direct', alarmTopicArn: arn });
    template.resourceCountIs('AWS::SNS::Topic', 0);
    template.allResourcesProperties('AWS::CloudWatch::Alarm', { AlarmActions: [arn] });
  });
});
