/**
 * The notifier's items in the audit table (README: "Items"), all under partition keys starting
 * `I#`, so no run reader ever sees them, and none carries an index key:
 *
 * - `I#STATE` / `<incident id>`: an incident's current episode, `doc` (JSON), `version`, and the
 *   `outbox`: pending deliveries `<messageId>@<channel>` → {@link OutboxEntry};
 * - `I#WATCH` / `V#<clusterArn>#<group>` (a service) and `J#<clusterArn>#<group>` (a scheduled
 *   family): `doc`, `version`, an empty `outbox`;
 * - `I#HIST` / `<openedAt>#<incident id>#<episode>`: each episode's snapshot, `ttl` once resolved;
 * - `I#MUTE` / `<clusterArn or *>#<group>`: a mute, `ttl` at its end.
 *
 * A change of an item and the messages it queues are one conditional write on that item (a Put
 * when it is new, else an Update on the version read): no transactions (dynalite has none), and
 * a change computed from a state that is no longer current is never written.
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  BatchGetCommand,
  DeleteCommand,
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import type { QueryCommandInput } from '@aws-sdk/lib-dynamodb';
import { TTL_ATTRIBUTE } from '@ecslog/audit-store';
import type { Incident, IncidentMessage, ItemRef, Mute } from '@ecslog/incidents';
import { decodeDocument, encodeDocument } from './document-codec';

export const PARTITION = {
  state: 'I#STATE',
  watch: 'I#WATCH',
  history: 'I#HIST',
  mute: 'I#MUTE',
} as const;

/** The table key of an item a signal targets. */
export function keyOfRef(ref: ItemRef): { pk: string; sk: string } {
  switch (ref.kind) {
    case 'incident':
      return { pk: PARTITION.state, sk: ref.id };
    case 'service':
      return { pk: PARTITION.watch, sk: `V#${ref.id}` };
    case 'schedule':
      return { pk: PARTITION.watch, sk: `J#${ref.id}` };
  }
}

/** One string per item (its table key), to tell items apart in maps. */
export function refKeyOf(ref: ItemRef): string {
  const { pk, sk } = keyOfRef(ref);
  return `${pk}\u0000${sk}`;
}

/** The sort key of an episode's snapshot: newest last, so a range of opening times is one query. */
export function historySortKeyOf(incident: Incident): string {
  return `${incident.openedAt}#${incident.id}#${incident.episode}`;
}

/** The sort key of a mute: `<clusterArn or *>#<group>`. */
export function muteSortKeyOf(mute: Pick<Mute, 'clusterArn' | 'group'>): string {
  return `${mute.clusterArn ?? '*'}#${mute.group}`;
}

/** One pending delivery of a message to a channel, in its item's outbox. */
export interface OutboxEntry {
  /** The channel's name. */
  c: string;
  /** The message: {@link encodeDocument}'s bytes (JSON text in entries written before). */
  m: Uint8Array | string;
  /** Attempts made so far. */
  a: number;
  /** Epoch ms: not sent before this. */
  n: number;
  /** Order within the item: messages of one channel go out in this order. */
  s: number;
  /** Epoch ms until which a sender holds it (absent: free). */
  l?: number;
  /** The lease holder's token. */
  o?: string;
  /** The last failure, one line (never a URL's path). */
  e?: string;
  /** Given up (refused for good, or the last attempt failed): dead-lettered, not sent again. */
  x?: boolean;
}

/**
 * The outbox key of a message on a channel in the item `itemId`: `<messageId>@<channel>`, without
 * the item's id where the message id starts with it (a message id is `<incident id>#<episode>#…`,
 * and the item's sort key holds the incident id already), so `#1#opened#0@webhook`, ≈ 20 bytes
 * instead of ≈ 120 on every write of the item. Keys of entries written before (whole message ids)
 * are read alike: a key is only ever matched, never parsed.
 *
 * @example
 * outboxKeyOf(`${incidentId}#1#opened#0`, 'webhook', incidentId); // '#1#opened#0@webhook'
 */
