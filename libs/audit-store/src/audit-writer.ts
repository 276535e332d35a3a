import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type {
  BatchExecuteStatementCommandInput,
  BatchExecuteStatementCommandOutput,
} from '@aws-sdk/lib-dynamodb';
import {
  BatchExecuteStatementCommand,
  BatchWriteCommand,
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
} from '@aws-sdk/lib-dynamodb';
import type { AuditRecord } from '@ecslog/ecs-event-mapper';
import type { RunClosure } from '@ecslog/task-runs';
import { runIdOf, runRankOf } from '@ecslog/task-runs';
import type { Item, RankedItem } from './item-codec';
import {
  COMPANION_PREFIX,
  decodeRecord,
  encodeRecord,
  expiryOf,
  hasLatestState,
  RUN_SORT_KEY,
  taskPartitionKey,
  toHistoryItem,
  toLatestItem,
  toMappingItems,
  toRunItems,
} from './item-codec';
import type { RetryPolicy } from './retry';
import { DEFAULT_RETRY_POLICY, withRetries } from './retry';
import { runWithLimit } from './run-with-limit';

/**
 * What happened to one record:
 * - `written`: it is stored (its history item, and the run or latest state it tells);
 * - `stale`: stored in history, but its run (or latest state) already holds this or a higher-ranked
 *   record (a duplicate or out-of-order delivery: success);
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

/**
 * How conditional writes (runs, carries, latest states) are sent:
 * - `statements`: PartiQL BatchExecuteStatement, 25 conditional statements per request (DynamoDB,
 *   DynamoDB Local). A server without it (dynalite) is detected on the first call and the writer
 *   goes on with `single`;
 * - `single`: one conditional PutItem each.
 */
export type ConditionalWrites = 'statements' | 'single';

export interface AuditWriterOptions {
  client: DynamoDBClient;
  tableName: string;
  /** Days an item is kept after the change it records (default 30; runs: after they end). */
  retentionDays?: number;
  /** Requests in flight at once (default 16). */
  maxParallel?: number;
  retry?: RetryPolicy;
  /** Default `statements`. */
  conditionalWrites?: ConditionalWrites;
  /** Epoch ms; injected so tests control expiry. */
  now?: () => number;
  /**
   * Where the records come from (default `live`): a `backfill` or `redrive` writer marks every
   * item it puts or updates (history, runs, carries, companions, latest states) with
   * {@link ORIGIN_ATTRIBUTE} = its origin, so the table's stream consumers (the notifier) can tell
   * replayed history from news; a live write of a ranked item removes the mark. Image mappings
   * hold no record and stay unmarked (their content is a function of their key).
   */
  origin?: RecordOrigin;
}

/** Who wrote an item: see {@link AuditWriterOptions.origin}. */
export type RecordOrigin = 'live' | 'backfill' | 'redrive';

/** The attribute a non-live writer puts on its items (absent: live). */
export const ORIGIN_ATTRIBUTE = 'src';

/**
 * The origin of a stored item (in the native form of `@aws-sdk/lib-dynamodb`, e.g. a stream
 * record's NewImage after `unmarshall`): its {@link ORIGIN_ATTRIBUTE}, `live` when absent. A mark
 * this writer never puts counts as non-live (`backfill`), so an unknown mark never notifies.
 *
 * @example
 * originOfItem(unmarshall(record.dynamodb.NewImage)); // 'live' | 'backfill' | 'redrive'
 */
export function originOfItem(item: Record<string, unknown>): RecordOrigin {
  const mark = item[ORIGIN_ATTRIBUTE];
  if (mark === undefined || mark === null) return 'live';
  return mark === 'redrive' ? 'redrive' : 'backfill';
}

/** What closing a run did: see {@link AuditWriter.closeRun}. */
export type CloseStatus = 'closed' | 'not-open' | 'not-found' | 'stale';

