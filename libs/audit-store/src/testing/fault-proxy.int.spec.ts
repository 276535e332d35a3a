import type { WriteRequest } from '@aws-sdk/client-dynamodb';
import {
  BatchExecuteStatementCommand,
  BatchWriteItemCommand,
  ListTablesCommand,
} from '@aws-sdk/client-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import type { AuditRecord } from '@ecslog/ecs-event-mapper';
import { mapEvent } from '@ecslog/ecs-event-mapper';
import { sampleEcsInputs } from '@ecslog/ecs-event-mapper/testing';
import type { AuditWriterOptions, WriteResult } from '../audit-writer';
import { createAuditWriter } from '../audit-writer';
import { primaryKeyOf, toHistoryItem } from '../item-codec';
import type { RetryPolicy } from '../retry';
import type { FaultProxy, FaultProxyOptions } from './fault-proxy';
import { startFaultProxy } from './fault-proxy';
import type { LocalDynamoDb, LocalDynamoDbKind } from './local-dynamodb';
import { createAuditTable, localClient, startLocalDynamoDb } from './local-dynamodb';
import { scanTable } from './scan-table';

const RETENTION_DAYS = 3650;
const NOW = Date.parse('2026-11-24T00:00:00.000Z');

/** 500 distinct generated records of every kind, in live-traffic proportions (fixed seed). */
const RECORDS: AuditRecord[] = (() => {
  const byId = new Map<string, AuditRecord>();
  for (const event of sampleEcsInputs(600, 20261124)) {
    const result = mapEvent(event);
    if (result.kind === 'mapped') for (const r of result.records) byId.set(r.recordId, r);
  }
  return [...byId.values()].slice(0, 500);
})();

/** A seeded PRNG for the retry jitter, so a run's retries are reproducible too. */
function seeded(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1_103_515_245 + 12_345) % 2_147_483_648;
    return state / 2_147_483_648;
  };
}

/** Fast backoff: tiny delays, and the sleep itself injected (no timers). */
const fastRetry = (maxAttempts: number): RetryPolicy => ({
  maxAttempts,
  baseDelayMs: 1,
  maxDelayMs: 8,
  sleep: () => Promise.resolve(),
  random: seeded(7),
});

const chunks = <T>(items: readonly T[], size: number): T[][] =>
  Array.from({ length: Math.ceil(items.length / size) }, (_, i) =>
    items.slice(i * size, (i + 1) * size),
  );

