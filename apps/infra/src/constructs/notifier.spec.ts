import { App } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import type { AuditRecord } from '@ecslog/ecs-event-mapper';
import { fixtureRecords } from '@ecslog/ecs-event-mapper/testing';
import { toHistoryItem, toLatestItem, toRunItems } from '@ecslog/audit-store';
import type { StageConfigError } from '../config/stage-config';
import { readStageConfig } from '../config/stage-config';
import { NAG_PACKS } from '../ecslog-app';
import { PipelineStack } from '../stacks/pipeline-stack';
import { StatefulStack } from '../stacks/stateful-stack';
import { matchesPattern } from '../testing/event-pattern-match';
import {
  NOTIFIER_BATCH_SIZE,
  NOTIFIER_FILTER_PATTERNS,
  NOTIFIER_ITEM_ACTIONS,
  NOTIFIER_RETRY_ATTEMPTS,
} from './notifier';

const env = { account: '111122223333', region: 'eu-west-1' };
const SLACK =
  'arn:aws:secretsmanager:eu-west-1:111122223333:secret:ecslog/prod/slack-webhook-Ab12Cd';
const SIGNING =
  'arn:aws:secretsmanager:eu-west-1:111122223333:secret:ecslog/prod/webhook-signing-Zx98Wv';
const KEY = 'arn:aws:kms:eu-west-1:111122223333:key/1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d';
const NOTIFICATIONS = {
  snsTopic: true,
  emails: ['oncall@example.com'],
  slackWebhookSecretArn: SLACK,
  webhookUrlParameterName: '/ecslog/prod/webhook-url',
  webhookSigningSecretArn: SIGNING,
  secretKeyArns: [KEY],
  config: { quietPeriodMinutes: 120 },
};

function synth(context: Record<string, unknown>) {
  const app = new App();
  const config = readStageConfig((key) => context[key]);
  const stateful = new StatefulStack(app, 'stateful', { env, config });
  const stack = new PipelineStack(app, 'pipeline', { env, config, stateful: stateful.resources });
  return { app, stack, stateful, template: Template.fromStack(stack) };
}

type Statement = {
  Sid?: string;
  Action: string | string[];
  Resource: unknown;
  Condition?: unknown;
};
const statementsOf = (template: Template, rolePrefix: string): Statement[] =>
  Object.values(template.findResources('AWS::IAM::Policy'))
    .filter((policy) =>
      JSON.stringify((policy as { Properties: { Roles: unknown } }).Properties.Roles).includes(
        rolePrefix,
      ),
    )
    .flatMap(
      (policy) =>
        (policy as { Properties: { PolicyDocument: { Statement: Statement[] } } }).Properties
          .PolicyDocument.Statement,
    );
const actions = (s: Statement) => (Array.isArray(s.Action) ? s.Action : [s.Action]);

