/**
 * The audit store's contract — writer and reader together — against real local servers: the
 * official DynamoDB Local (Java) and dynalite. One server per kind for this file; a fresh table
 * per test.
 */
import type { AuditRecord } from '@ecslog/ecs-event-mapper';
import type { TaskFacts } from '@ecslog/ecs-event-mapper/testing';
import {
  envelopeOf,
  loadFixture,
  mappedRecords,
  TASK_LIFECYCLE_FIXTURES,
  taskArnOf,
  taskDetailOf,
} from '@ecslog/ecs-event-mapper/testing';
import type { Page, PageOptions } from './audit-reader';
import { createAuditReader, InvalidCursorError } from './audit-reader';
import type { AuditWriterOptions, WriteResult } from './audit-writer';
import { createAuditWriter } from './audit-writer';
import type { Item } from './item-codec';
import { expiryOf, groupOf, historySortKey } from './item-codec';
import type { LocalDynamoDb, LocalDynamoDbKind } from './testing';
import { createAuditTable, scanTable, startLocalDynamoDb } from './testing';

/** The records of an EventBridge fixture, e.g. `task-stopped-oom`. */
const fixture = (name: string): AuditRecord[] =>
  mappedRecords(loadFixture(`eventbridge/${name}.json`));
const only = (records: AuditRecord[]): AuditRecord => {
  if (records.length !== 1) throw new Error(`expected one record, got ${records.length}`);
  return records[0] as AuditRecord;
};

/** Versions 1–7 of one Fargate task of service `web` (cluster prod-web), 2026-11-20. */
const LIFECYCLE = TASK_LIFECYCLE_FIXTURES.map((path) => only(mappedRecords(loadFixture(path))));
const v = (version: number) => LIFECYCLE[version - 1] as AuditRecord;
const TASK_ARN = v(1).resourceArn;
const PROD_WEB = v(1).clusterArn;
const SERVICE_WEB = 'arn:aws:ecs:eu-west-1:111122223333:service/prod-web/web';

const EVENTBRIDGE_FIXTURES = [
  'task-stopped-cannot-start',
  'task-stopped-container-health',
  'task-stopped-elb-health',
  'task-stopped-essential-exit',
  'task-stopped-image-pull',
  'task-stopped-infrastructure',
  'task-stopped-oom',
  'task-stopped-resource-init',
  'task-stopped-spot',
  'task-stopped-succeeded',
  'task-stopped-user',
  'service-action-placement-failure',
  'service-action-start-impaired',
  'service-action-steady-state',
  'deployment-in-progress',
  'deployment-failed',
  'deployment-completed',
  'container-instance-agent-disconnected',
  'container-instance-draining',
  'cloudtrail-api-call-runtask',
];
const CLOUDTRAIL_FIXTURES = [
  'runtask-agent-failure',
  'runtask-api-error',
  'runtask-partial-placement',
  'runtask-placement-failure-only',
  'runtask-success',
];
/** Every record the fixtures map to: tasks, instances, service events, API calls; 2026-11-20 and 21. */
const ALL_FIXTURE_RECORDS = [
  ...LIFECYCLE,
  ...EVENTBRIDGE_FIXTURES.flatMap(fixture),
  ...CLOUDTRAIL_FIXTURES.flatMap((name) => mappedRecords(loadFixture(`cloudtrail/${name}.json`))),
];

/** A task of cluster `audit-days` whose one record happens at `at` (ISO, ms precision). */
function taskAt(at: string, n: number, overrides: Partial<TaskFacts> = {}): AuditRecord {
  const facts: TaskFacts = {
    region: 'eu-west-1',
    account: '111122223333',
    clusterName: 'audit-days',
    taskId: n.toString(16).padStart(32, 'a'),
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
    createdAtMs: Date.parse(at),
    containers: [{ name: 'worker', image: 'worker:3', lastStatus: 'PENDING' }],
    ...overrides,
  };
  const event = envelopeOf('ECS Task State Change', taskDetailOf(facts), {
    id: `00000000-0000-4000-8000-${facts.taskId.slice(-12)}`,
    account: facts.account,
    region: facts.region,
    timeMs: facts.createdAtMs,
    resources: [taskArnOf(facts)],
  });
  const record = only(mappedRecords(event));
  if (record.eventTime !== at) throw new Error(`built ${record.eventTime}, wanted ${at}`);
  return record;
}

