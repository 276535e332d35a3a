import type { AuditRecord } from '@ecslog/ecs-event-mapper';
import type { RunClosure, RunEnd, TaskRun } from '@ecslog/task-runs';
import {
  addressesOf,
  closureRankOf,
  containerInstanceIdOf,
  imagesOf,
  makesRun,
  runRankOf,
  taskRunOf,
} from '@ecslog/task-runs';
import { compressRecord, decompressRecord } from './record-compression';
import { INDEX, TTL_ATTRIBUTE } from './table-definition';

/**
 * AuditRecord ⇄ DynamoDB items (in the native form of `@aws-sdk/lib-dynamodb`). Pure functions of
 * their arguments: no clock, no client.
 *
 * What a record writes (README: "Table design"):
 * - a task's state change or an API call about a task: its history item in the task's partition
 *   (`T#<taskId>` / `H#…`, in no index) and, when it ranks highest, the run item (`RUN`) with the
 *   run index keys, the failure index keys when the run failed, and — once the run has ended — its
 *   carries (one per UTC midnight it crossed, one per hour boundary it crossed on its first day);
 * - a RunTask/StartTask placement or start failure: a run that never started (`N#<recordId>`);
 * - anything else (services, deployments, container instances, other calls): a history item
 *   under `R#<resourceArn>`, in the failure index when failed and in the events index when about a
 *   service; container instances also their latest state (`LATEST`).
 *
 * Provenance lookups (table layout 3): a task's run item, once the run has ended, carries `lk`, its
 * first lookup key — its ENI's IPv4 address `A#<ip>`, else its IPv6 address, else its container
 * instance `C#<id>` — and each further key sits on a companion item `T#<taskId>` / `L#<kind>`
 * (ranked with the run). An open run has neither: readers find it among the open runs, so each
 * index entry is written once, with its final `t1` and `end`, not again when the run ends; a
 * container instance's latest state carries `lk = E#<ec2InstanceId>`; each image a task ran has
 * immutable mapping items `M#<digest>` and `M#<repository>` / `<start day>#<cluster>#<group>`.
 *
 * The record is stored as `r`: its JSON deflate-compressed with a preset dictionary (≈1.1 KB of
 * JSON become ≈270 bytes), so a typical item stays within one 1 KB write unit.
 */

/** A DynamoDB item in the native form (strings, numbers, Uint8Array). */
export type Item = Record<string, string | number | Uint8Array>;

/** An item written only when its rank is above the stored one's (see the writer). */
export interface RankedItem {
  item: Item;
  /** Compared as a string with the stored item's `rk`. */
  rank: string;
}

export const LATEST_SORT_KEY = 'LATEST';
/** Companion items of a run's further lookup keys: `L#A6` (its IPv6 address), `L#C` (its instance). */
export const COMPANION_PREFIX = 'L#';
/** The lookups index sort value of a latest state: constant, so a new version moves nothing. */
export const LATEST_LOOKUP_SORT = '0';
/** Containers of a record whose images get mapping items (ECS allows 10 per task definition). */
const MAX_MAPPED_CONTAINERS = 10;
export const RUN_SORT_KEY = 'RUN';
const HISTORY_PREFIX = 'H#';
const SECONDS_PER_DAY = 86_400;
const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;

/**
 * Index partitions each time bucket is split into, by a hash of the run: a table constant read by
 * writer and reader alike (changing it is a migration). Four keep ≈1,000 task starts per second
 * under DynamoDB's per-partition write limit (README: "Scale on paper").
 */
export const SHARDS = 4;

/** The partition every open run's index entry lives in, by shard. */
export function openRunsPartitionKey(shard: number): string {
  return `S#OPEN#${shard}`;
}

/** The run index partition of runs that started in `hour` (`YYYY-MM-DDTHH`). */
export function startHourPartitionKey(hour: string, shard: number): string {
  return `S#${hour}#${shard}`;
}

export function dayCarryPartitionKey(day: string, shard: number): string {
  return `A#D#${day}#${shard}`;
}

export function hourCarryPartitionKey(hour: string, shard: number): string {
  return `A#H#${hour}#${shard}`;
}

export function failurePartitionKey(day: string, shard: number): string {
  return `X#${day}#${shard}`;
}

export function eventsPartitionKey(group: string, day: string): string {
  return `E#${group}#${day}`;
}

/** The lookups index partition of an address (canonical: see `canonicalAddress`). */
export function addressLookupKey(address: string): string {
  return `A#${address}`;
}

