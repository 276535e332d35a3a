/**
 * The incident store on real servers: conditional writes that never lose or double a change
 * under concurrent writers, outbox entries that join an item without touching the others, and
 * leases that one sender at a time holds. Documents here are small counters of the test's own:
 * the store is generic over what it keeps.
 */
import type { LocalDynamoDb, LocalDynamoDbKind } from '@ecslog/audit-store/testing';
import {
  createAuditTable,
  localClient,
  scanTable,
  startLocalDynamoDb,
} from '@ecslog/audit-store/testing';
import { createAuditReader } from '@ecslog/audit-store';
import type { ItemRef } from '@ecslog/incidents';
import { incidentMessageFixture } from '../testing';
import { decodeDocument } from './document-codec';
import type { IncidentStore } from './incident-store';
import {
  createIncidentStore,
  IncidentConflictError,
  outboxKeyOf,
  PARTITION,
} from './incident-store';

interface Counter {
  kind: 'incident';
  id: string;
  count: number;
}

const AT = Date.parse('2026-11-30T02:06:00.000Z');
const ref = (id: string): ItemRef => ({ kind: 'incident', id });
const increment = (current: Counter | undefined, id: string) => ({
  doc: { kind: 'incident' as const, id, count: (current?.count ?? 0) + 1 },
  deliveries: [],
});

