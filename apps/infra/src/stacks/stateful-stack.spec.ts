import { App, Validations } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { AUDIT_TABLE } from '@ecslog/audit-store';
import { LAKE_COLUMNS } from '@ecslog/ecs-event-mapper';
import { readStageConfig } from '../config/stage-config';
import { NAG_PACKS } from '../ecslog-app';
import { STREAM_FAILURE_RETENTION, StatefulStack } from './stateful-stack';

/** A stack from context values, as `-c key=value` would give them. */
const synth = (context: Record<string, unknown>) => {
  const config = readStageConfig((key) => context[key]);
  const stack = new StatefulStack(new App(), `ecslog-${config.stage}-stateful`, { config });
  return { stack, template: Template.fromStack(stack) };
};

const TYPES = {
  table: 'AWS::DynamoDB::GlobalTable',
  bucket: 'AWS::S3::Bucket',
  stream: 'AWS::Kinesis::Stream',
  queue: 'AWS::SQS::Queue',
  glueDatabase: 'AWS::Glue::Database',
  glueTable: 'AWS::Glue::Table',
} as const;

const INDEX_COUNT = AUDIT_TABLE.globalSecondaryIndexes.length;

const logicalIds = (template: Template, type: string) =>
  Object.keys(template.findResources(type)).sort();

const onlyResource = (template: Template, type: string) => {
  const resources = Object.values(template.findResources(type));
  expect(resources).toHaveLength(1);
  return resources[0] as { Properties: Record<string, unknown> };
};

describe('StatefulStack logical IDs', () => {
  // Renaming a construct changes its logical ID: CloudFormation would create a new, empty
  // resource and delete (or, with RETAIN, orphan) the one holding the data. Change these IDs only
  // with a migration plan.
  it.each(['direct', 'stream'])('stay fixed for the %s topology, in any stage', (topology) => {
    for (const stage of ['dev', 'prod']) {
      const { template } = synth({ stage, topology });
      expect(logicalIds(template, TYPES.table)).toEqual(['AuditTableB07F8EEB']);
      expect(logicalIds(template, TYPES.bucket)).toEqual([
        'LakeAccessLogBucketEFD94F91',
        'LakeBucket9CD7BBD2',
        'StreamFailureBucketECB57D4E',
      ]);
      expect(logicalIds(template, TYPES.queue)).toEqual([
        'DeadLetterQueue9F481546',
        'IngestFailureQueueF82C675E',
        'QuarantineQueueC2E2FAD8',
      ]);
      expect(logicalIds(template, TYPES.glueDatabase)).toEqual(['LakeGlueDatabase']);
      expect(logicalIds(template, TYPES.glueTable)).toEqual(['LakeGlueTable']);
      expect(logicalIds(template, TYPES.stream)).toEqual(
        topology === 'stream' ? ['EventStream271A91DB'] : [],
      );
    }
  });
});

