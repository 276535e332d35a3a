/**
 * The writers' origin mark (issue 18): a backfill or redrive writer puts `src` on every item it
 * writes, a live write of a ranked item removes it, and live items are exactly what they were
 * before the mark existed (so a live write costs the same). Against DynamoDB Local, with both ways
 * of sending conditional writes, and dynalite (which has no PartiQL: `single`).
 */
import type { ConsumedCapacity } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { AuditRecord } from '@ecslog/ecs-event-mapper';
import { mapEvent } from '@ecslog/ecs-event-mapper';
import {
  fixtureRecords,
  sampleLiveTraffic,
  TASK_LIFECYCLE_FIXTURES,
} from '@ecslog/ecs-event-mapper/testing';
import type { ConditionalWrites, RecordOrigin } from './audit-writer';
import { createAuditWriter, ORIGIN_ATTRIBUTE, originOfItem } from './audit-writer';
import { storedItemsOf } from './item-codec';
import type { LocalDynamoDb, RawItem } from './testing';
import {
  createAuditTable,
  localClient,
  scanTable,
  startDynalite,
  startDynamoDbLocal,
} from './testing';

const RETENTION_DAYS = 3650;
const NOW = Date.parse('2026-11-21T12:00:00.000Z');

/** Versions 1–7 of one Fargate task of service `web` (cluster prod-web), 2026-11-20. */
const LIFECYCLE = TASK_LIFECYCLE_FIXTURES.map((path) => fixtureRecords(path)[0] as AuditRecord);
const LIFE_ID = (LIFECYCLE[0] as AuditRecord).resourceArn.split('/').pop() as string;
const v = (version: number) => LIFECYCLE[version - 1] as AuditRecord;

/** The benchmark's mix, small: runs that end (carries, companions), instances (latest states), services. */
const TRAFFIC: AuditRecord[] = sampleLiveTraffic({ events: 300, seed: 18 }).flatMap((event) => {
  const result = mapEvent(event);
  return result.kind === 'mapped' ? result.records : [];
});

const keyOf = (item: Record<string, unknown>) => `${String(item['pk'])} ${String(item['sk'])}`;
const isMapping = (item: Record<string, unknown>) => String(item['pk']).startsWith('M#');
const marks = (items: readonly RawItem[]) =>
  Object.fromEntries(
    items.map((raw) => unmarshall(raw)).map((item) => [keyOf(item), item[ORIGIN_ATTRIBUTE]]),
  );

/** One DynamoDB Local for both of its setups (a JVM start is the slow part), stopped at the end. */
let dynamoDbLocal: Promise<LocalDynamoDb> | undefined;
const sharedDynamoDbLocal = () => (dynamoDbLocal ??= startDynamoDbLocal());
afterAll(async () => {
  await (await dynamoDbLocal)?.stop();
});

const SETUPS: [string, () => Promise<LocalDynamoDb>, ConditionalWrites, boolean][] = [
  ['dynamodb-local, statements', sharedDynamoDbLocal, 'statements', true],
  ['dynamodb-local, single', sharedDynamoDbLocal, 'single', true],
  ['dynalite', startDynalite, 'statements', false],
];