describe('the notifier in the pipeline stack', () => {
  let built: ReturnType<typeof synth>;
  beforeAll(() => {
    built = synth({ stage: 'prod', alarmEmail: 'ops@example.com', notifications: NOTIFICATIONS });
  });

  it('is not deployed without notifications; the table has its NEW_IMAGE stream either way', () => {
    const plain = synth({ stage: 'prod' });
    plain.template.resourceCountIs('AWS::Lambda::EventSourceMapping', 0);
    expect(JSON.stringify(plain.template.toJSON())).not.toContain('ecslog-notifier');
    for (const { stateful } of [plain, built])
      Template.fromStack(stateful).hasResourceProperties('AWS::DynamoDB::GlobalTable', {
        StreamSpecification: { StreamViewType: 'NEW_IMAGE' },
      });
  });

  it('maps the table stream to the stream function: filtered, bounded, bisected, parked', () => {
    built.template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      EventSourceArn: Match.objectLike({ 'Fn::GetStackOutput': Match.anyValue() }),
      StartingPosition: 'LATEST',
      BatchSize: NOTIFIER_BATCH_SIZE,
      MaximumBatchingWindowInSeconds: 1,
      BisectBatchOnFunctionError: true,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      MaximumRetryAttempts: NOTIFIER_RETRY_ATTEMPTS,
      MaximumRecordAgeInSeconds: 21_600,
      DestinationConfig: {
        OnFailure: {
          Destination: {
            'Fn::GetAtt': [Match.stringLikeRegexp('^NotifierStreamFailureQueue'), 'Arn'],
          },
        },
      },
      FilterCriteria: {
        Filters: NOTIFIER_FILTER_PATTERNS.map((p) => ({ Pattern: JSON.stringify(p) })),
      },
      FunctionName: { Ref: Match.stringLikeRegexp('^NotifierStreamFunction') },
    });
  });

  it('ticks every 5 minutes, without retries (the next tick does the same work)', () => {
    built.template.hasResourceProperties('AWS::Events::Rule', {
      ScheduleExpression: 'rate(5 minutes)',
      Targets: [
        Match.objectLike({
          Arn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^NotifierTickFunction'), 'Arn'] },
          RetryPolicy: { MaximumRetryAttempts: 0 },
        }),
      ],
    });
    built.template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
      FunctionName: { Ref: Match.stringLikeRegexp('^NotifierTickFunction') },
      MaximumRetryAttempts: 0,
    });
  });

  it('configures both functions by environment: channel names, never a URL', () => {
    const functions = built.template.findResources('AWS::Lambda::Function', {
      Properties: { Environment: { Variables: { POWERTOOLS_SERVICE_NAME: 'ecslog-notifier' } } },
    });
    expect(Object.keys(functions)).toHaveLength(2);
    for (const fn of Object.values(functions)) {
      const variables = (
        fn as { Properties: { Environment: { Variables: Record<string, unknown> } } }
      ).Properties.Environment.Variables;
      expect(Object.keys(variables).sort()).toEqual(
        [
          'DEAD_LETTER_QUEUE_URL',
          'NODE_OPTIONS',
          'NOTIFY_CONFIG',
          'POWERTOOLS_METRICS_NAMESPACE',
          'POWERTOOLS_SERVICE_NAME',
          'RETENTION_DAYS',
          'SLACK_WEBHOOK_SECRET_ARN',
          'SNS_TOPIC_ARN',
          'TABLE_NAME',
          'WEBHOOK_SIGNING_SECRET_ARN',
          'WEBHOOK_URL_PARAMETER',
        ].sort(),
      );
      expect(variables['NOTIFY_CONFIG']).toBe('{"quietPeriodMinutes":120}');
      expect(variables['WEBHOOK_URL_PARAMETER']).toBe('/ecslog/prod/webhook-url');
      expect(JSON.stringify(variables)).not.toMatch(/https:\/\/hooks|hooks\.slack/);
    }
  });

  it('gives each role least privilege: I# items only, exactly its topic, secrets and parameter', () => {
    for (const role of ['NotifierStreamRole', 'NotifierTickRole']) {
      const statements = statementsOf(built.template, role);
      const items = statements.find((s) => s.Sid === 'NotifierItems');
      expect(items).toMatchObject({
        Action: NOTIFIER_ITEM_ACTIONS,
        Condition: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['I#*'] } },
      });
      // No other statement touches the table's items (the tick reads the runs index, below).
      const tableWrites = statements.filter(
        (s) =>
          s.Sid !== 'NotifierItems' &&
          s.Sid !== 'ReadOpenRuns' &&
          actions(s).some((a) =>
            /^dynamodb:(PutItem|UpdateItem|DeleteItem|GetItem|BatchWriteItem|Query|Scan)$/.test(a),
          ),
      );
      expect(tableWrites).toEqual([]);
      expect(statements.find((s) => s.Sid === 'PublishIncidents')).toMatchObject({
        Action: 'sns:Publish',
        Resource: { Ref: expect.stringMatching(/^NotifierTopic/) },
      });
      expect(statements.find((s) => s.Sid === 'ReadChannelSecrets')).toMatchObject({
        Action: 'secretsmanager:GetSecretValue',
        Resource: [SLACK, SIGNING],
      });
      expect(statements.find((s) => s.Sid === 'ReadWebhookParameter')).toMatchObject({
        Action: 'ssm:GetParameter',
        Resource: {
          'Fn::Join': [
            '',
            [
              'arn:',
              { Ref: 'AWS::Partition' },
              ':ssm:eu-west-1:111122223333:parameter/ecslog/prod/webhook-url',
            ],
          ],
        },
      });
      expect(statements.find((s) => s.Sid === 'DecryptChannelSecrets')).toMatchObject({
        Action: 'kms:Decrypt',
        Resource: KEY,
        Condition: {
          StringEquals: {
            'kms:ViaService': [
              'secretsmanager.eu-west-1.amazonaws.com',
              'ssm.eu-west-1.amazonaws.com',
            ],
          },
        },
      });
    }
    const stream = statementsOf(built.template, 'NotifierStreamRole');
    expect(stream.find((s) => s.Sid === 'ReadTableStream')?.Action).toEqual([
      'dynamodb:DescribeStream',
      'dynamodb:GetRecords',
      'dynamodb:GetShardIterator',
    ]);
    expect(stream.find((s) => s.Sid === 'ReadOpenRuns')).toBeUndefined();
    const tick = statementsOf(built.template, 'NotifierTickRole');
    expect(tick.find((s) => s.Sid === 'ReadOpenRuns')).toMatchObject({ Action: 'dynamodb:Query' });
    expect(tick.find((s) => s.Sid === 'ReadTableStream')).toBeUndefined();
  });

  it('creates an encrypted, TLS-only topic with the e-mail subscriptions', () => {
    const topics = built.template.findResources('AWS::SNS::Topic', {
      Properties: { DisplayName: 'ecslog incidents' },
    });
    // The AWS-managed SNS key, by its alias ARN: no key of its own to pay for.
    expect(Object.values(topics).map((t) => JSON.stringify(t))).toEqual([
      expect.stringMatching(/"KmsMasterKeyId":\{"Fn::Join".*:alias\/aws\/sns"/),
    ]);
    built.template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Effect: 'Deny',
            Condition: { Bool: { 'aws:SecureTransport': 'false' } },
          }),
        ]),
      },
    });
    built.template.hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'email',
      Endpoint: 'oncall@example.com',
      TopicArn: { Ref: Match.stringLikeRegexp('^NotifierTopic') },
    });
  });

  it('uses an existing topic by ARN, creating none', () => {
    const arn = 'arn:aws:sns:eu-west-1:111122223333:oncall';
    const { template } = synth({ stage: 'prod', notifications: { snsTopic: { arn } } });
    template.resourceCountIs('AWS::SNS::Topic', 1); // the alarm topic only
    const statements = statementsOf(template, 'NotifierStreamRole');
    expect(statements.find((s) => s.Sid === 'PublishIncidents')?.Resource).toBe(arn);
    expect(statements.find((s) => s.Sid === 'ReadChannelSecrets')).toBeUndefined();
  });

  it('alarms on errors, iterator age and both queues, to the alarm topic', () => {
    const alarms = built.template.findResources('AWS::CloudWatch::Alarm');
    const notifier = Object.entries(alarms).filter(([id]) => id.startsWith('Notifier'));
    expect(notifier.map(([id]) => id.replace(/[0-9A-F]{8}$/, '')).sort()).toEqual([
      'NotifierDeadLetterQueueDepth',
      'NotifierIteratorAge',
      'NotifierStreamErrors',
      'NotifierStreamFailureQueueDepth',
      'NotifierTickErrors',
    ]);
    for (const [, alarm] of notifier)
      expect(
        (alarm as { Properties: { AlarmActions: unknown[] } }).Properties.AlarmActions,
      ).toEqual([{ Ref: expect.stringMatching(/^AlarmsTopic/) }]);
    built.template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'IteratorAge',
      Statistic: 'Maximum',
      Threshold: 900_000,
    });
    built.template.hasResourceProperties('AWS::SQS::Queue', {
      SqsManagedSseEnabled: true,
      MessageRetentionPeriod: 1_209_600,
    });
  });

  it('has no unacknowledged AwsSolutions or Serverless findings', () => {
    for (const Pack of NAG_PACKS) {
      const { violations } = new Pack(built.app).validateScope(built.stack);
      expect(
        violations.map((v) => `${v.ruleName} ${v.violatingResources.map((r) => r.constructPath)}`),
      ).toEqual([]);
    }
  });
});

