import type { DynamoDBClient, QueryCommandInput } from '@aws-sdk/client-dynamodb';
import {
  BatchGetItemCommand,
  GetItemCommand,
  QueryCommand,
  ScanCommand,
} from '@aws-sdk/client-dynamodb';
import type { AuditRecord, FailureCategory } from '@ecslog/ecs-event-mapper';
import { parseTimestamp } from '@ecslog/ecs-event-mapper';
import type { Item } from './item-codec';
import {
  activityPartitionKey,
  clusterPartitionKey,
  dayOf,
  decodeRecord,
  failurePartitionKey,
  groupPartitionKey,
  historySortKey,
  isExpired,
  LATEST_SORT_KEY,
  parseActivitySortKey,
  resourcePartitionKey,
  taskIdPartitionKey,
} from './item-codec';
import type { RetryPolicy } from './retry';
import { DEFAULT_RETRY_POLICY, withRetries } from './retry';
import { INDEX, TTL_ATTRIBUTE } from './table-definition';
import { UnprocessedItemsError } from './audit-writer';

/** One page of records, oldest first, and the cursor of the next page when there is one. */
export interface Page {
  records: AuditRecord[];
  /** Opaque; pass back as `cursor` to continue. */
  cursor?: string;
}

export interface PageOptions {
  /** Most records in the page (default 100). */
  limit?: number;
  cursor?: string;
}

export interface TimeRange {
  /** ISO-8601, inclusive. */
  from: string;
  /** ISO-8601, inclusive. */
  to: string;
}

/** A cluster, and a service or family group of it (`''`: records without a group), that had records. */
export interface Activity {
  clusterArn: string;
  group: string;
}

/**
 * How a caller steers a long read (a view of runs over many days): it stops when `signal` fires,
 * and it tells how many runs each page added, so that a view can stop once it holds more runs
 * than it shows.
 */
export interface ReadControl {
  /**
   * No page is requested once it fires, and the one in flight is abandoned: the read rejects
   * (with the signal's reason, or the SDK's AbortError).
   */
  signal?: AbortSignal;
  /**
   * Called after each page with the task runs it added: tasks seen for the first time in this
   * read, and RunTask/StartTask failures (each a run that never started). A lower bound of the
   * runs the records make: a task known only by API calls is not counted.
   */
  onRuns?: (added: number) => void;
}

export interface AuditReaderOptions {
  client: DynamoDBClient;
  tableName: string;
  /** Retries of UnprocessedKeys and throttling in `storedRecordIds` (default: the writer's). */
  retry?: RetryPolicy;
  /** Epoch ms; injected so tests control expiry. */
  now?: () => number;
}

/** The longest time range a query may span: one index partition is read per day. */
export const MAX_RANGE_DAYS = 400;

/**
 * Typed queries, one per access pattern of the table (README: "Table design"). Every query skips
 * items whose TTL has passed but which DynamoDB has not deleted yet.
 *
 * A time-range query reads one index partition per UTC day, from `from`'s day to `to`'s, each
 * with `eventTime BETWEEN from AND to`, and returns records oldest first; the cursor remembers
 * the day and the last key read.
 *
 * @example
 * const reader = createAuditReader({ client, tableName });
 * let page = await reader.byCluster(clusterArn, { from, to });
 * while (page.cursor) page = await reader.byCluster(clusterArn, { from, to, cursor: page.cursor });
 */