describe.each<LocalDynamoDbKind>(['dynamodb-local', 'dynalite'])('fault proxy on %s', (kind) => {
  let server: LocalDynamoDb;
  const proxies: FaultProxy[] = [];

  beforeAll(async () => {
    server = await startLocalDynamoDb(kind);
  });
  afterEach(async () => {
    await Promise.all(proxies.splice(0).map((proxy) => proxy.stop()));
  });
  afterAll(async () => {
    await server?.stop();
  });

  async function proxy(options: Omit<FaultProxyOptions, 'target'>) {
    const started = await startFaultProxy({ target: server.endpoint, ...options });
    proxies.push(started);
    return started;
  }

  /** `records` in one writeRecords call through a new proxy, three attempts each, on a fresh table. */
  async function writeOnceThrough(
    options: Omit<FaultProxyOptions, 'target'>,
    records: readonly AuditRecord[],
  ): Promise<{ tableName: string; faulty: FaultProxy; results: WriteResult[] }> {
    const tableName = await createAuditTable(server.client);
    const faulty = await proxy(options);
    const client = localClient(faulty.endpoint);
    try {
      const results = await createAuditWriter({
        client,
        tableName,
        retentionDays: RETENTION_DAYS,
        now: () => NOW,
        retry: fastRetry(3),
      }).writeRecords(records);
      return { tableName, faulty, results };
    } finally {
      client.destroy();
    }
  }

  async function writeAll(
    options: Pick<AuditWriterOptions, 'client' | 'tableName' | 'retry'>,
    records: readonly AuditRecord[],
  ): Promise<WriteResult[]> {
    const writer = createAuditWriter({ ...options, retentionDays: RETENTION_DAYS, now: () => NOW });
    const results: WriteResult[] = [];
    for (const call of chunks(records, 100)) results.push(...(await writer.writeRecords(call)));
    return results;
  }

  it('throttles and fails a seeded share of requests, the same share for the same seed', async () => {
    const outcomes = async (seed: number) => {
      const faulty = await proxy({ throttleRate: 0.3, failRate: 0.2, seed });
      const client = localClient(faulty.endpoint);
      const seen: string[] = [];
      for (let i = 0; i < 60; i++) {
        seen.push(
          await client.send(new ListTablesCommand({})).then(
            () => 'ok',
            (error: Error) => error.name,
          ),
        );
      }
      client.destroy();
      return { seen, stats: { ...faulty.stats } };
    };

    const first = await outcomes(42);
    const again = await outcomes(42);
    const other = await outcomes(43);

    expect(again.seen).toEqual(first.seen);
    expect(other.seen).not.toEqual(first.seen);
    expect(new Set(first.seen)).toEqual(
      new Set(['ok', 'ProvisionedThroughputExceededException', 'InternalServerError']),
    );
    expect(first.stats).toEqual({
      forwarded: first.seen.filter((s) => s === 'ok').length,
      throttled: first.seen.filter((s) => s === 'ProvisionedThroughputExceededException').length,
      failed: first.seen.filter((s) => s === 'InternalServerError').length,
      partial: 0,
      statementsThrottled: 0,
    });
  });

  it('writes only part of a BatchWriteItem and returns the rest as UnprocessedItems', async () => {
    const tableName = await createAuditTable(server.client);
    const faulty = await proxy({ throttleRate: 0, failRate: 0, partialRate: 1, seed: 5 });
    const client = localClient(faulty.endpoint);
    const requests: WriteRequest[] = RECORDS.slice(0, 20).map((record) => ({
      PutRequest: { Item: marshall(toHistoryItem(record, RETENTION_DAYS)) },
    }));
    /** `pk sk` of each put item, sorted. */
    const keys = (items: readonly Record<string, unknown>[]) =>
      items.map((item) => JSON.stringify([item['pk'], item['sk']])).sort();
    const putItems = (writes: readonly WriteRequest[]) =>
      writes.map((write) => write.PutRequest?.Item ?? {});

    const output = await client.send(
      new BatchWriteItemCommand({ RequestItems: { [tableName]: requests } }),
    );
    client.destroy();

    const unprocessed = output.UnprocessedItems?.[tableName] ?? [];
    const stored = await scanTable(server.client, tableName);
    expect(unprocessed.length).toBeGreaterThan(0);
    expect(stored.length).toBeGreaterThan(0);
    expect([...keys(stored), ...keys(putItems(unprocessed))].sort()).toEqual(
      keys(putItems(requests)),
    );
    expect(faulty.stats).toEqual({
      forwarded: 1,
      throttled: 0,
      failed: 0,
      partial: 1,
      statementsThrottled: 0,
    });
  });

  // dynalite has no PartiQL (the writer uses conditional PutItem there): statements only run on
  // DynamoDB Local.
  if (kind === 'dynamodb-local')
    describe('statements', () => {
      it('refuses single statements of a BatchExecuteStatement, in order, and runs only the others', async () => {
        const tableName = await createAuditTable(server.client);
        const faulty = await proxy({
          throttleRate: 0,
          failRate: 0,
          statementThrottleRate: 0.5,
          seed: 3,
        });
        const client = localClient(faulty.endpoint);
        const items = RECORDS.slice(0, 20).map((record) => toHistoryItem(record, RETENTION_DAYS));

        const output = await client.send(
          new BatchExecuteStatementCommand({
            Statements: items.map((item) => ({
              Statement: `INSERT INTO "${tableName}" VALUE {'pk': ?, 'sk': ?}`,
              Parameters: [{ S: String(item['pk']) }, { S: String(item['sk']) }],
            })),
          }),
        );
        client.destroy();

        const codes = (output.Responses ?? []).map((response) => response.Error?.Code ?? 'ok');
        expect(codes).toHaveLength(items.length);
        expect(new Set(codes)).toEqual(
          new Set(['ok', 'ProvisionedThroughputExceeded', 'ThrottlingError']),
        );
        const stored = (await scanTable(server.client, tableName))
          .map((item) => JSON.stringify([item['pk'], item['sk']]))
          .sort();
        const ran = items
          .filter((_, index) => codes[index] === 'ok')
          .map((item) => JSON.stringify([{ S: item['pk'] }, { S: item['sk'] }]))
          .sort();
        expect(stored).toEqual(ran);
        expect(faulty.stats.statementsThrottled).toBe(codes.filter((c) => c !== 'ok').length);
      });

      it('loses nothing when statements inside a batch are throttled: the table ends as without faults', async () => {
        const direct = await createAuditTable(server.client);
        const retried = await createAuditTable(server.client);
        const faulty = await proxy({
          throttleRate: 0,
          failRate: 0,
          statementThrottleRate: 0.3,
          seed: 17,
        });
        const client = localClient(faulty.endpoint);

        await writeAll({ client: server.client, tableName: direct }, RECORDS);
        const results = await writeAll(
          { client, tableName: retried, retry: fastRetry(30) },
          RECORDS,
        );
        client.destroy();

        expect(results.filter((r) => r.status !== 'written' && r.status !== 'stale')).toEqual([]);
        expect(await scanTable(server.client, retried)).toEqual(
          await scanTable(server.client, direct),
        );
        expect(faulty.stats.statementsThrottled).toBeGreaterThan(20);
      });

      it('fails the records of statements throttled on every attempt, with the code, and writes the rest', async () => {
        const { tableName, results } = await writeOnceThrough(
          { throttleRate: 0, failRate: 0, statementThrottleRate: 1 },
          RECORDS.slice(0, 60),
        );

        const failed = results.filter((r) => r.status === 'failed');
        expect(failed.length).toBeGreaterThan(0);
        for (const result of failed)
          expect(result.error?.message).toMatch(
            /^(ProvisionedThroughputExceeded|ThrottlingError): /,
          );
        // History items go through BatchWriteItem, which the proxy lets through: they are stored.
        const stored = await scanTable(server.client, tableName);
        expect(stored.some((item) => (item['sk'] as { S: string }).S.startsWith('H#'))).toBe(true);
        expect(stored.some((item) => (item['sk'] as { S: string }).S === 'RUN')).toBe(false);
      });
    });

  it('loses and doubles nothing: through throttling, 500s and partial batches the table ends as without faults', async () => {
    const direct = await createAuditTable(server.client);
    const retried = await createAuditTable(server.client);
    const faulty = await proxy({
      throttleRate: 0.2,
      // The writer sends ≈0.08 requests per record (PartiQL batches): 10% keeps several 500s in play.
      failRate: 0.1,
      lostResponseRate: 0.03,
      partialRate: 0.3,
      seed: 11,
    });
    const client = localClient(faulty.endpoint);

    const expected = await writeAll({ client: server.client, tableName: direct }, RECORDS);
    const results = await writeAll({ client, tableName: retried, retry: fastRetry(30) }, RECORDS);
    client.destroy();

    expect(RECORDS.length).toBe(500);
    expect(results.map((r) => r.recordId)).toEqual(RECORDS.map((r) => r.recordId));
    expect(results.filter((r) => r.status !== 'written' && r.status !== 'stale')).toEqual([]);
    expect(expected.every((r) => r.status === 'written')).toBe(true);
    const table = await scanTable(server.client, retried);
    expect(table).toEqual(await scanTable(server.client, direct));
    // Every record has its history item, but a RunTask placement failure, which is a run of its own.
    expect(table.filter((item) => (item['sk'] as { S: string }).S.startsWith('H#')).length).toBe(
      RECORDS.filter((record) => primaryKeyOf(record).sk.startsWith('H#')).length,
    );
    expect(faulty.stats.throttled).toBeGreaterThan(10);
    // ≈90 requests on DynamoDB Local (PartiQL batches), ≈1,300 on dynalite (one PutItem per run).
    expect(faulty.stats.failed).toBeGreaterThan(2);
    expect(faulty.stats.partial).toBeGreaterThan(1);
  });

  it.each([
    { fault: 'a 500', throttleRate: 0, failRate: 1, error: 'InternalServerError' },
    {
      fault: 'throttling',
      throttleRate: 1,
      failRate: 0,
      error: 'ProvisionedThroughputExceededException',
    },
  ])(
    'reports every record failed, with the error, when every request gets $fault',
    async ({ throttleRate, failRate, error }) => {
      const records = RECORDS.slice(0, 60);
      const { tableName, faulty, results } = await writeOnceThrough(
        { throttleRate, failRate },
        records,
      );

      expect(results.map((r) => [r.recordId, r.status, r.error?.name])).toEqual(
        records.map((r) => [r.recordId, 'failed', error]),
      );
      expect(await scanTable(server.client, tableName)).toEqual([]);
      expect(faulty.stats.forwarded).toBe(0);
      // Three attempts for each batch of 25 and each latest-state write.
      expect((faulty.stats.throttled + faulty.stats.failed) % 3).toBe(0);
    },
  );
});
