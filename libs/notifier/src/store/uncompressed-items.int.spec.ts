/**
 * Items written before documents were compressed (`doc` and each outbox entry's `m` as JSON
 * text, outbox keys of whole message ids) stay readable by everything that reads them — the store, the sender, the incident reader
 * and the mutes — and the next change of such an item writes it compressed, keeping its old
 * outbox entries deliverable.
 */
import { DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { LocalDynamoDb, LocalDynamoDbKind } from '@ecslog/audit-store/testing';
import { createAuditTable, scanTable, startLocalDynamoDb } from '@ecslog/audit-store/testing';
import type { IncidentItem, IncidentMessage, ItemRef, Mute } from '@ecslog/incidents';
import { createOutboxSender } from '../delivery/deliver-pending';
import { createIncidentReader } from '../incident-reader';
import { createMuteStore } from '../mutes';
import { incidentFixture, incidentMessageFixture } from '../testing';
import { createIncidentStore, historySortKeyOf, outboxKeyOf, PARTITION } from './incident-store';

const AT = Date.parse('2026-11-30T02:10:00.000Z');

describe.each<LocalDynamoDbKind>(['dynamodb-local', 'dynalite'])(
  'items written before compression, on %s',
  (kind) => {
    let server: LocalDynamoDb;

    beforeAll(async () => {
      server = await startLocalDynamoDb(kind);
    }, 60_000);
    afterAll(async () => {
      await server?.stop();
    });

    it('are read, delivered and rewritten compressed by the next change', async () => {
      const tableName = await createAuditTable(server.client);
      const raw = DynamoDBDocumentClient.from(server.client);
      const store = createIncidentStore({ client: server.client, tableName });
      const opened = incidentMessageFixture('opened');
      const incident = opened.incident;
      const ref: ItemRef = { kind: 'incident', id: incident.id };
      const item: IncidentItem = {
        kind: 'incident',
        id: incident.id,
        incident,
        countedRuns: ['tkd3a0k3f9q2z'],
        updates: 0,
        lastMessageAt: opened.createdAt,
        failedRunsAtLastMessage: 1,
      };
      const resolvedEarlier = incidentFixture({
        episode: 0,
        openedAt: '2026-11-29T01:00:00.000Z',
        status: 'resolved',
        resolvedAt: '2026-11-29T03:00:00.000Z',
        resolution: 'quiet-period',
      });
      const mute: Mute = { group: 'service:web', until: '2026-12-01T00:00:00.000Z' };
      // Arrange: the three kinds of item as the notifier wrote them before, JSON text.
      await raw.send(
        new PutCommand({
          TableName: tableName,
          Item: {
            pk: PARTITION.state,
            sk: incident.id,
            doc: JSON.stringify(item),
            version: 1,
            outbox: {
              [outboxKeyOf(opened.messageId, 'recording')]: {
                c: 'recording',
                m: JSON.stringify(opened),
                a: 0,
                n: AT,
                s: 1_000,
              },
            },
          },
        }),
      );
      await raw.send(
        new PutCommand({
          TableName: tableName,
          Item: {
            pk: PARTITION.history,
            sk: historySortKeyOf(resolvedEarlier),
            doc: JSON.stringify(resolvedEarlier),
            version: 3,
          },
        }),
      );
      await raw.send(
        new PutCommand({
          TableName: tableName,
          Item: { pk: PARTITION.mute, sk: `*#${mute.group}`, doc: JSON.stringify(mute) },
        }),
      );

      // The store reads them as they were.
      expect(await store.read(ref)).toEqual({ doc: item, version: 1 });
      expect((await store.readMany([ref])).get(`${PARTITION.state}\u0000${incident.id}`)).toEqual({
        doc: item,
        version: 1,
      });
      expect(await store.documents()).toEqual([item]);
      const reader = createIncidentReader({ client: server.client, tableName, now: () => AT });
      expect(await reader.listIncidents({})).toEqual([incident, resolvedEarlier]);
      const mutes = createMuteStore({ client: server.client, tableName, now: () => AT });
      expect(await mutes.listMutes()).toEqual([mute]);

      // A change writes the item compressed and queues a message beside the old entry.
      const updated = incidentMessageFixture('updated', {
        n: 1,
        createdAt: '2026-11-30T02:09:00.000Z',
      });
      const changed = { ...item, updates: 1 };
      await store.update<IncidentItem>(
        ref,
        (current) => ({
          doc: { ...(current as IncidentItem), updates: 1 },
          deliveries: [{ message: updated, channel: 'recording' }],
        }),
        AT,
      );
      const [state] = (await scanTable(server.client, tableName)).filter(
        (stored) => stored['pk']?.S === PARTITION.state,
      );
      expect(state?.['doc']?.B).toBeInstanceOf(Uint8Array);
      expect(state?.['doc']?.S).toBeUndefined();
      expect(await store.read(ref)).toEqual({ doc: changed, version: 2 });
      // The old entry keeps its key (the whole message id); the new one's is short.
      const [box] = await store.outboxes();
      expect(Object.keys(box?.entries ?? {}).sort()).toEqual([
        '#1#updated#1@recording',
        `${opened.messageId}@recording`,
      ]);

      // The sender delivers the old entry and the new one, in the order they were made.
      const sent: IncidentMessage[] = [];
      const sender = createOutboxSender({
        store,
        channels: [{ name: 'recording', send: async (message) => void sent.push(message) }],
        deadLetters: {
          put: async () => {
            throw new Error('nothing may be dead-lettered here');
          },
        },
        now: () => AT,
      });
      expect(await sender.deliverPending()).toEqual({ sent: 2, retrying: 0, deadLettered: 0 });
      expect(sent).toEqual([opened, updated]);
      expect(await store.outboxes()).toEqual([]);
    }, 60_000);
  },
);
