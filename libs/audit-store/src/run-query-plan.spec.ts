/**
 * The core proof of the run index: for any runs (closed, open, not recorded, never started, some
 * 30+ days long) and any window or instant, the items the planned reads find — in a simulated
 * table that holds exactly what the codec writes — give, once filtered by `keepsRun`, exactly the
 * runs the brute-force model says were active. Carries, start hours and open partitions are
 * complete, and nothing else is needed.
 */
import fc from 'fast-check';
import type { AuditRecord } from '@ecslog/ecs-event-mapper';
import type { TaskRun, TimeWindow } from '@ecslog/task-runs';
import { isActiveDuring, toTaskRuns } from '@ecslog/task-runs';
import type { Item } from './item-codec';
import { groupOf, runOfItem, storedItemsOf } from './item-codec';
import type { PartitionRead, RunScope } from './run-query-plan';
import {
  clusterNameOf,
  daysBetween,
  failureReadsOf,
  hoursBetween,
  isCluster,
  keepsRun,
  MAX_WINDOW_DAYS,
  openRunReadsOf,
  runReadsOf,
} from './run-query-plan';
import { instantArb, LIFE_CLUSTERS, LIVES_EPOCH, taskLivesArb } from './testing';

const RETENTION_DAYS = 3650;
const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;
const iso = (ms: number) => new Date(ms).toISOString();

/** A simulated table: its items by partition, for the table and each index (by key name). */
type Table = Map<string, Item[]>;

function tableOf(items: readonly Item[]): Table {
  const table: Table = new Map();
  for (const item of items)
    for (const name of ['pk', 'rpk', 'fpk', 'epk']) {
      const value = item[name];
      if (typeof value !== 'string') continue;
      const key = `${name} ${value}`;
      const partition = table.get(key);
      if (partition) partition.push(item);
      else table.set(key, [item]);
    }
  return table;
}

/** The items one read finds in a table: DynamoDB's key condition, on the base table or an index. */
function itemsOf(table: Table, read: PartitionRead): Item[] {
  const partition = table.get(`${read.partitionKeyName} ${read.partitionKey}`) ?? [];
  return partition.filter((item) => {
    const sortKey = item[read.sortKeyName];
    if (typeof sortKey !== 'string') return false;
    if (read.sortKey === undefined) return true;
    if ('beginsWith' in read.sortKey) return sortKey.startsWith(read.sortKey.beginsWith);
    const [low, high] = read.sortKey.between;
    return low <= sortKey && sortKey <= high;
  });
}

const runsOfItems = new WeakMap<Item, TaskRun>();
/** The run an item holds, decoded once. */
function decoded(item: Item): TaskRun {
  const cached = runsOfItems.get(item);
  if (cached) return cached;
  const run = runOfItem(item);
  runsOfItems.set(item, run);
  return run;
}

/** What the reader does with its reads: each run by its highest-ranked item, then `keepsRun`. */
function runsFound(table: Table, window: TimeWindow, scope: RunScope = {}): TaskRun[] {
  const best = new Map<string, { rank: string; run: TaskRun }>();
  for (const read of runReadsOf(window, scope))
    for (const item of itemsOf(table, read)) {
      const run = decoded(item);
      const rank = String(item['rk']);
      const current = best.get(run.id);
      if (current === undefined || rank > current.rank) best.set(run.id, { rank, run });
    }
  return [...best.values()].map(({ run }) => run).filter((run) => keepsRun(run, window, scope));
}

/** The model: every run of every record, active in the window, in the scope. */
function modelRuns(records: readonly AuditRecord[], window: TimeWindow, scope: RunScope = {}) {
  return toTaskRuns(records).filter(
    (run) =>
      isActiveDuring(run, window) &&
      (scope.cluster === undefined || isCluster(run.record.clusterArn, scope.cluster)) &&
      (scope.group === undefined || groupOf(run.record) === scope.group),
  );
}