describe('StatefulStack audit table', () => {
  it('is built from AUDIT_TABLE: keys, indexes (their projections), on-demand, TTL', () => {
    const { template } = synth({});
    const attribute = (name: string) => ({ AttributeName: name, AttributeType: 'S' });
    const keySchema = (key: { partitionKey: { name: string }; sortKey: { name: string } }) => [
      { AttributeName: key.partitionKey.name, KeyType: 'HASH' },
      { AttributeName: key.sortKey.name, KeyType: 'RANGE' },
    ];

    const { Properties: table } = onlyResource(template, TYPES.table);

    expect(table['KeySchema']).toEqual(keySchema(AUDIT_TABLE));
    expect(table['BillingMode']).toBe(AUDIT_TABLE.billingMode);
    expect(table['TimeToLiveSpecification']).toEqual({
      AttributeName: AUDIT_TABLE.timeToLiveAttribute,
      Enabled: true,
    });
    expect(table['GlobalSecondaryIndexes']).toEqual(
      AUDIT_TABLE.globalSecondaryIndexes.map((index) => ({
        IndexName: index.indexName,
        KeySchema: keySchema(index),
        Projection: {
          ProjectionType: index.projection,
          ...(index.nonKeyAttributes && { NonKeyAttributes: [...index.nonKeyAttributes] }),
        },
      })),
    );
    expect(table['AttributeDefinitions']).toEqual(
      expect.arrayContaining(
        [
          AUDIT_TABLE.partitionKey,
          AUDIT_TABLE.sortKey,
          ...AUDIT_TABLE.globalSecondaryIndexes.flatMap((i) => [i.partitionKey, i.sortKey]),
        ].map((key) => attribute(key.name)),
      ),
    );
    expect(table['AttributeDefinitions']).toHaveLength(2 + 2 * INDEX_COUNT);
    expect(
      (table['GlobalSecondaryIndexes'] as { IndexName: string }[]).find(
        (index) => index.IndexName === 'lookups',
      ),
    ).toMatchObject({ Projection: { ProjectionType: 'INCLUDE', NonKeyAttributes: ['t1', 'end'] } });
    // Table layout 3: runs by start hour (or open), failures by day, a service's events by day,
    // runs by address or instance (one index added: CloudFormation creates one GSI per update).
    expect(
      (table['GlobalSecondaryIndexes'] as { IndexName: string; KeySchema: unknown }[]).map(
        (index) => [index.IndexName, index.KeySchema],
      ),
    ).toEqual(
      [
        ['runs', 'rpk', 'rsk'],
        ['failures', 'fpk', 'fsk'],
        ['events', 'epk', 'esk'],
        ['lookups', 'lk', 't0'],
      ].map(([name, hash, range]) => [
        name,
        [
          { AttributeName: hash, KeyType: 'HASH' },
          { AttributeName: range, KeyType: 'RANGE' },
        ],
      ]),
    );
  });

  it('has PITR and AWS-managed encryption', () => {
    const { template } = synth({});
    template.hasResourceProperties(TYPES.table, {
      SSESpecification: { SSEEnabled: true },
      Replicas: [
        Match.objectLike({
          PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
        }),
      ],
    });
  });

  it('is deletion-protected and retained outside dev', () => {
    const { template } = synth({ stage: 'prod' });
    template.hasResource(TYPES.table, {
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
      Properties: Match.objectLike({
        Replicas: [Match.objectLike({ DeletionProtectionEnabled: true })],
      }),
    });
  });

  it('is neither protected nor retained in dev', () => {
    const { template } = synth({ stage: 'dev' });
    template.hasResource(TYPES.table, {
      DeletionPolicy: 'Delete',
      Properties: Match.objectLike({
        Replicas: [Match.objectLike({ DeletionProtectionEnabled: false })],
      }),
    });
  });

  it('follows an explicit removalPolicy over the stage default', () => {
    const { template } = synth({ stage: 'dev', removalPolicy: 'retain' });
    template.hasResource(TYPES.table, { DeletionPolicy: 'Retain' });
  });
});

describe('StatefulStack removal policies', () => {
  it.each([
    ['prod', 'Retain'],
    ['dev', 'Delete'],
  ])('stage %s: every stateful resource has DeletionPolicy %s', (stage, policy) => {
    const { template } = synth({ stage, topology: 'stream' });
    for (const type of [TYPES.table, TYPES.bucket, TYPES.stream, TYPES.queue]) {
      const resources = Object.values(template.findResources(type));
      expect(resources.length).toBeGreaterThan(0);
      for (const resource of resources) expect(resource['DeletionPolicy']).toBe(policy);
    }
  });
});

