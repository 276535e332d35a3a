/**
 * Where the time of `/api/timeline` goes for a whole day of runs, split: the Queries (raw wire
 * items, then the DocumentClient's unmarshalling), decoding each item's run (`r`), the reader's
 * whole `runsDuring`, `toTimeline`, JSON serialisation, and the whole request through
 * `startWebServer` from Node. A measurement, not a test: nothing is asserted.
 *
 *   npx tsx --conditions=@ecslog/source apps/cli/src/testing/profile-timeline-api.ts [--home DIR] [--runs N] [--rounds N]
 *
 * `--home` reads a copy of an ECSLOG_HOME (e.g. the UI benchmark's cached one,
 * node_modules/.cache/ecslog-bench/ui-42-10000-12-clusters-layout-2, whose day is
 * 2026-11-20) through `openLocalStore`, as `ecslog local` serves it: dynalite in this process.
 * Without it, a fresh in-memory dynalite is seeded with N generated runs (default 10,000) over one
 * day by the store's writer. For a profile: `node --cpu-prof --import tsx …` (same arguments).
 *
 * With `--home`, the read cache of the web view is measured too, as `ecslog local` runs it: the
 * reader of a process that connects to the store (as its `ecslog ui` child does), asking the
 * store's write generation of the guard before each read; a new cached reader each round, so its
 * first `/api/timeline` is cold and the next one is served from memory.
 */
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { QueryCommand as RawQueryCommand } from '@aws-sdk/client-dynamodb';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { PartitionRead } from '@ecslog/audit-store';
import {
  createAuditReader,
  createAuditWriter,
  decodeRecord,
  runReadsOf,
  runWithLimit,
} from '@ecslog/audit-store';
import { createAuditTable, startDynalite } from '@ecslog/audit-store/testing';
import type { AuditRecord } from '@ecslog/ecs-event-mapper';
import { ecslogHome, LOCAL_TABLE_NAME, openLocalStore } from '@ecslog/store-connection';
import { taskRunOf, toTimeline } from '@ecslog/task-runs';
import { loadPageAssets } from '../web/page-assets';
import { startWebServer } from '../web/web-server';

const args = new Map<string, string>();
for (let i = 2; i < process.argv.length; i += 2)
  args.set(String(process.argv[i]).replace(/^--/, ''), String(process.argv[i + 1]));
const ROUNDS = Number(args.get('rounds') ?? 5);
const RUNS = Number(args.get('runs') ?? 10_000);

interface Store {
  client: DynamoDBClient;
  tableName: string;
  day: { from: string; to: string };
  now: number;
  /** The store's write generation as a connecting process asks it (`--home` only). */
  generation?: () => number | Promise<number>;
  close(): Promise<void>;
}

async function main(): Promise<void> {
  const store = args.has('home') ? await copiedHome(String(args.get('home'))) : await seeded(RUNS);
  try {
    await profile(store);
  } finally {
    await store.close();
  }
}

async function copiedHome(source: string): Promise<Store> {
  const root = mkdtempSync(join(tmpdir(), 'ecslog-profile-'));
  // Not the lock of an ecslog serving the source now: the copy is this process's own.
  cpSync(source, root, { recursive: true, filter: (path) => !path.endsWith('store.lock') });
  const local = await openLocalStore({
    home: ecslogHome({ ECSLOG_HOME: root }, process.cwd()),
    role: 'local',
    cwd: process.cwd(),
  });
  // A second opening connects to the first (the lock is held): as `ecslog local`'s web view does.
  const connected = await openLocalStore({
    home: ecslogHome({ ECSLOG_HOME: root }, process.cwd()),
    role: 'command',
    cwd: process.cwd(),
  });
  return {
    client: local.client,
    ...(connected.generation && { generation: connected.generation }),
    tableName: LOCAL_TABLE_NAME,
    day: { from: '2026-11-20T00:00:00.000Z', to: '2026-11-20T23:59:59.999Z' },
    now: Date.parse('2026-11-21T00:00:00.000Z'),
    close: async () => {
      await connected.close();
      await local.close();
      rmSync(root, { recursive: true, force: true });
    },
  };
}