export function createAuditReader(options: AuditReaderOptions) {
  const { client, tableName } = options;
  const now = options.now ?? Date.now;
  const retry = options.retry ?? DEFAULT_RETRY_POLICY;

  /** Access pattern 1 (and 6 for a service ARN): a resource's history, oldest first. */
  async function history(resourceArn: string, page: PageOptions = {}): Promise<Page> {
    return queryPartitions(
      [
        {
          KeyConditionExpression: 'pk = :pk AND begins_with(sk, :history)',
          ExpressionAttributeValues: {
            ':pk': { S: resourcePartitionKey(resourceArn) },
            ':history': { S: 'H#' },
          },
        },
      ],
      page,
    );
  }

  /** Access pattern 2: the latest state of a task or container instance (highest version). */
  async function latest(resourceArn: string): Promise<AuditRecord | undefined> {
    const output = await client.send(
      new GetItemCommand({
        TableName: tableName,
        Key: { pk: { S: resourcePartitionKey(resourceArn) }, sk: { S: LATEST_SORT_KEY } },
      }),
    );
    const item = output.Item as Item | undefined;
    return item && !isExpired(item, nowSeconds()) ? decodeRecord(item) : undefined;
  }

  /** Access pattern 3: every record of a cluster in a time range. */
  async function byCluster(clusterArn: string, range: TimeRange & PageOptions): Promise<Page> {
    return queryDays(INDEX.byCluster, (day) => clusterPartitionKey(clusterArn, day), range);
  }

  /** Access pattern 4: every record of a service (`service:NAME`) or task family (`family:NAME`) in a time range. */
  async function byGroup(
    clusterArn: string,
    group: string,
    range: TimeRange & PageOptions,
  ): Promise<Page> {
    return queryDays(INDEX.byGroup, (day) => groupPartitionKey(clusterArn, group, day), range);
  }

  /**
   * Access patterns 3 and 4 for views of runs (timelines, task lists): the cluster's (or, with
   * `group`, the group's) records in the range, unpaged, with only the newest version of each
   * task and container instance among them. Older versions are read but never decoded, which is
   * most of the cost of a long range: a task has about five state changes. `control` stops the
   * read (its signal) and hears of the runs each page adds, so that a view can stop it early.
   */
  async function latestVersions(
    clusterArn: string,
    range: TimeRange,
    group?: string,
    control: ReadControl = {},
  ): Promise<AuditRecord[]> {
    const from = storedInstant(range.from, range);
    const to = storedInstant(range.to, range);
    const index = group === undefined ? INDEX.byCluster : INDEX.byGroup;
    // `v` (the version), `pk` (the resource), `rt` and `cat` are plain attributes: no decoding to
    // compare. Superseded versions are dropped as pages arrive, so memory holds one item per task.
    const versionOf = (item: Item) => (item['v'] as { N: string } | undefined)?.N;
    const resourceOf = (item: Item) => (item['pk'] as { S: string }).S;
    const kept: (Item | undefined)[] = [];
    const newest = new Map<string, { version: number; at: number }>();
    const countRuns = (page: readonly Item[]) => {
      let added = 0;
      for (const item of page) {
        const version = versionOf(item);
        if (version === undefined) {
          kept.push(item);
          if (isStartFailureItem(item)) added += 1;
          continue;
        }
        const resource = resourceOf(item);
        const seen = newest.get(resource);
        if (seen === undefined && (item['rt'] as { S: string } | undefined)?.S === 'task')
          added += 1;
        if (seen !== undefined && seen.version >= Number(version)) continue;
        if (seen !== undefined) kept[seen.at] = undefined;
        newest.set(resource, { version: Number(version), at: kept.length });
        kept.push(item);
      }
      control.onRuns?.(added);
    };
    for (const day of daysBetween(from, to))
      await queryAll(
        {
          IndexName: index.name,
          KeyConditionExpression: `${index.partitionKey} = :pk AND ${index.sortKey} BETWEEN :from AND :to`,
          ExpressionAttributeValues: {
            ':pk': {
              S:
                group === undefined
                  ? clusterPartitionKey(clusterArn, day)
                  : groupPartitionKey(clusterArn, group, day),
            },
            ':from': { S: from },
            ':to': { S: to },
          },
        },
        { signal: control.signal, onPage: countRuns },
      );
    return kept.filter((item): item is Item => item !== undefined).map(decodeRecord);
  }

  /** Access pattern 5: failed records in a time range, optionally of one category. */
  async function failures(
    range: TimeRange & PageOptions & { category?: FailureCategory },
  ): Promise<Page> {
    return queryDays(INDEX.byFailure, failurePartitionKey, range, range.category);
  }

  /**
   * The clusters and groups with records in the range (by UTC day, so a little wider than the
   * range), sorted: which partitions of byCluster and byGroup a query without a cluster reads.
   */
  async function activity(
    range: TimeRange,
    control: Pick<ReadControl, 'signal'> = {},
  ): Promise<Activity[]> {
    const from = storedInstant(range.from, range);
    const to = storedInstant(range.to, range);
    const keys = new Set<string>();
    for (const day of daysBetween(from, to))
      for (const item of await queryAll(
        {
          KeyConditionExpression: 'pk = :pk',
          ExpressionAttributeValues: { ':pk': { S: activityPartitionKey(day) } },
        },
        control,
      ))
        keys.add((item['sk'] as { S: string }).S);
    return [...keys].sort().map(parseActivitySortKey);
  }

  /** The ARNs of the tasks with this id (one, unless ids repeat across clusters or accounts). */
  async function taskArnsOf(taskId: string): Promise<string[]> {
    const arns = new Set<string>();
    for (const item of await queryAll({
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': { S: taskIdPartitionKey(taskId) } },
    })) {
      const sortKey = (item['sk'] as { S: string }).S;
      arns.add(sortKey.slice(sortKey.indexOf('#') + 1));
    }
    return [...arns].sort();
  }

  /**
   * The ids of the records whose history item is already stored (BatchGetItem of their keys, 100 at
   * a time, keys only): a backfill skips them, so a re-run writes nothing and says so.
   */
  async function storedRecordIds(records: readonly AuditRecord[]): Promise<Set<string>> {
    const byKey = new Map<string, string>();
    for (const record of records)
      byKey.set(
        `${resourcePartitionKey(record.resourceArn)}\u0000${historySortKey(record)}`,
        record.recordId,
      );
    const keys = [...byKey.keys()].map((key) => {
      const [pk, sk] = key.split('\u0000') as [string, string];
      return { pk: { S: pk }, sk: { S: sk } };
    });
    const stored = new Set<string>();
    for (let i = 0; i < keys.length; i += 100) {
      let pending: Record<string, { S: string }>[] = keys.slice(i, i + 100);
      await withRetries(retry, async () => {
        const output = await client.send(
          new BatchGetItemCommand({
            RequestItems: {
              [tableName]: {
                Keys: pending,
                ProjectionExpression: 'pk, sk, #ttl',
                ExpressionAttributeNames: { '#ttl': TTL_ATTRIBUTE },
              },
            },
          }),
        );
        for (const item of (output.Responses?.[tableName] ?? []) as Item[]) {
          if (isExpired(item, nowSeconds())) continue;
          const id = byKey.get(
            `${(item['pk'] as { S: string }).S}\u0000${(item['sk'] as { S: string }).S}`,
          );
          if (id !== undefined) stored.add(id);
        }
        const unprocessed = (output.UnprocessedKeys?.[tableName]?.Keys ?? []) as Record<
          string,
          { S: string }
        >[];
        if (unprocessed.length === 0) return;
        pending = unprocessed;
        throw new UnprocessedItemsError(unprocessed.length);
      });
    }
    return stored;
  }

  /** True when the table holds no item at all (one Scan of one item). */
  async function isEmpty(): Promise<boolean> {
    const output = await client.send(new ScanCommand({ TableName: tableName, Limit: 1 }));
    return (output.Items ?? []).length === 0;
  }

  /**
   * Every unexpired item of one base-table partition; with `onPage`, each page's items go to it
   * instead (and none are returned).
   */
  async function queryAll(
    query: Pick<
      QueryCommandInput,
      'IndexName' | 'KeyConditionExpression' | 'ExpressionAttributeValues'
    >,
    control: { signal?: AbortSignal; onPage?: (items: Item[]) => void } = {},
  ): Promise<Item[]> {
    const { signal, onPage } = control;
    const items: Item[] = [];
    const seconds = nowSeconds();
    let startKey: QueryCommandInput['ExclusiveStartKey'];
    do {
      signal?.throwIfAborted();
      const output = await client.send(
        new QueryCommand({ TableName: tableName, ...query, ExclusiveStartKey: startKey }),
        { abortSignal: signal },
      );
      const page = ((output.Items ?? []) as Item[]).filter((item) => !isExpired(item, seconds));
      if (onPage) onPage(page);
      else items.push(...page);
      startKey = output.LastEvaluatedKey;
    } while (startKey);
    return items;
  }

  async function queryDays(
    index: (typeof INDEX)[keyof typeof INDEX],
    partitionKey: (day: string) => string,
    range: TimeRange & PageOptions,
    category?: FailureCategory,
  ): Promise<Page> {
    // Stored eventTimes are UTC with milliseconds, compared as strings: `…T03:00:05Z` or an
    // offset would not bound them as the instant it names.
    const from = storedInstant(range.from, range);
    const to = storedInstant(range.to, range);
    const days = daysBetween(from, to);
    return queryPartitions(
      days.map((day) => ({
        IndexName: index.name,
        KeyConditionExpression: `${index.partitionKey} = :pk AND ${index.sortKey} BETWEEN :from AND :to`,
        ExpressionAttributeValues: {
          ':pk': { S: partitionKey(day) },
          ':from': { S: from },
          ':to': { S: to },
          ...(category ? { ':cat': { S: category } } : {}),
        },
        ...(category ? { categoryFilter: true } : {}),
      })),
      range,
    );
  }

  type PartitionQuery = Pick<
    QueryCommandInput,
    'IndexName' | 'KeyConditionExpression' | 'ExpressionAttributeValues'
  > & {
    categoryFilter?: boolean;
  };

  /** Reads partitions in order until `limit` records are collected; the cursor says where to resume. */
  async function queryPartitions(partitions: PartitionQuery[], page: PageOptions): Promise<Page> {
    const limit = page.limit ?? 100;
    if (!Number.isInteger(limit) || limit < 1)
      throw new RangeError(`limit must be a positive integer, got ${limit}`);
    let { partition, startKey } = decodeCursor(page.cursor, partitions.length);
    if (startKey && !cursorFits(startKey, partitions[partition] as PartitionQuery))
      throw new InvalidCursorError(page.cursor as string);
    const records: AuditRecord[] = [];
    const seconds = nowSeconds();
    while (partition < partitions.length) {
      const { categoryFilter, ...query } = partitions[partition] as PartitionQuery;
      const output = await client.send(
        new QueryCommand({
          TableName: tableName,
          ...query,
          FilterExpression: categoryFilter ? '#ttl > :now AND cat = :cat' : '#ttl > :now',
          ExpressionAttributeNames: { '#ttl': TTL_ATTRIBUTE },
          ExpressionAttributeValues: {
            ...query.ExpressionAttributeValues,
            ':now': { N: String(seconds) },
          },
          ExclusiveStartKey: startKey,
          Limit: limit - records.length,
        }),
      );
      for (const item of (output.Items ?? []) as Item[]) {
        if (isExpired(item, seconds)) continue;
        records.push(decodeRecord(item));
        if (records.length === limit) {
          const more =
            output.LastEvaluatedKey !== undefined ||
            partition + 1 < partitions.length ||
            item !== output.Items?.at(-1);
          return {
            records,
            cursor: more ? encodeCursor(partition, keyOf(item, query.IndexName)) : undefined,
          };
        }
      }
      if (output.LastEvaluatedKey) startKey = output.LastEvaluatedKey as Item;
      else {
        partition += 1;
        startKey = undefined;
      }
    }
    return { records };
  }

  function nowSeconds(): number {
    return Math.floor(now() / 1000);
  }

  return {
    history,
    latest,
    byCluster,
    byGroup,
    latestVersions,
    failures,
    activity,
    taskArnsOf,
    storedRecordIds,
    isEmpty,
  };
}