describe('StatefulStack redeploys after cdk destroy --all', () => {
  it.each(['prod', 'dev'])(
    'stage %s: the Glue catalog is deleted with the stack and named by its stage',
    (stage) => {
      // A retained database would survive the destroy and the redeploy would fail with
      // AlreadyExists; the catalog holds no data (the rows are in the bucket).
      const { template } = synth({ stage });
      template.hasResource(TYPES.glueDatabase, {
        DeletionPolicy: 'Delete',
        Properties: { DatabaseInput: { Name: `ecslog_${stage}` } },
      });
      template.hasResource(TYPES.glueTable, {
        DeletionPolicy: 'Delete',
        Properties: { DatabaseName: `ecslog_${stage}` },
      });
    },
  );

  it('two stages of one account get different Glue names', () => {
    const names = ['prod', 'team-a'].map((stage) => {
      const { Properties } = onlyResource(synth({ stage }).template, TYPES.glueDatabase);
      return (Properties['DatabaseInput'] as { Name: string }).Name;
    });
    expect(new Set(names).size).toBe(2);
  });
});

describe('StatefulStack stream failure bucket (Kinesis on-failure destination)', () => {
  it.each(['direct', 'stream'])(
    'exists in the %s topology: private, TLS only, SSE-S3, access-logged, unversioned, kept a year',
    (topology) => {
      const { template } = synth({ stage: 'prod', topology });
      template.hasResource(TYPES.bucket, {
        DeletionPolicy: 'Retain',
        Properties: {
          PublicAccessBlockConfiguration: {
            BlockPublicAcls: true,
            BlockPublicPolicy: true,
            IgnorePublicAcls: true,
            RestrictPublicBuckets: true,
          },
          BucketEncryption: {
            ServerSideEncryptionConfiguration: [
              { ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } },
            ],
          },
          LoggingConfiguration: Match.objectLike({ LogFilePrefix: 'stream-failures/' }),
          VersioningConfiguration: Match.absent(),
          LifecycleConfiguration: {
            Rules: [
              Match.objectLike({
                Id: 'ExpireReplayableBatches',
                ExpirationInDays: STREAM_FAILURE_RETENTION.toDays(),
                Status: 'Enabled',
              }),
            ],
          },
        },
      });
      template.hasResourceProperties('AWS::S3::BucketPolicy', {
        Bucket: { Ref: 'StreamFailureBucketECB57D4E' },
        PolicyDocument: {
          Statement: Match.arrayWith([
            Match.objectLike({
              Effect: 'Deny',
              Condition: { Bool: { 'aws:SecureTransport': 'false' } },
            }),
          ]),
        },
      });
      // Longer than the stream keeps records (24 h) and than SQS keeps messages (14 days).
      expect(STREAM_FAILURE_RETENTION.toDays()).toBeGreaterThan(14);
    },
  );
});

