import type { AuditRecord } from '@ecslog/ecs-event-mapper';
import { compressRecord, decompressRecord } from './record-compression';
import { INDEX, TTL_ATTRIBUTE } from './table-definition';

/**
 * AuditRecord ⇄ DynamoDB items. Pure functions of their arguments (no clock, no client).
 *
 * Each record is one history item; task and container-instance records also write a latest-state
 * item (see the writer). The record itself is stored once per item as `r`: its JSON,
 * deflate-compressed with a preset dictionary (≈1.1 KB of JSON become ≈270 bytes), so that a typical
 * with its keys stays within one 1 KB write unit. A few fields are repeated as plain attributes
 * for filters: `rt` (recordType), `st` (outcome status), `cat` (failure category), `v` (version).
 */

/** A DynamoDB item in the low-level attribute-value form. */
export type Item = Record<string, AttributeValue>;
export type AttributeValue = { S: string } | { N: string } | { B: Uint8Array };

export const LATEST_SORT_KEY = 'LATEST';
const HISTORY_PREFIX = 'H#';
const SECONDS_PER_DAY = 86_400;

/** Records whose latest state is kept (ECS versions them). */
export function hasLatestState(record: AuditRecord): boolean {
  return (
    (record.recordType === 'task' || record.recordType === 'container-instance') &&
    record.version !== undefined
  );
}

export function resourcePartitionKey(resourceArn: string): string {
  return `R#${resourceArn}`;
}

/**
 * `H#<eventTime>#<id>`: history sorts by time; the id part keeps distinct records apart. A task's
 * or instance's id is its version, zero-padded so that versions with the same time sort in order.
 */
export function historySortKey(
  record: Pick<AuditRecord, 'eventTime' | 'recordId' | 'recordType' | 'resourceArn' | 'version'>,
): string {
  // Task and instance ids repeat the resource ARN (`task:<arn>:v7`): the partition key has it already.
  const redundant = `${record.recordType}:${record.resourceArn}:`;
  const id =
    record.recordId === `${redundant}v${record.version}`
      ? `v${String(record.version).padStart(10, '0')}`
      : record.recordId.startsWith(redundant)
        ? record.recordId.slice(redundant.length)
        : record.recordId;
  return `${HISTORY_PREFIX}${record.eventTime}#${id}`;
}

/** The UTC day of an ISO timestamp: the time bucket of every index partition. */
export function dayOf(isoTime: string): string {
  return isoTime.slice(0, 10);
}

export function clusterPartitionKey(clusterArn: string, day: string): string {
  return `C#${clusterArn}#${day}`;
}

export function groupPartitionKey(clusterArn: string, group: string, day: string): string {
  return `G#${clusterArn}#${group}#${day}`;
}

export function failurePartitionKey(day: string): string {
  return `X#${day}`;
}

/**
 * The ECS task group a record belongs to: `service:NAME` or `family:NAME`. Service actions and
 * deployments belong to their service's group, so a service's index partition holds its tasks,
 * actions and deployments together.
 */
export function groupOf(record: AuditRecord): string | undefined {
  if (record.group) return record.group;
  if (record.serviceName) return `service:${record.serviceName}`;
  if (record.family) return `family:${record.family}`;
  return undefined;
}

/** Epoch seconds at which the item expires: `retentionDays` after the change it records. */
export function expiryOf(record: Pick<AuditRecord, 'eventTime'>, retentionDays: number): number {
  return (
    Math.floor(Date.parse(record.eventTime) / 1000) + Math.round(retentionDays * SECONDS_PER_DAY)
  );
}

export function encodeRecord(record: AuditRecord): Uint8Array {
  return compressRecord(record);
}

export function decodeRecord(item: Item): AuditRecord {
  const r = item['r'];
  if (!r || !('B' in r)) throw new Error('item has no record attribute "r"');
  return decompressRecord(r.B);
}

function common(record: AuditRecord, ttl: number, encoded: Uint8Array): Item {
  const item: Item = {
    [TTL_ATTRIBUTE]: { N: String(ttl) },
    rt: { S: record.recordType },
    st: { S: record.outcome.status },
    r: { B: encoded },
  };
  if (record.outcome.category) item['cat'] = { S: record.outcome.category };
  if (record.version !== undefined) item['v'] = { N: String(record.version) };
  return item;
}

