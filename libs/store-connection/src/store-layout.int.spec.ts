/**
 * A local store made by an older ecslog, on disk in a temporary home: a dynalite store whose table
 * has layout 1 (indexes byCluster / byGroup / byFailure, history and latest-state items keyed
 * `R#<arn>`, lookup items `D#…` and `T#<taskId>`), built here by hand as that version wrote it.
 * Opening it migrates it — the new table is exactly what this version's writer makes of the same
 * records, the old store is kept — and a layout this version cannot read is refused in one line.
 */
import type { Server } from 'node:http';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AttributeValue, CreateTableCommandInput } from '@aws-sdk/client-dynamodb';
import {
  BatchWriteItemCommand,
  CreateTableCommand,
  DeleteItemCommand,
  DescribeTableCommand,
  PutItemCommand,
} from '@aws-sdk/client-dynamodb';
import type { AuditWriter } from '@ecslog/audit-store';
import {
  createAuditWriter,
  createTableInput,
  encodeRecord,
  TABLE_LAYOUT_VERSION,
} from '@ecslog/audit-store';
import {
  createAuditTable,
  localClient as plainClient,
  scanTable,
  startDynalite,
} from '@ecslog/audit-store/testing';
import type { AuditRecord } from '@ecslog/ecs-event-mapper';
import {
  loadFixture,
  mappedRecords,
  TASK_LIFECYCLE_FIXTURES,
} from '@ecslog/ecs-event-mapper/testing';
import { StoreUnavailableError } from './audit-store-connection';
import type { EcslogHome } from './ecslog-home';
import { ecslogHome, LOCAL_TABLE_NAME } from './ecslog-home';
import { localClient, openLocalStore } from './local-store';
import { readProcessStart } from './process-start';
import { ensureStoreCredentials } from './store-credentials';
import { guardStoreServer } from './store-guard';
import { updateLock } from './store-lock';

type RawItem = Record<string, AttributeValue>;

/** Versions 1–7 of one Fargate task of service `web`, then other tasks, services and API calls. */
const LIFECYCLE = TASK_LIFECYCLE_FIXTURES.flatMap((path) => mappedRecords(loadFixture(path)));
const RECORDS: AuditRecord[] = [
  ...LIFECYCLE,
  ...[
    'task-stopped-oom',
    'task-stopped-cannot-start',
    'service-action-steady-state',
    'deployment-completed',
    'container-instance-draining',
  ].flatMap((name) => mappedRecords(loadFixture(`eventbridge/${name}.json`))),
  ...mappedRecords(loadFixture('cloudtrail/runtask-placement-failure-only.json')),
];
const TASK_ARN = (LIFECYCLE[0] as AuditRecord).resourceArn;
const TASK_ID = TASK_ARN.split('/').pop() as string;
/** Ten years: nothing here expires while the test runs. */
const RETENTION_DAYS = 3650;

/** The CreateTable input of layout 1, as ecslog wrote it before runs were stored. */
const LAYOUT_1_TABLE: CreateTableCommandInput = {
  TableName: LOCAL_TABLE_NAME,
  BillingMode: 'PAY_PER_REQUEST',
  AttributeDefinitions: [
    'pk',
    'sk',
    'gsi1pk',
    'gsi1sk',
    'gsi2pk',
    'gsi2sk',
    'gsi3pk',
    'gsi3sk',
  ].map((name) => ({ AttributeName: name, AttributeType: 'S' })),
  KeySchema: [
    { AttributeName: 'pk', KeyType: 'HASH' },
    { AttributeName: 'sk', KeyType: 'RANGE' },
  ],
  GlobalSecondaryIndexes: [
    ['byCluster', 'gsi1'],
    ['byGroup', 'gsi2'],
    ['byFailure', 'gsi3'],
  ].map(([name, prefix]) => ({
    IndexName: name,
    KeySchema: [
      { AttributeName: `${prefix}pk`, KeyType: 'HASH' },
      { AttributeName: `${prefix}sk`, KeyType: 'RANGE' },
    ],
    Projection: { ProjectionType: 'ALL' },
  })),
};