/** The lookups index partition of a container instance, by its id (the ARN's last part). */
export function instanceLookupKey(containerInstanceId: string): string {
  return `C#${containerInstanceId}`;
}

/** The lookups index partition of an EC2 instance: the latest states of its container instances. */
export function ec2LookupKey(ec2InstanceId: string): string {
  return `E#${ec2InstanceId}`;
}

/** The partition of an image's mapping items: `M#<digest>` or `M#<repository>`. */
export function imageMappingKey(digestOrRepository: string): string {
  return `M#${digestOrRepository}`;
}

/** A mapping item's sort key: the day a run started, its cluster and group. */
export function imageMappingSortKey(day: string, clusterName: string, group: string): string {
  return `${day}#${clusterName}#${group}`;
}

export function taskPartitionKey(taskId: string): string {
  return `T#${taskId}`;
}

export function resourcePartitionKey(resourceArn: string): string {
  return `R#${resourceArn}`;
}

export function neverStartedPartitionKey(recordId: string): string {
  return `N#${recordId}`;
}

/** The UTC day of an ISO timestamp (`YYYY-MM-DD`). */
export function dayOf(isoTime: string): string {
  return isoTime.slice(0, 10);
}

/** The UTC hour of an ISO timestamp (`YYYY-MM-DDTHH`). */
export function hourOf(isoTime: string): string {
  return isoTime.slice(0, 13);
}

/** A string's shard: FNV-1a, mod {@link SHARDS}. */
export function shardOf(key: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < key.length; i += 1) {
    hash ^= key.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return (hash >>> 0) % SHARDS;
}

/**
 * The ECS task group a record belongs to: `service:NAME` or `family:NAME`. Service actions and
 * deployments belong to their service's group.
 */
export function groupOf(record: AuditRecord): string | undefined {
  if (record.group) return record.group;
  if (record.serviceName) return `service:${record.serviceName}`;
  if (record.family) return `family:${record.family}`;
  return undefined;
}

/** True for records kept in a task's partition: its state changes and the API calls about it. */
function isTaskRecord(record: AuditRecord): boolean {
  return (
    record.taskId !== undefined &&
    (record.recordType === 'task' || record.recordType === 'api-call')
  );
}

/** A placement or start failure of a RunTask/StartTask call: a run that never started. */
function isNeverStarted(record: AuditRecord): boolean {
  return makesRun(record) && !isTaskRecord(record);
}

/** The partition of a run: its task's, or the never-started run's own. */
function runPartitionKeyOf(record: AuditRecord): string {
  return isTaskRecord(record)
    ? taskPartitionKey(record.taskId as string)
    : neverStartedPartitionKey(record.recordId);
}

/** The run's key within index sort keys: the task id, or the failure's record id. */
function runKeyOf(record: AuditRecord): string {
  return record.taskId ?? record.recordId;
}

/**
 * `H#<eventTime>#<id>`: history sorts by time; the id part keeps distinct records apart. A task's
 * or instance's id is its version, zero-padded so that versions with the same time sort in order.
 */
export function historySortKey(
  record: Pick<AuditRecord, 'eventTime' | 'recordId' | 'recordType' | 'resourceArn' | 'version'>,
): string {
  const redundant = `${record.recordType}:${record.resourceArn}:`;
  const id =
    record.recordId === `${redundant}v${record.version}`
      ? `v${String(record.version).padStart(10, '0')}`
      : record.recordId.startsWith(redundant)
        ? record.recordId.slice(redundant.length)
        : record.recordId;
  return `${HISTORY_PREFIX}${record.eventTime}#${id}`;
}

/** The key of the one item that says a record is stored: its history item, or its never-started run. */
export function primaryKeyOf(record: AuditRecord): { pk: string; sk: string } {
  if (isNeverStarted(record))
    return { pk: neverStartedPartitionKey(record.recordId), sk: RUN_SORT_KEY };
  return {
    pk: isTaskRecord(record)
      ? taskPartitionKey(record.taskId as string)
      : resourcePartitionKey(record.resourceArn),
    sk: historySortKey(record),
  };
}

/** Epoch seconds `retentionDays` after an instant. */
export function expiryAt(isoTime: string, retentionDays: number): number {
  return Math.floor(Date.parse(isoTime) / 1000) + Math.round(retentionDays * SECONDS_PER_DAY);
}

