import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { LocalDynamoDb } from '@ecslog/audit-store/testing';
import { createAuditTable, startDynalite } from '@ecslog/audit-store/testing';
import { loadFixture } from '@ecslog/ecs-event-mapper/testing';
import type { EventBridgeIngestHandler, KinesisIngestHandler } from '@ecslog/ingest-pipeline';
import { createEventBridgeHandler } from '@ecslog/ingest-pipeline';
import { loadIngestFixture, loadKinesisBatch, scanTable } from '@ecslog/ingest-pipeline/testing';
import { ConfigurationError } from './config';
import { createRuntime } from './runtime';

/**
 * What the real Powertools Logger and Metrics print, one JSON object per line: EMF and INFO lines
 * go to stdout, WARN and ERROR lines to stderr.
 */
async function captureOutput<T>(run: () => Promise<T>): Promise<{ result: T; lines: unknown[] }> {
  const written: string[] = [];
  const capture = (chunk: unknown) => {
    written.push(String(chunk));
    return true;
  };
  const spies = [
    jest.spyOn(process.stdout, 'write').mockImplementation(capture),
    jest.spyOn(process.stderr, 'write').mockImplementation(capture),
  ];
  try {
    const result = await run();
    const lines = written
      .join('')
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as unknown);
    return { result, lines };
  } finally {
    for (const spy of spies) spy.mockRestore();
  }
}

