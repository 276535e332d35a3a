/**
 * The audit store's contract — writer and reader together — against real local servers: the
 * official DynamoDB Local (Java) and dynalite. One server per kind for this file; a fresh table
 * per test. The property spec checks the same store against the brute-force model on random
 * lives; this one pins the examples with realistic records.
 */
import type { AuditRecord } from '@ecslog/ecs-event-mapper';
import { mapEvent } from '@ecslog/ecs-event-mapper';
import type { TaskFacts } from '@ecslog/ecs-event-mapper/testing';
import {
  envelopeOf,
  fixtureRecords,
  mappedRecords,
  sampleLiveTraffic,
  TASK_LIFECYCLE_FIXTURES,
  taskArnOf,
  taskDetailOf,
} from '@ecslog/ecs-event-mapper/testing';
import type { TaskRun, TimeWindow } from '@ecslog/task-runs';
import { isActiveDuring, taskRunOf, toTaskRuns } from '@ecslog/task-runs';
import { createAuditReader } from './audit-reader';
import { createAuditWriter } from './audit-writer';
import type { LocalDynamoDb } from './testing';
import {
  createAuditTable,
  localClient,
  scanTable,
  startDynalite,
  startDynamoDbLocal,
} from './testing';

const RETENTION_DAYS = 3650;
const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;
/** "Now" for writers and readers. */
const NOW = Date.parse('2026-11-21T12:00:00.000Z');
const iso = (ms: number) => new Date(ms).toISOString();

/** Versions 1–7 of one Fargate task of service `web` (cluster prod-web), 2026-11-20. */
const LIFECYCLE = TASK_LIFECYCLE_FIXTURES.map((path) => {
  const records = fixtureRecords(path);
  if (records.length !== 1) throw new Error(`${path}: ${records.length} records`);
  return records[0] as AuditRecord;
});
const LIFE_ARN = (LIFECYCLE[0] as AuditRecord).resourceArn;
const LIFE_ID = LIFE_ARN.split('/').pop() as string;
const v = (version: number) => LIFECYCLE[version - 1] as AuditRecord;

/**
 * The state changes of one invented task of cluster `audit-contract`: PROVISIONING at
 * `createdMs`, RUNNING 30 s later, and STOPPED after `runMs` if given.
 */
function lifeOf(n: number, createdMs: number, runMs?: number): AuditRecord[] {
  const taskId = n.toString(16).padStart(32, 'c');
  const base: TaskFacts = {
    region: 'eu-west-1',
    account: '111122223333',
    clusterName: 'audit-contract',
    taskId,
    family: 'worker',
    revision: 3,
    group: 'family:worker',
    startedBy: 'events-rule/worker',
    launchType: 'FARGATE',
    availabilityZone: 'eu-west-1b',
    cpu: '256',
    memory: '512',
    lastStatus: 'PROVISIONING',
    desiredStatus: 'RUNNING',
    version: 1,
    createdAtMs: createdMs,
    containers: [{ name: 'worker', image: 'worker:3', lastStatus: 'PENDING' }],
  };
  const steps: TaskFacts[] = [
    base,
    {
      ...base,
      lastStatus: 'RUNNING',
      version: 2,
      pendingMs: 30_000,
      containers: [{ name: 'worker', image: 'worker:3', lastStatus: 'RUNNING' }],
    },
  ];
  if (runMs !== undefined)
    steps.push({
      ...base,
      lastStatus: 'STOPPED',
      desiredStatus: 'STOPPED',
      version: 3,
      pendingMs: 30_000,
      runMs,
      stopCode: 'EssentialContainerExited',
      stoppedReason: 'Essential container in task exited',
      containers: [{ name: 'worker', image: 'worker:3', lastStatus: 'STOPPED', exitCode: 0 }],
    });
  return steps.map((facts) => {
    const detail = taskDetailOf(facts);
    const event = envelopeOf('ECS Task State Change', detail, {
      id: `00000000-0000-4000-8${String(facts.version).padStart(3, '0')}-${taskId.slice(-12)}`,
      account: facts.account,
      region: facts.region,
      timeMs: Date.parse(detail['updatedAt'] as string),
      resources: [taskArnOf(facts)],
    });
    return mappedRecords(event)[0] as AuditRecord;
  });
}