/** Epoch seconds at which a record's history item expires: `retentionDays` after its change. */
export function expiryOf(record: Pick<AuditRecord, 'eventTime'>, retentionDays: number): number {
  return expiryAt(record.eventTime, retentionDays);
}

export function encodeRecord(record: AuditRecord): Uint8Array {
  return compressRecord(record);
}

export function decodeRecord(item: Record<string, unknown>): AuditRecord {
  const r = item['r'];
  if (!(r instanceof Uint8Array)) throw new Error('item has no record attribute "r"');
  return decompressRecord(r);
}

function common(record: AuditRecord, encoded: Uint8Array): Item {
  const item: Item = { rt: record.recordType, st: record.outcome.status, r: encoded };
  if (record.outcome.category) item['cat'] = record.outcome.category;
  if (record.version !== undefined) item['v'] = record.version;
  return item;
}

/** The history item of a record: unindexed for a task, else in the failure and events indexes as it applies. */
export function toHistoryItem(
  record: AuditRecord,
  retentionDays: number,
  encoded = encodeRecord(record),
): Item {
  const { pk, sk } = primaryKeyOf(record);
  const item: Item = {
    pk,
    sk,
    [TTL_ATTRIBUTE]: expiryOf(record, retentionDays),
    ...common(record, encoded),
  };
  if (isTaskRecord(record)) return item;
  if (record.outcome.status === 'failed') {
    item[INDEX.failures.partitionKey] = failurePartitionKey(
      dayOf(record.eventTime),
      shardOf(record.recordId),
    );
    item[INDEX.failures.sortKey] = `${record.eventTime}#${record.recordId}`;
  }
  const group = groupOf(record);
  if (group?.startsWith('service:') && isServiceEvent(record)) {
    item[INDEX.events.partitionKey] = eventsPartitionKey(group, dayOf(record.eventTime));
    item[INDEX.events.sortKey] = `${record.eventTime}#${record.clusterArn}#${record.recordId}`;
  } else if (record.detailType !== undefined) {
    // ECS events beyond the classic detail-types (health changes, daemons, generic records): one
    // events partition per day, which `ecslog events --other` reads; they are rare.
    item[INDEX.events.partitionKey] = eventsPartitionKey(
      OTHER_EVENTS_GROUP,
      dayOf(record.eventTime),
    );
    item[INDEX.events.sortKey] = `${record.eventTime}#${record.clusterArn}#${record.recordId}`;
  }
  return item;
}

/**
 * The events index "group" of the ECS events beyond the classic detail-types (records with a
 * `detailType`). ECS groups are `service:NAME` / `family:NAME`, so it is no group of theirs.
 */
export const OTHER_EVENTS_GROUP = 'other';

/** Service actions, deployments, and API calls about a service itself (not its tasks). */
export function isServiceEvent(record: AuditRecord): boolean {
  return (
    record.recordType === 'service-action' ||
    record.recordType === 'deployment' ||
    (record.recordType === 'api-call' && record.resourceArn.includes(':service/'))
  );
}

const EC2_INSTANCE_ID = /^i-[0-9a-f]{8,17}$/;

/**
 * A task record's lookup keys, first first: its ENI's IPv4 address, its IPv6 address (both
 * canonical), its container instance. None for other records.
 */
export function lookupKeysOf(record: AuditRecord): string[] {
  if (!isTaskRecord(record)) return [];
  const keys = addressesOf(record).map(addressLookupKey);
  const instance = containerInstanceIdOf(record.containerInstanceArn);
  if (instance !== undefined) keys.push(instanceLookupKey(instance));
  return keys;
}

/** The companion sort key of a further lookup key: `L#A4`, `L#A6` or `L#C`. */
function companionSortKeyOf(key: string): string {
  if (key.startsWith('C#')) return `${COMPANION_PREFIX}C`;
  return `${COMPANION_PREFIX}${key.includes(':') ? 'A6' : 'A4'}`;
}

/**
 * The image mapping items of a task record: for each image its containers ran, `M#<digest>`
 * and `M#<repository>`, sorted by the day the run started (as the record tells it), its cluster
 * and group. Immutable: the content is a function of the key alone (the TTL is `retentionDays`
 * after the end of that day), so any writer may put one again.
 */