describe('StatefulStack lake bucket', () => {
  const lakeBucket = (context: Record<string, unknown> = {}) =>
    synth(context).template.findResources(TYPES.bucket, {
      Properties: { LoggingConfiguration: { LogFilePrefix: 'lake/' } },
    });

  it('is private, encrypted, versioned and logs access to the log bucket', () => {
    const { template } = synth({});
    template.hasResourceProperties(TYPES.bucket, {
      BucketEncryption: {
        ServerSideEncryptionConfiguration: [
          { ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } },
        ],
      },
      PublicAccessBlockConfiguration: {
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      },
      VersioningConfiguration: { Status: 'Enabled' },
      OwnershipControls: { Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] },
      LoggingConfiguration: {
        DestinationBucketName: { Ref: 'LakeAccessLogBucketEFD94F91' },
        LogFilePrefix: 'lake/',
      },
    });
  });

  it('and the log bucket refuse plain HTTP', () => {
    const { template } = synth({});
    for (const bucket of ['LakeBucket9CD7BBD2', 'LakeAccessLogBucketEFD94F91'])
      template.hasResourceProperties('AWS::S3::BucketPolicy', {
        Bucket: { Ref: bucket },
        PolicyDocument: {
          Statement: Match.arrayWith([
            Match.objectLike({
              Effect: 'Deny',
              Action: 's3:*',
              Condition: { Bool: { 'aws:SecureTransport': 'false' } },
            }),
          ]),
        },
      });
  });

  it('the log bucket is locked down too', () => {
    const { template } = synth({});
    const [logBucket] = Object.values(
      template.findResources(TYPES.bucket, {
        Properties: { LoggingConfiguration: Match.absent() },
      }),
    );
    expect(logBucket?.['Properties']).toMatchObject({
      PublicAccessBlockConfiguration: { BlockPublicAcls: true, RestrictPublicBuckets: true },
      BucketEncryption: {
        ServerSideEncryptionConfiguration: [
          { ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } },
        ],
      },
      VersioningConfiguration: { Status: 'Enabled' },
    });
  });

  it('moves objects to Standard-IA, aborts uploads and expires old versions; no expiry by default', () => {
    const [bucket] = Object.values(lakeBucket({ lakeInfrequentAccessDays: '45' }));
    expect(bucket?.['Properties']['LifecycleConfiguration']).toEqual({
      Rules: [
        {
          Id: 'LakeStorageLifecycle',
          Status: 'Enabled',
          AbortIncompleteMultipartUpload: { DaysAfterInitiation: 7 },
          NoncurrentVersionExpiration: { NoncurrentDays: 30 },
          Transitions: [{ StorageClass: 'STANDARD_IA', TransitionInDays: 45 }],
        },
      ],
    });
  });

  it('expires objects after lakeExpireDays', () => {
    const [bucket] = Object.values(lakeBucket({ lakeExpireDays: '400' }));
    expect(bucket?.['Properties']['LifecycleConfiguration']['Rules'][0]).toMatchObject({
      ExpirationInDays: 400,
      Transitions: [{ StorageClass: 'STANDARD_IA', TransitionInDays: 30 }],
    });
  });

  it('skips the Standard-IA move when objects expire first (S3 rejects that rule)', () => {
    const [bucket] = Object.values(lakeBucket({ lakeExpireDays: '20' }));
    const rule = bucket?.['Properties']['LifecycleConfiguration']['Rules'][0];
    expect(rule).toMatchObject({ ExpirationInDays: 20 });
    expect(rule).not.toHaveProperty('Transitions');
  });

  it('is absent with lake=false, and so is the Glue catalog', () => {
    const { stack, template } = synth({ lake: 'false' });
    // The stream failure bucket and the access-log bucket it logs to.
    expect(logicalIds(template, TYPES.bucket)).toEqual([
      'LakeAccessLogBucketEFD94F91',
      'StreamFailureBucketECB57D4E',
    ]);
    template.resourceCountIs(TYPES.glueDatabase, 0);
    template.resourceCountIs(TYPES.glueTable, 0);
    expect(stack.resources.lakeBucket).toBeUndefined();
    expect(stack.resources.glueDatabaseName).toBeUndefined();
  });
});

describe('StatefulStack Kinesis stream', () => {
  it('exists only in the stream topology: KMS (aws/kinesis), configured shards, 24 h', () => {
    const { stack, template } = synth({ topology: 'stream', shardCount: '3' });
    template.hasResourceProperties(TYPES.stream, {
      ShardCount: 3,
      RetentionPeriodHours: 24,
      StreamModeDetails: { StreamMode: 'PROVISIONED' },
      StreamEncryption: { EncryptionType: 'KMS', KeyId: 'alias/aws/kinesis' },
    });
    expect(stack.resources.stream).toBeDefined();
  });

  it('is absent in the direct topology', () => {
    const { stack, template } = synth({ topology: 'direct' });
    template.resourceCountIs(TYPES.stream, 0);
    expect(stack.resources.stream).toBeUndefined();
  });
});

