import type {
  BatchWriteItemCommandOutput,
  DynamoDBClient,
  WriteRequest,
} from '@aws-sdk/client-dynamodb';
import {
  BatchWriteItemCommand,
  ConditionalCheckFailedException,
  PutItemCommand,
} from '@aws-sdk/client-dynamodb';
import type { AuditRecord } from '@ecslog/ecs-event-mapper';
import type { Item } from './item-codec';
import {
  encodeRecord,
  expiryOf,
  hasLatestState,
  lookupItemsOf,
  toHistoryItem,
  toLatestItem,
} from './item-codec';
import type { RetryPolicy } from './retry';
import { DEFAULT_RETRY_POLICY, withRetries } from './retry';
import { runWithLimit } from './run-with-limit';

/**
 * What happened to one record:
 * - `written`: its history item is stored (and, for tasks and instances, the latest state too);
 * - `stale`: history stored, but the latest state already holds this or a higher version
 *   (a duplicate or out-of-order delivery: success);
 * - `expired`: older than the retention period, so not written (it would be deleted at once);
 * - `failed`: not stored after every retry; `error` says why. Callers retry these (Kinesis
 *   reports them as batch item failures, EventBridge redelivers the event).
 */
export type WriteStatus = 'written' | 'stale' | 'expired' | 'failed';

export interface WriteResult {
  recordId: string;
  status: WriteStatus;
  error?: Error;
}

export interface AuditWriterOptions {
  client: DynamoDBClient;
  tableName: string;
  /** Days an item is kept after the change it records (default 30). */
  retentionDays?: number;
  /** BatchWriteItem and conditional writes in flight at once (default 16). */
  maxParallel?: number;
  retry?: RetryPolicy;
  /** Epoch ms; injected so tests control expiry. */
  now?: () => number;
}

export interface AuditWriter {
  /** Writes records idempotently: writing the same records again changes nothing. Never throws for per-record failures. */
  writeRecords(records: readonly AuditRecord[]): Promise<WriteResult[]>;
}

/** BatchWriteItem's limit. */
const BATCH_SIZE = 25;
/** Lookup item keys a writer remembers as written before it starts again from empty. */
const KNOWN_LOOKUPS_LIMIT = 100_000;

/** One item to put, and the records that fail if it cannot be stored. */
interface PutEntry {
  recordIds: string[];
  request: WriteRequest;
}

/**
 * The audit table writer.
 *
 * History items go in BatchWriteItem calls of 25, several at once; UnprocessedItems and throttling
 * are retried with exponential backoff and full jitter. The latest state of a task or container
 * instance is one conditional PutItem (`attribute_not_exists(pk) OR v < :v`): atomic, never
 * read-then-write; a failed condition means stale, which is success. Within one call, only the
 * highest version of each resource is offered for the latest state.
 *
 * @example
 * const writer = createAuditWriter({ client, tableName: 'ecslog-audit' });
 * const results = await writer.writeRecords(records);
 * const failed = results.filter((r) => r.status === 'failed');
 */