describe('the composition root', () => {
  let db: LocalDynamoDb;
  let dir: string;
  let env: Record<string, string>;

  // The SDK reads credentials from the process environment (local servers accept any).
  const credentials = { AWS_ACCESS_KEY_ID: 'local', AWS_SECRET_ACCESS_KEY: 'local' };
  const savedEnv = { ...process.env };

  beforeAll(async () => {
    db = await startDynalite();
    dir = await mkdtemp(join(tmpdir(), 'ecslog-ingest-runtime-'));
    Object.assign(process.env, credentials);
  });
  beforeEach(async () => {
    const tableName = await createAuditTable(db.client);
    env = {
      TABLE_NAME: tableName,
      // The real clock runs here: keep the fixtures' November 2026 events within retention.
      RETENTION_DAYS: '36500',
      QUARANTINE_FILE: join(dir, `${tableName}.ndjson`),
      DYNAMODB_ENDPOINT: db.endpoint,
      AWS_REGION: 'eu-west-1',
      POWERTOOLS_SERVICE_NAME: 'ecslog-ingest-test',
      POWERTOOLS_METRICS_NAMESPACE: 'ecslog-test',
    };
  });
  afterAll(async () => {
    for (const name of Object.keys(credentials)) delete process.env[name];
    Object.assign(process.env, savedEnv);
    await db.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it('fails the cold start with one ConfigurationError naming every bad variable', () => {
    expect(() => createRuntime({ RETENTION_DAYS: 'forever' })).toThrow(ConfigurationError);
    expect(() => createRuntime({ RETENTION_DAYS: 'forever' })).toThrow(
      /TABLE_NAME .*RETENTION_DAYS .*QUARANTINE_QUEUE_URL .*QUARANTINE_FILE .*AWS_REGION/,
    );
  });

  it('builds an SQS quarantine from QUARANTINE_QUEUE_URL', () => {
    const { QUARANTINE_FILE: _file, ...rest } = env;
    const runtime = createRuntime({
      ...rest,
      QUARANTINE_QUEUE_URL: 'https://sqs.eu-west-1.amazonaws.com/111122223333/ecslog-quarantine',
    });
    expect(runtime.config.quarantine).toEqual({
      kind: 'sqs',
      queueUrl: 'https://sqs.eu-west-1.amazonaws.com/111122223333/ecslog-quarantine',
    });
  });

  it('wires the real Powertools Logger and Metrics: JSON logs with ids, EMF with all seven counts', async () => {
    const runtime = createRuntime(env);
    const handler = createEventBridgeHandler(runtime);
    const event = loadFixture('eventbridge/task-stopped-oom.json');

    const invalid = loadIngestFixture('eventbridge/invalid-task-state-change.json');
    const context = {
      functionName: 'ecslog-ingest-eventbridge',
      functionVersion: '$LATEST',
      invokedFunctionArn:
        'arn:aws:lambda:eu-west-1:111122223333:function:ecslog-ingest-eventbridge',
      memoryLimitInMB: '256',
      awsRequestId: '3f0c2b7e-9d41-4a8e-b6c5-1e2d3f4a5b6c',
      logGroupName: '/aws/lambda/ecslog-ingest-eventbridge',
      logStreamName: '2026/11/21/[$LATEST]0123456789abcdef',
      callbackWaitsForEmptyEventLoop: true,
      getRemainingTimeInMillis: () => 30_000,
      done: () => undefined,
      fail: () => undefined,
      succeed: () => undefined,
    };
    const { lines } = await captureOutput(async () => {
      await handler(event, context);
      await handler(invalid, context);
    });

    const items = await scanTable(db.client, env['TABLE_NAME'] as string);
    // The task's partition (`T#<taskId>`): its run and its history item.
    const taskItems = items.filter((item) => item['pk']?.S?.startsWith('T#'));
    expect(taskItems.map((item) => item['sk']?.S?.replace(/^H#.*/, 'H#…'))).toEqual(['H#…', 'RUN']);
    expect(lines).toContainEqual(
      expect.objectContaining({
        level: 'INFO',
        message: 'event written',
        service: 'ecslog-ingest-test',
        function_request_id: context.awsRequestId,
        eventId: event['id'],
        written: 1,
      }),
    );
    const emf = lines.find((line) => typeof line === 'object' && line !== null && '_aws' in line);
    expect(emf).toMatchObject({
      _aws: {
        CloudWatchMetrics: [
          {
            Namespace: 'ecslog-test',
            Dimensions: [['service']],
            Metrics: expect.arrayContaining(
              ['mapped', 'ignored', 'invalid', 'written', 'stale', 'expired', 'retried'].map(
                (Name) => ({ Name, Unit: 'Count' }),
              ),
            ),
          },
        ],
      },
      service: 'ecslog-ingest-test',
      mapped: 1,
      written: 1,
      retried: 0,
    });
    expect(lines).toContainEqual(
      expect.objectContaining({
        level: 'WARN',
        message: 'event invalid: quarantined',
        eventId: invalid['id'],
        problems: 3,
      }),
    );
    // Ids, counts and problems; never the payload.
    expect(JSON.stringify(lines)).not.toContain('dkr.ecr');
  });

  it('stores an ECS event of an unmodelled detail-type and sends its count by detail-type as EMF', async () => {
    const handler = createEventBridgeHandler(createRuntime(env));
    const event = {
      version: '0',
      id: '6b1d3f5a-7c9e-4b2d-8f4a-6c8e0a2b4d6f',
      'detail-type': 'ECS Something New',
      source: 'aws.ecs',
      account: '111122223333',
      time: '2026-11-20T17:00:00Z',
      region: 'eu-west-1',
      resources: [
        'arn:aws:ecs:eu-west-1:111122223333:task/prod-web/0a1b2c3d4e5f60718293a4b5c6d7e8f9',
      ],
      detail: { clusterArn: 'arn:aws:ecs:eu-west-1:111122223333:cluster/prod-web', x: [1] },
    };

    const { lines } = await captureOutput(() => handler(event));

    const items = await scanTable(db.client, env['TABLE_NAME'] as string);
    expect(items.map((item) => item['epk']?.S)).toEqual(['E#other#2026-11-20']);
    const emf = lines.filter((line) => typeof line === 'object' && line !== null && '_aws' in line);
    expect(emf).toContainEqual(
      expect.objectContaining({
        _aws: expect.objectContaining({
          CloudWatchMetrics: [
            expect.objectContaining({
              Namespace: 'ecslog-test',
              Dimensions: [expect.arrayContaining(['DetailType'])],
              Metrics: [{ Name: 'genericEvents', Unit: 'Count' }],
            }),
          ],
        }),
        DetailType: 'ECS Something New',
        genericEvents: 1,
      }),
    );
  });

  it('exports working handlers from the thin <source>.handler.ts modules', async () => {
    const saved = { ...process.env };
    Object.assign(process.env, env);
    try {
      // Each import in a fresh module registry: a cold start.
      let kinesis: KinesisIngestHandler = () => Promise.reject(new Error('not loaded'));
      let eventBridge: EventBridgeIngestHandler = () => Promise.reject(new Error('not loaded'));
      await jest.isolateModulesAsync(async () => {
        ({ handler: kinesis } = await import('./kinesis.handler.js'));
      });
      await jest.isolateModulesAsync(async () => {
        ({ handler: eventBridge } = await import('./eventbridge.handler.js'));
      });

      const { result } = await captureOutput(() => kinesis(loadKinesisBatch()));
      await captureOutput(() =>
        eventBridge(loadIngestFixture('eventbridge/invalid-task-state-change.json')),
      );

      expect(result).toEqual({ batchItemFailures: [] });
      const history = (await scanTable(db.client, env['TABLE_NAME'] as string)).filter((item) =>
        item['sk']?.S?.startsWith('H#'),
      );
      expect(history).toHaveLength(6);
      const quarantined = (await readFile(env['QUARANTINE_FILE'] as string, 'utf8'))
        .trimEnd()
        .split('\n');
      expect(quarantined).toHaveLength(3); // 2 from the batch, 1 from EventBridge
    } finally {
      for (const name of Object.keys(env)) delete process.env[name];
      Object.assign(process.env, saved);
    }
  });

  it('fails to load a handler module when the environment is bad', async () => {
    // A fresh module registry has its own ConfigurationError class: compare by name.
    await expect(
      jest.isolateModulesAsync(async () => {
        await import('./eventbridge.handler.js');
      }),
    ).rejects.toMatchObject({
      name: 'ConfigurationError',
      message: expect.stringMatching(/^ecslog ingest is misconfigured .*TABLE_NAME is required/),
    });
  });
});
