/**
 * Bringing a local store of table layout 1 up to this version's layout. Layout 1 kept every
 * record once as a history item (`R#<arn>` / `H#<eventTime>#…`, the record compressed in `r`),
 * beside latest-state and lookup items derived from them; so the migration reads the history
 * items and writes their records through this version's writer into a new store — the writer's
 * guarantees (idempotent, any order) make that the table an ingest of the same records makes.
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

/**
 * Copies every unexpired record of a layout-1 table into `target` through the audit writer,
 * page by page, each record with the retention it was written with (its item's `ttl` minus its
 * event time). Throws, naming the first record not stored, when the writer fails any record
 * after its retries: the caller then keeps the old store.
 */
export async function copyLayout1Records(
  source: { client: DynamoDBClient; tableName: string },
  target: { client: DynamoDBClient; tableName: string },
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
  let records = 0;
  let startKey: ScanCommandOutput['LastEvaluatedKey'];
  do {
    const page = await source.client.send(
      new ScanCommand({ TableName: source.tableName, ExclusiveStartKey: startKey }),
    );
    startKey = page.LastEvaluatedKey;
    const byRetention = new Map<number, AuditRecord[]>();
    for (const item of page.Items ?? []) {
      const stored = layout1Record(item, nowSeconds);
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
  return records;
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
  const r = item['r']?.B;
  if (!sk?.startsWith('H#') || !item['pk']?.S?.startsWith('R#') || !r) return undefined;
  const ttl = Number(item[TTL_ATTRIBUTE]?.N);
  if (Number.isFinite(ttl) && ttl <= nowSeconds) return undefined; // dynalite never deletes
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