const ttlOf = (record: AuditRecord, days: number) =>
  String(Math.floor(Date.parse(record.eventTime) / 1000) + days * 86_400);

/** A record's items in layout 1: its history item, a task's latest state, lookup items. */
function layout1ItemsOf(record: AuditRecord, days = RETENTION_DAYS): RawItem[] {
  const day = record.eventTime.slice(0, 10);
  const group = record.group ?? (record.serviceName ? `service:${record.serviceName}` : undefined);
  const common: RawItem = {
    ttl: { N: ttlOf(record, days) },
    rt: { S: record.recordType },
    st: { S: record.outcome.status },
    r: { B: encodeRecord(record) },
  };
  const history: RawItem = {
    pk: { S: `R#${record.resourceArn}` },
    sk: { S: `H#${record.eventTime}#${record.recordId}` },
    gsi1pk: { S: `C#${record.clusterArn}#${day}` },
    gsi1sk: { S: record.eventTime },
    ...(group
      ? { gsi2pk: { S: `G#${record.clusterArn}#${group}#${day}` }, gsi2sk: { S: record.eventTime } }
      : {}),
    ...(record.outcome.status === 'failed'
      ? { gsi3pk: { S: `X#${day}` }, gsi3sk: { S: record.eventTime } }
      : {}),
    ...common,
  };
  const items = [
    history,
    { pk: { S: `D#${day}` }, sk: { S: `${record.clusterArn}#${group ?? ''}` }, ttl: common['ttl'] },
  ] as RawItem[];
  if (record.recordType === 'task' && record.version !== undefined)
    items.push({ pk: { S: `R#${record.resourceArn}` }, sk: { S: 'LATEST' }, ...common });
  if (record.taskId && record.resourceArn.includes(':task/'))
    items.push({
      pk: { S: `T#${record.taskId}` },
      sk: { S: `${day}#${record.resourceArn}` },
      ttl: common['ttl'],
    } as RawItem);
  return items;
}

type Dynalite = (options: object) => Server;
const dynalite = createRequire(__filename)('dynalite') as Dynalite;

