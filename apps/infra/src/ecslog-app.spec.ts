/**
 * The whole app, as `cdk synth` builds it: every stack of a stage for both topologies, cdk-nag's
 * AwsSolutions and Serverless checks as synthesis plugins (a finding fails synthesis), the member
 * account's forwarder alone, and every switch of topology or lake as a legal CloudFormation update.
 */
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { readStageConfig } from './config/stage-config';
import { buildEcslogApp } from './ecslog-app';

const env = { account: '111122223333', region: 'eu-west-1' };

describe.each(['direct', 'stream'])('the ecslog app, topology %s', (topology) => {
  const app = new App();
  const config = readStageConfig(
    (key) => ({ stage: 'prod', topology, memberAccounts: '444455556666' })[key],
  );
  const stacks = buildEcslogApp(app, config, env);

  it('synthesizes with no unacknowledged cdk-nag finding', () => {
    const assembly = app.synth();

    expect(assembly.stacks.map((stack) => stack.stackName).sort()).toEqual([
      'ecslog-prod-pipeline',
      'ecslog-prod-stateful',
    ]);
  });

  it('tells the operator the table, lake, queues and buckets it made', () => {
    const outputs = Object.keys(Template.fromStack(stacks.stateful!).findOutputs('*'));

    expect(outputs).toEqual(
      expect.arrayContaining([
        'TableName',
        'QuarantineQueueUrl',
        'DeadLetterQueueUrl',
        'IngestFailureQueueUrl',
        'StreamFailureBucketName',
        'LakeBucketName',
        'GlueTable',
      ]),
    );
    expect(outputs.includes('StreamName')).toBe(topology === 'stream');
  });

  it('admits the member accounts to the central bus, and deploys no forwarder in the central account', () => {
    Template.fromStack(stacks.pipeline!).resourceCountIs('AWS::Events::EventBusPolicy', 1);
    expect(stacks.forwarder).toBeUndefined();
  });
});

describe('the ecslog app in a member account', () => {
  it('deploys only the forwarder: no table, lake, stream, Firehose or keys', () => {
    const app = new App();
    const config = readStageConfig(
      (key) => ({ stage: 'prod', centralAccount: '111122223333', centralRegion: 'eu-west-1' })[key],
    );

    const stacks = buildEcslogApp(app, config, { account: '444455556666', region: 'eu-west-1' });
    const assembly = app.synth();

    expect(assembly.stacks.map((s) => s.stackName)).toEqual(['ecslog-prod-forwarder']);
    expect(stacks.stateful).toBeUndefined();
    const types = new Set(
      Object.values(assembly.stacks[0]?.template.Resources as Record<string, { Type: string }>).map(
        (r) => r.Type,
      ),
    );
    for (const type of [
      'AWS::DynamoDB::GlobalTable',
      'AWS::S3::Bucket',
      'AWS::Kinesis::Stream',
      'AWS::KinesisFirehose::DeliveryStream',
      'AWS::Lambda::Function',
    ])
      expect(types.has(type)).toBe(false);
  });
});

/** Resource types that hold data: a replacement would lose it (or, retained, orphan it). */
const STATEFUL_TYPES = new Set([
  'AWS::DynamoDB::GlobalTable',
  'AWS::S3::Bucket',
  'AWS::SQS::Queue',
  'AWS::Kinesis::Stream',
]);

interface Template_ {
  Resources?: Record<string, { Type: string; Properties?: Record<string, unknown> }>;
  Outputs?: Record<string, { Export?: { Name: unknown } }>;
}
type Synth = Record<string, Template_>;

/** Every `Fn::<fn>` argument in a template. */
function intrinsics(value: unknown, fn: string): unknown[] {
  if (Array.isArray(value)) return value.flatMap((v) => intrinsics(v, fn));
  if (value === null || typeof value !== 'object') return [];
  return Object.entries(value).flatMap(([key, v]) =>
    key === fn ? [v, ...intrinsics(v, fn)] : intrinsics(v, fn),
  );
}

/**
 * Why CloudFormation would refuse (or lose data in) the update from `before` to `after`, stack
 * by stack in deploy order (stateful first): an export the old pipeline still imports is gone; a
 * new pipeline reads an output the stateful stack does not have; a stateful resource kept under
 * the same logical ID changes type (a replacement) or goes missing although both configurations
 * have it.
 */
