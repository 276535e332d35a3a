/**
 * The bundles `node build.cjs` writes — which infra deploys as they are — loaded in a fresh Node
 * process as the Lambda runtime does, configured only by environment variables (the SDK's
 * `AWS_ENDPOINT_URL_SNS` points SNS at a loopback server): a stream batch with a live failed run
 * publishes one message, and the tick bundle runs.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { AuditRecord } from '@ecslog/ecs-event-mapper';
import { fixtureRecords } from '@ecslog/ecs-event-mapper/testing';
import { toRunItems } from '@ecslog/audit-store';
import type { LocalDynamoDb } from '@ecslog/audit-store/testing';
import { createAuditTable, startDynalite } from '@ecslog/audit-store/testing';
import type { LocalSnsServer } from '@ecslog/notifier/testing';
import { startSnsServer } from '@ecslog/notifier/testing';
import { streamEventOf, streamRecordOf } from './testing/stream-events';

const run = promisify(execFile);
const APP_DIR = join(__dirname, '..');
const DIST_DIR = join(APP_DIR, '../../dist/apps/notifier');
const OOM = fixtureRecords('eventbridge/task-stopped-oom.json')[0] as AuditRecord;

const INVOKE = `
const { handler } = require(process.argv[1]);
const event = JSON.parse(require('node:fs').readFileSync(process.argv[2], 'utf8'));
Promise.resolve(handler(event, { awsRequestId: 'c0ffee00-0000-4000-8000-000000000001' }))
  .then((result) => console.log('RESULT ' + JSON.stringify(result ?? null)))
  .catch((error) => { console.log('ERROR ' + error.name + ': ' + error.message); process.exitCode = 1; });
`;

describe('the bundles (node build.cjs)', () => {
  let db: LocalDynamoDb;
  let sns: LocalSnsServer;
  let work: string;
  beforeAll(async () => {
    [db, sns] = await Promise.all([startDynalite(), startSnsServer()]);
    if (!existsSync(join(DIST_DIR, 'stream', 'index.js')))
      await run(process.execPath, [join(APP_DIR, 'build.cjs')], { cwd: APP_DIR });
    work = await mkdtemp(join(tmpdir(), 'notifier-bundle-'));
  });
  afterAll(async () => {
    await Promise.all([
      db?.stop(),
      sns?.stop(),
      work && rm(work, { recursive: true, force: true }),
    ]);
  });

  async function invoke(bundle: string, event: unknown, env: Record<string, string>) {
    const file = join(work, `${bundle}-event.json`);
    await writeFile(file, JSON.stringify(event));
    const { stdout } = await run(
      process.execPath,
      ['-e', INVOKE, join(DIST_DIR, bundle, 'index.js'), file],
      { env: { PATH: process.env['PATH'] ?? '', ...env } },
    ).catch((error: { stdout: string }) => ({ stdout: error.stdout }));
    return stdout.split('\n').find((line) => /^(RESULT|ERROR) /.test(line));
  }

  it('stream: a live failed run publishes one message; tick: runs', async () => {
    const tableName = await createAuditTable(db.client);
    const topicArn = sns.createTopic('ecslog-bundle-incidents');
    const env = {
      TABLE_NAME: tableName,
      DYNAMODB_ENDPOINT: db.endpoint,
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: 'local',
      AWS_SECRET_ACCESS_KEY: 'local',
      AWS_ENDPOINT_URL_SNS: sns.endpoint,
      SNS_TOPIC_ARN: topicArn,
      DEAD_LETTER_QUEUE_URL: 'https://sqs.us-east-1.amazonaws.com/111122223333/ecslog-notifier-dlq',
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    };
    const event = streamEventOf([streamRecordOf(toRunItems(OOM, 30)![0]!.item)]);
    expect(await invoke('stream', event, env)).toBe('RESULT {"batchItemFailures":[]}');
    expect(sns.published(topicArn)).toHaveLength(1);
    expect(sns.published(topicArn)[0]?.subject).toMatch(/\S/);

    const scheduled = { 'detail-type': 'Scheduled Event', source: 'aws.events', detail: {} };
    expect(await invoke('tick', scheduled, env)).toBe('RESULT null');
  });

  it('fails the invocation with every bad variable named', async () => {
    const line = await invoke('tick', {}, { AWS_REGION: 'us-east-1' });
    expect(line).toMatch(/^ERROR ConfigurationError: .*TABLE_NAME is required/);
  });
});
