/**
 * The store's promise, as a property against real servers: random task lives (stopped after up to
 * 45 days, still open, never started, known only by RunTask/StopTask calls), delivered in any
 * order with duplicates in random calls, leave
 * (a) the same table as the records written once, in order — and the table the codec says;
 * (b) `runsDuring` equal to the brute-force model over the whole history, for random windows and
 *     instants, in random scopes;
 * (c) `openRuns` equal to the model's open runs.
 */
import fc from 'fast-check';
import { marshall } from '@aws-sdk/util-dynamodb';
import type { TaskRun, TimeWindow } from '@ecslog/task-runs';
import { isActiveDuring, toTaskRuns } from '@ecslog/task-runs';
import { createAuditReader } from './audit-reader';
import { createAuditWriter } from './audit-writer';
import { groupOf, storedItemsOf } from './item-codec';
import type { RunScope } from './run-query-plan';
import { isCluster } from './run-query-plan';
import type { LocalDynamoDb, LocalDynamoDbKind, RawItem } from './testing';
import {
  createAuditTable,
  deliveriesOf,
  instantArb,
  LIFE_CLUSTERS,
  LIVES_EPOCH,
  scanTable,
  startLocalDynamoDb,
  taskLivesArb,
} from './testing';

const RETENTION_DAYS = 3650;
const NOW = LIVES_EPOCH + 10 * 86_400_000;
const DAY_MS = 86_400_000;
const iso = (ms: number) => new Date(ms).toISOString();
const SEED = Number(process.env['FC_SEED'] ?? Date.now() % 2 ** 31);

const windowArb: fc.Arbitrary<TimeWindow> = fc
  .record({
    fromMs: instantArb(LIVES_EPOCH - 45 * DAY_MS, LIVES_EPOCH + 50 * DAY_MS),
    length: fc.oneof(
      fc.constant(0),
      fc.integer({ min: 0, max: 6 * 3_600_000 }),
      fc.integer({ min: 0, max: 2 * DAY_MS }),
    ),
  })
  .map(({ fromMs, length }) => ({ from: iso(fromMs), to: iso(fromMs + length) }));

const scopeArb: fc.Arbitrary<RunScope> = fc.oneof(
  fc.constant({}),
  fc.constantFrom(...LIFE_CLUSTERS).map((cluster) => ({ cluster })),
  fc.record({
    cluster: fc.constantFrom(...LIFE_CLUSTERS),
    group: fc.constantFrom('service:web', 'service:api', 'family:report', 'family:etl'),
  }),
);

const caseArb = taskLivesArb({ minLength: 1, maxLength: 8 }).chain((lives) => {
  const records = lives.flatMap((life) => life.records);
  return fc.record({
    records: fc.constant(records),
    calls: deliveriesOf(records, 30),
    queries: fc.array(fc.tuple(windowArb, scopeArb), { minLength: 1, maxLength: 3 }),
  });
});

const inScope = (run: TaskRun, scope: RunScope) =>
  (scope.cluster === undefined || isCluster(run.record.clusterArn, scope.cluster)) &&
  (scope.group === undefined || groupOf(run.record) === scope.group);
/** A run as compared: id, the record telling it, its end. */
const told = (runs: readonly TaskRun[]) =>
  runs.map((run) => `${run.id} ${run.record.recordId} ${run.end} ${run.endTime ?? ''}`).sort();
/** The codec's items as a scan returns them. */
const asScanned = (items: ReturnType<typeof storedItemsOf>): RawItem[] =>
  items
    .map((item) => marshall(item) as RawItem)
    .sort((a, b) => {
      const key = (i: RawItem) => `${i['pk']?.S ?? ''}\u0000${i['sk']?.S ?? ''}`;
      return key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0;
    });

describe.each<LocalDynamoDbKind>(['dynamodb-local', 'dynalite'])(
  'audit store property on %s',
  (kind) => {
    let server: LocalDynamoDb;

    beforeAll(async () => {
      server = await startLocalDynamoDb(kind);
    });
    afterAll(async () => {
      await server?.stop();
    });

    it('holds the same table and answers like the model, whatever the delivery', async () => {
      console.log(`audit store property on ${kind}: seed ${SEED} (replay with FC_SEED=${SEED})`);
      await fc.assert(
        fc.asyncProperty(caseArb, async ({ records, calls, queries }) => {
          const [delivered, inOrder] = await Promise.all([
            createAuditTable(server.client),
            createAuditTable(server.client),
          ]);
          const writerOf = (tableName: string) =>
            createAuditWriter({
              client: server.client,
              tableName,
              retentionDays: RETENTION_DAYS,
              now: () => NOW,
            });
          const writer = writerOf(delivered);
          const results = [];
          for (const call of calls) results.push(...(await writer.writeRecords(call)));
          const once = await writerOf(inOrder).writeRecords(records);

          // (a) One table, whatever the delivery; the codec's table.
          const table = await scanTable(server.client, delivered);
          expect(table).toEqual(await scanTable(server.client, inOrder));
          expect(table).toEqual(asScanned(storedItemsOf(records, RETENTION_DAYS)));
          expect(results.filter((r) => r.status !== 'written' && r.status !== 'stale')).toEqual([]);
          expect(once.every((r) => r.status === 'written' || r.status === 'stale')).toBe(true);

          // (b) Runs active in each window, in its scope.
          const reader = createAuditReader({
            client: server.client,
            tableName: delivered,
            now: () => NOW,
          });
          const model = toTaskRuns(records);
          for (const [window, scope] of queries) {
            const { runs } = await reader.runsDuring(window, scope);
            expect(told(runs)).toEqual(
              told(model.filter((run) => isActiveDuring(run, window) && inScope(run, scope))),
            );
          }

          // (c) Runs open now.
          const { runs: open } = await reader.openRuns();
          expect(told(open)).toEqual(told(model.filter((run) => run.end === 'open')));
        }),
        { numRuns: 6, seed: SEED },
      );
    }, 120_000);
  },
);
