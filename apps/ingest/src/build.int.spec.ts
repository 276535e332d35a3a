import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { LocalDynamoDb } from '@ecslog/audit-store/testing';
import { createAuditTable, startDynalite } from '@ecslog/audit-store/testing';
import { INGEST_FIXTURES_DIR, scanTable } from '@ecslog/ingest-pipeline/testing';

const run = promisify(execFile);
const APP_DIR = join(__dirname, '..');

/** Loads a bundle in a fresh Node process, as the Lambda runtime does, and invokes its handler once. */
const INVOKE = `
const { handler } = require(process.argv[1]);
const event = JSON.parse(require('node:fs').readFileSync(process.argv[2], 'utf8'));
handler(event).then((result) => console.log('RESULT ' + JSON.stringify(result ?? null)));
`;

describe('the bundles (node build.cjs)', () => {
  let db: LocalDynamoDb;
  let outdir: string;
  beforeAll(async () => {
    db = await startDynalite();
    outdir = await mkdtemp(join(tmpdir(), 'ecslog-ingest-build-'));
    await run(process.execPath, [join(APP_DIR, 'build.cjs'), outdir], { cwd: APP_DIR });
  });
  afterAll(async () => {
    await db.stop();
    await rm(outdir, { recursive: true, force: true });
  });

  const invoke = (name: string, fixture: string, env: Record<string, string>) =>
    run(
      process.execPath,
      ['-e', INVOKE, join(outdir, name, 'index.js'), join(INGEST_FIXTURES_DIR, fixture)],
      {
        env: { PATH: process.env['PATH'] ?? '', ...env },
      },
    );

  it('writes one self-contained CommonJS file per handler, with a source map', async () => {
    for (const name of ['eventbridge', 'kinesis']) {
      const code = await readFile(join(outdir, name, 'index.js'), 'utf8');
      // Only Node built-ins stay outside; and the SDK's optional CRT signer (SigV4a, which
      // DynamoDB and SQS do not use), required inside a try/catch.
      const external = new Set(
        [...code.matchAll(/require\("([^"]+)"\)/g)]
          .map((match) => match[1] as string)
          .filter((module) => !module.startsWith('node:')),
      );
      expect([...external]).toEqual(['@aws-sdk/signature-v4-crt']);
      expect(code.trimEnd().endsWith('//# sourceMappingURL=index.js.map')).toBe(true);
      expect((await stat(join(outdir, name, 'index.js.map'))).size).toBeGreaterThan(0);
    }
  });

  it('runs outside the repository: the Kinesis bundle writes a batch to the table', async () => {
    const tableName = await createAuditTable(db.client);
    const { stdout } = await invoke('kinesis', 'kinesis/ecs-events-batch.json', {
      TABLE_NAME: tableName,
      RETENTION_DAYS: '36500',
      QUARANTINE_FILE: join(outdir, 'quarantine.ndjson'),
      DYNAMODB_ENDPOINT: db.endpoint,
      AWS_REGION: 'eu-west-1',
      AWS_ACCESS_KEY_ID: 'local',
      AWS_SECRET_ACCESS_KEY: 'local',
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    });
    expect(stdout).toContain('RESULT {"batchItemFailures":[]}');
    expect(stdout).toMatch(/"message":"batch processed"/);
    expect((await scanTable(db.client, tableName)).length).toBeGreaterThanOrEqual(6);
    const held = (await readFile(join(outdir, 'quarantine.ndjson'), 'utf8')).trimEnd().split('\n');
    expect(held).toHaveLength(2);
  });

  it('fails the cold start with the ConfigurationError when the environment is bad', async () => {
    const failure = invoke('eventbridge', 'eventbridge/invalid-task-state-change.json', {
      QUARANTINE_FILE: '/tmp/q.ndjson',
      QUARANTINE_QUEUE_URL: 'https://sqs.eu-west-1.amazonaws.com/1/q',
    });
    await expect(failure).rejects.toMatchObject({
      stderr: expect.stringMatching(
        /ConfigurationError: ecslog ingest is misconfigured \(4 problems\): TABLE_NAME is required/,
      ),
    });
  });
});