/** A run as compared: id, the record telling it, its end. */
const told = (runs: readonly TaskRun[]) =>
  runs.map((run) => `${run.id} ${run.record.recordId} ${run.end} ${run.endTime ?? ''}`).sort();

/** A window: an instant ([T, T]), or from an instant for up to 40 days; often on boundaries. */
const windowArb: fc.Arbitrary<TimeWindow> = fc
  .record({
    fromMs: instantArb(LIVES_EPOCH - 50 * DAY_MS, LIVES_EPOCH + 60 * DAY_MS),
    length: fc.oneof(
      fc.constant(0),
      fc.integer({ min: 0, max: HOUR_MS }),
      fc.integer({ min: 0, max: 3 * DAY_MS }),
      fc.integer({ min: 0, max: 40 * DAY_MS }),
      fc.constantFrom(HOUR_MS - 1, HOUR_MS, DAY_MS - 1, DAY_MS),
    ),
  })
  .map(({ fromMs, length }) => ({ from: iso(fromMs), to: iso(fromMs + length) }));

const scopeArb: fc.Arbitrary<RunScope> = fc.oneof(
  fc.constant({}),
  fc.constantFrom(...LIFE_CLUSTERS).map((cluster) => ({ cluster })),
  fc
    .record({
      cluster: fc.constantFrom(
        ...LIFE_CLUSTERS,
        ...LIFE_CLUSTERS.map((name) => `arn:aws:ecs:eu-west-1:111122223333:cluster/${name}`),
      ),
      group: fc.constantFrom('service:web', 'service:api', 'family:report', 'family:etl'),
    })
    .map((scope) => scope),
);

describe('runReadsOf and keepsRun: complete against the model', () => {
  it('find exactly the runs active in any window or at any instant, in any scope', () => {
    fc.assert(
      fc.property(
        taskLivesArb({ minLength: 1, maxLength: 12 }),
        fc.array(fc.tuple(windowArb, scopeArb), { minLength: 1, maxLength: 12 }),
        (lives, queries) => {
          const records = lives.flatMap((life) => life.records);
          const table = tableOf(storedItemsOf(records, RETENTION_DAYS));
          for (const [window, scope] of queries)
            expect(told(runsFound(table, window, scope))).toEqual(
              told(modelRuns(records, window, scope)),
            );
        },
      ),
      { numRuns: 200 },
    );
  });

  it('find a run carried across 30+ days at every instant of it, and not a millisecond after', () => {
    fc.assert(
      fc.property(
        taskLivesArb({ minLength: 1, maxLength: 6 }),
        fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: 1, maxLength: 8 }),
        (lives, shares) => {
          const records = lives.flatMap((life) => life.records);
          const table = tableOf(storedItemsOf(records, RETENTION_DAYS));
          for (const run of toTaskRuns(records)) {
            const start = Date.parse(run.startTime);
            const end = run.endTime === undefined ? start + 60 * DAY_MS : Date.parse(run.endTime);
            const instants = [
              ...shares.map((share) => Math.floor(start + share * (end - start))),
              end,
            ];
            for (const at of instants) {
              const found = runsFound(table, { from: iso(at), to: iso(at) }).map((r) => r.id);
              if (isActiveDuring(run, { from: iso(at), to: iso(at) }))
                expect(found).toContain(run.id);
            }
            if (run.end !== 'open') {
              const after = iso(Math.max(start, end) + 1);
              expect(runsFound(table, { from: after, to: after }).map((r) => r.id)).not.toContain(
                run.id,
              );
            }
          }
        },
      ),
      { numRuns: 100 },
    );
  });
});