describe.each<LocalDynamoDbKind>(['dynamodb-local', 'dynalite'])('incident store on %s', (kind) => {
  let server: LocalDynamoDb;
  let tableName: string;
  let store: IncidentStore;

  beforeAll(async () => {
    server = await startLocalDynamoDb(kind);
    tableName = await createAuditTable(server.client);
    store = createIncidentStore({ client: server.client, tableName });
  }, 60_000);
  afterAll(async () => {
    await server?.stop();
  });

  it('creates an item, then changes it only from the version it read', async () => {
    const id = 'arn:aws:ecs:eu-west-1:123456789012:cluster/prod#service:web#failure#out-of-memory';

    const first = await store.update<Counter>(ref(id), (c) => increment(c, id), AT);
    const second = await store.update<Counter>(ref(id), (c) => increment(c, id), AT);
    const none = await store.update<Counter>(ref(id), () => undefined, AT);

    expect(first).toMatchObject({ version: 1, previous: undefined, doc: { count: 1 } });
    expect(second).toMatchObject({ version: 2, previous: { version: 1, doc: { count: 1 } } });
    expect(none).toBeUndefined();
    expect(await store.read<Counter>(ref(id))).toEqual({
      version: 2,
      doc: { kind: 'incident', id, count: 2 },
    });
    // A write from a version that is no longer current is refused.
    expect(await store.write(ref(id), 1, increment(undefined, id), AT)).toBe(false);
    expect(await store.write(ref(id), undefined, increment(undefined, id), AT)).toBe(false);
  });

  it('concurrent writers lose no change and make none twice', async () => {
    const id = 'counter#concurrent';
    const writers = 12;

    await Promise.all(
      Array.from({ length: writers }, () =>
        store.update<Counter>(ref(id), (c) => increment(c, id), AT, 50),
      ),
    );

    expect(await store.read<Counter>(ref(id))).toEqual({
      version: writers,
      doc: { kind: 'incident', id, count: writers },
    });
  }, 60_000);

  it('gives up after its rounds when every round loses the race, having written nothing', async () => {
    const id = 'counter#contended';
    await store.update<Counter>(ref(id), (c) => increment(c, id), AT);
    // A client whose every conditional write is overtaken by another writer's, just before it.
    const contended = localClient(server.endpoint);
    let overtaken = 0;
    contended.middlewareStack.add(
      (next, context) => async (args) => {
        if (context.commandName === 'UpdateItemCommand') {
          const stored = await store.read<Counter>(ref(id));
          await store.write(ref(id), stored?.version, increment(stored?.doc, id), AT);
          overtaken += 1;
        }
        return next(args);
      },
      { step: 'initialize', name: 'overtakeEveryWrite' },
    );
    let rounds = 0;

    const outcome = await createIncidentStore({ client: contended, tableName })
      .update<Counter>(
        ref(id),
        (c) => {
          rounds += 1;
          return { ...increment(c, id), doc: { kind: 'incident', id, count: -1 } };
        },
        AT,
        3,
      )
      .then(
        () => 'written',
        (error: unknown) => error,
      );

    contended.destroy();
    expect(outcome).toBeInstanceOf(IncidentConflictError);
    expect((outcome as Error).message).toBe(
      `incident ${id}: still changed by another writer after 3 rounds`,
    );
    expect([rounds, overtaken]).toEqual([3, 3]);
    expect(await store.read<Counter>(ref(id))).toEqual({
      version: 4,
      doc: { kind: 'incident', id, count: 4 },
    });
  });

  it('queues deliveries in the same write, keeping the entries already queued', async () => {
    const id = 'counter#outbox';
    const opened = incidentMessageFixture('opened');
    const updated = incidentMessageFixture('updated', { n: 1 });

    await store.update<Counter>(
      ref(id),
      (c) => ({ ...increment(c, id), deliveries: [{ message: opened, channel: 'webhook' }] }),
      AT,
    );
    await store.update<Counter>(
      ref(id),
      (c) => ({
        ...increment(c, id),
        deliveries: [
          { message: updated, channel: 'webhook' },
          { message: updated, channel: 'slack' },
        ],
      }),
      AT + 1_000,
    );

    const [box] = (await store.outboxes()).filter((b) => b.ref.id === id);
    expect(Object.keys(box?.entries ?? {}).sort()).toEqual(
      [
        outboxKeyOf(opened.messageId, 'webhook'),
        outboxKeyOf(updated.messageId, 'webhook'),
        outboxKeyOf(updated.messageId, 'slack'),
      ].sort(),
    );
    const entry = box?.entries[outboxKeyOf(opened.messageId, 'webhook')];
    expect({ ...entry, m: decodeDocument(entry?.m) }).toEqual({
      c: 'webhook',
      m: opened,
      a: 0,
      n: AT,
      s: 1_000,
    });
    const later = box?.entries[outboxKeyOf(updated.messageId, 'slack')];
    expect(later?.s).toBeGreaterThan(entry?.s ?? Infinity);
  });

  it('one sender at a time holds an entry; an expired lease passes to another', async () => {
    const id = 'counter#lease';
    const message = incidentMessageFixture('opened');
    const key = outboxKeyOf(message.messageId, 'webhook');
    await store.update<Counter>(
      ref(id),
      (c) => ({ ...increment(c, id), deliveries: [{ message, channel: 'webhook' }] }),
      AT,
    );

    const claims = await Promise.all(
      ['a', 'b', 'c', 'd'].map((token) => store.claim(ref(id), key, token, AT, 60_000)),
    );
    const held = claims.filter((claim) => claim !== undefined);
    expect(held).toHaveLength(1);
    expect(await store.claim(ref(id), key, 'late', AT + 59_999, 60_000)).toBeUndefined();

    const taken = await store.claim(ref(id), key, 'after-expiry', AT + 60_001, 60_000);
    expect(taken).toMatchObject({ o: 'after-expiry', l: AT + 120_001 });
    expect(decodeDocument(taken?.m)).toEqual(message);
    // The first holder's lease is gone: it can neither remove nor postpone the entry.
    expect(await store.remove(ref(id), key, String(held[0]?.o))).toBe(false);
    expect(await store.remove(ref(id), key, 'after-expiry')).toBe(true);
    expect(await store.claim(ref(id), key, 'again', AT + 200_000, 60_000)).toBeUndefined();
  });

  it('an entry postponed is not due until its time', async () => {
    const id = 'counter#postponed';
    const message = incidentMessageFixture('opened');
    const key = outboxKeyOf(message.messageId, 'webhook');
    await store.update<Counter>(
      ref(id),
      (c) => ({ ...increment(c, id), deliveries: [{ message, channel: 'webhook' }] }),
      AT,
    );
    await store.claim(ref(id), key, 't1', AT, 60_000);

    expect(
      await store.postpone(ref(id), key, 't1', {
        attempts: 1,
        nextAt: AT + 30_000,
        error: 'ChannelError: answered 500',
        givenUp: false,
      }),
    ).toBe(true);

    expect(await store.claim(ref(id), key, 't2', AT + 29_999, 60_000)).toBeUndefined();
    expect(await store.claim(ref(id), key, 't2', AT + 30_000, 60_000)).toMatchObject({
      a: 1,
      e: 'ChannelError: answered 500',
      o: 't2',
    });
  });

  it('keeps everything under I# partitions, invisible to the run readers', async () => {
    const items = await scanTable(server.client, tableName);
    expect(items.length).toBeGreaterThan(0);
    for (const item of items) {
      expect(item['pk']?.S).toMatch(/^I#/);
      for (const indexKey of ['rpk', 'fpk', 'epk', 'lk']) expect(item[indexKey]).toBeUndefined();
    }
    expect(items.every((item) => item['pk']?.S === PARTITION.state)).toBe(true);
    const reader = createAuditReader({ client: server.client, tableName });
    expect((await reader.openRuns()).runs).toEqual([]);
  });
});
