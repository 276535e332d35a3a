/**
 * Local mode end to end: the real `ecslog` binary against a temporary $ECSLOG_HOME — first start
 * (simulated day through the ingest code), queries in both formats while it runs, Ctrl-C, queries
 * with no stack running, and a second start that reuses the data.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AuditRecord, FailureCategory } from '@ecslog/ecs-event-mapper';
import { FAILURE_CATEGORIES, mapEvent } from '@ecslog/ecs-event-mapper';
import { simulateDay } from '@ecslog/simulator';
import { toTaskRuns } from '@ecslog/task-runs';
import type { RunningEcslog } from '../testing/run-ecslog';
import { EVENTS_DIR, parseRecords, runEcslog, startEcslog } from '../testing/run-ecslog';

jest.setTimeout(120_000);

describe('ecslog local mode (end to end)', () => {
  const home = mkdtempSync(join(tmpdir(), 'ecslog-home-'));
  const env = { ECSLOG_HOME: home, TZ: 'UTC' };
  const ecslog = (args: readonly string[], extra: Record<string, string> = {}, stdin?: string) =>
    runEcslog(args, stdin, { ...env, ...extra });
  let local: RunningEcslog | undefined;

  afterAll(async () => {
    await local?.stop('SIGTERM');
    rmSync(home, { recursive: true, force: true });
  });

  it('says the store is empty before anything was loaded', async () => {
    const run = await ecslog(['tasks']);

    expect(run.status).toBe(1);
    expect(run.stderrLines).toEqual([
      expect.stringMatching(/^ecslog: the local store in .* is empty: run `npm start`/),
    ]);
  });

  it('starts, loads a simulated day through the ingest code and shows the audit log', async () => {
    local = startEcslog(['local'], env);

    const out = await local.waitForOutput(/Ctrl-C stops local mode\./);

    expect(out).toMatch(/store {7}dynalite at http:\/\/127\.0\.0\.1:\d+, table ecslog-audit/);
    expect(out).toMatch(/First start: loading a simulated day .*\d+ events, \d+ delivered twice/);
    expect(out).toMatch(/ingested \d+ inputs .*; 0 ignored; 0 invalid/);
    expect(out).toMatch(/^out-of-memory +family:invoice-export +batch +1 /m);
    expect(out).toMatch(/NOT STARTED +failed: placement .*RESOURCE:MEMORY.* \(simulated\)$/m);
    const lock = JSON.parse(readFileSync(join(home, 'store.lock'), 'utf8')) as { pid: number };
    expect(lock.pid).toBe(local.pid);
  });

  it('finds, per failure category, the failures the simulated day was built with', async () => {
    const expected = simulatedDay().expected.failuresByCategory;

    const run = await ecslog(['failures', '--json']);

    expect(run.status).toBe(0);
    expect(countByCategory(parseRecords(run.stdout))).toEqual(expected);
  });

  it('lists one line per task run, as JSON records and as a table', async () => {
    const { expected } = simulatedDay();

    const json = await ecslog(['tasks', '--since', '2d', '--json']);
    const table = await ecslog(['tasks', '--since', '2d']);

    const runs = parseRecords(json.stdout);
    expect(new Set(runs.map((r) => r.recordId)).size).toBe(runs.length);
    expect(runs.filter((r) => r.recordType === 'task').length).toBe(expected.tasks);
    const neverStarted = runs.filter((r) => r.recordType === 'api-call');
    expect(neverStarted.map((r) => `${r.family} ${r.outcome.category}`)).toEqual([
      'reindex placement',
    ]);
    expect(table.status).toBe(0);
    expect(table.stdout.split('\n')[0]).toMatch(
      /^START \(UTC\) +END +CLUSTER +SERVICE\/FAMILY +TASK/,
    );
    expect(table.stdout.trimEnd().split('\n')).toHaveLength(runs.length + 1);
    expect(table.stderrLines.at(-1)).toMatch(
      new RegExp(`^${runs.length} task runs active between`),
    );
  });

  it("lists the simulated day's running service tasks in the last hour, and as --running", async () => {
    // The runs still open at the end of the day, as the brute-force model tells them from its events.
    const records = simulatedDay().events.flatMap((event) => {
      const result = mapEvent(event);
      return result.kind === 'mapped' ? result.records : [];
    });
    const open = toTaskRuns(records).filter((run) => run.end === 'open');
    const openIds = open.map((run) => run.record.taskId).sort();

    const lastHour = parseRecords((await ecslog(['tasks', '--since', '1h', '--json'])).stdout);
    const running = parseRecords((await ecslog(['tasks', '--running', '--json'])).stdout);

    expect(open.filter((run) => run.record.group === 'service:web').length).toBeGreaterThan(0);
    expect(
      open.filter((run) => run.record.group === 'service:stream-worker').length,
    ).toBeGreaterThan(0);
    expect(running.map((r) => r.taskId).sort()).toEqual(openIds);
    expect(lastHour.map((r) => r.taskId)).toEqual(expect.arrayContaining(openIds));
    expect(lastHour.length).toBeGreaterThanOrEqual(openIds.length);
  });

  it("shows a task's whole timeline by task id, in version order", async () => {
    const oom = parseRecords(
      (await ecslog(['failures', '--category', 'out-of-memory', '--json'])).stdout,
    )[0] as AuditRecord;

    const table = await ecslog(['task', oom.taskId as string]);
    const json = await ecslog(['task', oom.resourceArn, '--json']);

    expect(table.status).toBe(0);
    expect(table.stdout).toMatch(/^Task: +[0-9a-f]{32}$/m);
    expect(table.stdout).toMatch(/^Outcome: +failed: out-of-memory$/m);
    expect(table.stdout).toMatch(/^Data: +\(simulated\) account 000000000000/m);
    expect(table.stdout).toMatch(/^Run: +\d/m);
    expect(table.stdout).toMatch(/^invoice-export +\S+ +STOPPED +137 +OutOfMemoryError/m);
    const versions = parseRecords(json.stdout)
      .filter((r) => r.recordType === 'task')
      .map((r) => r.version);
    expect(versions).toEqual([...versions].sort((a, b) => (a ?? 0) - (b ?? 0)));
    expect(new Set(versions).size).toBe(versions.length);
    expect(versions.length).toBeGreaterThan(1);
    expect(parseRecords(json.stdout).at(-1)?.lastStatus).toBe('STOPPED');
  });

  it("lists a service's actions and deployments", async () => {
    const run = await ecslog(['events', '--service', 'api', '--json']);

    const names = parseRecords(run.stdout).map((r) => r.eventName);
    expect(names).toContain('SERVICE_DEPLOYMENT_FAILED');
    expect(names).toContain('SERVICE_DEPLOYMENT_COMPLETED');
  });

  it('shows local time by default and UTC with --utc', async () => {
    const local = await ecslog(['tasks', '--since', '2d'], { TZ: 'Asia/Kolkata' });
    const utc = await ecslog(['tasks', '--since', '2d', '--utc'], { TZ: 'Asia/Kolkata' });

    expect(local.stdout).toMatch(/^START \(Asia\/(Kolkata|Calcutta)\)/);
    expect(utc.stdout).toMatch(/^START \(UTC\)/);
    const first = (text: string) =>
      Date.parse(`${text.split('\n')[1]?.slice(0, 19).replace(' ', 'T')}Z`);
    expect(first(local.stdout) - first(utc.stdout)).toBe(5.5 * 3_600_000);
  });

  it('ingests files through the running stack, quarantining invalid input', async () => {
    const run = await ecslog(
      [
        'ingest',
        '--retention-days',
        '3650',
        `${EVENTS_DIR}/eventbridge/task-stopped-oom.json`,
        '-',
      ],
      {},
      '{"detail-type":"ECS Task State Change","source":"aws.ecs"}\n',
    );

    expect(run.status).toBe(2);
    expect(run.stderrLines).toContainEqual(
      expect.stringMatching(/^<stdin>: invalid: .*\(quarantined\)$/),
    );
    expect(run.stderrLines.at(-1)).toMatch(
      /ingested 2 inputs .*1 mapped → 1 records stored.*1 invalid \(quarantined in/,
    );
    const quarantined = readFileSync(join(home, 'quarantine.ndjson'), 'utf8').trim().split('\n');
    expect(JSON.parse(quarantined.at(-1) as string)).toMatchObject({
      payload: { 'detail-type': 'ECS Task State Change' },
      origin: { position: '<stdin>' },
    });
    const task = await ecslog(['task', 'b1449e8faf40609955463eb597283364', '--json']);
    expect(task.status).toBe(0);
    expect(parseRecords(task.stdout).map((r) => r.outcome.category)).toEqual(['out-of-memory']);
    // Real data is not marked as simulated.
    const view = await ecslog(['task', 'b1449e8faf40609955463eb597283364']);
    expect(view.stdout).not.toMatch(/simulated/);
  });

  it('stops cleanly on Ctrl-C, releasing the store', async () => {
    const status = await (local as RunningEcslog).stop('SIGINT');
    local = undefined;

    expect(status).toBe(0);
    expect(existsSync(join(home, 'store.lock'))).toBe(false);
    expect(existsSync(join(home, 'lake'))).toBe(true);
  });

  it('answers queries with no stack running, from the same data', async () => {
    // The simulated day only: the file ingested above is from 2026-11-20.
    const run = await ecslog(['failures', '--since', '2d', '--json']);

    expect(run.status).toBe(0);
    expect(countByCategory(parseRecords(run.stdout))).toEqual(
      simulatedDay().expected.failuresByCategory,
    );
  });

  it('reuses the data on a second start', async () => {
    local = startEcslog(['local'], env);

    const out = await local.waitForOutput(/Ctrl-C stops local mode\./);

    expect(out).toMatch(/^Reusing the data loaded on /m);
    expect(out).not.toMatch(/First start/);
    expect(await local.stop('SIGTERM')).toBe(0);
    local = undefined;
  });

  it('answers errors with one line and a non-zero exit', async () => {
    const cases = [
      [
        ['task', '0123456789abcdef0123456789abcdef'],
        /^ecslog: no task 0123456789abcdef0123456789abcdef in the local store/,
      ],
      [['tasks', '--since', 'yesterday'], /^ecslog: --since must be a positive duration/],
      [
        ['tasks', '--from', '2026-11-20', '--to', '2026-11-19'],
        /^ecslog: the range ends before it starts/,
      ],
      [
        ['failures', '--category', 'gremlins'],
        /^ecslog: unknown failure category "gremlins"; one of: /,
      ],
      [['tasks', '--region', 'eu-west-1'], /^ecslog: --region and --profile need --table/],
    ] as const;
    for (const [args, message] of cases) {
      const run = await ecslog(args);
      expect({ args, status: run.status, stderr: run.stderrLines }).toEqual({
        args,
        status: 1,
        stderr: [expect.stringMatching(message)],
      });
    }
  });

  /** The day local mode loaded, rebuilt from what it recorded. */
  function simulatedDay() {
    const marker = JSON.parse(readFileSync(join(home, 'simulated-day.json'), 'utf8')) as {
      seed: number;
      dayOfRun?: number;
      start: string;
    };
    return simulateDay({ seed: marker.seed, dayOfRun: marker.dayOfRun, start: marker.start });
  }
});