/** Stored items live for ten years here, so no server's own TTL sweep can touch them in a test. */
const RETENTION_DAYS = 3650;
const WRITE_NOW = Date.parse('2026-11-21T12:00:00.000Z');

const ids = (records: readonly AuditRecord[]) => records.map((r) => r.recordId);
const byTime = (records: readonly AuditRecord[]) =>
  [...records].sort((a, b) => a.eventTime.localeCompare(b.eventTime));
/** Records in the same order as expected, up to the order of records with the same eventTime. */
function expectOldestFirst(actual: readonly AuditRecord[], expected: readonly AuditRecord[]) {
  expect(actual.map((r) => r.eventTime)).toEqual(byTime(expected).map((r) => r.eventTime));
  expect(ids(actual).sort()).toEqual(ids(expected).sort());
}
/** `pk sk` of an item. */
const keyOf = (item: Item) => ['pk', 'sk'].map((name) => (item[name] as { S: string }).S).join(' ');
/** Round-tripped through JSON, as stored: absent optional fields instead of `undefined`. */
const plain = (record: AuditRecord | undefined) =>
  record && (JSON.parse(JSON.stringify(record)) as AuditRecord);

/** Every record of a query, page by page; also returns the page sizes. */
async function readAll(
  query: (page: PageOptions) => Promise<Page>,
  limit: number,
): Promise<{ records: AuditRecord[]; pages: number[] }> {
  const records: AuditRecord[] = [];
  const pages: number[] = [];
  let cursor: string | undefined;
  do {
    const page = await query({ limit, cursor });
    records.push(...page.records);
    pages.push(page.records.length);
    cursor = page.cursor;
    if (pages.length > 1000) throw new Error('the cursor never ends');
  } while (cursor);
  return { records, pages };
}

