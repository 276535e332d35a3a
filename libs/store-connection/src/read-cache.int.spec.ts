/**
 * The web view's read cache over the real local store (dynalite behind its guard, opened by
 * openLocalStore): the store's write generation moves with every write answered, from this
 * process's client or another's, and a reader that keeps its reads under it answers as a reader
 * of the store does, whatever the interleaving of writes and reads.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DeleteItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { AuditReader, RunScope } from '@ecslog/audit-store';
import { createAuditReader, createAuditWriter, runReadsOf } from '@ecslog/audit-store';
import { deliveriesOf, LIVES_EPOCH, taskLivesArb } from '@ecslog/audit-store/testing';
import type { AuditRecord } from '@ecslog/ecs-event-mapper';
import type { TimeWindow } from '@ecslog/task-runs';
import { isActiveDuring, toTaskRuns } from '@ecslog/task-runs';
import fc from 'fast-check';
import { ecslogHome, LOCAL_TABLE_NAME } from './ecslog-home';
import type { LocalStore } from './local-store';
import { localClient, openLocalStore } from './local-store';
import { readStoreCredentials } from './store-credentials';
import type { StoreCredentials } from './store-credentials';

const DAY_MS = 86_400_000;
const NOW = LIVES_EPOCH + 10 * DAY_MS;
const iso = (ms: number) => new Date(ms).toISOString();
const SEED = Number(process.env['FC_SEED'] ?? Date.now() % 2 ** 31);

/** Few windows, so that reads repeat and the cache is used. */
const WINDOWS: TimeWindow[] = [
  { from: iso(LIVES_EPOCH - DAY_MS), to: iso(LIVES_EPOCH - 1) },
  { from: iso(LIVES_EPOCH), to: iso(LIVES_EPOCH + DAY_MS - 1) },
  { from: iso(LIVES_EPOCH + 2 * 3_600_000), to: iso(LIVES_EPOCH + 2 * 3_600_000) },
  { from: iso(LIVES_EPOCH - DAY_MS / 2), to: iso(LIVES_EPOCH + DAY_MS / 2) },
];
/** The window the examples read (a day: a few dozen partition reads). */
const DAY = WINDOWS[1] as TimeWindow;

