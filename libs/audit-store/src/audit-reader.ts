import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { QueryCommandInput, QueryCommandOutput } from '@aws-sdk/lib-dynamodb';
import {
  BatchGetCommand,
  DynamoDBDocumentClient,
  GetCommand,
  QueryCommand,
  ScanCommand,
} from '@aws-sdk/lib-dynamodb';
import type { AuditRecord, FailureCategory } from '@ecslog/ecs-event-mapper';
import { parseTimestamp } from '@ecslog/ecs-event-mapper';
import type { TaskRun, TimeWindow } from '@ecslog/task-runs';
import {
  containerInstanceIdOf,
  isActiveDuring,
  parseAddress,
  parseImageReference,
  parseInstance,
  runHasAddress,
  runHasImage,
  runOnInstance,
  sortRuns,
} from '@ecslog/task-runs';
import { UnprocessedItemsError } from './audit-writer';
import {
  addressLookupKey,
  dayOf,
  decodeRecord,
  ec2LookupKey,
  eventsPartitionKey,
  OTHER_EVENTS_GROUP,
  imageMappingKey,
  instanceLookupKey,
  isExpired,
  LATEST_SORT_KEY,
  primaryKeyOf,
  resourcePartitionKey,
  RUN_ITEM_ATTRIBUTES,
  RUN_SORT_KEY,
  runOfItem,
  taskPartitionKey,
} from './item-codec';
import type { CachedRead, CachedRunItem, ReadCacheOptions } from './read-cache';
import { createReadCache, readKeyOf } from './read-cache';
import type { RetryPolicy } from './retry';
import { DEFAULT_RETRY_POLICY, withRetries } from './retry';
import { runWithLimit } from './run-with-limit';
import type { PartitionRead, RunScope } from './run-query-plan';
import {
  daysBetween,
  failureReadsOf,
  keepsRun,
  openRunReadsOf,
  runReadsOf,
} from './run-query-plan';
import { INDEX, TTL_ATTRIBUTE } from './table-definition';

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

/** ISO-8601 instants, both inclusive. */
export type TimeRange = TimeWindow;

/**
 * How a caller steers a long read: it stops when `signal` fires (the request in flight is
 * abandoned and the read rejects), and `onRuns` hears how many runs each partition read added
 * to the answer, so that a view can stop once it holds more runs than it shows.
 */
export interface ReadControl {
  signal?: AbortSignal;
  onRuns?: (added: number) => void;
}

/** Runs, and what reading them cost. */
export interface RunsRead {
  /** Oldest start first. */
  runs: TaskRun[];
  /** Stored items read to find them (DynamoDB's ScannedCount, summed). */
  itemsRead: number;
  /** Items served from the reader's read cache instead (0 without `readCache`). */
  itemsCached: number;
}

/** Runs on a host, and the container instances the lookup found it as. */
export interface InstanceRunsRead extends RunsRead {
  /** The container instance ARNs: of the EC2 instance's latest states, the ARN asked, the runs'. */
  containerInstanceArns: string[];
}

/** One task as the store holds it: its run, and every record of it in time order. */
export interface StoredTask {
  taskArn: string;
  run?: TaskRun;
  history: AuditRecord[];
}

export interface AuditReaderOptions {
  client: DynamoDBClient;
  tableName: string;
  /** Retries of UnprocessedKeys and throttling in `storedRecordIds` (default: the writer's). */
  retry?: RetryPolicy;
  /** Partition reads in flight at once (default 16). */
  maxParallel?: number;
  /**
   * Runs kept decoded between reads, by their stored bytes (default
   * {@link DEFAULT_DECODED_RUNS}; 0 keeps none). Decoding (inflating `r`) is most of a read's
   * own work, and a view that reads the same range again (the web view's filters) finds its runs
   * decoded. An item's run is a function of the attributes it is decoded from, so a kept run is
   * the run decoded again; runs read are shared, not copies: callers do not change them.
   */
  decodedRuns?: number;
  /**
   * Keep each run read's decoded answer (per partition read and projection) and serve it again
   * while the store's write generation is unchanged: only for a store whose every write the
   * generation counts (local mode). See `read-cache.ts`.
   */
  readCache?: ReadCacheOptions;
  /** Epoch ms; injected so tests control expiry. */
  now?: () => number;
}