export function createAuditWriter(options: AuditWriterOptions): AuditWriter {
  const retentionDays = options.retentionDays ?? 30;
  const maxParallel = options.maxParallel ?? 16;
  const retry = options.retry ?? DEFAULT_RETRY_POLICY;
  const now = options.now ?? Date.now;
  const { client, tableName } = options;
  /**
   * Lookup items this writer has stored: each (day, cluster, group) and (task id, day) needs
   * writing once, not once per event. A Lambda container keeps them across invocations.
   */
  const knownLookups = new Set<string>();

  async function writeRecords(records: readonly AuditRecord[]): Promise<WriteResult[]> {
    const nowSeconds = Math.floor(now() / 1000);
    const results = new Map<string, WriteResult>();
    const live: AuditRecord[] = [];
    for (const record of records) {
      if (results.has(record.recordId)) continue; // the same change twice in one call
      if (expiryOf(record, retentionDays) <= nowSeconds) {
        results.set(record.recordId, { recordId: record.recordId, status: 'expired' });
      } else {
        results.set(record.recordId, { recordId: record.recordId, status: 'written' });
        live.push(record);
      }
    }

    const encoded = new Map(live.map((record) => [record.recordId, encodeRecord(record)]));
    const puts: PutEntry[] = live.map((record) => ({
      recordIds: [record.recordId],
      request: {
        PutRequest: { Item: toHistoryItem(record, retentionDays, encoded.get(record.recordId)) },
      },
    }));
    const lookups = new Map<string, PutEntry>();
    for (const record of live)
      for (const item of lookupItemsOf(record, retentionDays)) {
        const key = keyOfItem(item);
        if (knownLookups.has(key)) continue;
        const entry = lookups.get(key);
        if (entry) entry.recordIds.push(record.recordId);
        else
          lookups.set(key, {
            recordIds: [record.recordId],
            request: { PutRequest: { Item: item } },
          });
      }
    puts.push(...lookups.values());
    const batches: PutEntry[][] = [];
    for (let i = 0; i < puts.length; i += BATCH_SIZE) batches.push(puts.slice(i, i + BATCH_SIZE));

    const latest = newestPerResource(live.filter(hasLatestState));
    const tasks: (() => Promise<void>)[] = [
      ...batches.map((batch) => async () => {
        const failures = await writeBatch(batch);
        for (const entry of batch) {
          const error = failures.get(entry);
          if (error === undefined) {
            if (lookups.has(keyOf(entry.request))) rememberLookup(keyOf(entry.request));
            continue;
          }
          for (const recordId of entry.recordIds)
            results.set(recordId, { recordId, status: 'failed', error });
        }
      }),
      ...latest.map((record) => async () => {
        const outcome = await writeLatest(record, encoded.get(record.recordId) as Uint8Array);
        const current = results.get(record.recordId);
        if (outcome instanceof Error)
          results.set(record.recordId, {
            recordId: record.recordId,
            status: 'failed',
            error: outcome,
          });
        else if (outcome === 'stale' && current?.status === 'written') current.status = 'stale';
      }),
    ];
    await runWithLimit(tasks, maxParallel);
    // Records superseded by a higher version in the same call are stale for the latest state.
    const offered = new Set(latest.map((record) => record.recordId));
    for (const record of live) {
      const result = results.get(record.recordId);
      if (hasLatestState(record) && !offered.has(record.recordId) && result?.status === 'written')
        result.status = 'stale';
    }
    // A record repeated in this call is a duplicate delivery: once its first copy set the latest
    // state, the next copies found it already there.
    const seen = new Set<string>();
    return records.map((record) => {
      const result = results.get(record.recordId) as WriteResult;
      if (!seen.has(record.recordId)) {
        seen.add(record.recordId);
        return result;
      }
      return hasLatestState(record) && result.status === 'written'
        ? { ...result, status: 'stale' }
        : { ...result };
    });
  }

  function rememberLookup(key: string): void {
    if (knownLookups.size >= KNOWN_LOOKUPS_LIMIT) knownLookups.clear();
    knownLookups.add(key);
  }

  /** Writes one batch of up to 25 items, retrying what DynamoDB leaves unprocessed; returns the failures. */
  async function writeBatch(batch: PutEntry[]): Promise<Map<PutEntry, Error>> {
    let pending = batch;
    const failures = new Map<PutEntry, Error>();
    try {
      await withRetries(retry, async () => {
        const output: BatchWriteItemCommandOutput = await client.send(
          new BatchWriteItemCommand({
            RequestItems: { [tableName]: pending.map((p) => p.request) },
          }),
        );
        const unprocessed = output.UnprocessedItems?.[tableName] ?? [];
        if (unprocessed.length === 0) return;
        const left = new Set(unprocessed.map((request) => keyOf(request)));
        pending = pending.filter((p) => left.has(keyOf(p.request)));
        throw new UnprocessedItemsError(pending.length);
      });
    } catch (error) {
      const cause = error instanceof Error ? error : new Error(String(error));
      // DynamoDB rejects a whole batch for one bad item: write those one by one, so only it fails.
      if (cause.name === 'ValidationException' && pending.length > 1) {
        const single = await Promise.all(pending.map((p) => writeBatch([p])));
        for (const result of single)
          for (const [entry, itemError] of result) failures.set(entry, itemError);
        return failures;
      }
      for (const p of pending) failures.set(p, cause);
    }
    return failures;
  }

  /** The conditional latest-state write: 'written', 'stale', or the error that stopped it. */
  async function writeLatest(
    record: AuditRecord,
    encoded: Uint8Array,
  ): Promise<'written' | 'stale' | Error> {
    try {
      await withRetries(retry, () =>
        client.send(
          new PutItemCommand({
            TableName: tableName,
            Item: toLatestItem(record, retentionDays, encoded),
            ConditionExpression: 'attribute_not_exists(pk) OR v < :v',
            ExpressionAttributeValues: { ':v': { N: String(record.version) } },
          }),
        ),
      );
      return 'written';
    } catch (error) {
      if (
        error instanceof ConditionalCheckFailedException ||
        (error as Error).name === 'ConditionalCheckFailedException'
      )
        return 'stale';
      return error instanceof Error ? error : new Error(String(error));
    }
  }

  return { writeRecords };
}

/** UnprocessedItems left after a BatchWriteItem: retried like throttling. */
export class UnprocessedItemsError extends Error {
  override readonly name = 'UnprocessedItemsError';
  readonly retryable = true;
  constructor(readonly count: number) {
    super(`${count} items left unprocessed by BatchWriteItem`);
  }
}

function keyOf(request: WriteRequest): string {
  return keyOfItem((request.PutRequest?.Item ?? {}) as Item);
}

function keyOfItem(item: Item): string {
  const pk = item['pk'];
  const sk = item['sk'];
  return `${pk && 'S' in pk ? pk.S : ''}\u0000${sk && 'S' in sk ? sk.S : ''}`;
}

/** Per resource, the record with the highest version. */
function newestPerResource(records: readonly AuditRecord[]): AuditRecord[] {
  const newest = new Map<string, AuditRecord>();
  for (const record of records) {
    const current = newest.get(record.resourceArn);
    if (!current || (record.version ?? 0) > (current.version ?? 0))
      newest.set(record.resourceArn, record);
  }
  return [...newest.values()];
}