export type AuditReader = ReturnType<typeof createAuditReader>;

/** A RunTask/StartTask call's record of a task that could not be placed or started. */
function isStartFailureItem(item: Item): boolean {
  const category = (item['cat'] as { S: string } | undefined)?.S;
  return (
    (item['rt'] as { S: string } | undefined)?.S === 'api-call' &&
    (category === 'placement' || category === 'start-failure')
  );
}

/** Every UTC day from `from`'s to `to`'s, as YYYY-MM-DD. */
export function daysBetween(from: string, to: string): string[] {
  const start = Date.parse(`${dayOf(from)}T00:00:00.000Z`);
  const end = Date.parse(`${dayOf(to)}T00:00:00.000Z`);
  if (Number.isNaN(start) || Number.isNaN(end))
    throw new RangeError(`not a time range: ${from} .. ${to}`);
  if (end < start) throw new RangeError(`the range ends before it starts: ${from} .. ${to}`);
  const count = (end - start) / 86_400_000 + 1;
  if (count > MAX_RANGE_DAYS)
    throw new RangeError(`the range spans ${count} days; at most ${MAX_RANGE_DAYS}`);
  return Array.from({ length: count }, (_, i) =>
    new Date(start + i * 86_400_000).toISOString().slice(0, 10),
  );
}

