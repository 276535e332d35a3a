/**
 * Who ran what, where — end to end, the real binary over the local store: `tasks --ip` finds the
 * task that held an address then (an address reused by a later task), `--image` every run of a
 * tag or a digest, `--instance` what ran on an EC2 host; `task` shows a task's provenance with the
 * EC2 instance joined from its container instance's record; `events --service` flags the digest
 * drift of a deployment whose tag was re-pushed; bad values are one line, exit 1.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AuditRecord } from '@ecslog/ecs-event-mapper';
import type { TaskProvenance } from '../query/task-provenance';
import type { RunJson } from './query-support';
import { parseRecords, runEcslog } from '../testing/run-ecslog';
import {
  CONTAINER_INSTANCE_ARN,
  DEPLOYMENT,
  DIGEST_AFTER,
  DIGEST_BEFORE,
  EC2_INSTANCE_ID,
  FIRST,
  ON_HOST_TASK_ID,
  provenanceEvents,
  REUSED_ADDRESS,
  SECOND,
  THIRD,
  WEB_IMAGE,
} from '../testing/provenance-events';

jest.setTimeout(120_000);

const DAY = ['--from', '2026-11-20', '--to', '2026-11-20'];

describe('lookups and provenance (end to end)', () => {
  const home = mkdtempSync(join(tmpdir(), 'ecslog-lookups-'));
  const env = { ECSLOG_HOME: home, TZ: 'UTC' };
  const ecslog = (args: readonly string[], stdin?: string) => runEcslog(args, stdin, env);
  /** The task ids `tasks ...args --json` lists, and its lines. */
  async function listed(...args: string[]) {
    const run = await ecslog(['tasks', ...args, '--json']);
    expect({ args, status: run.status, stderr: run.stderr }).toEqual({
      args,
      status: 0,
      stderr: expect.any(String),
    });
    const lines = parseRecords(run.stdout) as (AuditRecord & { run: RunJson })[];
    return { ids: lines.map((line) => line.taskId), lines, stderr: run.stderr };
  }

  beforeAll(async () => {
    const events = provenanceEvents();
    const ingest = await ecslog(['ingest', '-'], events.map((e) => JSON.stringify(e)).join('\n'));
    expect(ingest.stderr).toMatch(new RegExp(`ingested ${events.length} inputs`));
    expect(ingest.status).toBe(0);
  });
  afterAll(() => rmSync(home, { recursive: true, force: true }));

  it('tasks --ip --at: the task that held the address then, not the later one that got it again', async () => {
    const before = await listed('--ip', REUSED_ADDRESS, '--at', '2026-11-20T04:00:00Z');
    const after = await listed('--ip', REUSED_ADDRESS, '--at', '2026-11-20T07:00:00Z');
    const between = await listed('--ip', REUSED_ADDRESS, '--at', '2026-11-20T05:30:00Z');
    const wholeDay = await listed('--ip', REUSED_ADDRESS, ...DAY);

    expect(before.ids).toEqual([FIRST.taskId]);
    expect(before.lines[0]?.run.matched).toEqual({ address: REUSED_ADDRESS });
    expect(after.ids).toEqual([THIRD.taskId]);
    expect(between.ids).toEqual([]);
    expect(wholeDay.ids).toEqual([FIRST.taskId, THIRD.taskId]);
  });

  it('tasks --ip shows the ADDRESS column in its table', async () => {
    const run = await ecslog(['tasks', '--ip', '10.20.41.11', ...DAY]);

    expect(run.status).toBe(0);
    const [header, row] = run.stdout.trimEnd().split('\n') as [string, string];
    expect(header.split(/ {2,}/).slice(4, 6)).toEqual(['TASK', 'ADDRESS']);
    expect(row.split(/ {2,}/).slice(4, 6)).toEqual([SECOND.taskId, '10.20.41.11']);
    expect(run.stderr).toMatch(/^1 task run at address 10\.20\.41\.11 active between/);
  });

  it('tasks --image: every run of the tag with the digest each ran; a digest finds only its runs', async () => {
    const tag = await listed('--image', WEB_IMAGE, ...DAY);
    const digest = await listed('--image', DIGEST_AFTER, ...DAY);

    expect(tag.ids).toEqual([FIRST.taskId, SECOND.taskId, THIRD.taskId]);
    expect(tag.lines.map((line) => line.run.matched)).toEqual([
      { digests: [DIGEST_BEFORE] },
      { digests: [DIGEST_BEFORE] },
      { digests: [DIGEST_AFTER] },
    ]);
    expect(digest.ids).toEqual([THIRD.taskId]);
  });

  it('tasks --instance: what ran on the EC2 host, by its instance id or its container instance ARN', async () => {
    const byEc2 = await listed('--instance', EC2_INSTANCE_ID, ...DAY);
    const byArn = await listed('--instance', CONTAINER_INSTANCE_ARN, ...DAY);

    expect(byEc2.ids).toEqual([ON_HOST_TASK_ID]);
    expect(byArn.ids).toEqual([ON_HOST_TASK_ID]);
    expect(byEc2.lines[0]?.run.matched).toEqual({
      host: `${EC2_INSTANCE_ID} (9d4f1b7e2c8a4e60b3d5f8a1c7e2b946)`,
    });
  });

  it('combines a lookup with --cluster and --status', async () => {
    expect((await listed('--image', WEB_IMAGE, '--cluster', 'batch', ...DAY)).ids).toEqual([]);
    expect(
      (await listed('--instance', EC2_INSTANCE_ID, '--status', 'STOPPED', ...DAY)).ids,
    ).toEqual([]);
    expect((await listed('--ip', REUSED_ADDRESS, '--status', 'stopped', ...DAY)).ids).toEqual([
      FIRST.taskId,
      THIRD.taskId,
    ]);
  });

  it('refuses bad lookup values and two lookups at once: one line, exit 1', async () => {
    for (const [args, message] of [
      [['--ip', '10.20.41.300'], /^ecslog: --ip: .*"10\.20\.41\.300"$/],
      [['--image', 'sha256:abc'], /^ecslog: --image: .*64 hex digits/],
      [['--instance', 'i-nope'], /^ecslog: --instance: /],
      [['--ip', REUSED_ADDRESS, '--instance', EC2_INSTANCE_ID], /not --ip and --instance$/],
    ] as const) {
      const run = await ecslog(['tasks', ...args]);
      expect({ args, status: run.status, lines: run.stderrLines }).toEqual({
        args,
        status: 1,
        lines: [expect.stringMatching(message)],
      });
    }
  });

  it('task: the provenance of a task on an EC2 host, with the EC2 instance from its container instance record', async () => {
    const view = await ecslog(['task', ON_HOST_TASK_ID]);
    const json = await ecslog(['task', ON_HOST_TASK_ID, '--json']);

    expect(view.status).toBe(0);
    expect(view.stdout).toMatch(new RegExp(`^Host: +${CONTAINER_INSTANCE_ARN}$`, 'm'));
    expect(view.stdout).toMatch(new RegExp(`^EC2 instance: +${EC2_INSTANCE_ID}$`, 'm'));
    const lines = parseRecords(json.stdout) as (AuditRecord & { provenance: TaskProvenance })[];
    expect(lines.length).toBeGreaterThan(0);
    for (const line of lines)
      expect(line.provenance).toMatchObject({
        containerInstanceArn: CONTAINER_INSTANCE_ARN,
        ec2InstanceId: EC2_INSTANCE_ID,
        launchType: 'EC2',
      });
  });

  it("task --json: a Fargate task's digests, addresses, ENI and deployment", async () => {
    const json = await ecslog(['task', THIRD.taskId, '--json']);

    const [line] = parseRecords(json.stdout) as (AuditRecord & { provenance: TaskProvenance })[];
    expect(line?.provenance).toMatchObject({
      containers: [
        { name: 'web', image: WEB_IMAGE, imageDigest: DIGEST_AFTER, addresses: [REUSED_ADDRESS] },
        expect.objectContaining({ name: 'log-router' }),
      ],
      platformVersion: '1.4.0',
      network: { privateIpv4: REUSED_ADDRESS, interfaceId: 'eni-0d93b1f27c4a8e615' },
      deployment: DEPLOYMENT,
    });
    expect(line?.provenance.ec2InstanceId).toBeUndefined();
  });

  it('events --service: the digest drift of the deployment — which digests, which tasks, first seen', async () => {
    const run = await ecslog(['events', '--service', 'web', ...DAY]);

    expect(run.status).toBe(0);
    const lines = run.stdout.trimEnd().split('\n');
    const at = lines.findIndex((line) => line.startsWith('Digest drift'));
    expect(at).toBeGreaterThanOrEqual(0);
    expect(lines.slice(at + 2).map((line) => line.split(/ {2,}/))).toEqual([
      [
        DEPLOYMENT,
        'prod-web',
        WEB_IMAGE,
        DIGEST_BEFORE,
        '2026-11-20 03:00:00',
        `2: ${FIRST.taskId}, ${SECOND.taskId}`,
      ],
      ['', DIGEST_AFTER, '2026-11-20 06:00:00', `1: ${THIRD.taskId}`],
    ]);
    expect(run.stderr).toMatch(
      /; digest drift: 1 image reference ran as more than one digest within a deployment$/m,
    );

    // Its runs are read in the cluster its events name, or the one asked for; a window without
    // its events reads every cluster.
    const inCluster = await ecslog(['events', '--service', 'web', '--cluster', 'prod-web', ...DAY]);
    const elsewhere = await ecslog(['events', '--service', 'web', '--cluster', 'batch', ...DAY]);
    const noEvents = await ecslog([
      'events',
      '--service',
      'web',
      '--from',
      '2026-11-20T04:00:00Z',
      '--to',
      '2026-11-20T07:00:00Z',
    ]);
    expect(inCluster.stdout).toContain(`1: ${THIRD.taskId}`);
    expect(elsewhere.stdout).not.toContain('Digest drift');
    expect(noEvents.stderr).toMatch(
      /^0 events of service web .*; digest drift: 1 image reference/m,
    );
    expect(noEvents.stdout).toContain(`1: ${THIRD.taskId}`);
  });
});
