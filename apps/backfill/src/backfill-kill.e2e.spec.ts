/**
 * A backfill killed outright (SIGKILL, no chance to clean up) mid-run, then `--resume`d, leaves
 * the same table as an uninterrupted run. The real binary writes to a table of a local dynalite
 * server, reached through the SDK's standard AWS_ENDPOINT_URL_DYNAMODB.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { LocalDynamoDb } from '@ecslog/audit-store/testing';
import { createAuditTable, scanTable, startDynalite } from '@ecslog/audit-store/testing';
import type { Checkpoint } from './checkpoint';
import { buildCloudTrailLogFiles, writeCloudTrailLogFiles } from './testing';

jest.setTimeout(120_000);

const REPO_ROOT = resolve(__dirname, '../../..');

describe('backfill killed mid-run, then resumed (end to end)', () => {
  const home = mkdtempSync(join(tmpdir(), 'ecslog-backfill-kill-'));
  const logs = join(home, 'logs');
  let server: LocalDynamoDb;
  const day = (offset: number) =>
    new Date(Date.now() - offset * 86_400_000).toISOString().slice(0, 10);

  beforeAll(async () => {
    server = await startDynalite();
    await writeCloudTrailLogFiles(
      logs,
      buildCloudTrailLogFiles({
        seed: 9,
        days: [day(3), day(2), day(1)],
        filesPerDay: 12,
        recordsPerFile: 30,
        ecsShare: 0.6,
      }),
    );
  });
  afterAll(async () => {
    await server?.stop();
    rmSync(home, { recursive: true, force: true });
  });

  function start(table: string, checkpoint: string, extra: string[] = []) {
    const args = [
      'apps/backfill/bin/backfill.js',
      '--dir',
      logs,
      '--since',
      '5d',
      '--table',
      table,
      '--region',
      'eu-west-1',
      '--checkpoint',
      checkpoint,
      '--json',
      ...extra,
    ];
    const child = spawn(process.execPath, args, {
      cwd: REPO_ROOT,
      env: {
        ...process.env,
        ECSLOG_HOME: home,
        AWS_ENDPOINT_URL_DYNAMODB: server.endpoint,
        AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE',
        AWS_SECRET_ACCESS_KEY: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY',
      },
    });
    let stdout = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    const done = new Promise<{ status: number | null; stdout: string }>((resolveDone) =>
      child.on('close', (status) => resolveDone({ status, stdout })),
    );
    return { child, done };
  }

  it('resumes to the same table and the same totals', async () => {
    const whole = await createAuditTable(server.client);
    const killed = await createAuditTable(server.client);
    const uninterrupted = await start(whole, join(home, 'whole.json')).done;

    const checkpoint = join(home, 'killed.json');
    const run = start(killed, checkpoint);
    while (!existsSync(checkpoint)) await new Promise((r) => setTimeout(r, 5));
    run.child.kill('SIGKILL');
    await run.done;
    const atKill = JSON.parse(readFileSync(checkpoint, 'utf8')) as Checkpoint;
    const resumed = await start(killed, checkpoint, ['--resume']).done;

    expect(uninterrupted.status).toBe(0);
    expect(atKill.complete).toBe(false);
    expect(resumed.status).toBe(0);
    const totals = (stdout: string) =>
      (
        JSON.parse(stdout) as {
          tally: { read: number; records: number; written: number; alreadyPresent: number };
        }
      ).tally;
    expect(totals(resumed.stdout).read).toBe(totals(uninterrupted.stdout).read);
    expect(totals(resumed.stdout).records).toBe(totals(uninterrupted.stdout).records);
    expect(await scanTable(server.client, killed)).toEqual(await scanTable(server.client, whole));
    // Three runs of the real binary: 54 s of the default 60 s in a loaded CI run.
  }, 180_000);
});