export function toMappingItems(record: AuditRecord, retentionDays: number): Item[] {
  if (!isTaskRecord(record) || record.containers === undefined) return [];
  const run = taskRunOf(record);
  if (run === undefined) return [];
  const day = dayOf(run.startTime);
  const sk = imageMappingSortKey(day, record.clusterName, groupOf(record) ?? '');
  const ttl = expiryAt(`${day}T23:59:59.999Z`, retentionDays);
  const keys = new Set<string>();
  const limited = { ...record, containers: record.containers.slice(0, MAX_MAPPED_CONTAINERS) };
  for (const image of imagesOf(limited)) {
    if (image.digest !== undefined) keys.add(imageMappingKey(image.digest));
    if (image.repository !== undefined) keys.add(imageMappingKey(image.repository));
  }
  return [...keys].map((pk) => ({ pk, sk, [TTL_ATTRIBUTE]: ttl }));
}

/** True for a container instance's versioned state change: it keeps a latest state. */
export function hasLatestState(record: AuditRecord): boolean {
  return record.recordType === 'container-instance' && record.version !== undefined;
}

/** The latest-state item of a container instance (no index keys), ranked by its version. */
export function toLatestItem(
  record: AuditRecord,
  retentionDays: number,
  encoded = encodeRecord(record),
): RankedItem {
  return {
    item: {
      pk: resourcePartitionKey(record.resourceArn),
      sk: LATEST_SORT_KEY,
      [TTL_ATTRIBUTE]: expiryOf(record, retentionDays),
      ...common(record, encoded),
      rk: String(record.version ?? 0).padStart(10, '0'),
      ...(record.ec2InstanceId !== undefined &&
        EC2_INSTANCE_ID.test(record.ec2InstanceId) && {
          [INDEX.lookups.partitionKey]: ec2LookupKey(record.ec2InstanceId),
          [INDEX.lookups.sortKey]: LATEST_LOOKUP_SORT,
        }),
    },
    rank: String(record.version ?? 0).padStart(10, '0'),
  };
}

/**
 * The items a run writes when `record` tells it (see {@link taskRunOf}): the run item and — when
 * the run has ended — its carries, each ranked by the record (or the closure). Undefined for
 * records that make no run. A run that never started is one immutable item (rank '0').
 */
export function toRunItems(
  record: AuditRecord,
  retentionDays: number,
  encoded = encodeRecord(record),
  closure?: RunClosure,
): RankedItem[] | undefined {
  const run = taskRunOf(record, closure);
  if (run === undefined) return undefined;
  const rank =
    closure && run.end === 'closed' ? closureRankOf(runRankOf(record)) : runRankOf(record);
  const key = runKeyOf(record);
  const shard = shardOf(key);
  const group = groupOf(record) ?? '';
  const t1 = run.end === 'open' ? undefined : (run.endTime ?? run.startTime);
  const body: Item = {
    ...common(record, encoded),
    rk: rank,
    end: run.end,
    t0: run.startTime,
    ...(t1 !== undefined && { t1, [TTL_ATTRIBUTE]: expiryAt(t1, retentionDays) }),
    ...(run.closure && { cr: run.closure.reason }),
  };
  // Keyed once ended only (the open partitions answer for open runs): one index write per key.
  const [firstKey, ...otherKeys] = t1 === undefined ? [] : lookupKeysOf(record);
  const runItem: Item = {
    pk: runPartitionKeyOf(record),
    sk: RUN_SORT_KEY,
    ...body,
    ...(firstKey !== undefined && { [INDEX.lookups.partitionKey]: firstKey }),
    [INDEX.runs.partitionKey]:
      t1 === undefined
        ? openRunsPartitionKey(shard)
        : startHourPartitionKey(hourOf(run.startTime), shard),
    [INDEX.runs.sortKey]: `${record.clusterName}#${group}#${run.startTime}#${key}`,
  };
  if (run.outcome.status === 'failed' && t1 !== undefined) {
    runItem[INDEX.failures.partitionKey] = failurePartitionKey(dayOf(t1), shard);
    runItem[INDEX.failures.sortKey] = `${t1}#${key}`;
  }
  const carrySortKey = `${record.clusterName}#${group}#${key}`;
  const carries =
    t1 === undefined
      ? []
      : carryBoundariesOf(run.startTime, t1).map(({ kind, bucket }) => ({
          item: {
            pk:
              kind === 'day'
                ? dayCarryPartitionKey(bucket, shard)
                : hourCarryPartitionKey(bucket, shard),
            sk: carrySortKey,
            ...body,
          },
          rank,
        }));
  // Only what the lookups index projects, and what says when it expires: no record.
  const companions = otherKeys.map((key) => ({
    item: {
      pk: runItem['pk'] as string,
      sk: companionSortKeyOf(key),
      [INDEX.lookups.partitionKey]: key,
      rk: rank,
      end: run.end,
      t0: run.startTime,
      ...(t1 !== undefined && { t1, [TTL_ATTRIBUTE]: expiryAt(t1, retentionDays) }),
    },
    rank,
  }));
  return [{ item: runItem, rank }, ...carries, ...companions];
}

