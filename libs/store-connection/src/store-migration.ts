/**
 * Bringing a local store of an older table layout up to this version's layout. Layout 1 kept
 * every record once as a history item (`R#<arn>` / `H#<eventTime>#…`, the record compressed in
 * `r`), beside latest-state and lookup items derived from them; layout 2 keeps a task's history
 * in its own partition (`T#<taskId>` / `H#…`), a run that never started only as its run item
 * (`N#<recordId>` / `RUN`), and a run closed by a later writer (`closeRun`) only in its run item
 * (`end = closed`, `t1`, `cr`). So the migration reads those records (and closures) and writes
 * them through this version's writer into a new store — the writer's guarantees (idempotent, any
 * order) make that the table an ingest of the same records makes; the closures are made again
 * once every record is in.
 *
 * On disk: the new store is built in `<store>.migrating` while the old one stays where it is;
 * only when it is complete is the old store renamed `<store>.layout-1` (kept, never deleted) and
 * the new one renamed into its place. An interrupted migration is safe at every step — see
 * {@link finishInterruptedMigration}.
 */
import { rename, rm, stat } from 'node:fs/promises';
import type { AttributeValue, DynamoDBClient, ScanCommandOutput } from '@aws-sdk/client-dynamodb';
import { ScanCommand } from '@aws-sdk/client-dynamodb';
import type { AuditWriter } from '@ecslog/audit-store';
import { createAuditWriter, decodeRecord, TTL_ATTRIBUTE } from '@ecslog/audit-store';

type AuditRecord = ReturnType<typeof decodeRecord>;

/** What a migration did, for the command to say. */
export interface StoreMigration {
  fromLayout: number;
  /** History records read from the old store (expired ones left out). */
  records: number;
  /** Where the old store now is. */
  backup: string;
}

const SECONDS_PER_DAY = 86_400;

/** Where the new store is built. */
export function migratingPathOf(store: string): string {
  return `${store}.migrating`;
}

/** Where the old store is kept: `<store>.layout-<n>`, numbered when that name is taken. */
export async function backupPathOf(store: string, layout: number): Promise<string> {
  for (let n = 1; ; n++) {
    const path = `${store}.layout-${layout}${n === 1 ? '' : `-${n}`}`;
    if (!(await exists(path))) return path;
  }
}

/**
 * Before a store is opened: a `<store>.migrating` beside a `<store>` is a migration that stopped
 * before it was complete (the old store is still in place) — it is deleted and the next open
 * starts again; one without a `<store>` is a complete migration that stopped between its two
 * renames (the old store is already kept as its backup) — it is moved into place.
 */
export async function finishInterruptedMigration(store: string): Promise<void> {
  const migrating = migratingPathOf(store);
  if (!(await exists(migrating))) return;
  if (await exists(store)) await rm(migrating, { recursive: true, force: true });
  else await rename(migrating, store);
}

/** The old store out of the way (kept as `backup`), the complete new one in its place. */
export async function swapInMigratedStore(store: string, backup: string): Promise<void> {
  await rename(store, backup);
  await rename(migratingPathOf(store), store);
}

/** A run closed by a later writer, as a layout-2 run item says. */
interface StoredClosure {
  taskId: string;
  at: string;
  reason: string;
  retentionDays: number;
}

/**
 * Copies every unexpired record of a table of layout `fromLayout` (1 or 2) into `target`
 * through the audit writer, page by page, each record with the retention it was written with
 * (its item's `ttl` minus its event time); then closes again the runs a later writer had closed
 * (layout 2). Throws, naming the first record not stored, when the writer fails any record
 * after its retries: the caller then keeps the old store. Returns the records copied.
 */