export function outboxKeyOf(messageId: string, channel: string, itemId?: string): string {
  const local =
    itemId !== undefined && itemId !== '' && messageId.startsWith(itemId)
      ? messageId.slice(itemId.length)
      : messageId;
  return `${local}@${channel}`;
}

/** An item as read: its document and the version a conditional write must find. */
export interface StoredDocument<T> {
  doc: T;
  version: number;
}

/** What a change writes: the new document and the messages it queues, with their channels. */
export interface DocumentChange<T> {
  doc: T;
  deliveries: { message: IncidentMessage; channel: string }[];
}

/** A change as written: the version it wrote, and the document it replaced. */
export interface WrittenChange<T> extends DocumentChange<T> {
  version: number;
  previous: StoredDocument<T> | undefined;
}

/** The conditional write of a change found a newer version every round. */
export class IncidentConflictError extends Error {
  override readonly name = 'IncidentConflictError';
}

export interface IncidentStoreOptions {
  client: DynamoDBClient;
  tableName: string;
}

/** Rounds of read → apply → conditional write before {@link IncidentConflictError}. */
export const DEFAULT_MAX_ROUNDS = 8;

/**
 * The store's operations on `I#` items. The generic optimistic {@link update} is the only way
 * a document changes.
 *
 * @example
 * const store = createIncidentStore({ client, tableName });
 * await store.update({ kind: 'incident', id }, (current) =>
 *   current === undefined ? { doc: first, deliveries: [] } : undefined,
 * );
 */