/**
 * The boundaries a run from `t0` to `t1` crossed that carry it: each UTC midnight M with
 * t0 < M ≤ t1 (the day that starts at M), and each hour boundary H of its first day with
 * t0 < H ≤ t1 (the hour that starts at H). With them, the closed runs active at an instant T that
 * started before T's hour are exactly the carries of T's day and of T's hour (README: "Access
 * pattern → read").
 */
export function carryBoundariesOf(
  t0: string,
  t1: string,
): { kind: 'day' | 'hour'; bucket: string }[] {
  const start = Date.parse(t0);
  const end = Date.parse(t1);
  const boundaries: { kind: 'day' | 'hour'; bucket: string }[] = [];
  const firstMidnight = Math.floor(start / DAY_MS) * DAY_MS + DAY_MS;
  for (
    let hour = Math.floor(start / HOUR_MS) * HOUR_MS + HOUR_MS;
    hour < firstMidnight && hour <= end;
    hour += HOUR_MS
  )
    boundaries.push({ kind: 'hour', bucket: hourOf(new Date(hour).toISOString()) });
  for (let midnight = firstMidnight; midnight <= end; midnight += DAY_MS)
    boundaries.push({ kind: 'day', bucket: dayOf(new Date(midnight).toISOString()) });
  return boundaries;
}

/**
 * Every attribute {@link runOfItem} reads (`pk` only to name an item that holds no run): the run
 * is a function of these alone.
 */
export const RUN_ITEM_ATTRIBUTES = ['pk', 'r', 'end', 't1', 'cr'] as const;

/** The run an item of the run index (or a carry, or a never-started run) holds. */
export function runOfItem(item: Record<string, unknown>): TaskRun {
  const record = decodeRecord(item);
  const end = item['end'] as RunEnd | undefined;
  const closure =
    end === 'closed' ? { at: String(item['t1']), reason: String(item['cr'] ?? '') } : undefined;
  const run = taskRunOf(record, closure);
  if (run === undefined) throw new Error(`item ${String(item['pk'])} holds no run`);
  return run;
}

/** True when an item's TTL has passed: DynamoDB deletes lazily, so reads must filter these out. */
export function isExpired(item: Record<string, unknown>, nowSeconds: number): boolean {
  const ttl = item[TTL_ATTRIBUTE];
  return typeof ttl === 'number' && ttl <= nowSeconds;
}

/** The size DynamoDB bills for an item: attribute names plus values (strings UTF-8, numbers ≈ digits/2). */
export function itemSizeBytes(item: Item): number {
  let size = 0;
  for (const [name, value] of Object.entries(item)) {
    size += Buffer.byteLength(name);
    if (typeof value === 'string') size += Buffer.byteLength(value);
    else if (typeof value === 'number')
      size += Math.ceil(String(value).replace(/^-/, '').length / 2) + 1;
    else size += value.byteLength;
  }
  return size;
}

/**
 * Every item `records` write when each is written on its own, highest rank last: what a table
 * holds after a writer stores them (the benchmark's floor writes exactly these).
 */
export function storedItemsOf(records: readonly AuditRecord[], retentionDays: number): Item[] {
  const items = new Map<string, RankedItem>();
  const keep = (ranked: RankedItem) => {
    const key = `${String(ranked.item['pk'])}\u0000${String(ranked.item['sk'])}`;
    const current = items.get(key);
    if (current === undefined || ranked.rank > current.rank) items.set(key, ranked);
  };
  for (const record of records) {
    const encoded = encodeRecord(record);
    const runItems = toRunItems(record, retentionDays, encoded);
    if (!isNeverStarted(record))
      keep({ item: toHistoryItem(record, retentionDays, encoded), rank: '' });
    for (const item of toMappingItems(record, retentionDays)) keep({ item, rank: '' });
    for (const ranked of runItems ?? []) keep(ranked);
    if (hasLatestState(record)) keep(toLatestItem(record, retentionDays, encoded));
  }
  return [...items.values()].map(({ item }) => item);
}
