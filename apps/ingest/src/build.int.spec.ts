import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, readdir, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { LocalDynamoDb } from '@ecslog/audit-store/testing';
import { createAuditTable, startDynalite } from '@ecslog/audit-store/testing';
import { INGEST_FIXTURES_DIR, scanTable } from '@ecslog/ingest-pipeline/testing';

const run = promisify(execFile);
const APP_DIR = join(__dirname, '..');
/**
 * The bundles `npx nx run ingest:build` writes, which the infra app deploys as they are
 * (apps/infra/src/constructs/pipeline-function.ts): these tests run exactly those files.
 */
const DIST_DIR = join(APP_DIR, '../../dist/apps/ingest');
const HANDLERS = ['eventbridge', 'kinesis'];

/** Loads a bundle in a fresh Node process, as the Lambda runtime does, and invokes its handler once. */
const INVOKE = `
const { handler } = require(process.argv[1]);
const event = JSON.parse(require('node:fs').readFileSync(process.argv[2], 'utf8'));
handler(event).then((result) => console.log('RESULT ' + JSON.stringify(result ?? null)));
`;

describe('the bundles (node build.cjs)', () => {
  let db: LocalDynamoDb;
  const outdir = DIST_DIR;
  /** A fresh build beside dist/apps/ingest (same depth, so the source maps' paths match). */
  let freshDir: string;
  beforeAll(async () => {
    db = await startDynalite();
    // Run through nx, the build comes first; run alone, build dist/ when it is not there yet.
    if (!existsSync(join(DIST_DIR, 'kinesis', 'index.js')))
      await run(process.execPath, [join(APP_DIR, 'build.cjs')], { cwd: APP_DIR });
    freshDir = await mkdtemp(join(DIST_DIR, '../.ingest-build-check-'));
    await run(process.execPath, [join(APP_DIR, 'build.cjs'), freshDir], { cwd: APP_DIR });
  });
  afterAll(async () => {
    await db.stop();
    await rm(freshDir, { recursive: true, force: true });
  });

  it('dist/apps/ingest is byte for byte what build.cjs makes from these sources (the deployed asset)', async () => {
    for (const name of HANDLERS) {
      const files = (await readdir(join(freshDir, name))).sort();
      expect((await readdir(join(DIST_DIR, name))).sort()).toEqual(files);
      for (const file of files) {
        const built = await readFile(join(freshDir, name, file));
        const deployed = await readFile(join(DIST_DIR, name, file));
        // Stale dist/: `npx nx run ingest:build` (infra:synth and infra:test run it first).
        expect({ file, same: deployed.equals(built) }).toEqual({ file, same: true });
      }
    }
  });

  const invoke = (name: string, fixture: string, env: Record<string, string>) =>
    run(
      process.execPath,
      ['-e', INVOKE, join(outdir, name, 'index.js'), join(INGEST_FIXTURES_DIR, fixture)],
      {
        env: { PATH: process.env['PATH'] ?? '', ...env },
      },
    );
  const quarantineFile = () => join(freshDir, 'quarantine.ndjson');

  it('writes one self-contained CommonJS file per handler, with a source map', async () => {
    for (const name of HANDLERS) {
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
      QUARANTINE_FILE: quarantineFile(),
      DYNAMODB_ENDPOINT: db.endpoint,
      AWS_REGION: 'eu-west-1',
      AWS_ACCESS_KEY_ID: 'local',
      AWS_SECRET_ACCESS_KEY: 'local',
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    });
    expect(stdout).toContain('RESULT {"batchItemFailures":[]}');
    expect(stdout).toMatch(/"message":"batch processed"/);
    expect((await scanTable(db.client, tableName)).length).toBeGreaterThanOrEqual(6);
    const held = (await readFile(quarantineFile(), 'utf8')).trimEnd().split('\n');
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
