/**
 * `--table` mode end to end: the real binary against a DynamoDB-compatible server (dynalite on
 * loopback, reached through the SDK's standard AWS_ENDPOINT_URL_DYNAMODB), with the table created
 * from the same definition infra uses; and the errors of a missing table or missing credentials.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { LocalDynamoDb } from '@ecslog/audit-store/testing';
import { createAuditTable, startDynalite } from '@ecslog/audit-store/testing';
import {
  EVENTS_DIR,
  fakeAwsEnvironment,
  parseRecords,
  runEcslog,
  startEcslog,
} from '../testing/run-ecslog';
import type { TimelineResponse } from '../web/api-types';
import { timelineViewOf } from '../web/api-types';

jest.setTimeout(60_000);

describe('ecslog against an AWS table (end to end)', () => {
  let server: LocalDynamoDb;
  let table: string;
  const home = mkdtempSync(join(tmpdir(), 'ecslog-aws-home-'));
  /** Credentials and endpoint as the SDK reads them; nothing from this machine's AWS config. */
  const awsEnv = () => fakeAwsEnvironment(home, { AWS_ENDPOINT_URL_DYNAMODB: server.endpoint });

  beforeAll(async () => {
    server = await startDynalite();
    table = await createAuditTable(server.client);
  });
  afterAll(async () => {
    await server?.stop();
    rmSync(home, { recursive: true, force: true });
  });

  it('ingests into the table and queries it', async () => {
    const flags = ['--table', table, '--region', 'eu-west-1'];

    const ingest = await runEcslog(
      ['ingest', '--retention-days', '3650', ...flags, `${EVENTS_DIR}/eventbridge`],
      undefined,
      awsEnv(),
    );
    const failures = await runEcslog(
      ['failures', '--from', '2026-11-19', '--to', '2026-11-21', '--json', ...flags],
      undefined,
      awsEnv(),
    );
    const task = await runEcslog(
      ['task', 'b1449e8faf40609955463eb597283364', ...flags],
      undefined,
      awsEnv(),
    );

    expect(ingest.stderrLines.at(-1)).toMatch(
      new RegExp(`^ingested \\d+ inputs into table ${table} in eu-west-1: `),
    );
    expect(ingest.stderrLines.at(-1)).toMatch(/; 1 ignored; 0 invalid$/); // other-source.json
    expect(ingest.status).toBe(0);
    expect(parseRecords(failures.stdout).map((r) => r.outcome.category)).toContain('out-of-memory');
    expect(task.status).toBe(0);
    expect(task.stdout).toMatch(/^Outcome: +failed: out-of-memory$/m);
  });

  it('serves the web view over the table until Ctrl-C', async () => {
    const flags = ['--table', table, '--region', 'eu-west-1'];
    await runEcslog(
      ['ingest', '--retention-days', '3650', ...flags, `${EVENTS_DIR}/eventbridge`],
      undefined,
      awsEnv(),
    );
    const ui = startEcslog(['ui', '--port', '0', '--no-open', ...flags], awsEnv());
    try {
      const out = await ui.waitForOutput(
        /^ecslog web view: http:\/\/127\.0\.0\.1:\d+\/\?token=\S+ /m,
      );
      // The printed URL carries the session's token: the API answers requests that carry it.
      const url = /(http:\/\/127\.0\.0\.1:\d+\/\?token=\S+)/.exec(out)?.[1] as string;
      expect(out).toContain(`(table ${table} in eu-west-1; Ctrl-C stops it)`);

      const response = await fetch(
        `${url.replace('/?', '/api/timeline?')}&from=2026-11-19&to=2026-11-21`,
      );
      const view = timelineViewOf((await response.json()) as TimelineResponse);

      expect(response.status).toBe(200);
      expect(view.store).toBe(`table ${table} in eu-west-1`);
      expect(view.runs.map((run) => run.category)).toContain('out-of-memory');
    } finally {
      expect(await ui.stop()).toBe(0);
    }
  });

  it('says the table does not exist, in one line', async () => {
    const run = await runEcslog(
      ['tasks', '--table', 'no-such-table', '--region', 'eu-west-1'],
      undefined,
      awsEnv(),
    );

    expect(run.status).toBe(1);
    expect(run.stderrLines).toEqual([
      'ecslog: table no-such-table not found in eu-west-1: check --table and --region',
    ]);
  });

  it('says there are no credentials, in one line', async () => {
    const run = await runEcslog(['tasks', '--table', table, '--region', 'eu-west-1'], undefined, {
      ...awsEnv(),
      AWS_ACCESS_KEY_ID: undefined,
      AWS_SECRET_ACCESS_KEY: undefined,
    });

    expect(run.status).toBe(1);
    expect(run.stderrLines).toEqual([expect.stringMatching(/^ecslog: no AWS credentials found: /)]);
  });

  it('says a region is needed, in one line', async () => {
    const run = await runEcslog(['tasks', '--table', table], undefined, awsEnv());

    expect(run.status).toBe(1);
    expect(run.stderrLines).toEqual(['ecslog: no AWS region: pass --region or set AWS_REGION']);
  });
});