describe('the stream filter', () => {
  const only = (path: string) => fixtureRecords(path)[0] as AuditRecord;
  const OOM = only('eventbridge/task-stopped-oom.json');
  const STEADY = only('eventbridge/service-action-steady-state.json');
  const INSTANCE = only('eventbridge/container-instance-draining.json');
  const DEPLOYMENT = only('eventbridge/deployment-failed.json');

  /** A stream record as Lambda filters it: DynamoDB JSON, binary as base64. */
  const recordOf = (item: Record<string, unknown>, eventName = 'MODIFY') => {
    const image = Object.fromEntries(
      Object.entries(item).map(([name, value]) => [
        name,
        typeof value === 'string'
          ? { S: value }
          : typeof value === 'number'
            ? { N: String(value) }
            : { B: Buffer.from(value as Uint8Array).toString('base64') },
      ]),
    );
    return {
      eventID: 'c81e728d9d4c2f636f067f89cc14862c',
      eventName,
      eventVersion: '1.1',
      eventSource: 'aws:dynamodb',
      awsRegion: 'eu-west-1',
      dynamodb: {
        Keys: { pk: image['pk'], sk: image['sk'] },
        ...(eventName === 'REMOVE' ? {} : { NewImage: image }),
        SequenceNumber: '4000000000000000000001',
        SizeBytes: 812,
        StreamViewType: 'NEW_IMAGE',
      },
    };
  };
  const passes = (record: unknown) =>
    NOTIFIER_FILTER_PATTERNS.some((p) => matchesPattern(p, record));
  const runOf = (record: AuditRecord) => toRunItems(record, 30)![0]!.item;

  it('passes live runs, service actions, deployments and service API calls', () => {
    expect(passes(recordOf(runOf(OOM)))).toBe(true);
    // A failed deployment fails its service (the `deployment-failed` incident).
    expect(passes(recordOf(toHistoryItem(DEPLOYMENT, 30)))).toBe(true);
    expect(passes(recordOf(runOf(OOM), 'INSERT'))).toBe(true);
    expect(passes(recordOf(toHistoryItem(STEADY, 30)))).toBe(true);
    const createService = {
      pk: 'R#arn:aws:ecs:eu-west-1:111122223333:service/prod/web',
      sk: 'H#2026-11-20T09:00:00.000Z#api-call:9e4b5c1d',
      rt: 'api-call',
      st: 'succeeded',
      r: new Uint8Array([1, 2, 3]),
    };
    expect(passes(recordOf(createService))).toBe(true);
  });

  it('drops marked, record-less, deleted and unread items', () => {
    for (const src of ['backfill', 'redrive'])
      expect(passes(recordOf({ ...runOf(OOM), src }))).toBe(false);
    expect(passes(recordOf({ ...toHistoryItem(STEADY, 30), src: 'redrive' }))).toBe(false);
    expect(passes(recordOf(runOf(OOM), 'REMOVE'))).toBe(false);
    // A task's history (its run item tells the run), carries, companions, latest states.
    expect(passes(recordOf(toHistoryItem(OOM, 30)))).toBe(false);
    for (const { item } of toRunItems(OOM, 30)!.slice(1))
      expect(passes(recordOf(item))).toBe(false);
    expect(passes(recordOf(toLatestItem(INSTANCE, 30).item))).toBe(false);
    expect(passes(recordOf({ ...toHistoryItem(DEPLOYMENT, 30), src: 'backfill' }))).toBe(false);
    const incident = {
      pk: 'I#STATE',
      sk: 'arn:aws:ecs:eu-west-1:111122223333:cluster/prod#service:web#failure#oom',
      doc: '{}',
    };
    expect(passes(recordOf(incident))).toBe(false);
    const companion = { pk: runOf(OOM)['pk'] as string, sk: 'RUN', lk: 'C#abc' };
    expect(passes(recordOf(companion))).toBe(false);
  });
});