/** A run as compared: id, the record telling it, its end. */
const told = (runs: readonly TaskRun[]) =>
  runs.map((run) => `${run.id} ${run.record.recordId} ${run.end} ${run.endTime ?? ''}`).sort();
const idsOf = (runs: readonly TaskRun[]) => runs.map((run) => run.id).sort();
const taskIdOf = (record: AuditRecord) => record.resourceArn.split('/').pop() as string;

const SERVERS: [string, () => Promise<LocalDynamoDb>][] = [
  ['dynamodb-local', startDynamoDbLocal],
  ['dynalite', startDynalite],
];

describe.each(SERVERS)('audit store contract on %s', (kind, start) => {
  let server: LocalDynamoDb;
  let tableName: string;
  const writer = (options: { now?: number; retentionDays?: number } = {}) =>
    createAuditWriter({
      client: server.client,
      tableName,
      retentionDays: options.retentionDays ?? RETENTION_DAYS,
      now: () => options.now ?? NOW,
    });
  const reader = () => createAuditReader({ client: server.client, tableName, now: () => NOW });

  beforeAll(async () => {
    server = await start();
  });
  afterAll(async () => {
    await server?.stop();
  });
  beforeEach(async () => {
    tableName = await createAuditTable(server.client);
  });

  describe('writeRecords', () => {
    it('tells written, stale (late, duplicate, twice in one call) and expired records', async () => {
      const w = writer();
      expect((await w.writeRecords([v(4)]))[0]?.status).toBe('written');
      expect((await w.writeRecords([v(5)]))[0]?.status).toBe('written');
      // A late, lower version: its history is kept, but it does not tell the run.
      const late = await w.writeRecords([v(2)]);
      expect(late).toEqual([{ recordId: v(2).recordId, status: 'stale' }]);
      // A duplicate delivery.
      expect((await w.writeRecords([v(5)]))[0]?.status).toBe('stale');
      // The same record twice in one call: once written, once stale.
      const twice = await w.writeRecords([v(6), v(6)]);
      expect(twice.map((r) => r.status).sort()).toEqual(['stale', 'written']);
      // Records older than the retention when written are not stored.
      const expired = await writer({ now: NOW + 40 * DAY_MS, retentionDays: 30 }).writeRecords([
        v(7),
      ]);
      expect(expired).toEqual([{ recordId: v(7).recordId, status: 'expired' }]);
      const task = await reader().task(LIFE_ID);
      expect(task?.run?.record.recordId).toBe(v(6).recordId);
      expect(task?.history.map((r) => r.recordId).sort()).toEqual(
        [v(2), v(4), v(5), v(6)].map((r) => r.recordId).sort(),
      );
    });

    it('leaves the table unchanged when the same records are written again', async () => {
      const records = [...LIFECYCLE, ...lifeOf(1, NOW - 2 * HOUR_MS, HOUR_MS)];
      const first = await writer().writeRecords(records);
      expect(first.filter((r) => r.status !== 'written' && r.status !== 'stale')).toEqual([]);
      const before = await scanTable(server.client, tableName);
      const again = await writer().writeRecords([...records].reverse());
      expect(again.every((r) => r.status === 'stale' || r.status === 'written')).toBe(true);
      expect(await scanTable(server.client, tableName)).toEqual(before);
    });
  });

  describe('task, history and latest', () => {
    it('gives the run and the whole history in time order, by id or ARN', async () => {
      await writer().writeRecords([v(7), v(3), v(1), v(5), v(2), v(6), v(4)]);
      const byId = await reader().task(LIFE_ID);
      expect(byId?.taskArn).toBe(LIFE_ARN);
      expect(byId?.run?.record.recordId).toBe(v(7).recordId);
      expect(byId?.run?.end).toBe('stopped');
      expect(byId?.history.map((r) => r.recordId)).toEqual(LIFECYCLE.map((r) => r.recordId));
      expect(await reader().task(LIFE_ARN)).toEqual(byId);
      expect(await reader().task('0123456789abcdef0123456789abcdef')).toBeUndefined();

      const { records } = await reader().history(LIFE_ARN, { limit: 100 });
      expect(records.map((r) => r.recordId)).toEqual(LIFECYCLE.map((r) => r.recordId));
      expect((await reader().latest(LIFE_ARN))?.recordId).toBe(v(7).recordId);
    });
  });

  describe('runsDuring and openRuns', () => {
    const longOpen = lifeOf(2, NOW - 10 * DAY_MS);
    const day1 = Date.parse('2026-11-01T00:00:00.000Z');
    const day1To5 = lifeOf(3, day1 + 8 * HOUR_MS, 4 * DAY_MS);
    const stoppedBefore = lifeOf(4, day1 + 9 * HOUR_MS, 2 * HOUR_MS);

    it('finds a task created 10 days ago and still running, at every instant since', async () => {
      await writer().writeRecords([...longOpen, ...day1To5, ...stoppedBefore]);
      const id = (longOpen[0] as AuditRecord).resourceArn;
      const lastHour = await reader().runsDuring({ from: iso(NOW - HOUR_MS), to: iso(NOW) });
      expect(idsOf(lastHour.runs)).toEqual([id]);
      expect(lastHour.runs[0]?.end).toBe('open');
      for (const at of [NOW - 10 * DAY_MS + 60_000, NOW - 7 * DAY_MS, NOW - 3 * DAY_MS, NOW]) {
        const { runs } = await reader().runsDuring({ from: iso(at), to: iso(at) });
        expect(idsOf(runs)).toEqual([id]);
      }
      const open = await reader().openRuns();
      expect(idsOf(open.runs)).toEqual([id]);
    });

    it('finds a run that spans a window, not one that stopped before it', async () => {
      await writer().writeRecords([...longOpen, ...day1To5, ...stoppedBefore]);
      const day3 = { from: '2026-11-03T00:00:00.000Z', to: '2026-11-03T23:59:59.999Z' };
      const { runs } = await reader().runsDuring(day3);
      expect(idsOf(runs)).toEqual([(day1To5[0] as AuditRecord).resourceArn]);
      expect(runs[0]?.end).toBe('stopped');
      const day1Runs = await reader().runsDuring({
        from: iso(day1),
        to: iso(day1 + DAY_MS - 1),
      });
      expect(idsOf(day1Runs.runs)).toEqual(
        [day1To5, stoppedBefore].map((life) => (life[0] as AuditRecord).resourceArn).sort(),
      );
    });
  });

  describe('failures', () => {
    it('lists a failed run in the window containing its end, by category', async () => {
      const oom = fixtureRecords('eventbridge/task-stopped-oom.json');
      await writer().writeRecords(oom);
      const record = oom.find((r) => r.outcome.status === 'failed') as AuditRecord;
      expect(record.outcome.category).toBe('out-of-memory');
      const endMs = Date.parse(taskRunOf(record)?.endTime as string);
      const around = { from: iso(endMs - HOUR_MS), to: iso(endMs + HOUR_MS) };
      const found = await reader().failures(around);
      expect(found.map((r) => r.recordId)).toContain(record.recordId);
      const before = await reader().failures({
        from: iso(endMs - 3 * HOUR_MS),
        to: iso(endMs - 2 * HOUR_MS),
      });
      expect(before).toEqual([]);
      const same = await reader().failures({ ...around, category: 'out-of-memory' });
      expect(same.map((r) => r.recordId)).toContain(record.recordId);
      const otherCategory = await reader().failures({ ...around, category: 'image-pull' });
      expect(otherCategory.map((r) => r.recordId)).not.toContain(record.recordId);
    });
  });

  describe('closeRun', () => {
    it('closes an open run; a STOPPED record written later still wins', async () => {
      const life = lifeOf(5, NOW - 5 * HOUR_MS, 4 * HOUR_MS);
      const [, running, stopped] = life as [AuditRecord, AuditRecord, AuditRecord];
      const id = taskIdOf(running);
      await writer().writeRecords(life.slice(0, 2));
      const at = iso(NOW - 2 * HOUR_MS);
      expect(await writer().closeRun(id, { at, reason: 'task gone (reconciler)' })).toBe('closed');
      const window: TimeWindow = { from: iso(NOW - 6 * HOUR_MS), to: iso(NOW) };
      const closed = (await reader().runsDuring(window)).runs;
      expect(closed.map((run) => [run.id, run.end, run.endTime])).toEqual([
        [running.resourceArn, 'closed', at],
      ]);
      expect((await reader().openRuns()).runs).toEqual([]);

      expect((await writer().writeRecords([stopped]))[0]?.status).toBe('written');
      const after = (await reader().runsDuring(window)).runs;
      expect(after.map((run) => [run.id, run.end, run.record.recordId])).toEqual([
        [running.resourceArn, 'stopped', stopped.recordId],
      ]);
      expect(await writer().closeRun(id, { at, reason: 'again' })).toBe('not-open');
      expect(
        await writer().closeRun('fedcba9876543210fedcba9876543210', { at, reason: 'gone' }),
      ).toBe('not-found');
    });

    it("does not keep a run active past its real end after a closure that guessed a later one (the closure's carries)", async () => {
      // Created 3 days ago, stopped 1 h later; a reconciler had closed it at now - 1 day first.
      const life = lifeOf(6, NOW - 3 * DAY_MS, HOUR_MS);
      const [, running, stopped] = life as [AuditRecord, AuditRecord, AuditRecord];
      await writer().writeRecords(life.slice(0, 2));
      expect(
        await writer().closeRun(taskIdOf(running), { at: iso(NOW - DAY_MS), reason: 'gone' }),
      ).toBe('closed');
      await writer().writeRecords([stopped]);
      // A window after its real end, before the closure's: only the closure's day carry holds it.
      const window: TimeWindow = {
        from: iso(NOW - 2 * DAY_MS),
        to: iso(NOW - 2 * DAY_MS + HOUR_MS),
      };

      expect((await reader().runsDuring(window)).runs).toEqual([]);
      const atStart = { from: iso(NOW - 3 * DAY_MS + 60_000), to: iso(NOW - 3 * DAY_MS + 60_000) };
      expect((await reader().runsDuring(atStart)).runs.map((run) => run.end)).toEqual(['stopped']);
    });
  });

  describe('storedRecordIds', () => {
    it('knows every record after writing, none before', async () => {
      const records = [...LIFECYCLE, ...lifeOf(6, NOW - DAY_MS, HOUR_MS)];
      expect((await reader().storedRecordIds(records)).size).toBe(0);
      await writer().writeRecords(records);
      expect([...(await reader().storedRecordIds(records))].sort()).toEqual(
        records.map((r) => r.recordId).sort(),
      );
    });
  });

  describe('live traffic', () => {
    const events = sampleLiveTraffic({ events: 1_200, seed: 16 });
    const records = events.flatMap((event) => {
      const result = mapEvent(event);
      return result.kind === 'mapped' ? result.records : [];
    });
    const window = {
      from: '2026-11-20T02:00:00.000Z',
      to: '2026-11-20T03:00:00.000Z',
    };

    it('stores 1,000+ live records in few requests and answers runs like the model', async () => {
      expect(records.length).toBeGreaterThanOrEqual(1_000);
      const counted = localClient(server.endpoint);
      const requests = new Map<string, number>();
      counted.middlewareStack.add(
        (next, context) => async (args) => {
          const name = context.commandName ?? 'unknown';
          requests.set(name, (requests.get(name) ?? 0) + 1);
          return next(args);
        },
        { step: 'initialize', name: 'countRequests' },
      );
      const w = createAuditWriter({
        client: counted,
        tableName,
        retentionDays: RETENTION_DAYS,
        now: () => NOW,
      });
      const results = [];
      for (let i = 0; i < records.length; i += 100)
        results.push(...(await w.writeRecords(records.slice(i, i + 100))));
      counted.destroy();
      expect(results.filter((r) => r.status !== 'written' && r.status !== 'stale')).toEqual([]);

      const total = [...requests.values()].reduce((sum, n) => sum + n, 0);
      console.log(
        `${kind}: ${events.length} events, ${records.length} records, ${total} requests ` +
          `(${(total / events.length).toFixed(3)}/event): ${JSON.stringify(Object.fromEntries(requests))}`,
      );
      if (kind === 'dynamodb-local') {
        expect(total / events.length).toBeLessThanOrEqual(0.1);
        expect(requests.get('BatchExecuteStatementCommand') ?? 0).toBeGreaterThan(0);
      }

      const { runs } = await reader().runsDuring(window);
      const model = toTaskRuns(records).filter((run) => isActiveDuring(run, window));
      expect(model.length).toBeGreaterThan(0);
      expect(told(runs)).toEqual(told(model));
    });
  });
});
