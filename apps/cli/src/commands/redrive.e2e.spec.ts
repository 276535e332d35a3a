/**
 * `ecslog redrive` end to end: the real binary on local mode's quarantine file, and on a dead-letter
 * queue (the loopback SQS server) into an AWS table (dynalite), both reached through the SDK's
 * standard AWS_ENDPOINT_URL_* variables.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SendMessageCommand } from '@aws-sdk/client-sqs';
import type { LocalDynamoDb } from '@ecslog/audit-store/testing';
import { createAuditTable, startDynalite } from '@ecslog/audit-store/testing';
import type { LocalSqsServer } from '@ecslog/ingest-pipeline/testing';
import { localSqsClient, startLocalSqsServer } from '@ecslog/ingest-pipeline/testing';
import {
  EVENTS_DIR,
  fakeAwsEnvironment,
  parseRecords,
  REPO_ROOT,
  runEcslog,
} from '../testing/run-ecslog';

jest.setTimeout(120_000);

const fixture = (path: string) => readFileSync(join(REPO_ROOT, path), 'utf8');
/** One JSON line of a pretty-printed fixture. */
const line = (path: string) => JSON.stringify(JSON.parse(fixture(path)));
const INVALID_ENTRY = 'libs/ingest-pipeline/tests/events/redrive/quarantine-entry-invalid.json';
const OOM_EVENT = `${EVENTS_DIR}/eventbridge/task-stopped-oom.json`;
const OOM_TASK = 'b1449e8faf40609955463eb597283364';

describe('ecslog redrive (end to end)', () => {
  let home: string;
  beforeEach(() => {
    home = mkdtempSync(join(tmpdir(), 'ecslog-redrive-e2e-'));
  });
  afterEach(() => rmSync(home, { recursive: true, force: true }));

  it('replays the local quarantine: a recovered entry is stored and dropped, a still-invalid one stays (exit 2)', async () => {
    const env = { ECSLOG_HOME: home, TZ: 'UTC' };
    const invalid = line(INVALID_ENTRY);
    // An entry an earlier mapper rejected whose event today's maps: a mapper fix.
    const recovered = JSON.stringify({
      ...JSON.parse(invalid),
      payload: JSON.parse(fixture(OOM_EVENT)),
    });
    const path = join(home, 'quarantine.ndjson');
    writeFileSync(path, `${recovered}\n${invalid}\n`);

    const dry = await runEcslog(['redrive', '--quarantine', '--dry-run'], undefined, env);
    expect(dry.status).toBe(2);
    expect(dry.stderrLines).toContain(
      'quarantine.ndjson:2: still invalid: detail.taskArn: is required; detail.version: must be an integer, got "seven"; detail.stoppedAt: is not a timestamp: "yesterday afternoon" (would stay)',
    );
    expect(readFileSync(path, 'utf8')).toBe(`${recovered}\n${invalid}\n`);

    const first = await runEcslog(
      ['redrive', '--quarantine', '--retention-days', '36500'],
      undefined,
      env,
    );
    expect(first.status).toBe(2);
    expect(first.stderrLines).toContain(
      'quarantine.ndjson:2: still invalid: detail.taskArn: is required; detail.version: must be an integer, got "seven"; detail.stoppedAt: is not a timestamp: "yesterday afternoon" (kept)',
    );
    expect(readFileSync(path, 'utf8')).toBe(`${invalid}\n`);
    const task = await runEcslog(['task', OOM_TASK, '--json'], undefined, env);
    expect(task.status).toBe(0);
    expect(parseRecords(task.stdout).length).toBeGreaterThan(0);

    const second = await runEcslog(
      ['redrive', '--quarantine', '--retention-days', '36500', '--json'],
      undefined,
      env,
    );
    expect(second.status).toBe(2);
    expect(JSON.parse(second.stdout)).toMatchObject({
      exitCode: 2,
      sources: [{ read: 1, replayed: 0, stillInvalid: 1, written: 0 }],
    });
  });

  it('says what to give when given no source (exit 1)', async () => {
    const run = await runEcslog(['redrive'], undefined, { ECSLOG_HOME: home });
    expect(run.status).toBe(1);
    expect(run.stderrLines).toEqual([
      'ecslog: nothing to redrive: give --queue URL, --failure-bucket NAME or --quarantine',
    ]);
  });

  describe('a dead-letter queue into an AWS table', () => {
    let dynamo: LocalDynamoDb;
    let sqs: LocalSqsServer;
    beforeAll(async () => {
      [dynamo, sqs] = await Promise.all([startDynalite(), startLocalSqsServer()]);
    });
    afterAll(async () => {
      await Promise.all([dynamo?.stop(), sqs?.stop()]);
    });

    it('stores the queue’s events, empties it, and a second run finds nothing', async () => {
      const table = await createAuditTable(dynamo.client);
      const queueUrl = sqs.createQueue('ecslog-prod-ingest-dlq');
      const client = localSqsClient(sqs.endpoint);
      try {
        for (const name of ['task-stopped-oom', 'task-stopped-spot', 'deployment-failed'])
          await client.send(
            new SendMessageCommand({
              QueueUrl: queueUrl,
              MessageBody: line(`${EVENTS_DIR}/eventbridge/${name}.json`),
            }),
          );
      } finally {
        client.destroy();
      }
      const env = fakeAwsEnvironment(home, {
        AWS_ENDPOINT_URL_DYNAMODB: dynamo.endpoint,
        AWS_ENDPOINT_URL_SQS: sqs.endpoint,
      });
      const args = [
        'redrive',
        '--table',
        table,
        '--region',
        'eu-west-1',
        '--queue',
        queueUrl,
        '--retention-days',
        '36500',
        '--json',
      ];
      const first = await runEcslog(args, undefined, env);
      expect(first.stderr).toContain(
        `queue ${queueUrl}: read 3, replayed 3, still invalid 0, failed 0`,
      );
      expect(first.status).toBe(0);
      expect(sqs.messages(queueUrl)).toEqual([]);

      const second = await runEcslog(args, undefined, env);
      expect(second.status).toBe(0);
      expect(JSON.parse(second.stdout)).toMatchObject({ sources: [{ read: 0, replayed: 0 }] });
    });
  });
});