describe.each(SETUPS)('origin mark on %s', (_name, start, conditionalWrites, shared) => {
  let server: LocalDynamoDb;
  let tableName: string;
  const writer = (origin?: RecordOrigin, client = server.client) =>
    createAuditWriter({
      client,
      tableName,
      retentionDays: RETENTION_DAYS,
      conditionalWrites,
      now: () => NOW,
      ...(origin ? { origin } : {}),
    });

  beforeAll(async () => {
    server = await start();
  });
  afterAll(async () => {
    if (!shared) await server?.stop();
  });
  beforeEach(async () => {
    tableName = await createAuditTable(server.client);
  });

  it('marks every item a backfill writes but image mappings; a later live state change of the run clears its mark', async () => {
    const backfilled = await writer('backfill').writeRecords([v(1), v(2), v(3), v(4)]);
    expect(backfilled.map((r) => r.status)).toEqual(['stale', 'stale', 'stale', 'written']);
    const before = marks(await scanTable(server.client, tableName));
    const run = `T#${LIFE_ID} RUN`;
    expect(before[run]).toBe('backfill');
    for (const [key, mark] of Object.entries(before))
      expect([key, mark]).toEqual([key, key.startsWith('M#') ? undefined : 'backfill']);

    // A new live writer (as a Lambda cold start): INSERT finds the item, then UPDATE.
    const live = await writer().writeRecords([v(5), v(6), v(7)]);
    expect(live.map((r) => r.status)).toEqual(['stale', 'stale', 'written']);
    const after = marks(await scanTable(server.client, tableName));
    expect(after[run]).toBeUndefined();
    const historyOf = (record: AuditRecord) =>
      Object.keys(after).find((key) => key.startsWith(`T#${LIFE_ID} H#${record.eventTime}`));
    for (const record of [v(1), v(2), v(3), v(4)])
      expect(after[historyOf(record) as string]).toBe('backfill');
    for (const record of [v(5), v(6), v(7)])
      expect(after[historyOf(record) as string]).toBeUndefined();
    // The ended run's other items (carries, companions) were written live only.
    for (const key of Object.keys(after).filter((k) => !(k in before)))
      expect([key, after[key]]).toEqual([key, undefined]);
  });

  it("keeps the ranked items' marks when a live write is stale; its history puts are live again", async () => {
    await writer('backfill').writeRecords(LIFECYCLE);
    const before = marks(await scanTable(server.client, tableName));
    const again = await writer().writeRecords([v(7), v(3)]);
    expect(again.map((r) => r.status)).toEqual(['stale', 'stale']);
    const after = marks(await scanTable(server.client, tableName));
    // The run and its carries did not change (no stream record either); a history item is put
    // whole, so the live delivery of a record stands for itself.
    const rewritten = Object.keys(after).filter((key) => after[key] !== before[key]);
    expect(rewritten.sort()).toEqual(
      [v(3), v(7)].map((r) => expect.stringMatching(`^T#${LIFE_ID} H#${r.eventTime}#`)),
    );
    expect(rewritten.map((key) => after[key])).toEqual([undefined, undefined]);
    expect(after[`T#${LIFE_ID} RUN`]).toBe('backfill');
  });

  it('marks a redrive as redrive, and originOfItem reads every mark back', async () => {
    await writer('redrive').writeRecords(TRAFFIC);
    const items = (await scanTable(server.client, tableName)).map((raw) => unmarshall(raw));
    const kinds = new Set(items.map((item) => String(item['sk']).replace(/#.*/, '')));
    // Run items, history, carries, companions and latest states are all there to be marked.
    expect([...kinds]).toEqual(expect.arrayContaining(['RUN', 'H', 'L', 'LATEST']));
    expect(
      items.some(
        (item) => String(item['pk']).startsWith('A#D#') || String(item['pk']).startsWith('A#H#'),
      ),
    ).toBe(true);
    for (const item of items)
      expect([keyOf(item), originOfItem(item)]).toEqual([
        keyOf(item),
        isMapping(item) ? 'live' : 'redrive',
      ]);
  });

  it('writes live items exactly as the codec makes them: no mark, so the same size and write units', async () => {
    const metered = localClient(server.endpoint);
    let units = 0;
    let unmetered = 0;
    // ReturnConsumedCapacity on every write that takes it (DynamoDB Local answers it; PartiQL
    // statements and dynalite do not, so only `single` on DynamoDB Local is measured).
    metered.middlewareStack.add(
      (next) => async (args) => {
        const input = args.input as { ReturnConsumedCapacity?: string };
        input.ReturnConsumedCapacity = 'TOTAL';
        const result = await next(args);
        const consumed = (
          result.output as { ConsumedCapacity?: ConsumedCapacity | ConsumedCapacity[] }
        ).ConsumedCapacity;
        if (consumed === undefined) unmetered += 1;
        for (const c of [consumed ?? []].flat()) units += c.CapacityUnits ?? 0;
        return result;
      },
      { step: 'initialize', name: 'meterCapacity' },
    );
    try {
      const results = await writer('live', metered).writeRecords(TRAFFIC);
      expect(results.filter((r) => r.status === 'failed')).toEqual([]);
      const liveUnits = units;
      const stored = (await scanTable(server.client, tableName)).map((raw) => unmarshall(raw));
      const expected = new Map(
        storedItemsOf(TRAFFIC, RETENTION_DAYS).map((item) => [keyOf(item), item]),
      );
      expect(stored.length).toBe(expected.size);
      for (const item of stored) expect(item).toEqual(expected.get(keyOf(item)));

      tableName = await createAuditTable(server.client);
      units = 0;
      await writer('backfill', metered).writeRecords(TRAFFIC);
      console.log(
        `${_name}: ${TRAFFIC.length} records, write units live ${liveUnits.toFixed(1)}, ` +
          `backfill (marked) ${units.toFixed(1)}; ${unmetered} responses without ConsumedCapacity`,
      );
      if (conditionalWrites === 'single' && _name.startsWith('dynamodb-local')) {
        expect(liveUnits).toBeGreaterThan(0);
        // Eleven more bytes an item: a few items cross a 1 KB boundary, never fewer units.
        expect(units).toBeGreaterThanOrEqual(liveUnits);
      }
    } finally {
      metered.destroy();
    }
  });
});

describe('originOfItem', () => {
  it('is live without a mark, the mark otherwise, and never live for a mark it does not know', () => {
    expect(originOfItem({ pk: 'T#1', sk: 'RUN' })).toBe('live');
    expect(originOfItem({ pk: 'T#1', sk: 'RUN', src: 'backfill' })).toBe('backfill');
    expect(originOfItem({ pk: 'T#1', sk: 'RUN', src: 'redrive' })).toBe('redrive');
    expect(originOfItem({ pk: 'T#1', sk: 'RUN', src: 'replay-2027' })).toBe('backfill');
  });
});