/** The history item of a record, with its index keys. */
export function toHistoryItem(
  record: AuditRecord,
  retentionDays: number,
  encoded = encodeRecord(record),
): Item {
  const day = dayOf(record.eventTime);
  const item: Item = {
    pk: { S: resourcePartitionKey(record.resourceArn) },
    sk: { S: historySortKey(record) },
    [INDEX.byCluster.partitionKey]: { S: clusterPartitionKey(record.clusterArn, day) },
    [INDEX.byCluster.sortKey]: { S: record.eventTime },
    ...common(record, expiryOf(record, retentionDays), encoded),
  };
  const group = groupOf(record);
  if (group) {
    item[INDEX.byGroup.partitionKey] = { S: groupPartitionKey(record.clusterArn, group, day) };
    item[INDEX.byGroup.sortKey] = { S: record.eventTime };
  }
  if (record.outcome.status === 'failed') {
    item[INDEX.byFailure.partitionKey] = { S: failurePartitionKey(day) };
    item[INDEX.byFailure.sortKey] = { S: record.eventTime };
  }
  return item;
}

/** The latest-state item of a task or container instance (no index keys: indexes hold history). */
export function toLatestItem(
  record: AuditRecord,
  retentionDays: number,
  encoded = encodeRecord(record),
): Item {
  return {
    pk: { S: resourcePartitionKey(record.resourceArn) },
    sk: { S: LATEST_SORT_KEY },
    ...common(record, expiryOf(record, retentionDays), encoded),
  };
}

/**
 * Lookup items: key-only items (with a TTL) that tell queries where to look, written alongside
 * the history. Each is a pure function of its key and the retention, so writing one twice, in any
 * order, leaves the same item:
 * - activity `D#<day>` / `<clusterArn>#<group>`: the cluster (and service or family group, empty
 *   when the record has none) had records that UTC day — what `ecslog tasks` reads when no cluster
 *   is given, instead of scanning;
 * - task id `T#<taskId>` / `<day>#<taskArn>`: finds a task's ARN from the id people copy from the
 *   console, one item per day of the task's records so that it lives exactly as long as they do.
 * Both expire `retentionDays` after the end of their day, never before the records they point to.
 */
export function lookupItemsOf(record: AuditRecord, retentionDays: number): Item[] {
  const day = dayOf(record.eventTime);
  const ttl = { N: String(endOfDaySeconds(day) + Math.round(retentionDays * SECONDS_PER_DAY)) };
  const items: Item[] = [
    {
      pk: { S: activityPartitionKey(day) },
      sk: { S: `${record.clusterArn}#${groupOf(record) ?? ''}` },
      [TTL_ATTRIBUTE]: ttl,
    },
  ];
  if (record.taskId && record.resourceArn.includes(':task/'))
    items.push({
      pk: { S: taskIdPartitionKey(record.taskId) },
      sk: { S: `${day}#${record.resourceArn}` },
      [TTL_ATTRIBUTE]: ttl,
    });
  return items;
}

export function activityPartitionKey(day: string): string {
  return `D#${day}`;
}

export function taskIdPartitionKey(taskId: string): string {
  return `T#${taskId}`;
}

/** A cluster and group read back from an activity item's sort key (`group` '' when none). */
export function parseActivitySortKey(sortKey: string): { clusterArn: string; group: string } {
  const cut = sortKey.indexOf('#');
  return cut < 0
    ? { clusterArn: sortKey, group: '' }
    : { clusterArn: sortKey.slice(0, cut), group: sortKey.slice(cut + 1) };
}

function endOfDaySeconds(day: string): number {
  return Date.parse(`${day}T00:00:00.000Z`) / 1000 + SECONDS_PER_DAY;
}

/** True when an item's TTL has passed: DynamoDB deletes lazily, so reads must filter these out. */
export function isExpired(item: Item, nowSeconds: number): boolean {
  const ttl = item[TTL_ATTRIBUTE];
  return ttl !== undefined && 'N' in ttl && Number(ttl.N) <= nowSeconds;
}

/** The size DynamoDB bills for an item: attribute names plus values (strings UTF-8, numbers ≈ digits/2). */
export function itemSizeBytes(item: Item): number {
  let size = 0;
  for (const [name, value] of Object.entries(item)) {
    size += Buffer.byteLength(name);
    if ('S' in value) size += Buffer.byteLength(value.S);
    else if ('N' in value) size += Math.ceil(value.N.replace(/^-/, '').length / 2) + 1;
    else size += value.B.byteLength;
  }
  return size;
}