/** An ISO-8601 time as eventTimes are stored: UTC, milliseconds. */
function storedInstant(time: string, range: TimeRange): string {
  // The mapper's parser: any ISO form (zone-less read as UTC, never as the host's zone) → canonical.
  const instant = parseTimestamp(time);
  if (instant === undefined) throw new RangeError(`not a time range: ${range.from} .. ${range.to}`);
  return instant;
}

/** The key DynamoDB needs to resume after `item`: the table's keys, plus the index's. */
function keyOf(item: Item, indexName: string | undefined): Item {
  return Object.fromEntries(keyNames(indexName).map((name) => [name, item[name]])) as Item;
}

function keyNames(indexName: string | undefined): string[] {
  const index = Object.values(INDEX).find((i) => i.name === indexName);
  return index ? ['pk', 'sk', index.partitionKey, index.sortKey] : ['pk', 'sk'];
}

/**
 * True when a cursor's key lies in the partition and range of the query it is given to: DynamoDB
 * rejects (or, emulators, misreads) a start key from another query.
 */
function cursorFits(
  key: Item,
  query: Pick<QueryCommandInput, 'IndexName' | 'ExpressionAttributeValues'>,
): boolean {
  const names = keyNames(query.IndexName);
  if (Object.keys(key).sort().join() !== [...names].sort().join()) return false;
  const value = (name: string) => (key[name] as { S?: string } | undefined)?.S ?? '';
  const given = (name: string) =>
    (query.ExpressionAttributeValues?.[name] as { S?: string } | undefined)?.S ?? '';
  const [, , partitionKey = 'pk', sortKey = 'sk'] = names;
  if (value(partitionKey) !== given(':pk')) return false;
  if (!query.IndexName) return value('sk').startsWith(given(':history'));
  return value(sortKey) >= given(':from') && value(sortKey) <= given(':to');
}

interface CursorState {
  partition: number;
  startKey: Item | undefined;
}

function encodeCursor(partition: number, key: Item): string {
  const plain = Object.fromEntries(
    Object.entries(key).map(([name, value]) => [name, 'S' in value ? value.S : '']),
  );
  return Buffer.from(JSON.stringify({ p: partition, k: plain })).toString('base64url');
}

function decodeCursor(cursor: string | undefined, partitions: number): CursorState {
  if (cursor === undefined) return { partition: 0, startKey: undefined };
  try {
    const { p, k } = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as {
      p: number;
      k: Record<string, string>;
    };
    if (!Number.isInteger(p) || p < 0 || p >= partitions || typeof k !== 'object')
      throw new Error('out of range');
    const startKey = Object.fromEntries(
      Object.entries(k).map(([name, value]) => [name, { S: String(value) }]),
    ) as Item;
    return { partition: p, startKey };
  } catch {
    throw new InvalidCursorError(cursor);
  }
}

/** A cursor that this query did not produce (or from another time range). */
export class InvalidCursorError extends Error {
  override readonly name = 'InvalidCursorError';
  constructor(readonly cursor: string) {
    super('invalid cursor: it must come from the previous page of the same query');
  }
}