export async function copyRecords(
  source: { client: DynamoDBClient; tableName: string },
  target: { client: DynamoDBClient; tableName: string },
  fromLayout: number,
  now: () => number = Date.now,
): Promise<number> {
  const writers = new Map<number, AuditWriter>();
  const writerFor = (retentionDays: number) => {
    let writer = writers.get(retentionDays);
    if (!writer) {
      // dynalite has no PartiQL: conditional PutItem from the start.
      writer = createAuditWriter({ ...target, retentionDays, conditionalWrites: 'single', now });
      writers.set(retentionDays, writer);
    }
    return writer;
  };
  const nowSeconds = Math.floor(now() / 1000);
  const closures: StoredClosure[] = [];
  let records = 0;
  let startKey: ScanCommandOutput['LastEvaluatedKey'];
  do {
    const page = await source.client.send(
      new ScanCommand({ TableName: source.tableName, ExclusiveStartKey: startKey }),
    );
    startKey = page.LastEvaluatedKey;
    const byRetention = new Map<number, AuditRecord[]>();
    for (const item of page.Items ?? []) {
      if (fromLayout === 2) {
        const closure = layout2Closure(item, nowSeconds);
        if (closure) closures.push(closure);
      }
      const stored =
        fromLayout === 1 ? layout1Record(item, nowSeconds) : layout2Record(item, nowSeconds);
      if (!stored) continue;
      const group = byRetention.get(stored.retentionDays) ?? [];
      group.push(stored.record);
      byRetention.set(stored.retentionDays, group);
    }
    for (const [retentionDays, group] of byRetention) {
      const failed = (await writerFor(retentionDays).writeRecords(group)).find(
        (result) => result.status === 'failed',
      );
      if (failed)
        throw new Error(`could not copy record ${failed.recordId}: ${failed.error?.message}`, {
          cause: failed.error,
        });
      records += group.length;
    }
  } while (startKey);
  for (const closure of closures) {
    const status = await writerFor(closure.retentionDays).closeRun(closure.taskId, {
      at: closure.at,
      reason: closure.reason,
    });
    if (status === 'not-found' || status === 'stale')
      throw new Error(`could not close run of task ${closure.taskId} again: ${status}`);
  }
  return records;
}

/** {@link copyRecords} of a layout-1 table. */
export function copyLayout1Records(
  source: { client: DynamoDBClient; tableName: string },
  target: { client: DynamoDBClient; tableName: string },
  now: () => number = Date.now,
): Promise<number> {
  return copyRecords(source, target, 1, now);
}

/**
 * The record a layout-1 item holds when it is a live history item (latest-state items repeat a
 * history record; lookup items hold none), with the retention it was written with.
 */
function layout1Record(
  item: Record<string, AttributeValue>,
  nowSeconds: number,
): { record: AuditRecord; retentionDays: number } | undefined {
  const sk = item['sk']?.S;
  if (!sk?.startsWith('H#') || !item['pk']?.S?.startsWith('R#')) return undefined;
  return liveRecord(item, nowSeconds);
}

/**
 * The record a layout-2 item holds when it is a live history item (`T#…` or `R#…` / `H#…`) or a
 * run that never started (`N#…` / `RUN`: it has no history item); run items, carries and latest
 * states repeat a history record.
 */
function layout2Record(
  item: Record<string, AttributeValue>,
  nowSeconds: number,
): { record: AuditRecord; retentionDays: number } | undefined {
  const pk = item['pk']?.S ?? '';
  const sk = item['sk']?.S ?? '';
  const history = sk.startsWith('H#') && (pk.startsWith('T#') || pk.startsWith('R#'));
  if (!history && !(pk.startsWith('N#') && sk === 'RUN')) return undefined;
  return liveRecord(item, nowSeconds);
}

/** A layout-2 run item that a later writer closed: when, why, and its retention. */
function layout2Closure(
  item: Record<string, AttributeValue>,
  nowSeconds: number,
): StoredClosure | undefined {
  const pk = item['pk']?.S ?? '';
  const at = item['t1']?.S;
  if (!pk.startsWith('T#') || item['sk']?.S !== 'RUN' || item['end']?.S !== 'closed' || !at)
    return undefined;
  const ttl = Number(item[TTL_ATTRIBUTE]?.N);
  if (Number.isFinite(ttl) && ttl <= nowSeconds) return undefined;
  const ended = Math.floor(Date.parse(at) / 1000);
  return {
    taskId: pk.slice('T#'.length),
    at,
    reason: item['cr']?.S ?? '',
    retentionDays: Number.isFinite(ttl) ? (ttl - ended) / SECONDS_PER_DAY : 30,
  };
}

/** An item's record unless its TTL has passed (dynalite never deletes), with its retention. */
function liveRecord(
  item: Record<string, AttributeValue>,
  nowSeconds: number,
): { record: AuditRecord; retentionDays: number } | undefined {
  const r = item['r']?.B;
  if (!r) return undefined;
  const ttl = Number(item[TTL_ATTRIBUTE]?.N);
  if (Number.isFinite(ttl) && ttl <= nowSeconds) return undefined;
  const record = decodeRecord({ r });
  const written = Math.floor(Date.parse(record.eventTime) / 1000);
  const retentionDays = Number.isFinite(ttl) ? (ttl - written) / SECONDS_PER_DAY : 30;
  return { record, retentionDays };
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw error;
  }
}