function updateProblems(before: Synth, after: Synth, keep: (id: string) => boolean): string[] {
  const problems: string[] = [];
  const exports = (synth: Synth) =>
    new Set(
      Object.values(synth)
        .flatMap((t) => Object.values(t.Outputs ?? {}))
        .flatMap((o) => (o.Export ? [JSON.stringify(o.Export.Name)] : [])),
    );
  const imported = (synth: Synth) =>
    new Set(
      Object.values(synth)
        .flatMap((t) => intrinsics(t.Resources ?? {}, 'Fn::ImportValue'))
        .map((name) => JSON.stringify(name)),
    );
  const remaining = exports(after);
  for (const name of imported(before))
    if (!remaining.has(name)) problems.push(`export ${name} is removed while still imported`);
  for (const [stackName, template] of Object.entries(after))
    for (const ref of intrinsics(template, 'Fn::GetStackOutput') as {
      StackName: string;
      OutputName: string;
    }[])
      if (!after[ref.StackName]?.Outputs?.[ref.OutputName])
        problems.push(`${stackName} reads ${ref.StackName}.${ref.OutputName}, which is not there`);
  for (const [stackName, template] of Object.entries(before)) {
    const next = after[stackName]?.Resources ?? {};
    for (const [id, resource] of Object.entries(template.Resources ?? {})) {
      if (!STATEFUL_TYPES.has(resource.Type)) continue;
      const now = next[id];
      if (now && now.Type !== resource.Type)
        problems.push(`${stackName}/${id} changes type ${resource.Type} -> ${now.Type}`);
      if (!now && keep(id)) problems.push(`${stackName}/${id} (${resource.Type}) would be removed`);
    }
  }
  return problems;
}

const synthStage = (context: Record<string, string>): Synth => {
  const app = new App();
  buildEcslogApp(
    app,
    readStageConfig((key) => ({ stage: 'prod', ...context })[key]),
    env,
  );
  return Object.fromEntries(
    app.synth().stacks.map((stack) => [stack.stackName, stack.template as Template_]),
  );
};

describe('switching topology or lake is a legal update', () => {
  const variants = {
    'direct, lake': { topology: 'direct', lake: 'true' },
    'stream, lake': { topology: 'stream', lake: 'true' },
    'direct, no lake': { topology: 'direct', lake: 'false' },
    'stream, no lake': { topology: 'stream', lake: 'false' },
  } as const;
  const synths = new Map<string, Synth>();
  const synthOf = (name: keyof typeof variants) => {
    if (!synths.has(name)) synths.set(name, synthStage(variants[name]));
    return synths.get(name) as Synth;
  };
  // What a switch may remove: the stream (topology) and the lake bucket (lake) — nothing else.
  const switchable = (id: string) => !/^EventStream|^LakeBucket[0-9A-F]{8}$/.test(id);

  it.each([
    ['direct, lake', 'stream, lake'],
    ['stream, lake', 'direct, lake'],
    ['direct, lake', 'direct, no lake'],
    ['direct, no lake', 'direct, lake'],
    ['stream, lake', 'stream, no lake'],
    ['stream, no lake', 'direct, lake'],
  ] as const)('%s -> %s', (from, to) => {
    const before = synthOf(from);
    const after = synthOf(to);

    expect(updateProblems(before, after, switchable)).toEqual([]);
    // No strong references at all: nothing pins the stateful stack's shape.
    for (const synth of [before, after])
      for (const template of Object.values(synth)) {
        expect(intrinsics(template, 'Fn::ImportValue')).toEqual([]);
        expect(Object.values(template.Outputs ?? {}).filter((o) => o.Export)).toEqual([]);
      }
    // The backfill policy is updated in place: same logical ID, same (create-only) description.
    const backfill = (synth: Synth) =>
      Object.entries(synth['ecslog-prod-pipeline']?.Resources ?? {})
        .filter(([id]) => id.startsWith('BackfillPolicy'))
        .map(([id, r]) => [id, r.Properties?.['Description']]);
    expect(backfill(after)).toEqual(backfill(before));
    expect(backfill(before)).toHaveLength(1);
  });

  it('the check itself catches a removed export still imported and a replaced stateful resource', () => {
    const before: Synth = {
      a: {
        Resources: { Table: { Type: 'AWS::DynamoDB::GlobalTable' } },
        Outputs: { Arn: { Export: { Name: 'a-Arn' } } },
      },
      b: {
        Resources: {
          Role: { Type: 'AWS::IAM::Role', Properties: { X: { 'Fn::ImportValue': 'a-Arn' } } },
        },
      },
    };
    const after: Synth = {
      a: { Resources: { Table: { Type: 'AWS::DynamoDB::Table' } } },
      b: { Resources: {}, Outputs: {} },
    };

    expect(updateProblems(before, after, () => true)).toEqual([
      'export "a-Arn" is removed while still imported',
      'a/Table changes type AWS::DynamoDB::GlobalTable -> AWS::DynamoDB::Table',
    ]);
  });
});