describe('ecslog local mode over ingested data (end to end)', () => {
  const home = mkdtempSync(join(tmpdir(), 'ecslog-home-real-'));
  const env = { ECSLOG_HOME: home, TZ: 'UTC' };
  const oom = `${EVENTS_DIR}/eventbridge/task-stopped-oom.json`;
  let local: RunningEcslog | undefined;

  afterEach(async () => {
    await local?.stop('SIGTERM');
    local = undefined;
  });
  afterAll(() => rmSync(home, { recursive: true, force: true }));

  it('loads no simulated day into an empty store with --no-simulate', async () => {
    local = startEcslog(['local', '--no-open', '--ui-port', '0', '--no-simulate'], env);

    const out = await local.waitForOutput(/Ctrl-C stops local mode\./);

    expect(out).toMatch(/^The store is empty \(--no-simulate\)/m);
    expect(out).not.toMatch(/simulated day \(the 24 hours/);
    expect(existsSync(join(home, 'simulated-day.json'))).toBe(false);
  });

  it('loads no simulated day into a store that holds ingested events', async () => {
    const ingest = await runEcslog(['ingest', '--retention-days', '3650', oom], undefined, env);
    expect(ingest.status).toBe(0);

    local = startEcslog(['local', '--no-open', '--ui-port', '0'], env);
    const out = await local.waitForOutput(/Ctrl-C stops local mode\./);

    expect(out).toMatch(/^The store holds ingested data: no simulated day loaded/m);
    expect(out).not.toMatch(/simulated day \(the 24 hours/);
    const all = await runEcslog(['tasks', '--since', '30d', '--json'], undefined, env);
    expect(parseRecords(all.stdout).map((r) => r.taskId)).toEqual([
      'b1449e8faf40609955463eb597283364',
    ]);
  });

  it('loads one on request (--simulate), its runs marked as simulated and the real one not', async () => {
    local = startEcslog(['local', '--no-open', '--ui-port', '0', '--simulate'], env);

    const out = await local.waitForOutput(/Ctrl-C stops local mode\./);
    const table = await runEcslog(['tasks', '--since', '30d'], undefined, env);

    expect(out).toMatch(/^Loading a simulated day \(the 24 hours from /m);
    const rows = table.stdout.trimEnd().split('\n').slice(1);
    const real = rows.filter((row) => row.includes('b1449e8faf40609955463eb597283364'));
    expect(real).toHaveLength(1);
    expect(real[0]).not.toMatch(/\(simulated\)/);
    expect(rows.length).toBeGreaterThan(10);
    expect(rows.filter((row) => row.endsWith(' (simulated)'))).toHaveLength(rows.length - 1);
  });
});

function countByCategory(records: readonly AuditRecord[]): Record<FailureCategory, number> {
  const counts = Object.fromEntries(FAILURE_CATEGORIES.map((c) => [c, 0])) as Record<
    FailureCategory,
    number
  >;
  for (const record of records) counts[record.outcome.category ?? 'other'] += 1;
  return counts;
}