/** dynalite on `path`, unguarded (a store as an older ecslog left it), until `use` returns. */
async function withStoreFiles<T>(
  path: string,
  use: (client: ReturnType<typeof plainClient>) => Promise<T>,
): Promise<T> {
  const server = dynalite({ path, createTableMs: 0 });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const client = plainClient(
    `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`,
  );
  try {
    return await use(client);
  } finally {
    client.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}

/** A layout-1 store holding `written` (for one key, the last item written is the one kept). */
async function makeLayout1Store(home: EcslogHome, written: readonly RawItem[]): Promise<void> {
  const items = [
    ...new Map(written.map((item) => [`${item['pk']?.S}\u0000${item['sk']?.S}`, item])).values(),
  ];
  await mkdir(home.root, { recursive: true, mode: 0o700 });
  await withStoreFiles(home.store, async (client) => {
    await client.send(new CreateTableCommand(LAYOUT_1_TABLE));
    // dynalite refuses writes while the table is CREATING, even with createTableMs 0.
    while (
      (await client.send(new DescribeTableCommand({ TableName: LOCAL_TABLE_NAME }))).Table
        ?.TableStatus !== 'ACTIVE'
    )
      await new Promise((resolve) => setTimeout(resolve, 10));
    for (let i = 0; i < items.length; i += 25)
      await client.send(
        new BatchWriteItemCommand({
          RequestItems: {
            [LOCAL_TABLE_NAME]: items.slice(i, i + 25).map((Item) => ({ PutRequest: { Item } })),
          },
        }),
      );
  });
}

/** The table this version's writer makes of `records` (dynalite, in memory). */
async function writtenByThisVersion(records: readonly AuditRecord[]): Promise<RawItem[]> {
  const server = await startDynalite();
  try {
    const tableName = await createAuditTable(server.client, LOCAL_TABLE_NAME);
    const writer = createAuditWriter({
      client: server.client,
      tableName,
      retentionDays: RETENTION_DAYS,
      conditionalWrites: 'single',
    });
    const results = await writer.writeRecords(records);
    expect(results.filter((result) => result.status === 'failed')).toEqual([]);
    return await scanTable(server.client, tableName);
  } finally {
    await server.stop();
  }
}

const indexNames = async (client: ReturnType<typeof plainClient>) =>
  (
    await client.send(new DescribeTableCommand({ TableName: LOCAL_TABLE_NAME }))
  ).Table?.GlobalSecondaryIndexes?.map((index) => index.IndexName).sort();

describe('a local store of table layout 1 (an older ecslog)', () => {
  let dir: string;
  let home: EcslogHome;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ecslog-layout-'));
    home = ecslogHome({ ECSLOG_HOME: 'home' }, dir);
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it('is migrated on open: the table this version writes from the same records, the old store kept', async () => {
    const expired = { ...(RECORDS[RECORDS.length - 1] as AuditRecord), recordId: 'gone' };
    await makeLayout1Store(home, [
      ...RECORDS.flatMap((record) => layout1ItemsOf(record)),
      // Past its TTL (dynalite never deletes): not a record of the store any more.
      ...layout1ItemsOf(expired, 1),
    ]);
    const expected = await writtenByThisVersion(RECORDS);

    const store = await openLocalStore({ home, role: 'command', cwd: dir });
    try {
      expect(store.migrated).toEqual({
        fromLayout: 1,
        records: RECORDS.length,
        backup: `${home.store}.layout-1`,
      });
      expect(await indexNames(store.client)).toEqual(['events', 'failures', 'lookups', 'runs']);
      expect(await scanTable(store.client, LOCAL_TABLE_NAME)).toEqual(expected);
      const task = await store.reader.task(TASK_ID);
      expect(task?.history.map((record) => record.recordId)).toEqual(
        LIFECYCLE.map((record) => record.recordId),
      );
      expect(task?.run?.record.recordId).toBe((LIFECYCLE[6] as AuditRecord).recordId);
    } finally {
      await store.close();
    }
    expect(JSON.parse(await readFile(home.storeLayout, 'utf8'))).toEqual({
      layout: TABLE_LAYOUT_VERSION,
    });
    expect(existsSync(`${home.store}.migrating`)).toBe(false);
    // The old store, untouched, beside the new one.
    await withStoreFiles(`${home.store}.layout-1`, async (client) => {
      expect(await indexNames(client)).toEqual(['byCluster', 'byFailure', 'byGroup']);
    });
  });

  it('is migrated once: the next open uses the migrated store as it is', async () => {
    await makeLayout1Store(
      home,
      RECORDS.flatMap((record) => layout1ItemsOf(record)),
    );
    const first = await openLocalStore({ home, role: 'command', cwd: dir });
    const migrated = await scanTable(first.client, LOCAL_TABLE_NAME).finally(() => first.close());

    const second = await openLocalStore({ home, role: 'command', cwd: dir });
    try {
      expect(second.migrated).toBeUndefined();
      expect(second.created).toBe(false);
      expect(await scanTable(second.client, LOCAL_TABLE_NAME)).toEqual(migrated);
    } finally {
      await second.close();
    }
  });

  it('keeps the old store as it is when a record cannot be copied, and says so in one line', async () => {
    const broken: RawItem = {
      ...(layout1ItemsOf(RECORDS[0] as AuditRecord)[0] as RawItem),
      sk: { S: 'H#2026-11-20T10:00:00.000Z#broken' },
      r: { B: Uint8Array.from([1, 2, 3]) },
    };
    await makeLayout1Store(home, [...RECORDS.flatMap((record) => layout1ItemsOf(record)), broken]);

    const opening = openLocalStore({ home, role: 'command', cwd: dir });

    await expect(opening).rejects.toThrow(StoreUnavailableError);
    await expect(opening).rejects.toThrow(
      /^could not open the local store in home: could not migrate it from the older table layout \(it is unchanged\): [^\n]+$/,
    );
    expect(existsSync(`${home.store}.migrating`)).toBe(false);
    expect(existsSync(`${home.store}.layout-1`)).toBe(false);
    expect(existsSync(home.lock)).toBe(false);
    await withStoreFiles(home.store, async (client) => {
      expect(await indexNames(client)).toEqual(['byCluster', 'byFailure', 'byGroup']);
    });
  });

  it('starts an interrupted migration again: a half-built store beside the old one is dropped', async () => {
    await makeLayout1Store(
      home,
      RECORDS.flatMap((record) => layout1ItemsOf(record)),
    );
    await mkdir(`${home.store}.migrating`);
    await writeFile(join(`${home.store}.migrating`, 'CURRENT'), 'half-written');

    const store = await openLocalStore({ home, role: 'command', cwd: dir });
    try {
      expect(store.migrated?.records).toBe(RECORDS.length);
      expect(await scanTable(store.client, LOCAL_TABLE_NAME)).toEqual(
        await writtenByThisVersion(RECORDS),
      );
    } finally {
      await store.close();
    }
  });

  it('finishes a complete migration that stopped between its renames', async () => {
    await makeLayout1Store(
      home,
      RECORDS.flatMap((record) => layout1ItemsOf(record)),
    );
    const first = await openLocalStore({ home, role: 'command', cwd: dir });
    const migrated = await scanTable(first.client, LOCAL_TABLE_NAME).finally(() => first.close());
    // As if stopped after renaming the old store away, before renaming the new one into place.
    const { rename } = await import('node:fs/promises');
    await rename(home.store, `${home.store}.migrating`);

    const store = await openLocalStore({ home, role: 'command', cwd: dir });
    try {
      expect(store.created).toBe(false);
      expect(store.migrated).toBeUndefined();
      expect(await scanTable(store.client, LOCAL_TABLE_NAME)).toEqual(migrated);
    } finally {
      await store.close();
    }
    expect(existsSync(`${home.store}.migrating`)).toBe(false);
  });

  it('is refused in one line by a command connecting to an ecslog local of that version', async () => {
    await makeLayout1Store(
      home,
      RECORDS.flatMap((record) => layout1ItemsOf(record)),
    );
    const credentials = await ensureStoreCredentials(home.credentials);
    // An older ecslog local serving the old store (guarded, as every version does).
    const server = dynalite({ path: home.store, createTableMs: 0 });
    guardStoreServer(server, { credentials });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    const endpoint = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
    const processStart = await readProcessStart(process.pid);
    await updateLock(home.lock, {
      pid: process.pid,
      role: 'local',
      endpoint,
      startedAt: new Date().toISOString(),
      ...(processStart ? { processStart } : {}),
    });
    try {
      const opening = openLocalStore({ home, role: 'command', cwd: dir, waitMs: 300 });

      await expect(opening).rejects.toThrow(
        new StoreUnavailableError(
          `the local store in home (served by pid ${process.pid}) has table layout 1, made by an older ecslog: stop that ecslog local and start this version's, which migrates it`,
        ),
      );
      // Nothing changed under the running server.
      const client = localClient(endpoint, credentials);
      try {
        expect(await indexNames(client)).toEqual(['byCluster', 'byFailure', 'byGroup']);
      } finally {
        client.destroy();
      }
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});

describe('a local store of a layout this version cannot read', () => {
  let dir: string;
  let home: EcslogHome;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ecslog-layout-'));
    home = ecslogHome({ ECSLOG_HOME: 'home' }, dir);
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it('records the layout beside a store it creates', async () => {
    const store = await openLocalStore({ home, role: 'command', cwd: dir });
    await store.close();

    expect(store.created).toBe(true);
    expect(JSON.parse(await readFile(home.storeLayout, 'utf8'))).toEqual({
      layout: TABLE_LAYOUT_VERSION,
    });
  });

  it('is refused in one line when a newer ecslog made it, and left as it is', async () => {
    await openLocalStore({ home, role: 'command', cwd: dir }).then((store) => store.close());
    const newer = `${JSON.stringify({ layout: TABLE_LAYOUT_VERSION + 1 })}\n`;
    await writeFile(home.storeLayout, newer);

    const opening = openLocalStore({ home, role: 'command', cwd: dir });

    await expect(opening).rejects.toThrow(
      new StoreUnavailableError(
        `the local store in home was made by a newer ecslog (table layout ${TABLE_LAYOUT_VERSION + 1}; this one reads layout ${TABLE_LAYOUT_VERSION}); use that ecslog, or move home/store away to start an empty store`,
      ),
    );
    expect(await readFile(home.storeLayout, 'utf8')).toBe(newer);
    expect(existsSync(home.lock)).toBe(false);
  });

  it('is refused in one line when its indexes are of no layout this version knows', async () => {
    await mkdir(home.root, { recursive: true, mode: 0o700 });
    await withStoreFiles(home.store, async (client) => {
      await client.send(
        new CreateTableCommand({
          ...LAYOUT_1_TABLE,
          GlobalSecondaryIndexes: LAYOUT_1_TABLE.GlobalSecondaryIndexes?.slice(0, 1),
        }),
      );
    });

    const opening = openLocalStore({ home, role: 'command', cwd: dir });

    await expect(opening).rejects.toThrow(
      new StoreUnavailableError(
        'the local store in home has a table layout this ecslog does not know (indexes: byCluster); move home/store away to start an empty store',
      ),
    );
    expect(existsSync(`${home.store}.migrating`)).toBe(false);
  });
});

/** The CreateTable input of layout 2: this version's, without the lookups index. */
function layout2Table(): CreateTableCommandInput {
  const input = createTableInput(LOCAL_TABLE_NAME);
  return {
    ...input,
    AttributeDefinitions: input.AttributeDefinitions.filter(
      (a) => a.AttributeName !== 'lk' && a.AttributeName !== 't0',
    ),
    GlobalSecondaryIndexes: input.GlobalSecondaryIndexes.filter(
      (index) => index.IndexName !== 'lookups',
    ),
  };
}

/** A task of `LIFECYCLE` still running, under another id: its run is open, so it can be closed. */
const OPEN_TASK_ID = 'f'.repeat(32);
const OPEN_RECORDS: AuditRecord[] = LIFECYCLE.filter(
  (record) => record.recordType === 'task' && record.lastStatus === 'RUNNING',
)
  .slice(0, 1)
  .map((record) => JSON.parse(JSON.stringify(record).replaceAll(TASK_ID, OPEN_TASK_ID)));
const CLOSURE = { at: '2026-11-20T05:00:00.000Z', reason: 'task not found by the reconciler' };

/** Writes the layout-2 records (and the closure) the way every writer does. */
async function writeRecordsAndClosure(writer: AuditWriter): Promise<void> {
  const results = await writer.writeRecords([...RECORDS, ...OPEN_RECORDS]);
  expect(results.filter((result) => result.status === 'failed')).toEqual([]);
  expect(await writer.closeRun(OPEN_TASK_ID, CLOSURE)).toBe('closed');
}

/**
 * A layout-2 store as that version wrote it: the same items without what layout 3 added (the
 * lookup key `lk`, companion items `L#…`, image mapping items `M#…`).
 */
async function makeLayout2Store(home: EcslogHome): Promise<void> {
  await mkdir(home.root, { recursive: true, mode: 0o700 });
  await withStoreFiles(home.store, async (client) => {
    await client.send(new CreateTableCommand(layout2Table()));
    while (
      (await client.send(new DescribeTableCommand({ TableName: LOCAL_TABLE_NAME }))).Table
        ?.TableStatus !== 'ACTIVE'
    )
      await new Promise((resolve) => setTimeout(resolve, 10));
    await writeRecordsAndClosure(
      createAuditWriter({
        client,
        tableName: LOCAL_TABLE_NAME,
        retentionDays: RETENTION_DAYS,
        conditionalWrites: 'single',
      }),
    );
    for (const item of await scanTable(client, LOCAL_TABLE_NAME)) {
      const key = { pk: item['pk'] as AttributeValue, sk: item['sk'] as AttributeValue };
      if (item['pk']?.S?.startsWith('M#') || item['sk']?.S?.startsWith('L#'))
        await client.send(new DeleteItemCommand({ TableName: LOCAL_TABLE_NAME, Key: key }));
      else if (item['lk'] !== undefined) {
        const { lk: _lk, ...rest } = item;
        await client.send(new PutItemCommand({ TableName: LOCAL_TABLE_NAME, Item: rest }));
      }
    }
  });
  await writeFile(home.storeLayout, `${JSON.stringify({ layout: 2 })}\n`);
}

describe('a local store of table layout 2 (before the provenance lookups)', () => {
  let dir: string;
  let home: EcslogHome;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ecslog-layout-'));
    home = ecslogHome({ ECSLOG_HOME: 'home' }, dir);
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it('is migrated on open: the table this version writes from the same records and closure, the old store kept', async () => {
    expect(OPEN_RECORDS).toHaveLength(1);
    await makeLayout2Store(home);
    const server = await startDynalite();
    let expected: RawItem[];
    try {
      const tableName = await createAuditTable(server.client, LOCAL_TABLE_NAME);
      await writeRecordsAndClosure(
        createAuditWriter({
          client: server.client,
          tableName,
          retentionDays: RETENTION_DAYS,
          conditionalWrites: 'single',
        }),
      );
      expected = await scanTable(server.client, tableName);
    } finally {
      await server.stop();
    }
    // What layout 3 adds is there to be added.
    expect(expected.some((item) => item['pk']?.S?.startsWith('M#'))).toBe(true);
    expect(expected.some((item) => item['lk'] !== undefined)).toBe(true);

    const store = await openLocalStore({ home, role: 'command', cwd: dir });
    try {
      expect(store.migrated).toEqual({
        fromLayout: 2,
        // Never-started runs are their own records: each is counted once.
        records: RECORDS.length + OPEN_RECORDS.length,
        backup: `${home.store}.layout-2`,
      });
      expect(await indexNames(store.client)).toEqual(['events', 'failures', 'lookups', 'runs']);
      expect(await scanTable(store.client, LOCAL_TABLE_NAME)).toEqual(expected);
      const open = await store.reader.task(OPEN_TASK_ID);
      expect(open?.run?.end).toBe('closed');
      expect(open?.run?.endTime).toBe(CLOSURE.at);
      const address = (LIFECYCLE.find((record) => record.network?.privateIpv4) as AuditRecord)
        .network?.privateIpv4 as string;
      const { runs } = await store.reader.runsAtAddress(address, {
        from: '2020-01-01T00:00:00.000Z',
        to: '2030-01-01T00:00:00.000Z',
      });
      expect(runs.map((run) => run.record.taskId)).toEqual(
        expect.arrayContaining([TASK_ID, OPEN_TASK_ID]),
      );
    } finally {
      await store.close();
    }
    expect(JSON.parse(await readFile(home.storeLayout, 'utf8'))).toEqual({
      layout: TABLE_LAYOUT_VERSION,
    });
    await withStoreFiles(`${home.store}.layout-2`, async (client) => {
      expect(await indexNames(client)).toEqual(['events', 'failures', 'runs']);
    });
  });

  it('is migrated when the layout file is missing too: its index names tell layout 2', async () => {
    await makeLayout2Store(home);
    await rm(home.storeLayout);

    const store = await openLocalStore({ home, role: 'command', cwd: dir });
    try {
      expect(store.migrated?.fromLayout).toBe(2);
      expect(await indexNames(store.client)).toEqual(['events', 'failures', 'lookups', 'runs']);
    } finally {
      await store.close();
    }
  });
});