export interface AuditWriter {
  /** Writes records idempotently: writing the same records again changes nothing. Never throws for per-record failures. */
  writeRecords(records: readonly AuditRecord[]): Promise<WriteResult[]>;
  /**
   * Closes an open run whose STOPPED state change will not come (a reconciler found the task
   * gone): the run ends at `closure.at`, `end = closed`. A state change recorded later still wins.
   * `not-open`: the run has ended already; `stale`: it changed while being closed.
   */
  closeRun(taskId: string, closure: RunClosure): Promise<CloseStatus>;
}

/** BatchWriteItem's and BatchExecuteStatement's limit. */
const BATCH_SIZE = 25;
/** Keys of ranked items a writer remembers as stored (it then updates them rather than inserting). */
const KNOWN_KEYS_LIMIT = 100_000;
/** Rounds of UPDATE ⇄ INSERT a ranked item gets when other writers race it. */
const RANKED_ROUNDS = 4;
/** Attributes a ranked item may have or not; an UPDATE removes those its new content lacks. */
const OPTIONAL_ATTRIBUTES = [
  'lk',
  't1',
  'ttl',
  'fpk',
  'fsk',
  'cr',
  'cat',
  'v',
  'rpk',
  'rsk',
  'end',
  't0',
  ORIGIN_ATTRIBUTE,
];

/** One unconditional item to put, and the records that fail if it cannot be stored. */
interface PutEntry {
  recordIds: string[];
  item: Item;
}

/** One ranked item, and the record that offered it. */
interface RankedEntry extends RankedItem {
  recordId: string;
}

type RankedOutcome = 'written' | 'stale' | Error;