/** `runs` task runs over one day (¼ still open), each told by a PENDING, RUNNING, STOPPED record. */
async function seeded(runs: number): Promise<Store> {
  const dynamo = await startDynalite();
  const tableName = await createAuditTable(dynamo.client);
  const day = { from: '2026-11-20T00:00:00.000Z', to: '2026-11-20T23:59:59.999Z' };
  const now = Date.parse('2026-11-21T00:00:00.000Z');
  const writer = createAuditWriter({
    client: dynamo.client,
    tableName,
    retentionDays: 3650,
    now: () => now,
  });
  const records: AuditRecord[] = [];
  for (let i = 0; i < runs; i += 1) records.push(...taskRecords(i, Date.parse(day.from)));
  const started = performance.now();
  const statuses = new Map<string, number>();
  for (let i = 0; i < records.length; i += 500)
    for (const { status } of await writer.writeRecords(records.slice(i, i + 500)))
      statuses.set(status, (statuses.get(status) ?? 0) + 1);
  if (statuses.has('failed') || statuses.has('expired'))
    throw new Error(`records not written: ${JSON.stringify(Object.fromEntries(statuses))}`);
  console.log(
    `seeded ${runs} runs (${records.length} records) in ${ms(performance.now() - started)}`,
  );
  return { client: dynamo.client, tableName, day, now, close: () => dynamo.stop() };
}

function taskRecords(i: number, dayStart: number): AuditRecord[] {
  const cluster = `cluster-${i % 12}`;
  const service = `svc-${i % 40}`;
  const taskId = i.toString(16).padStart(32, '0');
  const created = dayStart + Math.floor((i * 86_400_000) / (RUNS + 1));
  const stopped = i % 4 === 0 ? undefined : created + 60_000 + (i % 97) * 60_000;
  const iso = (t: number) => new Date(t).toISOString();
  const base = {
    schemaVersion: 1,
    source: 'eventbridge',
    account: '123456789012',
    region: 'us-east-1',
    clusterArn: `arn:aws:ecs:us-east-1:123456789012:cluster/${cluster}`,
    clusterName: cluster,
    resourceArn: `arn:aws:ecs:us-east-1:123456789012:task/${cluster}/${taskId}`,
    taskId,
    taskDefinitionArn: `arn:aws:ecs:us-east-1:123456789012:task-definition/${service}:3`,
    family: service,
    revision: 3,
    serviceName: service,
    group: `service:${service}`,
    startedBy: 'ecs-svc/1234567890',
    launchType: 'FARGATE',
    cpu: '256',
    memory: '512',
    createdAt: iso(created),
    containers: [
      {
        name: 'app',
        image: `123456789012.dkr.ecr.us-east-1.amazonaws.com/${service}:1`,
        lastStatus: 'RUNNING',
      },
    ],
  };
  const at = (version: number, time: number, lastStatus: string, extra: object, outcome: object) =>
    ({
      ...base,
      recordId: `task:${base.resourceArn}:v${version}`,
      recordType: 'task',
      eventTime: iso(time),
      version,
      lastStatus,
      desiredStatus: lastStatus === 'STOPPED' ? 'STOPPED' : 'RUNNING',
      ...extra,
      outcome,
    }) as unknown as AuditRecord;
  const pulled = { pullStartedAt: iso(created + 5_000), pullStoppedAt: iso(created + 15_000) };
  const records = [
    at(1, created, 'PENDING', {}, { status: 'in-progress', summary: 'PENDING' }),
    at(
      2,
      created + 20_000,
      'RUNNING',
      { ...pulled, startedAt: iso(created + 20_000) },
      { status: 'in-progress', summary: 'RUNNING' },
    ),
  ];
  if (stopped !== undefined)
    records.push(
      at(
        3,
        stopped,
        'STOPPED',
        {
          ...pulled,
          startedAt: iso(created + 20_000),
          stoppedAt: iso(stopped),
          stopCode: 'EssentialContainerExited',
        },
        i % 10 === 1
          ? {
              status: 'failed',
              category: 'essential-container-exited',
              summary: 'container app exited with code 1',
            }
          : { status: 'succeeded', summary: 'all 1 containers exited 0' },
      ),
    );
  return records;
}