describe('the read cache over the local store', () => {
  let dir: string;
  let store: LocalStore;
  let credentials: StoreCredentials;
  /** Another ecslog process's client of the store: its writes pass the guard, not this client. */
  let other: DynamoDBClient;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ecslog-read-cache-'));
    const home = ecslogHome({ ECSLOG_HOME: 'home' }, dir);
    store = await openLocalStore({ home, role: 'local', cwd: dir });
    credentials = (await readStoreCredentials(home.credentials)) as StoreCredentials;
    other = localClient(store.endpoint as string, credentials);
  });
  afterAll(async () => {
    other?.destroy();
    await store?.close();
    await rm(dir, { recursive: true, force: true });
  });

  const writerOf = (client: DynamoDBClient) =>
    createAuditWriter({ client, tableName: LOCAL_TABLE_NAME, retentionDays: 3650, now: () => NOW });
  const cachedReaderOf = (client: DynamoDBClient = store.client): AuditReader =>
    createAuditReader({
      client,
      tableName: LOCAL_TABLE_NAME,
      now: () => NOW,
      readCache: { generation: store.generation as () => number },
    });
  const storeReader = () =>
    createAuditReader({
      client: store.client,
      tableName: LOCAL_TABLE_NAME,
      now: () => NOW,
      decodedRuns: 0,
    });
  /** The records of `count` task lives whose runs are active in {@link DAY} (the same for a seed). */
  const livesOf = (seed: number, count: number): AuditRecord[] =>
    (fc.sample(taskLivesArb({ minLength: 40, maxLength: 40 }), { numRuns: 1, seed })[0] ?? [])
      .filter((life) => toTaskRuns(life.records).some((run) => isActiveDuring(run, DAY)))
      .slice(0, count)
      .flatMap((life) => life.records);
  const ids = (runs: readonly { id: string }[]) => runs.map((run) => run.id).sort();

  describe('the write generation', () => {
    it('moves with each write another client sends through the guard, failed or not, and not with reads', async () => {
      const generation = store.generation as () => number;
      const before = generation();
      await storeReader().runsDuring(WINDOWS[1] as TimeWindow);
      expect(generation()).toBe(before);

      await other.send(
        new PutItemCommand({
          TableName: LOCAL_TABLE_NAME,
          Item: { pk: { S: 'X#generation' }, sk: { S: 'one' } },
        }),
      );
      expect(generation()).toBe(before + 1);

      await expect(
        other.send(
          new DeleteItemCommand({
            TableName: LOCAL_TABLE_NAME,
            Key: { pk: { S: 'X#generation' }, sk: { S: 'one' } },
            ConditionExpression: 'attribute_not_exists(pk)',
          }),
        ),
      ).rejects.toThrow(/conditional/i);
      expect(generation()).toBe(before + 2);
    });

    it('is told, as exactly, to a process that only connects to the store', async () => {
      const home = ecslogHome({ ECSLOG_HOME: 'home' }, dir);
      const client = await openLocalStore({ home, role: 'command', cwd: dir });
      try {
        expect(client.owned).toBe(false);
        const own = store.generation as () => number;
        expect(await client.generation?.()).toBe(own());
        await writerOf(client.client).writeRecords(livesOf(11, 1));
        expect(await client.generation?.()).toBe(own());
      } finally {
        await client.close();
      }
    });
  });

  it('serves a repeated read from memory, and reads the store again once another client wrote', async () => {
    await writerOf(other).writeRecords(livesOf(1, 4));
    const reader = cachedReaderOf();
    const first = await reader.runsDuring(DAY);
    expect(first.itemsRead).toBeGreaterThan(0);
    expect(first.itemsCached).toBe(0);

    const again = await reader.runsDuring(DAY);
    expect(again).toEqual({ runs: first.runs, itemsRead: 0, itemsCached: first.itemsRead });

    const more = livesOf(2, 3);
    await writerOf(other).writeRecords(more);
    const after = await reader.runsDuring(DAY);
    expect(after.itemsCached).toBe(0);
    expect(after.itemsRead).toBeGreaterThan(first.itemsRead);
    expect(ids(after.runs)).toEqual(ids((await storeReader().runsDuring(DAY)).runs));
    expect(after.runs.length).toBeGreaterThan(first.runs.length);
  });

  it('does not keep as fresh a read answered before a write that completed while it was in flight', async () => {
    // The reader's own client, sending every partition read at once: each answer is held until
    // all are in, then another client's write completes, then the reader has its answers. So the
    // whole read saw the store before the write and finishes after it: the widest race there is.
    const racing = localClient(store.endpoint as string, credentials);
    const queries = runReadsOf(DAY, {}).length;
    let race:
      { answered: number; write: () => Promise<unknown>; done?: Promise<unknown> } | undefined;
    racing.middlewareStack.add(
      (next, context) => async (args) => {
        const output = await next(args);
        const current = race;
        if (current === undefined || context.commandName !== 'QueryCommand') return output;
        current.answered += 1;
        if (current.answered === queries) current.done = current.write();
        while (current.done === undefined) await new Promise((resolve) => setTimeout(resolve, 5));
        await current.done;
        return output;
      },
      { step: 'initialize', name: 'writeWhileReading' },
    );
    try {
      const reader = createAuditReader({
        client: racing,
        tableName: LOCAL_TABLE_NAME,
        now: () => NOW,
        maxParallel: queries,
        readCache: { generation: store.generation as () => number },
      });
      const late = livesOf(3, 3);
      race = { answered: 0, write: () => writerOf(other).writeRecords(late) };
      const raced = await reader.runsDuring(DAY);
      race = undefined;

      const next = await reader.runsDuring(DAY);

      expect(next.itemsCached).toBe(0);
      expect(ids(next.runs)).toEqual(ids((await storeReader().runsDuring(DAY)).runs));
      expect(ids(next.runs)).not.toEqual(ids(raced.runs));
    } finally {
      racing.destroy();
    }
  });

  it('answers as a reader of the store does, in any interleaving of writes and reads', async () => {
    const reader = cachedReaderOf();
    const writer = writerOf(other);
    type Step = { write: AuditRecord[] } | { read: TimeWindow; scope: RunScope } | { open: true };
    const readArb: fc.Arbitrary<Step> = fc.oneof(
      fc.record({
        read: fc.constantFrom(...WINDOWS),
        scope: fc.constantFrom<RunScope>({}, { cluster: 'prod' }, { cluster: 'batch' }),
      }),
      fc.constant({ open: true as const }),
    );
    const stepsArb = taskLivesArb({ minLength: 1, maxLength: 5 })
      .chain((lives) =>
        deliveriesOf(
          lives.flatMap((life) => life.records),
          6,
        ),
      )
      .chain((calls) =>
        fc.array(readArb, { minLength: 2, maxLength: 10 }).chain((reads) => {
          const steps: Step[] = [...calls.map((write) => ({ write })), ...reads];
          return fc.shuffledSubarray(steps, { minLength: steps.length, maxLength: steps.length });
        }),
      );
    let served = 0;
    console.log(`read cache property: seed ${SEED} (replay with FC_SEED=${SEED})`);
    await fc.assert(
      fc.asyncProperty(stepsArb, async (steps) => {
        for (const step of steps) {
          if ('write' in step) {
            await writer.writeRecords(step.write);
            continue;
          }
          const [cached, direct] =
            'open' in step
              ? [await reader.openRuns(), await storeReader().openRuns()]
              : [
                  await reader.runsDuring(step.read, step.scope),
                  await storeReader().runsDuring(step.read, step.scope),
                ];
          served += cached.itemsCached;
          expect(cached.runs).toEqual(direct.runs);
        }
      }),
      // Each run writes its lives through the guard into dynalite on disk: ≈ 2 s a run on an idle
      // machine, ten times that in a loaded CI run, so few runs and room to spare.
      { numRuns: 6, seed: SEED },
    );
    // The property held with the cache in use, not around it.
    expect(served).toBeGreaterThan(0);
  }, 300_000);
});
