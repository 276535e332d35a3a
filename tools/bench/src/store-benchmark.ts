import type { DynamoDBClient, WriteRequest } from '@aws-sdk/client-dynamodb';
import { BatchWriteItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import type { AuditRecord } from '@ecslog/ecs-event-mapper';
import { mapEvent } from '@ecslog/ecs-event-mapper';
import { sampleLiveTraffic } from '@ecslog/ecs-event-mapper/testing';
import type { Item } from '@ecslog/audit-store';
import {
  createAuditWriter,
  INDEX,
  itemSizeBytes,
  lookupItemsOf,
  toHistoryItem,
  toLatestItem,
} from '@ecslog/audit-store';
import { createAuditTable, startDynamoDbLocal } from '@ecslog/audit-store/testing';

export interface StoreRun {
  name: string;
  seconds: number;
  eventsPerSecond: number;
}

export interface StoreBenchmarkResult {
  benchmark: 'audit-store';
  server: 'dynamodb-local';
  events: number;
  records: number;
  /** (a) the original design: one PutItem per event, sequentially. */
  original: StoreRun;
  /** (b) ecslog: mapEvent + the audit writer. */
  ecslog: StoreRun;
  /** (c) the floor: BatchWriteItem of ecslog's items, prebuilt, all batches at once. */
  floor: StoreRun;
  /** b / a in events per second (target ≥ 3). */
  speedupOverOriginal: number;
  /** time(b) / time(c) (target ≤ 1.5). */
  slowdownOverFloor: number;
  /** Write units ecslog consumes per event: items × (1 + indexes they appear in), rounded up per KB. */
  writeUnitsPerEvent: number;
  meanHistoryItemBytes: number;
}

const RETENTION_DAYS = 3650;
/** Events per writeRecords call: the Kinesis event-source mapping's default batch size. */
const BATCH_EVENTS = 100;
/** Batches in flight at once, as with several shards (or a parallelization factor). */
const CONCURRENT_BATCHES = 8;

function mapAll(lines: readonly string[]): AuditRecord[] {
  return lines.flatMap((line) => {
    const result = mapEvent(JSON.parse(line));
    return result.kind === 'mapped' ? result.records : [];
  });
}

/**
 * The same realistic events (whole task lifecycles overlapping in time, in stream order) into
 * DynamoDB Local three ways, each on a fresh table: (a) the original design, (b) ecslog's mapper +
 * writer, fed as the ingest Lambda is fed, (c) the floor. Times are wall-clock; the server runs on
 * this machine, so the figures compare designs, not AWS latencies.
 */
export async function runStoreBenchmark(options: {
  events: number;
  seed: number;
  now: () => number;
}): Promise<StoreBenchmarkResult> {
  const events = sampleLiveTraffic({ events: options.events, seed: options.seed }).map((event) =>
    JSON.stringify(event),
  );
  const server = await startDynamoDbLocal();
  try {
    const { client } = server;
    const runs = {
      original: (lines: readonly string[]) => writeOriginal(client, lines),
      ecslog: (lines: readonly string[]) => writeWithEcslog(client, lines, options.now),
      floor: (lines: readonly string[]) => writeFloor(client, itemsOf(mapAll(lines))),
    };
    // DynamoDB Local (Java) runs each code path slowly until its JIT has compiled it: warm every
    // run's path up first, so that the order of the timed runs does not decide their figures.
    const warmUpLines = events.slice(0, Math.min(2_000, events.length));
    for (const run of Object.values(runs)) await run(warmUpLines);

    const original = await timed(
      'original: PutItem per event, sequential',
      events.length,
      options.now,
      () => runs.original(events),
    );
    const ecslog = await timed(
      `ecslog: mapEvent + writeRecords, batches of ${BATCH_EVENTS}, ${CONCURRENT_BATCHES} at once`,
      events.length,
      options.now,
      () => runs.ecslog(events),
    );
    const floor = await timed(
      'floor: BatchWriteItem of the same items, all at once',
      events.length,
      options.now,
      () => runs.floor(events),
    );

    const records = mapAll(events);
    const items = itemsOf(records);
    const historyItems = records.map((record) => toHistoryItem(record, RETENTION_DAYS));
    return {
      benchmark: 'audit-store',
      server: 'dynamodb-local',
      events: events.length,
      records: records.length,
      original,
      ecslog,
      floor,
      speedupOverOriginal: ecslog.eventsPerSecond / original.eventsPerSecond,
      slowdownOverFloor: ecslog.seconds / floor.seconds,
      writeUnitsPerEvent: items.reduce((sum, item) => sum + writeUnits(item), 0) / events.length,
      meanHistoryItemBytes: Math.round(
        historyItems.reduce((sum, item) => sum + itemSizeBytes(item), 0) / historyItems.length,
      ),
    };
  } finally {
    await server.stop();
  }
}

/** (a) One PutItem per event, one after the other, on a fresh table. */
async function writeOriginal(client: DynamoDBClient, lines: readonly string[]): Promise<void> {
  const table = await createAuditTable(client);
  for (const line of lines)
    await client.send(new PutItemCommand({ TableName: table, Item: originalItem(line) }));
}

/** (b) As the ingest Lambda is fed: batches of events, several batches at once, on a fresh table. */
async function writeWithEcslog(
  client: DynamoDBClient,
  lines: readonly string[],
  now: () => number,
): Promise<void> {
  const table = await createAuditTable(client);
  const writer = createAuditWriter({
    client,
    tableName: table,
    retentionDays: RETENTION_DAYS,
    now,
  });
  const batches: (readonly string[])[] = [];
  for (let i = 0; i < lines.length; i += BATCH_EVENTS)
    batches.push(lines.slice(i, i + BATCH_EVENTS));
  let next = 0;
  const consumer = async () => {
    while (next < batches.length) {
      const results = await writer.writeRecords(mapAll(batches[next++] as readonly string[]));
      const failed = results.filter((r) => r.status === 'failed');
      if (failed.length > 0)
        throw new Error(`${failed.length} records failed`, { cause: failed[0]?.error });
    }
  };
  await Promise.all(Array.from({ length: CONCURRENT_BATCHES }, consumer));
}

/** (c) The items ecslog writes, prebuilt, as plain BatchWriteItem puts, every batch at once. */
async function writeFloor(client: DynamoDBClient, items: Item[]): Promise<void> {
  const table = await createAuditTable(client);
  await Promise.all(unique(items).map((batch) => client.send(batchWrite(table, batch))));
}

/** History items, and the latest-state items of tasks and container instances. */
function itemsOf(records: readonly AuditRecord[]): Item[] {
  const resourceItems = records.flatMap((record) =>
    record.version !== undefined &&
    (record.recordType === 'task' || record.recordType === 'container-instance')
      ? [toHistoryItem(record, RETENTION_DAYS), toLatestItem(record, RETENTION_DAYS)]
      : [toHistoryItem(record, RETENTION_DAYS)],
  );
  // Lookup items, each once: one writer stores each (day, cluster, group) and (day, task id) once.
  const lookups = new Map<string, Item>();
  for (const record of records)
    for (const item of lookupItemsOf(record, RETENTION_DAYS))
      lookups.set(
        `${(item['pk'] as { S: string }).S}\u0000${(item['sk'] as { S: string }).S}`,
        item,
      );
  return [...resourceItems, ...lookups.values()];
}

/** The original design's item: the raw event keyed by task definition and time, as it was. */
function originalItem(line: string): Item {
  const event = JSON.parse(line) as { time?: string; detail?: { taskDefinitionArn?: string } };
  return {
    pk: { S: event.detail?.taskDefinitionArn ?? 'unknown' },
    sk: { S: event.time ?? 'unknown' },
    event: { S: line },
  };
}

/** Write units of an item: its size in KB rounded up, once for the table and once per index it is in. */
function writeUnits(item: Item): number {
  const units = Math.ceil(itemSizeBytes(item) / 1024);
  const indexes = Object.values(INDEX).filter(
    (index) => item[index.partitionKey] !== undefined,
  ).length;
  return units * (1 + indexes);
}

/** Batches of 25 with no key twice in one batch (BatchWriteItem rejects duplicates). */
function unique(items: Item[]): Item[][] {
  const seen = new Set<string>();
  const distinct = items.filter((item) => {
    const key = `${(item['pk'] as { S: string }).S}\u0000${(item['sk'] as { S: string }).S}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
  const batches: Item[][] = [];
  for (let i = 0; i < distinct.length; i += 25) batches.push(distinct.slice(i, i + 25));
  return batches;
}

function batchWrite(table: string, batch: Item[]) {
  return new BatchWriteItemCommand({
    RequestItems: { [table]: batch.map((Item): WriteRequest => ({ PutRequest: { Item } })) },
  });
}

async function timed(
  name: string,
  events: number,
  now: () => number,
  run: () => Promise<void>,
): Promise<StoreRun> {
  const start = now();
  await run();
  const seconds = (now() - start) / 1000;
  return { name, seconds, eventsPerSecond: events / seconds };
}