async function profile(store: Store): Promise<void> {
  const { client, tableName, day, now, generation } = store;
  const reads = runReadsOf(day);
  const documents = DynamoDBDocumentClient.from(client);
  // Warm: one reader for every round (its decoded runs kept between reads, as a server's are).
  const reader = createAuditReader({ client, tableName, now: () => now });
  const coldReader = () => createAuditReader({ client, tableName, now: () => now, decodedRuns: 0 });
  const serve = (of: typeof reader) =>
    startWebServer({
      store: { reader: of, description: 'profile' },
      assets: loadPageAssets(),
      port: 0,
      now: () => now,
      log: console.error,
    });
  const warm = await serve(reader);
  const cold = await serve(coldReader());
  const query = `api/timeline?${new URLSearchParams(day).toString()}`;
  const timelineOf = async (web: typeof warm) => {
    const response = await fetch(`${web.origin}${query}&token=${web.token}`);
    if (!response.ok) throw new Error(`/api/timeline: HTTP ${response.status}`);
    return { body: await response.arrayBuffer(), timing: response.headers.get('server-timing') };
  };
  const rows: Record<string, number>[] = [];
  try {
    for (let round = 0; round <= ROUNDS; round += 1) {
      const row: Record<string, number> = {};
      let t = performance.now();
      const wire: Record<string, unknown>[] = [];
      await runWithLimit(
        reads.map((read) => async () => {
          wire.push(...(await queryRaw(client, tableName, read)));
        }),
        16,
      );
      row['query, no unmarshalling'] = performance.now() - t;
      t = performance.now();
      const items: Record<string, unknown>[] = [];
      await runWithLimit(
        reads.map((read) => async () => {
          items.push(...(await queryDocuments(documents, tableName, read)));
        }),
        16,
      );
      row['query DocumentClient, all attributes'] = performance.now() - t;
      t = performance.now();
      const projected: Record<string, unknown>[] = [];
      await runWithLimit(
        reads.map((read) => async () => {
          projected.push(...(await queryDocuments(documents, tableName, read, PROJECTION)));
        }),
        16,
      );
      row['query DocumentClient, run attributes'] = performance.now() - t;
      t = performance.now();
      const records = items.map((item) => decodeRecord(item));
      row['decodeRecord (inflate + parse)'] = performance.now() - t;
      t = performance.now();
      for (const record of records) taskRunOf(record);
      row['taskRunOf'] = performance.now() - t;
      t = performance.now();
      await coldReader().runsDuring(day);
      row['reader.runsDuring, cold'] = performance.now() - t;
      t = performance.now();
      const { runs: all } = await reader.runsDuring(day);
      row['reader.runsDuring, warm'] = performance.now() - t;
      t = performance.now();
      const timeline = toTimeline(all, day, now);
      row['toTimeline'] = performance.now() - t;
      t = performance.now();
      const json = JSON.stringify(timeline);
      row['JSON.stringify'] = performance.now() - t;
      t = performance.now();
      await timelineOf(cold);
      row['/api/timeline from Node, cold'] = performance.now() - t;
      t = performance.now();
      const { body, timing } = await timelineOf(warm);
      row['/api/timeline from Node, warm'] = performance.now() - t;
      row['  its Server-Timing dur'] = Number(/dur=([\d.]+)/.exec(timing ?? '')?.[1] ?? NaN);
      if (generation) {
        const cachedReader = createAuditReader({
          client,
          tableName,
          now: () => now,
          readCache: { generation },
        });
        const cached = await serve(cachedReader);
        try {
          t = performance.now();
          await timelineOf(cached);
          row['/api/timeline from Node, read cache: 1st'] = performance.now() - t;
          t = performance.now();
          await timelineOf(cached);
          row['/api/timeline from Node, read cache: 2nd'] = performance.now() - t;
        } finally {
          await cached.close();
        }
        t = performance.now();
        const again = await cachedReader.runsDuring(day);
        row['reader.runsDuring, read cache: repeat'] = performance.now() - t;
        row['  its items cached'] = again.itemsCached;
        row['  its items read'] = again.itemsRead;
        t = performance.now();
        await generation();
        row['write generation asked of the guard'] = performance.now() - t;
      }
      row['items read'] = items.length;
      row['runs'] = all.length;
      row['response KB'] = body.byteLength / 1024;
      row['timeline JSON KB'] = json.length / 1024;
      if (round > 0) rows.push(row); // round 0 warms up
    }
  } finally {
    await warm.close();
    await cold.close();
  }
  const keys = Object.keys(rows[0] ?? {});
  console.log(`median of ${rows.length} rounds (load average ${osLoad()}):`);
  for (const key of keys)
    console.log(`  ${key.padEnd(40)} ${median(rows.map((r) => r[key] ?? 0)).toFixed(1)}`);
}