describe('notifications stage option', () => {
  const read = (notifications: unknown) =>
    readStageConfig((key) => (key === 'notifications' ? notifications : undefined));

  it('reads the JSON -c gives, and leaves the notifier out when absent', () => {
    expect(read(JSON.stringify({ snsTopic: true })).notifications).toEqual({
      snsTopic: true,
      emails: [],
      secretKeyArns: [],
      config: {},
    });
    expect(read(undefined).notifications).toBeUndefined();
  });

  it('names every problem, and never echoes a value that may be a secret', () => {
    let error: StageConfigError | undefined;
    try {
      read({
        emails: ['not-an-address'],
        slackWebhookSecretArn: 'https://hooks.slack.com/services/T0/B0/XXXXXXXX',
        webhookSigningSecretArn: SIGNING,
        config: { quietPeriodMinutes: 0 },
        snsTopics: true,
      });
    } catch (caught) {
      error = caught as StageConfigError;
    }
    expect(error?.problems).toEqual([
      expect.stringContaining('notifications.snsTopics is not an option'),
      'notifications.emails: not-an-address is not an e-mail address',
      'notifications.emails need snsTopic (the topic they subscribe to)',
      expect.stringContaining(
        'notifications.slackWebhookSecretArn must be a Secrets Manager secret',
      ),
      'notifications.webhookSigningSecretArn signs webhook bodies: set webhookUrlParameterName too',
      expect.stringContaining('notifications.config: quietPeriodMinutes'),
    ]);
    expect(error?.message).not.toContain('hooks.slack.com');
  });

  it('needs a channel', () => {
    expect(() => read({ config: {} })).toThrow(/notifications.has no channel/);
  });
});