export function createIncidentStore(options: IncidentStoreOptions) {
  const { tableName } = options;
  const client = DynamoDBDocumentClient.from(options.client, {
    marshallOptions: { removeUndefinedValues: true },
  });

  async function read<T>(ref: ItemRef): Promise<StoredDocument<T> | undefined> {
    const { Item } = await client.send(
      new GetCommand({
        TableName: tableName,
        Key: keyOfRef(ref),
        ConsistentRead: true,
        ProjectionExpression: '#d, #v',
        ExpressionAttributeNames: { '#d': 'doc', '#v': 'version' },
      }),
    );
    if (!Item) return undefined;
    return { doc: decodeDocument<T>(Item['doc']), version: Number(Item['version']) };
  }

  /**
   * Writes `change` if the item is still at `version` (undefined: still absent); false when it
   * is not. The deliveries join the outbox in the same write, ordered after everything in it.
   */
  async function write<T>(
    ref: ItemRef,
    version: number | undefined,
    change: DocumentChange<T>,
    at: number,
  ): Promise<boolean> {
    const nextVersion = (version ?? 0) + 1;
    const entries = change.deliveries.map(({ message, channel }, index): [string, OutboxEntry] => [
      outboxKeyOf(message.messageId, channel, ref.id),
      { c: channel, m: encodeDocument(message), a: 0, n: at, s: nextVersion * 1_000 + index },
    ]);
    try {
      if (version === undefined) {
        await client.send(
          new PutCommand({
            TableName: tableName,
            Item: {
              ...keyOfRef(ref),
              doc: encodeDocument(change.doc),
              version: nextVersion,
              outbox: Object.fromEntries(entries),
            },
            ConditionExpression: 'attribute_not_exists(pk)',
          }),
        );
      } else {
        const names: Record<string, string> = { '#d': 'doc', '#v': 'version' };
        if (entries.length > 0) names['#ob'] = 'outbox';
        const values: Record<string, unknown> = {
          ':d': encodeDocument(change.doc),
          ':v0': version,
          ':v1': nextVersion,
        };
        const sets = ['#d = :d', '#v = :v1'];
        entries.forEach(([key, entry], index) => {
          names[`#k${index}`] = key;
          values[`:e${index}`] = entry;
          sets.push(`#ob.#k${index} = :e${index}`);
        });
        await client.send(
          new UpdateCommand({
            TableName: tableName,
            Key: keyOfRef(ref),
            UpdateExpression: `SET ${sets.join(', ')}`,
            ConditionExpression: '#v = :v0',
            ExpressionAttributeNames: names,
            ExpressionAttributeValues: values,
          }),
        );
      }
      return true;
    } catch (error) {
      if ((error as Error).name === 'ConditionalCheckFailedException') return false;
      throw error;
    }
  }

  /** Raw items by their table keys, read strongly consistently in batches of 100. */
  async function batchGet(
    refs: readonly ItemRef[],
    projection: string,
    names: Record<string, string>,
  ): Promise<Record<string, unknown>[]> {
    const keys = [...new Map(refs.map((ref) => [refKeyOf(ref), keyOfRef(ref)])).values()];
    const items: Record<string, unknown>[] = [];
    for (let i = 0; i < keys.length; i += 100) {
      let pending: Record<string, unknown>[] = keys.slice(i, i + 100);
      for (let attempt = 1; pending.length > 0; attempt += 1) {
        if (attempt > 10)
          throw new Error(`BatchGetItem left ${pending.length} keys unprocessed 10 times`);
        if (attempt > 1) await new Promise((resolve) => setTimeout(resolve, 25 * 2 ** attempt));
        const { Responses, UnprocessedKeys } = await client.send(
          new BatchGetCommand({
            RequestItems: {
              [tableName]: {
                Keys: pending,
                ConsistentRead: true,
                ProjectionExpression: projection,
                ExpressionAttributeNames: names,
              },
            },
          }),
        );
        items.push(...(Responses?.[tableName] ?? []));
        pending = (UnprocessedKeys?.[tableName]?.Keys ?? []) as Record<string, unknown>[];
      }
    }
    return items;
  }

  /** Items by {@link refKeyOf}, read strongly consistently (absent: undefined). */
  async function readMany<T>(
    refs: readonly ItemRef[],
  ): Promise<Map<string, StoredDocument<T> | undefined>> {
    const found = new Map<string, StoredDocument<T> | undefined>();
    const items = await batchGet(refs, 'pk, sk, #d, #v', { '#d': 'doc', '#v': 'version' });
    for (const item of items)
      found.set(`${String(item['pk'])}\u0000${String(item['sk'])}`, {
        doc: decodeDocument<T>(item['doc']),
        version: Number(item['version']),
      });
    for (const ref of refs) if (!found.has(refKeyOf(ref))) found.set(refKeyOf(ref), undefined);
    return found;
  }

  /**
   * The optimistic update: reads the item strongly consistently (or starts from `known`, the
   * item as the caller last read or wrote it), applies `change` (a pure function of the stored
   * document, told its version too; undefined: nothing to write), writes conditionally on the version read, and on a
   * lost race reads again, at most `maxRounds` times. Returns the change written (undefined
   * when there was none).
   */
  async function update<T>(
    ref: ItemRef,
    change: (current: T | undefined, version: number | undefined) => DocumentChange<T> | undefined,
    at: number,
    maxRounds = DEFAULT_MAX_ROUNDS,
    known?: { stored: StoredDocument<T> | undefined },
  ): Promise<WrittenChange<T> | undefined> {
    for (let round = 1; round <= maxRounds; round += 1) {
      const stored = round === 1 && known !== undefined ? known.stored : await read<T>(ref);
      const next = change(stored?.doc, stored?.version);
      if (next === undefined) return undefined;
      if (await write(ref, stored?.version, next, at))
        return { ...next, version: (stored?.version ?? 0) + 1, previous: stored };
    }
    throw new IncidentConflictError(
      `${ref.kind} ${ref.id}: still changed by another writer after ${maxRounds} rounds`,
    );
  }

  async function queryAll(
    input: Omit<QueryCommandInput, 'TableName' | 'ExclusiveStartKey'>,
  ): Promise<Record<string, unknown>[]> {
    const items: Record<string, unknown>[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const page = await client.send(
        new QueryCommand({ TableName: tableName, ...input, ExclusiveStartKey: start }),
      );
      items.push(...(page.Items ?? []));
      start = page.LastEvaluatedKey;
    } while (start !== undefined);
    return items;
  }

  /** Every incident and watch document. */
  async function documents<T>(): Promise<T[]> {
    const reads = [PARTITION.state, PARTITION.watch].map((pk) =>
      queryAll({
        KeyConditionExpression: 'pk = :pk',
        ProjectionExpression: '#d',
        ExpressionAttributeNames: { '#d': 'doc' },
        ExpressionAttributeValues: { ':pk': pk },
        ConsistentRead: true,
      }),
    );
    const items = (await Promise.all(reads)).flat();
    return items.map((item) => decodeDocument<T>(item['doc']));
  }

  /**
   * The outboxes that hold anything, by item: of the incidents named (read by key), or of every
   * incident (a query of `I#STATE`, which reads every state item: the schedule's part).
   */
  async function outboxes(
    refs?: readonly ItemRef[],
  ): Promise<{ ref: ItemRef; entries: Record<string, OutboxEntry> }[]> {
    const items =
      refs !== undefined
        ? (await batchGet(refs, 'sk, #ob', { '#ob': 'outbox' })).filter(
            (item) => Object.keys((item['outbox'] ?? {}) as object).length > 0,
          )
        : await queryAll({
            KeyConditionExpression: 'pk = :pk',
            FilterExpression: 'size(#ob) > :zero',
            ProjectionExpression: 'sk, #ob',
            ExpressionAttributeNames: { '#ob': 'outbox' },
            ExpressionAttributeValues: { ':pk': PARTITION.state, ':zero': 0 },
            ConsistentRead: true,
          });
    return items.map((item) => ({
      ref: { kind: 'incident', id: String(item['sk']) },
      entries: (item['outbox'] ?? {}) as Record<string, OutboxEntry>,
    }));
  }

  /**
   * Takes a due, free entry for `leaseMs` and returns it as it now stands: undefined when it is
   * gone, not due, or held by another sender whose lease has not expired.
   */
  async function claim(
    ref: ItemRef,
    key: string,
    token: string,
    at: number,
    leaseMs: number,
  ): Promise<OutboxEntry | undefined> {
    try {
      const { Attributes } = await client.send(
        new UpdateCommand({
          TableName: tableName,
          Key: keyOfRef(ref),
          UpdateExpression: 'SET #ob.#k.l = :until, #ob.#k.o = :token',
          ConditionExpression:
            'attribute_exists(#ob.#k) AND #ob.#k.n <= :at AND (attribute_not_exists(#ob.#k.l) OR #ob.#k.l < :at)',
          ExpressionAttributeNames: { '#ob': 'outbox', '#k': key },
          ExpressionAttributeValues: { ':until': at + leaseMs, ':token': token, ':at': at },
          ReturnValues: 'ALL_NEW',
        }),
      );
      return ((Attributes?.['outbox'] ?? {}) as Record<string, OutboxEntry>)[key];
    } catch (error) {
      if ((error as Error).name === 'ConditionalCheckFailedException') return undefined;
      throw error;
    }
  }

  /** Removes an entry this sender holds; false when its lease passed to another sender. */
  async function remove(ref: ItemRef, key: string, token: string): Promise<boolean> {
    try {
      await client.send(
        new UpdateCommand({
          TableName: tableName,
          Key: keyOfRef(ref),
          UpdateExpression: 'REMOVE #ob.#k',
          ConditionExpression: '#ob.#k.o = :token',
          ExpressionAttributeNames: { '#ob': 'outbox', '#k': key },
          ExpressionAttributeValues: { ':token': token },
        }),
      );
      return true;
    } catch (error) {
      if ((error as Error).name === 'ConditionalCheckFailedException') return false;
      throw error;
    }
  }

  /**
   * Records a failed attempt of an entry this sender holds and frees it until `nextAt`;
   * `givenUp` marks it for the dead letters (the next holder dead-letters it without sending).
   */
  async function postpone(
    ref: ItemRef,
    key: string,
    token: string,
    failure: { attempts: number; nextAt: number; error: string; givenUp: boolean },
  ): Promise<boolean> {
    try {
      await client.send(
        new UpdateCommand({
          TableName: tableName,
          Key: keyOfRef(ref),
          UpdateExpression: `SET #ob.#k.a = :a, #ob.#k.n = :n, #ob.#k.e = :e${failure.givenUp ? ', #ob.#k.x = :x' : ''} REMOVE #ob.#k.l`,
          ConditionExpression: '#ob.#k.o = :token',
          ExpressionAttributeNames: { '#ob': 'outbox', '#k': key },
          ExpressionAttributeValues: {
            ':token': token,
            ':a': failure.attempts,
            ':n': failure.nextAt,
            ':e': failure.error,
            ...(failure.givenUp && { ':x': true }),
          },
        }),
      );
      return true;
    } catch (error) {
      if ((error as Error).name === 'ConditionalCheckFailedException') return false;
      throw error;
    }
  }

  /**
   * Writes an episode's snapshot as of its state item's `version`, unless a later one is there
   * already (two notifiers' snapshot writes may arrive in either order); `expiresAt` epoch s
   * once it resolved.
   */
  async function putSnapshot(
    incident: Incident,
    version: number,
    expiresAt: number | undefined,
  ): Promise<void> {
    try {
      await client.send(
        new PutCommand({
          TableName: tableName,
          Item: {
            pk: PARTITION.history,
            sk: historySortKeyOf(incident),
            doc: encodeDocument(incident),
            version,
            ...(expiresAt !== undefined && { [TTL_ATTRIBUTE]: expiresAt }),
          },
          ConditionExpression: 'attribute_not_exists(pk) OR #v < :v',
          ExpressionAttributeNames: { '#v': 'version' },
          ExpressionAttributeValues: { ':v': version },
        }),
      );
    } catch (error) {
      if ((error as Error).name !== 'ConditionalCheckFailedException') throw error;
    }
  }

  /**
   * Snapshots of episodes that opened at or before `to` (all when undefined), oldest first,
   * without those whose TTL (epoch s) passed at `nowSeconds` but which are not deleted yet.
   */
  async function snapshots(to: string | undefined, nowSeconds: number): Promise<Incident[]> {
    const items = await queryAll({
      KeyConditionExpression: to === undefined ? 'pk = :pk' : 'pk = :pk AND sk <= :to',
      ProjectionExpression: '#d, #ttl',
      ExpressionAttributeNames: { '#d': 'doc', '#ttl': TTL_ATTRIBUTE },
      ExpressionAttributeValues: {
        ':pk': PARTITION.history,
        ...(to !== undefined && { ':to': `${to}#\uffff` }),
      },
    });
    return items
      .filter((item) => typeof item[TTL_ATTRIBUTE] !== 'number' || item[TTL_ATTRIBUTE] > nowSeconds)
      .map((item) => decodeDocument<Incident>(item['doc']));
  }

  async function putMute(mute: Mute): Promise<void> {
    await client.send(
      new PutCommand({
        TableName: tableName,
        Item: {
          pk: PARTITION.mute,
          sk: muteSortKeyOf(mute),
          doc: encodeDocument(mute),
          [TTL_ATTRIBUTE]: Math.ceil(Date.parse(mute.until) / 1000),
        },
      }),
    );
  }

  async function deleteMute(mute: Pick<Mute, 'clusterArn' | 'group'>): Promise<void> {
    await client.send(
      new DeleteCommand({
        TableName: tableName,
        Key: { pk: PARTITION.mute, sk: muteSortKeyOf(mute) },
      }),
    );
  }

  /** The mutes stored, those past their end included (TTL deletes them within days). */
  async function mutes(): Promise<Mute[]> {
    const items = await queryAll({
      KeyConditionExpression: 'pk = :pk',
      ProjectionExpression: '#d',
      ExpressionAttributeNames: { '#d': 'doc' },
      ExpressionAttributeValues: { ':pk': PARTITION.mute },
      ConsistentRead: true,
    });
    return items.map((item) => decodeDocument<Mute>(item['doc']));
  }

  return {
    read,
    readMany,
    write,
    update,
    documents,
    outboxes,
    claim,
    remove,
    postpone,
    putSnapshot,
    snapshots,
    putMute,
    deleteMute,
    mutes,
  };
}

export type IncidentStore = ReturnType<typeof createIncidentStore>;