describe('runReadsOf: which partitions', () => {
  it('reads every start hour of the window, the open runs and two carry partitions, per shard', () => {
    const reads = runReadsOf({ from: '2026-11-20T10:15:00.000Z', to: '2026-11-20T12:00:00.000Z' });
    const keys = reads.map((read) => `${read.indexName ?? 'table'} ${read.partitionKey}`);

    expect(keys.filter((key) => key.endsWith('#0'))).toEqual([
      'runs S#2026-11-20T10#0',
      'runs S#2026-11-20T11#0',
      'runs S#2026-11-20T12#0',
      'runs S#OPEN#0',
      'table A#D#2026-11-20#0',
      'table A#H#2026-11-20T10#0',
    ]);
    expect(reads).toHaveLength(6 * 4);
    expect(reads.every((read) => read.sortKey === undefined)).toBe(true);
  });

  it('narrows by cluster with a prefix, and by cluster and group with a range up to the window end', () => {
    const window = { from: '2026-11-20T10:15:00.000Z', to: '2026-11-20T10:30:00.000Z' };
    const cluster = runReadsOf(window, { cluster: 'arn:aws:ecs:eu-west-1:1:cluster/prod' });
    const group = runReadsOf(window, { cluster: 'prod', group: 'service:web' });

    expect(new Set(cluster.map((read) => JSON.stringify(read.sortKey)))).toEqual(
      new Set([JSON.stringify({ beginsWith: 'prod#' })]),
    );
    expect(group.find((read) => read.partitionKey === 'S#2026-11-20T10#1')?.sortKey).toEqual({
      between: [
        'prod#service:web#2026-11-20T10:00:00.000Z',
        'prod#service:web#2026-11-20T10:30:00.000Z#\uffff',
      ],
    });
    expect(group.find((read) => read.partitionKey === 'S#OPEN#1')?.sortKey).toEqual({
      between: ['prod#service:web#', 'prod#service:web#2026-11-20T10:30:00.000Z#\uffff'],
    });
    expect(group.find((read) => read.partitionKey === 'A#D#2026-11-20#1')?.sortKey).toEqual({
      beginsWith: 'prod#service:web#',
    });
  });

  it('reads only the open partitions for the runs open now', () => {
    expect(openRunReadsOf({ cluster: 'prod' }).map((read) => read.partitionKey)).toEqual([
      'S#OPEN#0',
      'S#OPEN#1',
      'S#OPEN#2',
      'S#OPEN#3',
    ]);
  });

  it('reads the failures of each day of the window, between its ends', () => {
    const reads = failureReadsOf({
      from: '2026-11-19T23:00:00.000Z',
      to: '2026-11-20T01:00:00.000Z',
    });

    expect(reads.map((read) => read.partitionKey)).toEqual([
      ...[0, 1, 2, 3].map((shard) => `X#2026-11-19#${shard}`),
      ...[0, 1, 2, 3].map((shard) => `X#2026-11-20#${shard}`),
    ]);
    expect(reads[0]?.sortKey).toEqual({
      between: ['2026-11-19T23:00:00.000Z', '2026-11-20T01:00:00.000Z#\uffff'],
    });
  });

  it('rejects a window that ends before it starts, one too long, and what is not a time', () => {
    const from = '2026-11-20T00:00:00.000Z';
    const tooFar = iso(Date.parse(from) + (MAX_WINDOW_DAYS + 1) * DAY_MS);

    expect(() => runReadsOf({ from, to: '2026-11-19T23:59:59.999Z' })).toThrow(RangeError);
    expect(() => runReadsOf({ from, to: tooFar })).toThrow(RangeError);
    expect(() => daysBetween(from, tooFar)).toThrow(RangeError);
    expect(() => runReadsOf({ from: 'yesterday', to: from })).toThrow(RangeError);
    expect(hoursBetween(from, from)).toEqual(['2026-11-20T00']);
    expect(daysBetween('2026-11-19T23:59:59.999Z', from)).toEqual(['2026-11-19', '2026-11-20']);
  });
});

describe('clusters', () => {
  it('names a cluster by its name or ARN', () => {
    const arn = 'arn:aws:ecs:eu-west-1:111122223333:cluster/prod';

    expect(clusterNameOf(arn)).toBe('prod');
    expect(clusterNameOf('prod')).toBe('prod');
    expect([isCluster(arn, 'prod'), isCluster(arn, arn), isCluster(arn, 'pro')]).toEqual([
      true,
      true,
      false,
    ]);
  });
});