describe('StatefulStack queues', () => {
  it('are SQS-encrypted and keep messages 14 days', () => {
    const { template } = synth({});
    const queues = template.findResources(TYPES.queue, {
      Properties: { SqsManagedSseEnabled: true, MessageRetentionPeriod: 14 * 24 * 3600 },
    });
    expect(Object.keys(queues).sort()).toEqual([
      'DeadLetterQueue9F481546',
      'IngestFailureQueueF82C675E',
      'QuarantineQueueC2E2FAD8',
    ]);
  });

  it('refuse plain HTTP', () => {
    const { template } = synth({});
    for (const queue of [
      'DeadLetterQueue9F481546',
      'IngestFailureQueueF82C675E',
      'QuarantineQueueC2E2FAD8',
    ])
      template.hasResourceProperties('AWS::SQS::QueuePolicy', {
        Queues: [{ Ref: queue }],
        PolicyDocument: {
          Statement: Match.arrayWith([
            Match.objectLike({
              Effect: 'Deny',
              Condition: { Bool: { 'aws:SecureTransport': 'false' } },
            }),
          ]),
        },
      });
  });

  it("the dead-letter queue admits exactly the pipeline's rules of this stage", () => {
    const { template } = synth({ stage: 'prod', clusters: 'web', captureApiCalls: 'true' });
    const ruleArn = (name: string) => ({
      'Fn::Join': [
        '',
        [
          'arn:',
          { Ref: 'AWS::Partition' },
          ':events:',
          { Ref: 'AWS::Region' },
          ':',
          { Ref: 'AWS::AccountId' },
          `:rule/${name}`,
        ],
      ],
    });
    template.hasResourceProperties('AWS::SQS::QueuePolicy', {
      Queues: [{ Ref: 'DeadLetterQueue9F481546' }],
      PolicyDocument: {
        Statement: Match.arrayWith([
          {
            Sid: 'EventBridgeRulesOfThisAccount',
            Effect: 'Allow',
            Principal: { Service: 'events.amazonaws.com' },
            Action: 'sqs:SendMessage',
            Resource: { 'Fn::GetAtt': ['DeadLetterQueue9F481546', 'Arn'] },
            Condition: {
              ArnEquals: {
                'aws:SourceArn': [
                  ruleArn('ecslog-prod-ecs-events'),
                  ruleArn('ecslog-prod-ecs-deployments'),
                  ruleArn('ecslog-prod-ecs-api-calls'),
                ],
              },
            },
          },
        ]),
      },
    });
  });
});