describe.each<LocalDynamoDbKind>(['dynamodb-local', 'dynalite'])('audit store on %s', (kind) => {
  let server: LocalDynamoDb;
  let tableName: string;

  beforeAll(async () => {
    server = await startLocalDynamoDb(kind);
  });
  afterAll(async () => {
    await server?.stop();
  });
  beforeEach(async () => {
    tableName = await createAuditTable(server.client);
  });

  const writer = (options: Partial<AuditWriterOptions> = {}) =>
    createAuditWriter({
      client: server.client,
      tableName,
      retentionDays: RETENTION_DAYS,
      now: () => WRITE_NOW,
      ...options,
    });
  const reader = (now = WRITE_NOW) =>
    createAuditReader({ client: server.client, tableName, now: () => now });
  const write = (records: readonly AuditRecord[]) => writer().writeRecords(records);
  const statuses = (results: readonly WriteResult[]) => results.map((r) => r.status);

  describe('history and latest state of a task', () => {
    it('returns a task history oldest first, whatever order it was written in', async () => {
      await write([v(5), v(2), v(7), v(1), v(4), v(3), v(6)]);

      const page = await reader().history(TASK_ARN);

      expect(page.records).toEqual(LIFECYCLE.map(plain));
      expect(page.cursor).toBeUndefined();
    });

    it('keeps the highest version as latest, even when written out of order and with duplicates', async () => {
      const duplicate = only(fixture('task-lifecycle-04-running-duplicate'));
      await write([v(3), v(1)]);
      await write([v(6), duplicate, v(2)]);
      await write([v(4), v(5), v(6), v(1)]);

      const latest = await reader().latest(TASK_ARN);
      const history = await reader().history(TASK_ARN);

      expect(latest).toEqual(plain(v(6)));
      expect(ids(history.records)).toEqual(ids(LIFECYCLE.slice(0, 6)));
    });

    it('has no latest state for a task never written, nor for a service', async () => {
      await write(fixture('service-action-steady-state'));

      expect(await reader().latest(TASK_ARN)).toBeUndefined();
      expect(await reader().latest(SERVICE_WEB)).toBeUndefined();
    });

    it('keeps the latest state of a container instance', async () => {
      const [disconnected] = fixture('container-instance-agent-disconnected');
      await write([disconnected as AuditRecord]);

      expect(await reader().latest((disconnected as AuditRecord).resourceArn)).toEqual(
        plain(disconnected),
      );
    });

    it("returns a service's actions and deployments, oldest first, from its history", async () => {
      const serviceEvents = [
        'deployment-completed',
        'service-action-start-impaired',
        'deployment-in-progress',
        'service-action-steady-state',
        'deployment-failed',
      ].flatMap(fixture);
      await write([...serviceEvents, ...LIFECYCLE, ...fixture('service-action-placement-failure')]);

      const page = await reader().history(SERVICE_WEB);

      expect(ids(page.records)).toEqual([
        ...ids(fixture('service-action-steady-state')), // 03:06
        ...ids(fixture('deployment-in-progress')), // 10:01
        ...ids(fixture('service-action-start-impaired')), // 10:09
        ...ids(fixture('deployment-failed')), // 10:24
        ...ids(fixture('deployment-completed')), // 10:31
      ]);
    });
  });

  describe('time-range queries', () => {
    // Cluster audit-days: records on 2026-11-18, 19 and 20 (and just outside), written shuffled.
    const DAYS = [
      taskAt('2026-11-17T23:59:59.999Z', 1), // before the range
      taskAt('2026-11-18T00:00:00.000Z', 2),
      taskAt('2026-11-18T08:15:00.000Z', 3),
      taskAt('2026-11-18T23:59:59.999Z', 4),
      taskAt('2026-11-19T00:00:00.000Z', 5),
      taskAt('2026-11-19T12:00:00.000Z', 6),
      taskAt('2026-11-20T00:00:00.001Z', 7),
      taskAt('2026-11-20T18:30:00.000Z', 8),
      taskAt('2026-11-20T20:00:00.001Z', 9), // after the range
      taskAt('2026-11-21T06:00:00.000Z', 10), // after the range, next day
    ];
    const RANGE = { from: '2026-11-18T00:00:00.000Z', to: '2026-11-20T20:00:00.000Z' };
    const CLUSTER = (DAYS[0] as AuditRecord).clusterArn;
    const inRange = DAYS.slice(1, 8);

    it('returns every record of a cluster across several UTC days, oldest first, and none outside the range', async () => {
      await write([...DAYS].reverse());
      await write(LIFECYCLE); // another cluster, same days

      const page = await reader().byCluster(CLUSTER, RANGE);

      expect(page.records).toEqual(inRange.map(plain));
      expect(page.cursor).toBeUndefined();
    });

    it('includes both ends of a range and excludes what is a millisecond outside', async () => {
      await write(DAYS);

      const page = await reader().byCluster(CLUSTER, {
        from: '2026-11-18T23:59:59.999Z',
        to: '2026-11-19T12:00:00.000Z',
      });
      const narrower = await reader().byCluster(CLUSTER, {
        from: '2026-11-19T00:00:00.001Z',
        to: '2026-11-19T11:59:59.999Z',
      });

      expect(ids(page.records)).toEqual(ids(DAYS.slice(3, 6)));
      expect(narrower.records).toEqual([]);
    });

    it('reads range ends given at second precision or with an offset as the instants they are', async () => {
      await write(DAYS);

      const seconds = await reader().byCluster(CLUSTER, {
        from: '2026-11-19T00:00:00Z',
        to: '2026-11-20T00:00:00Z',
      });
      const offset = await reader().byCluster(CLUSTER, {
        from: '2026-11-19T01:00:00+01:00', // 2026-11-19T00:00:00.000Z
        to: '2026-11-19T13:00:00+01:00', // 2026-11-19T12:00:00.000Z
      });

      expect(ids(seconds.records)).toEqual(ids(DAYS.slice(4, 6)));
      expect(ids(offset.records)).toEqual(ids(DAYS.slice(4, 6)));
    });

    it('returns the records of a service group and of a task family, in their cluster only', async () => {
      const all = [...ALL_FIXTURE_RECORDS, ...DAYS];
      await write(all);
      const day = { from: '2026-11-20T00:00:00.000Z', to: '2026-11-20T23:59:59.999Z' };
      const batchUsEast1 = only(fixture('task-stopped-succeeded')).clusterArn;

      const web = await reader().byGroup(PROD_WEB, 'service:web', day);
      const nightly = await reader().byGroup(batchUsEast1, 'family:nightly-report', day);
      const worker = await reader().byGroup(CLUSTER, 'family:worker', RANGE);

      expectOldestFirst(web.records, [
        ...LIFECYCLE,
        ...[
          'task-stopped-container-health',
          'task-stopped-elb-health',
          'task-stopped-image-pull',
          'service-action-steady-state',
          'service-action-start-impaired',
          'deployment-in-progress',
          'deployment-failed',
          'deployment-completed',
        ].flatMap(fixture),
      ]);
      // Not the RunTask calls of the eu-west-1 cluster also named "batch".
      expectOldestFirst(
        nightly.records,
        ['task-stopped-succeeded', 'cloudtrail-api-call-runtask'].flatMap(fixture),
      );
      expect(worker.records).toEqual(inRange.map(plain));
    });

    it("reads a cluster's or group's records with only each task's newest version in the range", async () => {
      await write([...ALL_FIXTURE_RECORDS, ...DAYS]);
      const day = { from: '2026-11-20T00:00:00.000Z', to: '2026-11-20T23:59:59.999Z' };
      const everything = async (group?: string) =>
        (
          await readAll(
            (page) =>
              group === undefined
                ? reader().byCluster(PROD_WEB, { ...day, ...page })
                : reader().byGroup(PROD_WEB, group, { ...day, ...page }),
            100,
          )
        ).records;
      // The oracle: drop a versioned record when its resource has a higher version in the range.
      const withoutSuperseded = (records: AuditRecord[]) =>
        records.filter(
          (record) =>
            record.version === undefined ||
            !records.some(
              (other) =>
                other.resourceArn === record.resourceArn &&
                (other.version ?? 0) > (record.version ?? 0),
            ),
        );

      const cluster = await reader().latestVersions(PROD_WEB, day);
      const web = await reader().latestVersions(PROD_WEB, day, 'service:web');
      const days = await reader().latestVersions(CLUSTER, RANGE);

      expectOldestFirst(cluster, withoutSuperseded(await everything()));
      expectOldestFirst(web, withoutSuperseded(await everything('service:web')));
      expect(ids(cluster)).toContain(v(LIFECYCLE.length).recordId);
      expect(ids(cluster)).not.toContain(v(1).recordId);
      expect(cluster.length).toBeLessThan((await everything()).length);
      // Every task of the cluster audit-days has one version: all of them, none outside the range.
      expect(days).toEqual(inRange.map(plain));
      const expired = reader(Date.parse('2036-12-31T00:00:00.000Z'));
      expect(await expired.latestVersions(PROD_WEB, day)).toEqual([]);
    });

    it('tells a view of runs the runs each page adds, and stops reading when its signal fires', async () => {
      await write([...ALL_FIXTURE_RECORDS, ...DAYS]);
      const perPage: number[] = [];
      const placement = ALL_FIXTURE_RECORDS.find(
        (record) => record.recordType === 'api-call' && record.outcome.category === 'placement',
      ) as AuditRecord;
      const itsDay = {
        from: `${placement.eventTime.slice(0, 10)}T00:00:00.000Z`,
        to: `${placement.eventTime.slice(0, 10)}T23:59:59.999Z`,
      };
      const counted: number[] = [];

      const days = await reader().latestVersions(CLUSTER, RANGE, undefined, {
        onRuns: (added) => perPage.push(added),
      });
      const withFailure = await reader().latestVersions(placement.clusterArn, itsDay, undefined, {
        onRuns: (added) => counted.push(added),
      });

      // One page per UTC day of the range (3, 2 and 2 tasks), each task counted once.
      expect(perPage).toEqual([3, 2, 2]);
      expect(days).toHaveLength(7);
      // Tasks, and each RunTask failure: a run that never started.
      const tasks = new Set(
        withFailure.filter((r) => r.recordType === 'task').map((r) => r.resourceArn),
      );
      const neverStarted = withFailure.filter(
        (r) =>
          r.recordType === 'api-call' &&
          (r.outcome.category === 'placement' || r.outcome.category === 'start-failure'),
      );
      expect(neverStarted.length).toBeGreaterThan(0);
      expect(counted.reduce((sum, n) => sum + n, 0)).toBe(tasks.size + neverStarted.length);

      const gone = new AbortController();
      gone.abort(new Error('client gone'));
      await expect(
        reader().latestVersions(CLUSTER, RANGE, undefined, { signal: gone.signal }),
      ).rejects.toThrow('client gone');
      await expect(reader().activity(RANGE, { signal: gone.signal })).rejects.toThrow(
        'client gone',
      );
      // Aborted after the first page: no second page is read.
      const enough = new AbortController();
      const seen: number[] = [];
      await expect(
        reader().latestVersions(CLUSTER, RANGE, undefined, {
          signal: enough.signal,
          onRuns: (added) => {
            seen.push(added);
            enough.abort(new Error('enough runs'));
          },
        }),
      ).rejects.toThrow('enough runs');
      expect(seen).toEqual([3]);
    });

    it('returns failed records across days, with and without a category', async () => {
      const oomOnThe19th = taskAt('2026-11-19T10:00:00.000Z', 11, {
        lastStatus: 'STOPPED',
        desiredStatus: 'STOPPED',
        stopCode: 'EssentialContainerExited',
        stoppedReason: 'Essential container in task exited',
        containers: [
          {
            name: 'worker',
            image: 'worker:3',
            lastStatus: 'STOPPED',
            exitCode: 137,
            reason: 'OutOfMemoryError: Container killed due to memory usage',
          },
        ],
        createdAtMs: Date.parse('2026-11-19T09:59:55.000Z'), // stopped 5 s later
      });
      const all = [...ALL_FIXTURE_RECORDS, ...DAYS, oomOnThe19th];
      await write(all);
      const range = { from: '2026-11-19T00:00:00.000Z', to: '2026-11-21T23:59:59.999Z' };
      const failed = all.filter((r) => r.outcome.status === 'failed');

      const every = await reader().failures(range);
      const oom = await reader().failures({ ...range, category: 'out-of-memory' });
      const placement = await reader().failures({ ...range, category: 'placement' });
      const the20th = await reader().failures({
        from: '2026-11-20T00:00:00.000Z',
        to: '2026-11-20T23:59:59.999Z',
      });

      expect(failed.length).toBeGreaterThan(15);
      expectOldestFirst(every.records, failed);
      expect(ids(oom.records)).toEqual(ids([oomOnThe19th, ...fixture('task-stopped-oom')]));
      expectOldestFirst(
        placement.records,
        failed.filter((r) => r.outcome.category === 'placement'),
      );
      expect(placement.records.map((r) => r.eventTime.slice(0, 10))).toContain('2026-11-21');
      expectOldestFirst(
        the20th.records,
        failed.filter((r) => r.eventTime.startsWith('2026-11-20')),
      );
    });
  });

  describe('pagination', () => {
    // 2026-11-17 … 11-22, with nothing on the 19th and the 22nd: 6 day partitions, 2 empty.
    const MANY = [
      ...['2026-11-17', '2026-11-18', '2026-11-20', '2026-11-21'].flatMap((day, d) =>
        Array.from({ length: 3 + d * 2 }, (_, i) =>
          taskAt(`${day}T${String(i).padStart(2, '0')}:30:00.000Z`, 100 + d * 20 + i),
        ),
      ),
    ];
    const RANGE = { from: '2026-11-17T00:00:00.000Z', to: '2026-11-22T23:59:59.999Z' };
    const CLUSTER = (MANY[0] as AuditRecord).clusterArn;

    it.each([1, 2, 5, 7, 100])(
      'walks every record of a cluster exactly once across day partitions (limit %i)',
      async (limit) => {
        await write(MANY);

        const { records, pages } = await readAll(
          (page) => reader().byCluster(CLUSTER, { ...RANGE, ...page }),
          limit,
        );

        expect(records).toEqual(MANY.map(plain));
        expect(pages.slice(0, -1).every((size) => size === limit)).toBe(true);
        expect(pages.filter((size) => size > 0).length).toBe(Math.ceil(MANY.length / limit));
      },
    );

    it('walks a task history page by page', async () => {
      await write(LIFECYCLE);

      const { records, pages } = await readAll((page) => reader().history(TASK_ARN, page), 3);

      expect(ids(records)).toEqual(ids(LIFECYCLE));
      expect(pages.slice(0, 3)).toEqual([3, 3, 1]);
    });

    it('rejects a cursor it did not produce', async () => {
      await write([...MANY, ...LIFECYCLE]);
      const first = await reader().byCluster(CLUSTER, { ...RANGE, limit: 2 });
      const cursor = first.cursor as string;
      const json = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

      const attempts = [
        () => reader().byCluster(CLUSTER, { ...RANGE, cursor: 'not-a-cursor' }),
        () => reader().byCluster(CLUSTER, { ...RANGE, cursor: json({ p: 6, k: {} }) }),
        () => reader().byCluster(CLUSTER, { ...RANGE, cursor: json({ p: 0, k: null }) }),
        // A cursor of another query: another cluster's, or a task history's.
        () => reader().byCluster(PROD_WEB, { ...RANGE, cursor }),
        () => reader().history(TASK_ARN, { cursor }),
      ];

      expect(cursor).toEqual(expect.any(String));
      for (const attempt of attempts) await expect(attempt()).rejects.toThrow(InvalidCursorError);
    });
  });

  describe('lookups: activity and task ids', () => {
    const days = { from: '2026-11-20T00:00:00.000Z', to: '2026-11-21T23:59:59.999Z' };

    it('lists each cluster and group that had records in the range, once', async () => {
      await write(ALL_FIXTURE_RECORDS);
      await write([taskAt('2026-11-18T10:00:00.000Z', 20)]);

      const activity = await reader().activity(days);

      const expected = new Set(
        ALL_FIXTURE_RECORDS.map((r) => `${r.clusterArn} ${groupOf(r) ?? ''}`),
      );
      expect(activity.map((a) => `${a.clusterArn} ${a.group}`).sort()).toEqual(
        [...expected].sort(),
      );
      expect(activity).toContainEqual({ clusterArn: PROD_WEB, group: 'service:web' });
      expect(activity.some((a) => a.clusterArn.endsWith('/audit-days'))).toBe(false);
    });

    it("finds a task's ARN from its id, and nothing for an unknown id", async () => {
      await write(LIFECYCLE);

      expect(await reader().taskArnsOf(TASK_ARN.split('/').pop() as string)).toEqual([TASK_ARN]);
      expect(await reader().taskArnsOf('0123456789abcdef0123456789abcdef')).toEqual([]);
    });

    it('lets lookups expire with the day they describe, not before its records', async () => {
      const record = taskAt('2026-11-18T23:59:59.999Z', 21);
      await write([record]);
      const taskId = record.taskId as string;
      const range = { from: '2026-11-18T00:00:00.000Z', to: '2026-11-18T23:59:59.999Z' };
      const recordExpiry = expiryOf(record, RETENTION_DAYS) * 1000;

      expect((await reader(recordExpiry - 1000).activity(range)).length).toBe(1);
      expect(await reader(recordExpiry - 1000).taskArnsOf(taskId)).toEqual([record.resourceArn]);
      expect(await reader(recordExpiry + 1000).activity(range)).toEqual([]);
      expect(await reader(recordExpiry + 1000).taskArnsOf(taskId)).toEqual([]);
    });

    it('says which records are already stored, by their history keys', async () => {
      const stored = ALL_FIXTURE_RECORDS.slice(0, 30);
      await write(stored);

      const found = await reader().storedRecordIds(ALL_FIXTURE_RECORDS);

      expect([...found].sort()).toEqual(ids(stored).sort());
      expect(await reader(Date.parse('2036-12-31T00:00:00.000Z')).storedRecordIds(stored)).toEqual(
        new Set(),
      );
    });

    it('tells an empty table from one with records', async () => {
      expect(await reader().isEmpty()).toBe(true);
      await write([v(1)]);
      expect(await reader().isEmpty()).toBe(false);
    });
  });

  describe('retention (TTL)', () => {
    it('reports records older than the retention as expired and does not write them', async () => {
      const fresh = taskAt('2026-12-20T00:00:00.000Z', 12);
      const records = [...LIFECYCLE, fresh];

      const results = await writer({
        retentionDays: 30,
        now: () => Date.parse('2026-12-25T00:00:00.000Z'),
      }).writeRecords(records);

      expect(statuses(results)).toEqual([...LIFECYCLE.map(() => 'expired'), 'written']);
      const stored = await scanTable(server.client, tableName);
      expect(stored.map(keyOf).filter((key) => key.startsWith('R#'))).toEqual([
        `R#${fresh.resourceArn} ${historySortKey(fresh)}`,
        `R#${fresh.resourceArn} LATEST`,
      ]);
    });

    it('never returns items whose TTL has passed but which are still in the table', async () => {
      await write(ALL_FIXTURE_RECORDS);
      const expiry = expiryOf(v(7), RETENTION_DAYS) * 1000;
      const day = { from: '2026-11-20T00:00:00.000Z', to: '2026-11-21T23:59:59.999Z' };
      const after = reader(Date.parse('2036-12-31T00:00:00.000Z'));

      expect(ids((await reader().history(TASK_ARN)).records)).toEqual(ids(LIFECYCLE));
      expect(await reader(expiry - 1000).latest(TASK_ARN)).toEqual(plain(v(7)));
      expect(await reader(expiry).latest(TASK_ARN)).toBeUndefined();
      expect(ids((await reader(expiry).history(TASK_ARN)).records)).toEqual([]);
      // Still stored: only the reader's filter keeps them out.
      expect((await scanTable(server.client, tableName)).length).toBeGreaterThan(
        ALL_FIXTURE_RECORDS.length,
      );
      expect(await after.latest(TASK_ARN)).toBeUndefined();
      expect((await after.history(TASK_ARN)).records).toEqual([]);
      expect((await after.history(SERVICE_WEB)).records).toEqual([]);
      expect((await after.byCluster(PROD_WEB, day)).records).toEqual([]);
      expect((await after.byGroup(PROD_WEB, 'service:web', day)).records).toEqual([]);
      expect((await after.failures(day)).records).toEqual([]);
    });

    it('returns the records of a page that have not expired and skips those that have', async () => {
      const old = taskAt('2026-11-18T10:00:00.000Z', 13);
      const young = taskAt('2026-11-18T11:00:00.000Z', 14);
      await writer({ retentionDays: 4000 }).writeRecords([young]);
      await write([old]);
      const range = { from: '2026-11-18T00:00:00.000Z', to: '2026-11-18T23:59:59.999Z' };

      const page = await reader(expiryOf(old, RETENTION_DAYS) * 1000).byCluster(old.clusterArn, {
        ...range,
        limit: 1,
      });

      expect(ids(page.records)).toEqual(ids([young]));
    });
  });

  describe('write results and idempotency', () => {
    it('leaves an identical table when the same records are written twice', async () => {
      await write(ALL_FIXTURE_RECORDS);
      const once = await scanTable(server.client, tableName);

      const again = await write(ALL_FIXTURE_RECORDS);
      const twice = await scanTable(server.client, tableName);

      expect(twice).toEqual(once);
      expect(again.every((r) => r.status === 'written' || r.status === 'stale')).toBe(true);
    });

    it('stores one history item per record and one latest item per task or instance', async () => {
      await write(ALL_FIXTURE_RECORDS);

      const items = await scanTable(server.client, tableName);

      const history = items.filter((item) => keyOf(item).includes(' H#'));
      const latest = items.filter((item) => keyOf(item).endsWith(' LATEST'));
      expect(history.length).toBe(ALL_FIXTURE_RECORDS.length);
      expect(latest.length).toBe(
        new Set(
          ALL_FIXTURE_RECORDS.filter(
            (r) => r.recordType === 'task' || r.recordType === 'container-instance',
          ).map((r) => r.resourceArn),
        ).size,
      );
    });

    it('reports a lower version after a higher one as stale, and a duplicate as stale', async () => {
      const duplicate = only(fixture('task-lifecycle-04-running-duplicate'));

      const first = await write([v(4)]);
      const lower = await write([v(3)]);
      const again = await write([duplicate]);
      const higher = await write([v(5)]);

      expect([first, lower, again, higher].map(statuses)).toEqual([
        ['written'],
        ['stale'],
        ['stale'],
        ['written'],
      ]);
      expect(await reader().latest(TASK_ARN)).toEqual(plain(v(5)));
      expect(ids((await reader().history(TASK_ARN)).records)).toEqual(ids(LIFECYCLE.slice(2, 5)));
    });

    it('within one call, writes the highest version and reports the others stale', async () => {
      const duplicate = only(fixture('task-lifecycle-04-running-duplicate'));

      const results = await write([v(2), v(4), v(1), duplicate, v(3)]);

      expect(statuses(results)).toEqual(['stale', 'written', 'stale', 'stale', 'stale']);
      expect(await reader().latest(TASK_ARN)).toEqual(plain(v(4)));
    });

    it('returns one result per input record, in input order', async () => {
      const records = [
        ...fixture('deployment-completed'),
        v(2),
        ...fixture('container-instance-draining'),
        v(1),
        ...mappedRecords(loadFixture('cloudtrail/runtask-partial-placement.json')),
        v(2),
        ...fixture('service-action-steady-state'),
      ];

      const results = await write(records);

      expect(results.map((r) => r.recordId)).toEqual(ids(records));
      expect(statuses(results)).toEqual([
        'written',
        'written',
        'written',
        'stale',
        ...Array(5).fill('written'),
        'stale',
        'written',
      ]);
      expect(results.every((r) => r.error === undefined)).toBe(true);
    });

    it('fails only the record DynamoDB rejects, not the rest of its batch', async () => {
      const good = Array.from({ length: 5 }, (_, i) =>
        taskAt(`2026-11-18T0${i}:00:00.000Z`, 500 + i),
      );
      const tooLongKey = {
        ...(good[0] as AuditRecord),
        recordId: 'api-call:too-long',
        recordType: 'api-call' as const,
        resourceArn: `arn:aws:ecs:eu-west-1:111122223333:task/x/${'a'.repeat(2100)}`,
      };

      const results = await writer().writeRecords([...good, tooLongKey]);

      expect(statuses(results)).toEqual([...good.map(() => 'written'), 'failed']);
      expect(results.at(-1)?.error?.name).toBe('ValidationException');
    });

    it('writes more than one batch of 25 in one call', async () => {
      const many = Array.from({ length: 60 }, (_, i) =>
        taskAt(
          `2026-11-18T${String(Math.floor(i / 4)).padStart(2, '0')}:${String((i % 4) * 15).padStart(2, '0')}:00.000Z`,
          300 + i,
        ),
      );

      const results = await writer({ maxParallel: 2 }).writeRecords(many);

      expect(statuses(results)).toEqual(many.map(() => 'written'));
      const items = (await scanTable(server.client, tableName)).map(keyOf);
      // 60 history + 60 latest items; lookups: one cluster/group for the day, 60 task ids.
      expect(items.filter((key) => key.startsWith('R#')).length).toBe(120);
      expect(items.filter((key) => key.startsWith('D#'))).toEqual([
        `D#2026-11-18 ${(many[0] as AuditRecord).clusterArn}#family:worker`,
      ]);
      expect(items.filter((key) => key.startsWith('T#')).length).toBe(60);
    });
  });
});