async function queryRaw(client: DynamoDBClient, tableName: string, read: PartitionRead) {
  const out: Record<string, unknown>[] = [];
  let start: Record<string, never> | undefined;
  do {
    const output = await client.send(
      new RawQueryCommand({ ...input(tableName, read, true), ExclusiveStartKey: start }),
    );
    out.push(...((output.Items ?? []) as Record<string, unknown>[]));
    start = output.LastEvaluatedKey as typeof start;
  } while (start);
  return out;
}

/** The attributes the reader reads of a run item. */
const PROJECTION = ['pk', 'r', 'end', 't1', 'cr', 'rk', 'ttl'];

async function queryDocuments(
  client: DynamoDBDocumentClient,
  tableName: string,
  read: PartitionRead,
  attributes?: string[],
) {
  const out: Record<string, unknown>[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const query = input(tableName, read, false);
    const projection = attributes && {
      ProjectionExpression: attributes.map((_, i) => `#a${i}`).join(', '),
      ExpressionAttributeNames: {
        ...query.ExpressionAttributeNames,
        ...Object.fromEntries(attributes.map((name, i) => [`#a${i}`, name])),
      },
    };
    const output = await client.send(
      new QueryCommand({ ...query, ...projection, ExclusiveStartKey: start }),
    );
    out.push(...(output.Items ?? []));
    start = output.LastEvaluatedKey;
  } while (start);
  return out;
}

function input(tableName: string, read: PartitionRead, raw: boolean) {
  const value = (text: string) => (raw ? { S: text } : text);
  const values: Record<string, unknown> = { ':pk': value(read.partitionKey) };
  let condition = '#pk = :pk';
  if (read.sortKey && 'beginsWith' in read.sortKey) {
    condition += ' AND begins_with(#sk, :prefix)';
    values[':prefix'] = value(read.sortKey.beginsWith);
  } else if (read.sortKey) {
    condition += ' AND #sk BETWEEN :low AND :high';
    values[':low'] = value(read.sortKey.between[0]);
    values[':high'] = value(read.sortKey.between[1]);
  }
  return {
    TableName: tableName,
    IndexName: read.indexName,
    KeyConditionExpression: condition,
    ExpressionAttributeNames: {
      '#pk': read.partitionKeyName,
      ...(read.sortKey !== undefined && { '#sk': read.sortKeyName }),
    },
    ExpressionAttributeValues: values as never,
  };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2
    ? (sorted[middle] ?? 0)
    : ((sorted[middle - 1] ?? 0) + (sorted[middle] ?? 0)) / 2;
}

function osLoad(): string {
  return loadavg()
    .map((load) => load.toFixed(2))
    .join(' ');
}

function ms(value: number): string {
  return `${value.toFixed(0)} ms`;
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