describe('StatefulStack Glue catalog', () => {
  it('declares exactly LAKE_COLUMNS (names, types, comments, order) as a JSON table', () => {
    const { template } = synth({ stage: 'team-a' });
    const { Properties: table } = onlyResource(template, TYPES.glueTable);
    const input = table['TableInput'] as {
      StorageDescriptor: { Columns: { Name: string; Type: string; Comment: string }[] };
    };

    expect(input.StorageDescriptor.Columns).toEqual(
      LAKE_COLUMNS.map((c) => ({ Name: c.name, Type: c.type, Comment: c.comment })),
    );
    expect(table['DatabaseName']).toBe('ecslog_team_a');
    template.hasResourceProperties(TYPES.glueDatabase, {
      DatabaseInput: { Name: 'ecslog_team_a' },
    });
  });

  it('has the task provenance columns of AuditRecord schema 2', () => {
    const { template } = synth({});
    const { Properties: table } = onlyResource(template, TYPES.glueTable);
    const columns = (
      table['TableInput'] as { StorageDescriptor: { Columns: { Name: string; Type: string }[] } }
    ).StorageDescriptor.Columns;
    const typeOf = (name: string) => columns.find((c) => c.Name === name)?.Type;

    for (const name of ['platform_version', 'container_instance_arn', 'eni_id', 'private_ipv4'])
      expect(typeOf(name)).toBe('string');
    for (const name of ['ipv6', 'subnet_id', 'mac_address', 'private_dns_name'])
      expect(typeOf(name)).toBe('string');
    expect(typeOf('containers')).toMatch(/^array<struct<.*image_digest:string,runtime_id:string,/);
  });

  it('has the columns of ECS events beyond the classic detail-types: kind, health, the raw detail', () => {
    const { template } = synth({});
    const { Properties: table } = onlyResource(template, TYPES.glueTable);
    const columns = (
      table['TableInput'] as { StorageDescriptor: { Columns: { Name: string; Type: string }[] } }
    ).StorageDescriptor.Columns;
    const typeOf = (name: string) => columns.find((c) => c.Name === name)?.Type;

    for (const name of ['detail_type', 'health_status', 'detail'])
      expect(typeOf(name)).toBe('string');
    expect(typeOf('detail_truncated')).toBe('boolean');
    expect(typeOf('health_checks')).toBe(
      'array<struct<type:string,status:string,status_reason:string,last_status_change:string,last_updated:string>>',
    );
  });

  it('reads NDJSON under the bucket root with partition projection on dt', () => {
    const { stack, template } = synth({});
    const bucketRoot = (suffix: string) => ({
      'Fn::Join': ['', ['s3://', { Ref: 'LakeBucket9CD7BBD2' }, suffix]],
    });
    template.hasResourceProperties(TYPES.glueTable, {
      TableInput: {
        Name: 'events',
        TableType: 'EXTERNAL_TABLE',
        PartitionKeys: [{ Name: 'dt', Type: 'string', Comment: Match.anyValue() }],
        StorageDescriptor: {
          Location: bucketRoot('/events/'),
          InputFormat: 'org.apache.hadoop.mapred.TextInputFormat',
          OutputFormat: 'org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat',
          SerdeInfo: { SerializationLibrary: 'org.openx.data.jsonserde.JsonSerDe' },
        },
        Parameters: {
          'projection.enabled': 'true',
          'projection.dt.type': 'date',
          'projection.dt.format': 'yyyy-MM-dd',
          'projection.dt.range': '2024-01-01,NOW',
          'projection.dt.interval': '1',
          'projection.dt.interval.unit': 'DAYS',
          'storage.location.template': bucketRoot('/events/dt=${dt}/'),
        },
      },
    });
    expect(stack.resources.glueDatabaseName).toBe('ecslog_dev');
    expect(stack.resources.glueTableName).toBe('events');
  });

  it('the table is created after its database', () => {
    const { template } = synth({});
    template.hasResource(TYPES.glueTable, { DependsOn: ['LakeGlueDatabase'] });
  });
});

describe('StatefulStack cdk-nag AwsSolutions and Serverless', () => {
  it.each([
    ['dev', 'direct', 'true'],
    ['prod', 'stream', 'true'],
    ['prod', 'stream', 'false'],
  ])('stage %s, topology %s, lake %s: no unacknowledged findings', (stage, topology, lake) => {
    const { stack } = synth({ stage, topology, lake });
    for (const Pack of NAG_PACKS) {
      const report = new Pack().validateScope(stack);
      expect(report.violations).toEqual([]);
      expect(report.success).toBe(true);
    }
  });

  it('acknowledges only SQS3 and SQSRedrivePolicy, on the three terminal queues, each reason naming its queue', () => {
    const { stack } = synth({});
    const acknowledged = stack.node.findAll().flatMap((construct) =>
      construct.node.metadata
        .filter((entry) => entry.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
        .flatMap((entry) =>
          Object.entries(entry.data as Record<string, string>).map(([id, reason]) => ({
            path: construct.node.path,
            id: id.replace(/^annotation::/i, ''),
            reason,
          })),
        ),
    );

    expect(acknowledged.map(({ path, id }) => `${path} ${id}`).sort()).toEqual(
      ['DeadLetterQueue', 'IngestFailureQueue', 'QuarantineQueue']
        .flatMap((queue) => [
          `ecslog-dev-stateful/${queue} AwsSolutions-SQS3`,
          `ecslog-dev-stateful/${queue} Serverless-SQSRedrivePolicy`,
        ])
        .sort(),
    );
    for (const { path, reason } of acknowledged)
      expect(reason).toContain(path.split('/').pop() as string);
  });
});