/**
 * Typed queries, one per access pattern of the table (README: "Table design"). Every query skips
 * items whose TTL has passed but which DynamoDB has not deleted yet, and none scans.
 *
 * @example
 * const reader = createAuditReader({ client, tableName });
 * const { runs } = await reader.runsDuring({ from, to }, { cluster: 'prod', group: 'service:web' });
 * const task = await reader.task('0123456789abcdef0123456789abcdef');
 */
export function createAuditReader(options: AuditReaderOptions) {
  const { tableName } = options;
  const client = DynamoDBDocumentClient.from(options.client);
  const now = options.now ?? Date.now;
  const retry = options.retry ?? DEFAULT_RETRY_POLICY;
  const maxParallel = options.maxParallel ?? 16;
  const decoded = createDecodedRuns(options.decodedRuns ?? DEFAULT_DECODED_RUNS);
  const readCache = options.readCache && {
    generation: options.readCache.generation,
    answers: createReadCache(options.readCache.maxRuns),
  };

  /**
   * The runs active at any moment of the window (both ends inclusive), in the scope: those that
   * started in it, those open, and those carried into it from before (see `run-query-plan`).
   * `--at T` is the window [T, T].
   */
  async function runsDuring(
    window: TimeWindow,
    scope: RunScope = {},
    control: ReadControl = {},
  ): Promise<RunsRead> {
    const canonical = canonicalWindow(window);
    return readRuns(
      runReadsOf(canonical, scope),
      (run) => keepsRun(run, canonical, scope),
      control,
    );
  }

  /** The runs open now (no end recorded yet), in the scope. */
  async function openRuns(scope: RunScope = {}, control: ReadControl = {}): Promise<RunsRead> {
    const always: TimeWindow = { from: new Date(0).toISOString(), to: '9999-12-31T23:59:59.999Z' };
    return readRuns(
      openRunReadsOf(scope),
      (run) => run.end === 'open' && keepsRun(run, always, scope),
      control,
    );
  }

  async function readRuns(
    reads: PartitionRead[],
    keep: (run: TaskRun) => boolean,
    control: ReadControl,
  ): Promise<RunsRead> {
    /** Per run, the highest-ranked item read (a carry may lag behind its run item). */
    const best = new Map<string, { rank: string; run: TaskRun; carried: boolean }>();
    let itemsRead = 0;
    let itemsCached = 0;
    // Noted before any read is sent: a write answered after this changes it, so an answer read
    // under it and kept is found again only while no write has been answered since.
    const generation = await generationNow();
    await runParallel(
      reads.map((read) => async () => {
        const key = generation === undefined ? undefined : readKeyOf(read, RUN_ATTRIBUTES);
        let answer =
          key === undefined ? undefined : readCache?.answers.get(key, generation as number);
        if (answer !== undefined) itemsCached += answer.items.length;
        else {
          const { items, scanned } = await queryAll(read, control.signal, RUN_ATTRIBUTES);
          itemsRead += scanned;
          answer = { items: items.map(runItemOf) };
          if (key !== undefined) readCache?.answers.set(key, generation as number, answer);
        }
        // Apart: `onRuns?.(…)` would not evaluate its argument without a listener.
        const added = addBest(best, answer);
        control.onRuns?.(added);
      }),
    );
    itemsRead += await replaceClosedCarries(best, control.signal);
    const runs = [...best.values()].map(({ run }) => run).filter(keep);
    return { runs: sortRuns(runs), itemsRead, itemsCached };
  }

  /** The store's write generation, or undefined: no cache, or the store could not say. */
  async function generationNow(): Promise<number | undefined> {
    if (readCache === undefined) return undefined;
    try {
      return await readCache.generation();
    } catch {
      // A cache never fails a read: this one goes to the store, and is not kept.
      return undefined;
    }
  }

  function runItemOf(item: Record<string, unknown>): CachedRunItem {
    const ttl = item[TTL_ATTRIBUTE];
    return {
      run: decoded.runOf(item),
      rank: String(item['rk'] ?? ''),
      carried: String(item['pk']).startsWith('A#'),
      ...(typeof ttl === 'number' && { expiresAt: ttl }),
    };
  }

  /**
   * Keeps, per run, the highest-ranked of a read's unexpired items (a kept answer may hold items
   * that expired since it was read); the runs the read added.
   */
  function addBest(
    best: Map<string, { rank: string; run: TaskRun; carried: boolean }>,
    answer: CachedRead,
  ): number {
    const seconds = nowSeconds();
    let added = 0;
    for (const { run, rank, carried, expiresAt } of answer.items) {
      if (expiresAt !== undefined && expiresAt <= seconds) continue;
      const current = best.get(run.id);
      if (current !== undefined && current.rank >= rank) continue;
      if (current === undefined) added += 1;
      best.set(run.id, { rank, run, carried });
    }
    return added;
  }

  /**
   * A run closed by a later writer (`closeRun`) and then told by a state change that ended it
   * earlier keeps the closure's carries past its real end. So a run known only by a carry of a
   * closure is checked against its run item (BatchGetItem, 100 at a time), which then tells it.
   * Closures are rare: this reads a few items, never more than the carried closed runs. Returns
   * the items read.
   */
  async function replaceClosedCarries(
    best: Map<string, { rank: string; run: TaskRun; carried: boolean }>,
    signal?: AbortSignal,
  ): Promise<number> {
    const suspects = [...best.entries()].filter(
      ([, entry]) => entry.carried && entry.run.end === 'closed' && entry.run.record.taskId,
    );
    let read = 0;
    for (let i = 0; i < suspects.length; i += 100) {
      signal?.throwIfAborted();
      const keys = suspects.slice(i, i + 100).map(([, { run }]) => ({
        pk: taskPartitionKey(run.record.taskId as string),
        sk: RUN_SORT_KEY,
      }));
      let pending: Record<string, unknown>[] = keys;
      await withRetries(retry, async () => {
        const output = await client.send(
          new BatchGetCommand({ RequestItems: { [tableName]: { Keys: pending } } }),
          { abortSignal: signal },
        );
        for (const item of output.Responses?.[tableName] ?? []) {
          read += 1;
          if (isExpired(item, nowSeconds())) continue;
          const run = decoded.runOf(item);
          const rank = String(item['rk'] ?? '');
          const current = best.get(run.id);
          if (current === undefined || rank > current.rank)
            best.set(run.id, { rank, run, carried: false });
        }
        const unprocessed = output.UnprocessedKeys?.[tableName]?.Keys ?? [];
        if (unprocessed.length === 0) return;
        pending = unprocessed;
        throw new UnprocessedItemsError(unprocessed.length);
      });
    }
    return read;
  }

  /**
   * The runs whose task held the address at any moment of the window (`--at T`: [T, T]); any
   * spelling of an IPv4 or IPv6 address (it is canonicalised). One Query of the address's
   * `lookups` partition (`A#<address>`, entries that started by the window's end; more pages only
   * past 1 MB), then BatchGetItem of the run items of the entries that can be active (100 a
   * request). Exact: every run kept is checked on its run item like `runsDuring` checks. Runs
   * written before table layout 3 have no lookup keys and are not found.
   *
   * @throws RangeError naming what is wrong with the address or window.
   */
  async function runsAtAddress(
    address: string,
    window: TimeWindow,
    control: ReadControl = {},
  ): Promise<RunsRead> {
    const parsed = parseAddress(address);
    if ('error' in parsed) throw new RangeError(parsed.error);
    const canonical = canonicalWindow(window);
    const open = openRuns({}, { signal: control.signal });
    const read = await runsByLookupKey(
      addressLookupKey(parsed.value),
      canonical,
      (run) => runHasAddress(run, parsed.value),
      open,
      control,
    );
    const { itemsRead, itemsCached } = await open;
    return {
      ...read,
      itemsRead: read.itemsRead + itemsRead,
      itemsCached: read.itemsCached + itemsCached,
    };
  }

  /**
   * The runs on a host at any moment of the window: an EC2 instance (`i-…`: one Query of its
   * `E#<id>` lookups partition finds its container instances' latest states), a container
   * instance ARN or its id; then per container instance what {@link runsAtAddress} does with its
   * `C#<id>` partition (one Query, BatchGetItem of the run items). Runs written before table
   * layout 3 are not found.
   *
   * @throws RangeError naming what is wrong with the instance or window.
   */
  async function runsOnInstance(
    instance: string,
    window: TimeWindow,
    control: ReadControl = {},
  ): Promise<InstanceRunsRead> {
    const target = parseInstance(instance);
    if ('error' in target) throw new RangeError(target.error);
    const canonical = canonicalWindow(window);
    const arns = new Set<string>();
    let itemsRead = 0;
    const ids: string[] = [];
    if (target.kind === 'ec2') {
      const { items, scanned } = await queryAll(
        {
          indexName: INDEX.lookups.name,
          partitionKeyName: INDEX.lookups.partitionKey,
          partitionKey: ec2LookupKey(target.ec2InstanceId),
          sortKeyName: INDEX.lookups.sortKey,
        },
        control.signal,
      );
      itemsRead += scanned;
      for (const item of items) {
        const arn = String(item['pk']).slice('R#'.length);
        const id = containerInstanceIdOf(arn);
        if (id === undefined || arns.has(arn)) continue;
        arns.add(arn);
        if (!ids.includes(id)) ids.push(id);
      }
    } else {
      if (target.arn !== undefined) arns.add(target.arn);
      ids.push(target.id);
    }
    if (ids.length === 0)
      return { runs: [], itemsRead, itemsCached: 0, containerInstanceArns: [...arns].sort() };
    const openRunsOnce = openRuns({}, { signal: control.signal });
    const runs = new Map<string, TaskRun>();
    let itemsCached = 0;
    const open = await openRunsOnce;
    itemsRead += open.itemsRead;
    itemsCached += open.itemsCached;
    await runParallel(
      ids.map((id) => async () => {
        const read = await runsByLookupKey(
          instanceLookupKey(id),
          canonical,
          (run) => runOnInstance(run, id),
          openRunsOnce,
          control,
        );
        itemsRead += read.itemsRead;
        itemsCached += read.itemsCached;
        for (const run of read.runs) runs.set(run.id, run);
      }),
    );
    for (const run of runs.values())
      if (run.record.containerInstanceArn !== undefined) arns.add(run.record.containerInstanceArn);
    return {
      runs: sortRuns([...runs.values()]),
      itemsRead,
      itemsCached,
      containerInstanceArns: [...arns].sort(),
    };
  }

  /**
   * The runs of an image active at any moment of the window: `sha256:<64 hex>`,
   * `repository[:tag]` or `repository@sha256:…`. One Query of the image's mapping partition
   * (`M#<digest>` or `M#<repository>`: the clusters and groups that started a run of it on each
   * day up to the window's end), then per cluster and group found a scoped {@link runsDuring}
   * (the window's hours × 4 shards of the run index, its 4 open partitions and the carries of
   * the window's first day and hour), keeping the runs with a container of that image. Mapping
   * items expire `retentionDays` after their day: a run open longer than the retention is found
   * only while its group has started a run of the image since. Runs written before table layout
   * 3 are not found.
   *
   * @throws RangeError naming what is wrong with the image or window.
   */
  async function runsOfImage(
    image: string,
    window: TimeWindow,
    control: ReadControl = {},
  ): Promise<RunsRead> {
    const wanted = parseImageReference(image);
    if ('error' in wanted) throw new RangeError(wanted.error);
    const canonical = canonicalWindow(window);
    const key = wanted.digest ?? (wanted.repository as string);
    const { items, scanned } = await queryAll(
      {
        partitionKeyName: 'pk',
        partitionKey: imageMappingKey(key),
        sortKeyName: 'sk',
        sortKey: { between: ['0', `${dayOf(canonical.to)}#\uffff`] },
      },
      control.signal,
    );
    let itemsRead = scanned;
    let itemsCached = 0;
    const scopes = new Map<string, RunScope>();
    for (const item of items) {
      const [, cluster, ...group] = String(item['sk']).split('#');
      if (cluster === undefined || cluster === '') continue;
      const groupText = group.join('#');
      scopes.set(`${cluster}#${groupText}`, {
        cluster,
        ...(groupText !== '' && { group: groupText }),
      });
    }
    const runs = new Map<string, TaskRun>();
    await runParallel(
      [...scopes.values()].map((scope) => async () => {
        const read = await runsDuring(canonical, scope, control);
        itemsRead += read.itemsRead;
        itemsCached += read.itemsCached;
        for (const run of read.runs) if (runHasImage(run, wanted)) runs.set(run.id, run);
      }),
    );
    return { runs: sortRuns([...runs.values()]), itemsRead, itemsCached };
  }

  /**
   * The runs of one lookup key active in the window that `matches` keeps. Ended runs: one Query
   * of its `lookups` partition (entries that started by the window's end), then the run items of
   * the entries that ended at or after the window's start, 100 a BatchGetItem. Open runs are in no
   * lookups partition (an entry is written once, when its run ends): they come from `open`, the
   * open runs read once per lookup, kept when they match. The run item decides, so a companion or
   * run item left behind by a lower-ranked record never shows a run wrongly.
   */
  async function runsByLookupKey(
    key: string,
    window: TimeWindow,
    matches: (run: TaskRun) => boolean,
    open: Promise<RunsRead>,
    control: ReadControl,
  ): Promise<RunsRead> {
    const { items, scanned } = await queryAll(
      {
        indexName: INDEX.lookups.name,
        partitionKeyName: INDEX.lookups.partitionKey,
        partitionKey: key,
        sortKeyName: INDEX.lookups.sortKey,
        sortKey: { between: ['0', window.to] },
      },
      control.signal,
    );
    const partitions = new Set<string>();
    for (const item of items)
      if (item['end'] === 'open' || String(item['t1'] ?? '') >= window.from)
        partitions.add(String(item['pk']));
    const runs = new Map<string, TaskRun>();
    let itemsRead = scanned;
    const keys = [...partitions].map((pk) => ({ pk, sk: RUN_SORT_KEY }));
    const openNow = await open;
    for (const run of openNow.runs)
      if (
        isActiveDuring(run, window) &&
        matches(run) &&
        !partitions.has(taskPartitionKey(run.record.taskId ?? ''))
      )
        runs.set(run.id, run);
    control.onRuns?.(runs.size);
    for (let i = 0; i < keys.length; i += 100) {
      let added = 0;
      itemsRead += await batchGetRunItems(keys.slice(i, i + 100), control.signal, (item) => {
        if (isExpired(item, nowSeconds())) return;
        const run = decoded.runOf(item);
        if (!isActiveDuring(run, window) || !matches(run) || runs.has(run.id)) return;
        runs.set(run.id, run);
        added += 1;
      });
      control.onRuns?.(added);
    }
    return { runs: sortRuns([...runs.values()]), itemsRead, itemsCached: 0 };
  }

  /** BatchGetItem of run items (their run attributes), retrying what is left; the items read. */
  async function batchGetRunItems(
    keys: Record<string, unknown>[],
    signal: AbortSignal | undefined,
    onItem: (item: Record<string, unknown>) => void,
  ): Promise<number> {
    let read = 0;
    let pending = keys;
    await withRetries(retry, async () => {
      signal?.throwIfAborted();
      const output = await client.send(
        new BatchGetCommand({
          RequestItems: {
            [tableName]: {
              Keys: pending,
              ProjectionExpression: RUN_ATTRIBUTES.map((_, i) => `#a${i}`).join(', '),
              ExpressionAttributeNames: Object.fromEntries(
                RUN_ATTRIBUTES.map((name, i) => [`#a${i}`, name]),
              ),
            },
          },
        }),
        { abortSignal: signal },
      );
      for (const item of output.Responses?.[tableName] ?? []) {
        read += 1;
        onItem(item);
      }
      const unprocessed = output.UnprocessedKeys?.[tableName]?.Keys ?? [];
      if (unprocessed.length === 0) return;
      pending = unprocessed;
      throw new UnprocessedItemsError(unprocessed.length);
    });
    return read;
  }

  /**
   * Failed runs and failed records (service actions, deployments, API calls) whose failure lies
   * in the window: a run's at its end, a record's at its time. Oldest first.
   */
  async function failures(
    window: TimeWindow & { category?: FailureCategory },
    control: ReadControl = {},
  ): Promise<AuditRecord[]> {
    const canonical = canonicalWindow(window);
    const found: { time: string; record: AuditRecord }[] = [];
    await runParallel(
      failureReadsOf(canonical).map((read) => async () => {
        for (const item of (await queryAll(read, control.signal)).items) {
          if (window.category !== undefined && item['cat'] !== window.category) continue;
          found.push({ time: String(item[INDEX.failures.sortKey]), record: decodeRecord(item) });
        }
      }),
    );
    return found.sort((a, b) => a.time.localeCompare(b.time)).map(({ record }) => record);
  }

  /** A service's actions, deployments and API calls in the window (every cluster), oldest first. */
  async function serviceEvents(
    serviceName: string,
    window: TimeWindow,
    control: ReadControl = {},
  ): Promise<AuditRecord[]> {
    return eventsOfGroup(`service:${serviceName}`, window, control);
  }

  /**
   * The ECS events beyond the classic detail-types in the window — container instance health
   * changes, daemon events and generic records of detail-types ecslog does not model — every
   * cluster, oldest first: one Query per day.
   */
  async function otherEvents(
    window: TimeWindow,
    control: ReadControl = {},
  ): Promise<AuditRecord[]> {
    return eventsOfGroup(OTHER_EVENTS_GROUP, window, control);
  }

  async function eventsOfGroup(
    group: string,
    window: TimeWindow,
    control: ReadControl,
  ): Promise<AuditRecord[]> {
    const canonical = canonicalWindow(window);
    const found: { key: string; record: AuditRecord }[] = [];
    const index = INDEX.events;
    await runParallel(
      daysBetween(canonical.from, canonical.to).map((day) => async () => {
        const read: PartitionRead = {
          indexName: index.name,
          partitionKeyName: index.partitionKey,
          partitionKey: eventsPartitionKey(group, day),
          sortKeyName: index.sortKey,
          sortKey: { between: [canonical.from, `${canonical.to}#\uffff`] },
        };
        for (const item of (await queryAll(read, control.signal)).items)
          found.push({ key: String(item[index.sortKey]), record: decodeRecord(item) });
      }),
    );
    return found.sort((a, b) => a.key.localeCompare(b.key)).map(({ record }) => record);
  }

  /**
   * One task by its id or ARN: its run and its whole history, in one Query of its partition.
   * Undefined when the store holds nothing of it.
   */
  async function task(taskIdOrArn: string): Promise<StoredTask | undefined> {
    const taskId = taskIdOf(taskIdOrArn);
    const { items } = await queryAll({
      partitionKeyName: 'pk',
      partitionKey: taskPartitionKey(taskId),
      sortKeyName: 'sk',
    });
    const runItem = items.find((item) => item['sk'] === RUN_SORT_KEY);
    const history = items
      .filter((item) => String(item['sk']).startsWith('H#'))
      .map((item) => decodeRecord(item));
    const run = runItem && runOfItem(runItem);
    const taskArn = run?.record.resourceArn ?? history[0]?.resourceArn;
    if (taskArn === undefined) return undefined;
    if (taskIdOrArn.startsWith('arn:') && taskArn !== taskIdOrArn) return undefined;
    return { taskArn, ...(run && { run }), history };
  }

  /** A resource's history, oldest first: a task's (by ARN), a service's, a container instance's. */
  async function history(resourceArn: string, page: PageOptions = {}): Promise<Page> {
    const limit = page.limit ?? 100;
    if (!Number.isInteger(limit) || limit < 1)
      throw new RangeError(`limit must be a positive integer, got ${limit}`);
    const partitionKey = isTaskArn(resourceArn)
      ? taskPartitionKey(taskIdOf(resourceArn))
      : resourcePartitionKey(resourceArn);
    const startKey = decodeCursor(page.cursor, partitionKey);
    const records: AuditRecord[] = [];
    let exclusiveStartKey = startKey;
    const seconds = nowSeconds();
    do {
      const output: QueryCommandOutput = await client.send(
        new QueryCommand({
          TableName: tableName,
          KeyConditionExpression: 'pk = :pk AND begins_with(sk, :history)',
          ExpressionAttributeValues: { ':pk': partitionKey, ':history': 'H#' },
          ExclusiveStartKey: exclusiveStartKey,
          Limit: limit - records.length,
        }),
      );
      let last: Record<string, unknown> | undefined;
      for (const item of output.Items ?? []) {
        last = item;
        if (isExpired(item, seconds)) continue;
        const record = decodeRecord(item);
        if (isTaskArn(resourceArn) && record.resourceArn !== resourceArn) continue;
        records.push(record);
      }
      exclusiveStartKey = output.LastEvaluatedKey;
      if (records.length >= limit && exclusiveStartKey !== undefined && last !== undefined)
        return { records, cursor: encodeCursor(last) };
    } while (exclusiveStartKey !== undefined);
    return { records };
  }

  /** The latest state of a container instance, or the record that tells a task's run. */
  async function latest(resourceArn: string): Promise<AuditRecord | undefined> {
    const key = isTaskArn(resourceArn)
      ? { pk: taskPartitionKey(taskIdOf(resourceArn)), sk: RUN_SORT_KEY }
      : { pk: resourcePartitionKey(resourceArn), sk: LATEST_SORT_KEY };
    const output = await client.send(new GetCommand({ TableName: tableName, Key: key }));
    const item = output.Item;
    return item && !isExpired(item, nowSeconds()) ? decodeRecord(item) : undefined;
  }

  /**
   * The ids of the records already stored (BatchGetItem of their keys, 100 at a time, keys only):
   * a backfill skips them, so a re-run writes nothing and says so.
   */
  async function storedRecordIds(records: readonly AuditRecord[]): Promise<Set<string>> {
    const byKey = new Map<string, string>();
    for (const record of records) {
      const { pk, sk } = primaryKeyOf(record);
      byKey.set(`${pk}\u0000${sk}`, record.recordId);
    }
    const keys = [...byKey.keys()].map((key) => {
      const [pk, sk] = key.split('\u0000') as [string, string];
      return { pk, sk };
    });
    const stored = new Set<string>();
    for (let i = 0; i < keys.length; i += 100) {
      let pending: Record<string, unknown>[] = keys.slice(i, i + 100);
      await withRetries(retry, async () => {
        const output = await client.send(
          new BatchGetCommand({
            RequestItems: {
              [tableName]: {
                Keys: pending,
                ProjectionExpression: 'pk, sk, #ttl',
                ExpressionAttributeNames: { '#ttl': TTL_ATTRIBUTE },
              },
            },
          }),
        );
        for (const item of output.Responses?.[tableName] ?? []) {
          if (isExpired(item, nowSeconds())) continue;
          const id = byKey.get(`${String(item['pk'])}\u0000${String(item['sk'])}`);
          if (id !== undefined) stored.add(id);
        }
        const unprocessed = output.UnprocessedKeys?.[tableName]?.Keys ?? [];
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

  /** Every unexpired item a read finds, and how many items it read. */
  async function queryAll(
    read: PartitionRead,
    signal?: AbortSignal,
    attributes?: readonly string[],
  ): Promise<{ items: Record<string, unknown>[]; scanned: number }> {
    const items: Record<string, unknown>[] = [];
    const seconds = nowSeconds();
    let scanned = 0;
    let startKey: QueryCommandInput['ExclusiveStartKey'];
    const { condition, values } = keyConditionOf(read);
    do {
      signal?.throwIfAborted();
      const output: QueryCommandOutput = await client.send(
        new QueryCommand({
          TableName: tableName,
          IndexName: read.indexName,
          KeyConditionExpression: condition,
          ExpressionAttributeNames: {
            '#pk': read.partitionKeyName,
            ...(read.sortKey !== undefined && { '#sk': read.sortKeyName }),
            ...(attributes && Object.fromEntries(attributes.map((name, i) => [`#a${i}`, name]))),
          },
          ExpressionAttributeValues: values,
          ...(attributes && {
            ProjectionExpression: attributes.map((_, i) => `#a${i}`).join(', '),
          }),
          ExclusiveStartKey: startKey,
        }),
        { abortSignal: signal },
      );
      scanned += output.ScannedCount ?? output.Items?.length ?? 0;
      for (const item of output.Items ?? []) if (!isExpired(item, seconds)) items.push(item);
      startKey = output.LastEvaluatedKey;
    } while (startKey);
    return { items, scanned };
  }

  async function runParallel(tasks: (() => Promise<void>)[]): Promise<void> {
    await runWithLimit(tasks, maxParallel);
  }

  function nowSeconds(): number {
    return Math.floor(now() / 1000);
  }

  return {
    runsDuring,
    openRuns,
    runsAtAddress,
    runsOnInstance,
    runsOfImage,
    failures,
    serviceEvents,
    otherEvents,
    task,
    history,
    latest,
    storedRecordIds,
    isEmpty,
  };
}

export type AuditReader = ReturnType<typeof createAuditReader>;

/** Runs a reader keeps decoded by default: a day of the UI benchmark's 10,000 runs, twice. */
export const DEFAULT_DECODED_RUNS = 20_000;

/**
 * What reading a run takes of its item: the attributes `runOfItem` decodes it from, its rank,
 * and the TTL that says it expired. Index keys and the rest stay in the table: about a quarter
 * fewer bytes for the server to send and the SDK to parse.
 */
const RUN_ATTRIBUTES: readonly string[] = [...RUN_ITEM_ATTRIBUTES, 'rk', TTL_ATTRIBUTE];

/**
 * `runOfItem`, remembering the last `capacity` runs decoded (least recently read dropped first)
 * by everything they are decoded from: the same stored bytes and end give the same run.
 */
function createDecodedRuns(capacity: number): { runOf(item: Record<string, unknown>): TaskRun } {
  const kept = new Map<string, TaskRun>();
  return {
    runOf(item) {
      const r = item['r'];
      if (capacity === 0 || !(r instanceof Uint8Array)) return runOfItem(item);
      const bytes = Buffer.from(r.buffer, r.byteOffset, r.byteLength).toString('latin1');
      const key = `${JSON.stringify([item['end'], item['t1'], item['cr']])}${bytes}`;
      const known = kept.get(key);
      if (known !== undefined) {
        kept.delete(key);
        kept.set(key, known);
        return known;
      }
      const run = runOfItem(item);
      kept.set(key, run);
      if (kept.size > capacity) kept.delete(kept.keys().next().value as string);
      return run;
    },
  };
}

function keyConditionOf(read: PartitionRead): {
  condition: string;
  values: Record<string, string>;
} {
  const values: Record<string, string> = { ':pk': read.partitionKey };
  if (read.sortKey === undefined) return { condition: '#pk = :pk', values };
  if ('beginsWith' in read.sortKey)
    return {
      condition: '#pk = :pk AND begins_with(#sk, :prefix)',
      values: { ...values, ':prefix': read.sortKey.beginsWith },
    };
  const [low, high] = read.sortKey.between;
  return {
    condition: '#pk = :pk AND #sk BETWEEN :low AND :high',
    values: { ...values, ':low': low, ':high': high },
  };
}

function isTaskArn(text: string): boolean {
  return /^arn:aws[\w-]*:ecs:[^:]*:[^:]*:task\//.test(text);
}

/** A task's id from its id or ARN (the ARN's last part). */
export function taskIdOf(taskIdOrArn: string): string {
  return isTaskArn(taskIdOrArn) ? (taskIdOrArn.split('/').at(-1) as string) : taskIdOrArn;
}

/** A window's ends as stored times are: UTC with milliseconds, compared as strings. */
function canonicalWindow(window: TimeWindow): TimeWindow {
  const from = parseTimestamp(window.from);
  const to = parseTimestamp(window.to);
  if (from === undefined || to === undefined)
    throw new RangeError(`not a time range: ${window.from} .. ${window.to}`);
  if (to < from) throw new RangeError(`the range ends before it starts: ${from} .. ${to}`);
  return { from, to };
}

function encodeCursor(item: Record<string, unknown>): string {
  return Buffer.from(JSON.stringify({ pk: item['pk'], sk: item['sk'] })).toString('base64url');
}

function decodeCursor(
  cursor: string | undefined,
  partitionKey: string,
): Record<string, unknown> | undefined {
  if (cursor === undefined) return undefined;
  try {
    const key = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as {
      pk?: unknown;
      sk?: unknown;
    };
    if (key.pk !== partitionKey || typeof key.sk !== 'string' || !key.sk.startsWith('H#'))
      throw new Error('not this query');
    return { pk: key.pk, sk: key.sk };
  } catch {
    throw new InvalidCursorError(cursor);
  }
}

/** A cursor that this query did not produce. */
export class InvalidCursorError extends Error {
  override readonly name = 'InvalidCursorError';
  constructor(readonly cursor: string) {
    super('invalid cursor: it must come from the previous page of the same query');
  }
}