/**
 * The audit table writer.
 *
 * History items (and never-started runs, which never change) go in BatchWriteItem calls of 25;
 * runs, their carries and container instances' latest states are ranked items, written only when
 * their rank is above the stored one's — atomic, never read-then-write; a failed condition means
 * stale, which is success. Within one call only each run's highest-ranked record is offered.
 * UnprocessedItems, throttling, 5xx and connection faults are retried with exponential backoff
 * and full jitter; other errors fail at once.
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
  const origin = options.origin ?? 'live';
  /** The item as this writer stores it: with its origin mark unless live (a new object). */
  const marked = (item: Item): Item =>
    origin === 'live' ? item : { ...item, [ORIGIN_ATTRIBUTE]: origin };
  const markedRanked = (ranked: RankedItem): RankedItem =>
    origin === 'live' ? ranked : { ...ranked, item: marked(ranked.item) };
  const { tableName } = options;
  const client = DynamoDBDocumentClient.from(options.client, {
    marshallOptions: { removeUndefinedValues: true },
  });
  let conditionalWrites: ConditionalWrites = options.conditionalWrites ?? 'statements';
  /** Ranked items this writer has stored: the next write of one tries UPDATE first. */
  const knownKeys = new Set<string>();
  /**
   * Ranked items this writer is inserting in another call (Kinesis shards and concurrent batches
   * write the same run): a call that offers one waits for that write and then updates it, rather
   * than sending an INSERT that fails with DuplicateItem and needs a second round.
   */
  const inserting = new Map<string, Promise<void>>();
  /**
   * Image mapping items this writer has put: immutable, so each is sent once per process (a
   * service's tasks all name the same few images every day).
   */
  const putMappings = new Set<string>();
  /**
   * Image mapping items another call is putting, and whether it stored them: a call that offers
   * one leaves it to that call (concurrent batches of one service name the same images), and
   * fails its own records when that put failed, so a record said written has its mappings.
   */
  const puttingMappings = new Map<string, Promise<boolean>>();

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
    const puts: PutEntry[] = [];
    const ranked = new Map<string, RankedEntry>();
    const offer = (recordId: string, item: RankedItem) => {
      const key = keyOf(item.item);
      const current = ranked.get(key);
      if (current === undefined || item.rank > current.rank)
        ranked.set(key, { ...markedRanked(item), recordId });
    };
    const newest = new Set(newestPerRun(live));
    for (const record of newest) {
      const runItems = toRunItems(record, retentionDays, encoded.get(record.recordId));
      if (runItems === undefined) continue;
      const [runItem, ...carries] = runItems;
      // A never-started run is immutable: it is its record's only item.
      if (runItem?.rank === '0')
        puts.push({ recordIds: [record.recordId], item: marked(runItem.item) });
      else for (const item of [runItem as RankedItem, ...carries]) offer(record.recordId, item);
    }
    // Every record's companions, not only its run's newest record's: each companion is then the
    // highest-ranked record's that has its kind of key, whatever the order of delivery (a call
    // replayed from CloudTrail may name an address the state changes seen so far do not).
    for (const record of live)
      if (!newest.has(record))
        for (const item of toRunItems(record, retentionDays, encoded.get(record.recordId)) ?? [])
          if (String(item.item['sk']).startsWith(COMPANION_PREFIX)) offer(record.recordId, item);
    const mappings = new Map<string, PutEntry>();
    const awaited: { recordId: string; key: string; stored: Promise<boolean> }[] = [];
    for (const record of live) {
      const item = marked(toHistoryItem(record, retentionDays, encoded.get(record.recordId)));
      if (runIdOf(record) !== record.recordId) puts.push({ recordIds: [record.recordId], item });
      // Every record's mappings, not only its run's newest record's: the set of mapping items
      // is then the union over the records, whatever order they come in.
      for (const mapping of toMappingItems(record, retentionDays)) {
        const key = keyOf(mapping);
        if (putMappings.has(key)) continue;
        const elsewhere = puttingMappings.get(key);
        if (elsewhere !== undefined) {
          awaited.push({ recordId: record.recordId, key, stored: elsewhere });
          continue;
        }
        const entry = mappings.get(key);
        if (entry) entry.recordIds.push(record.recordId);
        else mappings.set(key, { recordIds: [record.recordId], item: mapping });
      }
      if (hasLatestState(record))
        offer(record.recordId, toLatestItem(record, retentionDays, encoded.get(record.recordId)));
    }

    puts.push(...mappings.values());
    const settle = new Map<string, (stored: boolean) => void>();
    const mine = new Map<string, Promise<boolean>>();
    for (const key of mappings.keys()) {
      const stored = new Promise<boolean>((resolve) => settle.set(key, resolve));
      mine.set(key, stored);
      puttingMappings.set(key, stored);
    }
    const storedMappings = new Set<string>();
    const batches: PutEntry[][] = [];
    for (let i = 0; i < puts.length; i += BATCH_SIZE) batches.push(puts.slice(i, i + BATCH_SIZE));
    const fail = (recordId: string, error: Error) =>
      results.set(recordId, { recordId, status: 'failed', error });
    const rankedEntries = [...ranked.values()];
    const rankedOutcomes = new Map<RankedEntry, RankedOutcome>();
    try {
      await runWithLimit(
        [
          ...batches.map((batch) => async () => {
            const failures = await writeBatch(batch);
            for (const [entry, error] of failures)
              for (const recordId of entry.recordIds) fail(recordId, error);
            for (const entry of batch) {
              const key = keyOf(entry.item);
              if (failures.has(entry) || !mine.has(key)) continue;
              storedMappings.add(key);
              rememberMapping(key);
            }
          }),
          async () => {
            for (const [entry, outcome] of await writeRanked(rankedEntries))
              rankedOutcomes.set(entry, outcome);
          },
        ],
        maxParallel,
      );
    } finally {
      for (const [key, resolve] of settle) {
        resolve(storedMappings.has(key));
        if (puttingMappings.get(key) === mine.get(key)) puttingMappings.delete(key);
      }
    }
    // Mappings left to other calls: waited for only now, so no two calls ever wait on each other.
    for (const { recordId, key, stored } of awaited)
      if (!(await stored))
        fail(
          recordId,
          new Error(
            `image mapping ${key.split('\u0000')[0]} was not stored by the concurrent call putting it`,
          ),
        );
    // A record's ranked items: any failure fails it; its run item (or latest state) says stale.
    const offeredBy = new Map<string, RankedEntry[]>();
    for (const entry of rankedEntries) {
      const list = offeredBy.get(entry.recordId);
      if (list) list.push(entry);
      else offeredBy.set(entry.recordId, [entry]);
    }
    for (const record of live) {
      const result = results.get(record.recordId) as WriteResult;
      if (result.status === 'failed') continue;
      const entries = offeredBy.get(record.recordId);
      if (entries === undefined) {
        // Superseded in this call by a higher-ranked record of its run (or instance).
        if (runIdOf(record) !== undefined && runIdOf(record) !== record.recordId)
          result.status = 'stale';
        else if (hasLatestState(record)) result.status = 'stale';
        continue;
      }
      const error = entries.map((e) => rankedOutcomes.get(e)).find((o) => o instanceof Error);
      // Its run item or latest state; a record that offered only companions was superseded.
      const primary = entries.find((e) => !String(e.item['sk']).startsWith(COMPANION_PREFIX));
      if (error instanceof Error) fail(record.recordId, error);
      else if (primary === undefined || rankedOutcomes.get(primary) === 'stale')
        result.status = 'stale';
    }
    // A record repeated in this call is a duplicate delivery: once its first copy was written,
    // the next copies found it there.
    const seen = new Set<string>();
    return records.map((record) => {
      const result = results.get(record.recordId) as WriteResult;
      if (!seen.has(record.recordId)) {
        seen.add(record.recordId);
        return result;
      }
      return result.status === 'written' ? { ...result, status: 'stale' } : { ...result };
    });
  }

  async function closeRun(taskId: string, closure: RunClosure): Promise<CloseStatus> {
    const output = await withRetries(retry, () =>
      client.send(
        new GetCommand({
          TableName: tableName,
          Key: { pk: taskPartitionKey(taskId), sk: RUN_SORT_KEY },
          ConsistentRead: true,
        }),
      ),
    );
    const item = output.Item;
    if (item === undefined) return 'not-found';
    if (item['end'] !== 'open') return 'not-open';
    const record = decodeRecord(item);
    const items = toRunItems(record, retentionDays, undefined, closure) ?? [];
    const outcomes = await writeRanked(
      items.map((i) => ({ ...markedRanked(i), recordId: record.recordId })),
    );
    const values = [...outcomes.values()];
    const error = values.find((o) => o instanceof Error);
    if (error instanceof Error) throw error;
    return values[0] === 'stale' ? 'stale' : 'closed';
  }

  /** Writes one batch of up to 25 items, retrying what DynamoDB leaves unprocessed; returns the failures. */
  async function writeBatch(batch: PutEntry[]): Promise<Map<PutEntry, Error>> {
    let pending = batch;
    const failures = new Map<PutEntry, Error>();
    try {
      await withRetries(retry, async () => {
        const output = await client.send(
          new BatchWriteCommand({
            RequestItems: { [tableName]: pending.map((p) => ({ PutRequest: { Item: p.item } })) },
          }),
        );
        const unprocessed = output.UnprocessedItems?.[tableName] ?? [];
        if (unprocessed.length === 0) return;
        const left = new Set(unprocessed.map((request) => keyOf(request.PutRequest?.Item ?? {})));
        pending = pending.filter((p) => left.has(keyOf(p.item)));
        throw new UnprocessedItemsError(pending.length);
      });
    } catch (error) {
      const cause = asError(error);
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

  /** Writes ranked items the configured way; each gets 'written', 'stale' or its error. */
  async function writeRanked(entries: RankedEntry[]): Promise<Map<RankedEntry, RankedOutcome>> {
    const outcomes = new Map<RankedEntry, RankedOutcome>();
    if (conditionalWrites === 'statements') {
      try {
        await writeRankedStatements(entries, outcomes);
      } catch (error) {
        if (!isStatementsUnsupported(error)) throw error;
        conditionalWrites = 'single';
        outcomes.clear();
      }
    }
    if (conditionalWrites === 'single')
      await runWithLimit(
        entries.map((entry) => async () => {
          outcomes.set(entry, await putRanked(entry));
        }),
        maxParallel,
      );
    for (const [entry, outcome] of outcomes)
      if (outcome !== undefined && !(outcome instanceof Error)) remember(keyOf(entry.item));
    return outcomes;
  }

  /** A conditional PutItem: replaces the item when its rank is higher (or there is none). */
  async function putRanked(entry: RankedEntry): Promise<RankedOutcome> {
    try {
      await withRetries(retry, () =>
        client.send(
          new PutCommand({
            TableName: tableName,
            Item: entry.item,
            ConditionExpression: 'attribute_not_exists(rk) OR rk < :rk',
            ExpressionAttributeValues: { ':rk': entry.rank },
          }),
        ),
      );
      return 'written';
    } catch (error) {
      if (asError(error).name === 'ConditionalCheckFailedException') return 'stale';
      return asError(error);
    }
  }

  /**
   * PartiQL: `UPDATE … WHERE rk < ?` for items this writer has seen, `INSERT` for the others,
   * 25 statements a request. A failed UPDATE that returns no old item found none: INSERT it; an
   * INSERT that finds the item there: UPDATE it. Throttled statements are retried with backoff.
   * An item another call of this writer is inserting waits for that call, then goes as UPDATE.
   */
  async function writeRankedStatements(
    entries: RankedEntry[],
    outcomes: Map<RankedEntry, RankedOutcome>,
  ): Promise<void> {
    const ready: RankedEntry[] = [];
    const waiting: RankedEntry[] = [];
    const waits = new Set<Promise<void>>();
    for (const entry of entries) {
      const other = inserting.get(keyOf(entry.item));
      if (other === undefined) ready.push(entry);
      else {
        waiting.push(entry);
        waits.add(other);
      }
    }
    // The keys this call inserts: a later call waits for them (entries it waits for itself are
    // not registered, so no call ever waits on a call that waits on it).
    let done = () => {};
    const mine = new Promise<void>((resolve) => {
      done = resolve;
    });
    const registered = ready.map((entry) => keyOf(entry.item)).filter((key) => !knownKeys.has(key));
    for (const key of registered) inserting.set(key, mine);
    try {
      // Both parts end before this returns (so a fall-back to `single` never overlaps them).
      const settled = await Promise.allSettled([
        sendRankedStatements(ready, outcomes),
        Promise.all(waits).then(() => sendRankedStatements(waiting, outcomes)),
      ]);
      for (const result of settled) if (result.status === 'rejected') throw result.reason;
    } finally {
      for (const key of registered) if (inserting.get(key) === mine) inserting.delete(key);
      done();
    }
  }

  /** The statement rounds of {@link writeRankedStatements}. */
  async function sendRankedStatements(
    entries: RankedEntry[],
    outcomes: Map<RankedEntry, RankedOutcome>,
  ): Promise<void> {
    if (entries.length === 0) return;
    let pending = entries.map((entry) => ({
      entry,
      insert: !knownKeys.has(keyOf(entry.item)),
      attempt: 0,
    }));
    for (let round = 0; pending.length > 0; round += 1) {
      if (round >= RANKED_ROUNDS * retry.maxAttempts) {
        for (const p of pending)
          outcomes.set(p.entry, new Error('gave up: other writers kept changing the item'));
        return;
      }
      const next: typeof pending = [];
      const chunks: (typeof pending)[] = [];
      for (let i = 0; i < pending.length; i += BATCH_SIZE)
        chunks.push(pending.slice(i, i + BATCH_SIZE));
      await runWithLimit(
        chunks.map((chunk) => async () => {
          let responses: StatementResponse[];
          try {
            responses = await withRetries(retry, async () => {
              const output = await client.send(
                new BatchExecuteStatementCommand({
                  Statements: chunk.map((p) =>
                    p.insert ? insertStatement(p.entry) : updateStatement(p.entry),
                  ),
                }),
              );
              return output.Responses ?? [];
            });
          } catch (error) {
            if (isStatementsUnsupported(error)) throw error;
            for (const p of chunk) outcomes.set(p.entry, asError(error));
            return;
          }
          chunk.forEach((p, index) => {
            const code = responses[index]?.Error?.Code;
            const key = keyOf(p.entry.item);
            // The item is there now (whatever happens next): remember it at once, for the
            // concurrent calls that are about to offer it.
            if (code === undefined) {
              outcomes.set(p.entry, 'written');
              remember(key);
            } else if (code === 'DuplicateItem') {
              remember(key);
              next.push({ ...p, insert: false });
            } else if (code === 'ConditionalCheckFailed')
              if (responses[index]?.Error?.Item !== undefined) {
                outcomes.set(p.entry, 'stale');
                remember(key);
              } else {
                knownKeys.delete(key);
                next.push({ ...p, insert: true });
              }
            else if (isRetryableCode(code) && p.attempt + 1 < retry.maxAttempts)
              next.push({ ...p, attempt: p.attempt + 1 });
            else
              outcomes.set(
                p.entry,
                new Error(`${code}: ${responses[index]?.Error?.Message ?? 'statement failed'}`),
              );
          });
        }),
        maxParallel,
      );
      if (next.some((p) => p.attempt > 0))
        await sleep(Math.random() * Math.min(retry.maxDelayMs, retry.baseDelayMs * 2 ** round));
      pending = next;
    }
  }

  function updateStatement({ item, rank }: RankedEntry): StatementRequest {
    const names = Object.keys(item).filter((name) => name !== 'pk' && name !== 'sk');
    const removed = OPTIONAL_ATTRIBUTES.filter((name) => !(name in item));
    return {
      Statement:
        `UPDATE "${tableName}" ${names.map((name) => `SET "${name}" = ?`).join(' ')}` +
        `${removed.map((name) => ` REMOVE "${name}"`).join('')} WHERE "pk" = ? AND "sk" = ? AND "rk" < ?`,
      Parameters: [...names.map((name) => item[name]), item['pk'], item['sk'], rank],
      ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
    };
  }

  function insertStatement({ item }: RankedEntry): StatementRequest {
    const names = Object.keys(item);
    return {
      Statement: `INSERT INTO "${tableName}" VALUE {${names.map((name) => `'${name}': ?`).join(', ')}}`,
      Parameters: names.map((name) => item[name]),
    };
  }

  function rememberMapping(key: string): void {
    if (putMappings.size >= KNOWN_KEYS_LIMIT) putMappings.clear();
    putMappings.add(key);
  }

  function remember(key: string): void {
    if (knownKeys.size >= KNOWN_KEYS_LIMIT) knownKeys.clear();
    knownKeys.add(key);
  }

  return { writeRecords, closeRun };
}

type StatementRequest = NonNullable<BatchExecuteStatementCommandInput['Statements']>[number];
type StatementResponse = NonNullable<BatchExecuteStatementCommandOutput['Responses']>[number];

/** UnprocessedItems left after a BatchWriteItem: retried like throttling. */
export class UnprocessedItemsError extends Error {
  override readonly name = 'UnprocessedItemsError';
  readonly retryable = true;
  constructor(readonly count: number) {
    super(`${count} items left unprocessed by BatchWriteItem`);
  }
}

/** A server that does not implement PartiQL (dynalite answers UnknownOperationException). */
function isStatementsUnsupported(error: unknown): boolean {
  const name = (error as { name?: string } | undefined)?.name ?? '';
  return name === 'UnknownOperationException' || name === 'UnknownOperation';
}

/** Statement error codes that are worth retrying (BatchStatementErrorCodeEnum). */
function isRetryableCode(code: string): boolean {
  return (
    code === 'ThrottlingError' ||
    code === 'ProvisionedThroughputExceeded' ||
    code === 'RequestLimitExceeded' ||
    code === 'InternalServerError' ||
    code === 'TransactionConflict'
  );
}

function keyOf(item: Record<string, unknown>): string {
  return `${String(item['pk'] ?? '')}\u0000${String(item['sk'] ?? '')}`;
}

function asError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Per run, the record of the highest rank (records that make no run pass through). */
function newestPerRun(records: readonly AuditRecord[]): AuditRecord[] {
  const newest = new Map<string, { record: AuditRecord; rank: string }>();
  for (const record of records) {
    const id = runIdOf(record);
    if (id === undefined) continue;
    const rank = runRankOf(record);
    const current = newest.get(id);
    if (!current || rank > current.rank) newest.set(id, { record, rank });
  }
  return [...newest.values()].map(({ record }) => record);
}
