/**
 * The CLI's ingest path against dynalite: inputs through the ingest Lambda's Kinesis handler,
 * retries of what it reports, the quarantine, the lake, and inputs that could not be stored.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { AuditWriter } from '@ecslog/audit-store';
import { createAuditReader, createAuditWriter } from '@ecslog/audit-store';
import type { LocalDynamoDb } from '@ecslog/audit-store/testing';
import { createAuditTable, scanTable, startDynalite } from '@ecslog/audit-store/testing';
import type { QuarantineEntry } from '@ecslog/ingest-pipeline';
import { createLocalLakeWriter } from '@ecslog/local-lake';
import type { ObservedRecord, ObserveReport } from '@ecslog/notifier';
import { simulateDay } from '@ecslog/simulator';
import type { EventInput } from '../event-inputs';
import type { EventIngestOptions } from './event-ingest';
import { createEventIngest, StoreFaultError } from './event-ingest';
import { guardStoreClient, storageFaultOf } from './store-fault-guard';

/** An ObserveReport (what a recording notifier answers). */
const counts = (changed: number): ObserveReport => ({ changed, ignored: 0, messagesQueued: 0 });

describe('event ingest (dynalite)', () => {
  let server: LocalDynamoDb;
  let dir: string;
  const NOW = Date.parse('2026-11-21T12:00:00.000Z');
  const day = simulateDay({ seed: 11, day: '2026-11-20' });
  const inputs: EventInput[] = day.events.map((value, i) => ({ position: `day:${i + 1}`, value }));

  beforeAll(async () => {
    server = await startDynalite();
  });
  afterAll(async () => server?.stop());
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'ecslog-ingest-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  function setUp(
    tableName: string,
    /** Replaces how records are written; runs are closed as the real writer does. */
    wrap: (writer: AuditWriter) => Pick<AuditWriter, 'writeRecords'> = (w) => w,
    extra: Partial<EventIngestOptions> = {},
  ) {
    const held: QuarantineEntry[] = [];
    const lines: string[] = [];
    const lake = createLocalLakeWriter({ root: dir });
    const writer = createAuditWriter({
      client: server.client,
      tableName,
      retentionDays: 30,
      now: () => NOW,
    });
    const ingest = createEventIngest({
      ...extra,
      writer: { ...writer, ...wrap(writer) },
      quarantine: extra.quarantine ?? { hold: async (entry) => void held.push(entry) },
      lake: extra.lake ?? lake,
      report: (line) => lines.push(line),
      batchSize: 64,
      pause: async () => undefined,
    });
    return { ingest, lake, held, lines };
  }

  it('stores a simulated day with the failures it was built with, and writes its lake rows', async () => {
    const tableName = await createAuditTable(server.client);
    const { ingest, lake } = setUp(tableName);

    const summary = await ingest(inputs);
    await lake.close();

    expect(summary).toMatchObject({
      inputs: inputs.length,
      mapped: inputs.length,
      invalid: 0,
      unwritten: [],
    });
    expect(summary.written + summary.stale).toBe(day.expected.records + day.expected.duplicates);
    const reader = createAuditReader({ client: server.client, tableName, now: () => NOW });
    const failures = await reader.failures({
      from: '2026-11-20T00:00:00Z',
      to: '2026-11-20T23:59:59.999Z',
    });
    const perCategory: Record<string, number> = {};
    for (const r of failures)
      perCategory[r.outcome.category as string] =
        (perCategory[r.outcome.category as string] ?? 0) + 1;
    expect(perCategory).toEqual(
      Object.fromEntries(Object.entries(day.expected.failuresByCategory).filter(([, n]) => n > 0)),
    );
    const rows = readdirSync(join(dir, 'lake', 'dt=2026-11-20')).flatMap((file) =>
      readFileSync(join(dir, 'lake', 'dt=2026-11-20', file), 'utf8')
        .trim()
        .split('\n'),
    );
    expect(
      new Set(rows.map((row) => (JSON.parse(row) as { record_id: string }).record_id)).size,
    ).toBe(day.expected.records);
  }, 60_000); // a whole day through dynalite, by the writer's one-PutItem-per-item fallback

  it('quarantines what is not an event, with its position, and stores the rest', async () => {
    const tableName = await createAuditTable(server.client);
    const { ingest, held, lines } = setUp(tableName);

    const summary = await ingest([
      { position: 'bad.ndjson:1', problem: 'is not JSON', text: '{"truncated":' },
      {
        position: 'bad.ndjson:2',
        value: { 'detail-type': 'ECS Task State Change', source: 'aws.ecs' },
      },
      ...inputs.slice(0, 3),
    ]);

    expect(summary).toMatchObject({ invalid: 2, mapped: 3, unwritten: [] });
    expect(held.map((entry) => [entry.origin['position'], entry.payload])).toEqual([
      ['bad.ndjson:1', '{"truncated":'],
      ['bad.ndjson:2', { 'detail-type': 'ECS Task State Change', source: 'aws.ecs' }],
    ]);
    expect(lines).toEqual([
      expect.stringMatching(/^bad\.ndjson:1: invalid: .*\(quarantined\)$/),
      expect.stringMatching(/^bad\.ndjson:2: invalid: .*\(quarantined\)$/),
    ]);
  });

  it('retries what the handler reports, and returns inputs never stored instead of dropping them', async () => {
    const tableName = await createAuditTable(server.client);
    let calls = 0;
    // The first two calls fail every record: the handler reports them, the ingest feeds them again.
    const flaky = setUp(tableName, (writer) => ({
      writeRecords: async (records) =>
        ++calls <= 2
          ? records.map((r) => ({
              recordId: r.recordId,
              status: 'failed',
              error: new Error('throttled'),
            }))
          : writer.writeRecords(records),
    }));
    const broken = setUp(tableName, () => ({
      writeRecords: async (records) =>
        records.map((r) => ({
          recordId: r.recordId,
          status: 'failed',
          error: new Error('table gone'),
        })),
    }));

    const recovered = await flaky.ingest(inputs.slice(0, 20));
    const lost = await broken.ingest(inputs.slice(20, 25));

    expect(recovered.unwritten).toEqual([]);
    expect(recovered.retried).toBe(40);
    expect((await scanTable(server.client, tableName)).length).toBeGreaterThan(20);
    expect(lost.unwritten).toEqual(inputs.slice(20, 25));
    expect(broken.lines).toContainEqual(
      expect.stringMatching(/^ecslog: records not written: reported for retry: table gone$/),
    );
  });

  it('counts each input once, however often it was retried', async () => {
    const clean = setUp(await createAuditTable(server.client));
    const tableName = await createAuditTable(server.client);
    let calls = 0;
    // Every other record fails in the first two calls: inputs are fed again, whole.
    const flaky = setUp(tableName, (writer) => ({
      writeRecords: async (records) => {
        calls += 1;
        const results = await writer.writeRecords(records);
        return calls <= 2
          ? results.map((r, i) =>
              i % 2 === 0 ? { ...r, status: 'failed' as const, error: new Error('throttled') } : r,
            )
          : results;
      },
    }));

    const expected = await clean.ingest(inputs.slice(0, 100));
    const summary = await flaky.ingest(inputs.slice(0, 100));

    expect(calls).toBeGreaterThan(2);
    expect(summary).toMatchObject({ inputs: 100, mapped: 100, invalid: 0, unwritten: [] });
    expect(summary.written + summary.stale).toBe(expected.written + expected.stale);
    expect(summary.written + summary.stale).toBeLessThanOrEqual(100);
  });

  it('counts as invalid only the inputs it quarantined', async () => {
    const tableName = await createAuditTable(server.client);
    const broken = setUp(tableName, undefined, {
      quarantine: {
        hold: async () => {
          throw new Error('quarantine unavailable');
        },
      },
    });
    const bad = Array.from({ length: 26 }, (_, i) => ({
      position: `bad.ndjson:${i + 1}`,
      problem: 'is not JSON',
      text: '{"truncated":',
    }));

    const summary = await broken.ingest(bad);

    expect(summary).toMatchObject({ inputs: 26, invalid: 0, mapped: 0 });
    expect(summary.unwritten).toEqual(bad);
  });

  it('quarantines an input over the 400 KB item limit at once, with that reason', async () => {
    const tableName = await createAuditTable(server.client);
    const stopped = inputs.find((input) => {
      const detail = (input as { value: { detail?: { lastStatus?: string } } }).value.detail;
      return detail?.lastStatus === 'STOPPED';
    }) as { position: string; value: { detail: Record<string, unknown> } };
    // Random text: deflate cannot shrink it under the limit.
    const huge = {
      position: 'huge.ndjson:1',
      value: {
        ...stopped.value,
        detail: { ...stopped.value.detail, stoppedReason: randomBytes(525_000).toString('base64') },
      },
    };
    let calls = 0;
    const { ingest, held, lines } = setUp(tableName, (writer) => ({
      writeRecords: async (records) => {
        calls += 1;
        return writer.writeRecords(records);
      },
    }));

    const summary = await ingest([huge, ...inputs.slice(0, 10)]);

    expect(calls).toBeLessThanOrEqual(2);
    expect(summary).toMatchObject({ inputs: 11, mapped: 10, invalid: 1, unwritten: [] });
    expect(held).toHaveLength(1);
    expect(held[0]).toMatchObject({ origin: { position: 'huge.ndjson:1' }, payload: huge.value });
    expect(held[0]?.reason).toMatch(
      /^too large to store: record task:.* is over DynamoDB's 400 KB item limit/,
    );
    expect(lines).toEqual([
      expect.stringMatching(/^huge\.ndjson:1: invalid: too large to store: /),
    ]);
  });

  it('stops at once on a store fault, returning every input not stored, with no line per attempt', async () => {
    const tableName = await createAuditTable(server.client);
    let calls = 0;
    const gone = setUp(tableName, () => ({
      writeRecords: async (records) => {
        calls += 1;
        const error = new StoreFaultError('the store is gone (connection refused)', 'ECONNREFUSED');
        return records.map((r) => ({ recordId: r.recordId, status: 'failed' as const, error }));
      },
    }));

    const summary = await gone.ingest(inputs.slice(0, 200));

    expect(calls).toBe(1);
    expect(summary.stopped?.reason).toBe('the store is gone (connection refused)');
    expect(summary.unwritten).toEqual(inputs.slice(0, 200));
    expect(summary.mapped).toBe(0);
    expect(gone.lines).toEqual([]);
  });

  it('stops when asked between batches, keeping the rest', async () => {
    const tableName = await createAuditTable(server.client);
    let batches = 0;
    const { ingest } = setUp(
      tableName,
      (writer) => ({
        writeRecords: async (records) => {
          batches += 1;
          return writer.writeRecords(records);
        },
      }),
      { stopRequested: () => (batches >= 2 ? 'SIGINT' : undefined) },
    );

    const summary = await ingest(inputs.slice(0, 200));

    expect(summary.stopped?.reason).toBe('SIGINT');
    expect(summary.mapped).toBe(128);
    expect(summary.unwritten).toEqual(inputs.slice(128, 200));
  });

  it('stops when the lake cannot be written (a full disk), keeping that input', async () => {
    const tableName = await createAuditTable(server.client);
    const full = Object.assign(new Error('ENOSPC: no space left on device, write'), {
      code: 'ENOSPC',
    });
    let rows = 0;
    const { ingest } = setUp(tableName, undefined, {
      lake: {
        writeAuditRecords: async () => {
          if (++rows > 5) throw full;
        },
        close: async () => undefined,
      } as unknown as EventIngestOptions['lake'],
    });

    const summary = await ingest(inputs.slice(0, 20));

    expect(summary.stopped?.reason).toMatch(/^cannot write the lake: ENOSPC/);
    expect(summary.mapped).toBe(5);
    expect(summary.unwritten).toEqual(inputs.slice(5, 20));
  });

  it("notices at once that the store's server is gone, without retrying each request", async () => {
    const gone = await startDynalite();
    // As the local store's client: no SDK retries, the audit writer retries itself.
    const client = new DynamoDBClient({
      endpoint: gone.endpoint,
      region: 'us-east-1',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
      maxAttempts: 1,
    });
    const tableName = await createAuditTable(client);
    const guard = guardStoreClient(client, { endpoint: 'the test server', inProcess: false });
    const ingest = createEventIngest({
      writer: createAuditWriter({ client, tableName, retentionDays: 30, now: () => NOW }),
      quarantine: { hold: async () => undefined },
      report: () => undefined,
      batchSize: 64,
    });
    await ingest(inputs.slice(0, 10));
    await gone.stop();

    const startedAt = Date.now();
    const summary = await ingest(inputs.slice(10, 210));
    guard.dispose();
    client.destroy();

    expect(Date.now() - startedAt).toBeLessThan(3_000);
    expect(summary.stopped?.reason).toBe(
      "the store's server at the test server is gone (connection refused)",
    );
    expect(summary.stopped?.error).toMatchObject({ faultCode: 'ECONNREFUSED' });
    expect(summary.unwritten).toEqual(inputs.slice(10, 210));
  }, 20_000);

  it('tells the notifier of the records it stored, each once, as live; none of the duplicates', async () => {
    const tableName = await createAuditTable(server.client);
    const observed: ObservedRecord[] = [];
    const written: string[] = [];
    const { ingest } = setUp(
      tableName,
      (writer) => ({
        async writeRecords(records) {
          const results = await writer.writeRecords(records);
          // One result per copy of a change: a change is stored when one copy was.
          for (const r of results)
            if (r.status === 'written' && !written.includes(r.recordId)) written.push(r.recordId);
          return results;
        },
      }),
      {
        notifier: {
          observe: async (records) => {
            observed.push(...records);
            return counts(records.length);
          },
        },
      },
    );

    const summary = await ingest(inputs);

    expect(summary.unwritten).toEqual([]);
    expect(observed.map((o) => o.record.recordId).sort()).toEqual([...written].sort());
    expect(observed.every((o) => o.origin === 'live')).toBe(true);
    expect(observed.length).toBe(summary.written);
    // A run's record delivered twice is stored once (the second is stale): told once.
    const taskStates = observed.filter((o) => o.record.recordType === 'task');
    expect(new Set(taskStates.map((o) => o.record.recordId)).size).toBe(taskStates.length);
  });

  it('retries an input whose records the notifier could not take, and tells it them then', async () => {
    const tableName = await createAuditTable(server.client);
    const observed: string[] = [];
    /** The changes stored (a result `written`, in any call: a retry finds them stale). */
    const stored = new Set<string>();
    let failures = 2;
    const { ingest } = setUp(
      tableName,
      (writer) => ({
        async writeRecords(records) {
          const results = await writer.writeRecords(records);
          for (const r of results) if (r.status === 'written') stored.add(r.recordId);
          return results;
        },
      }),
      {
        notifier: {
          async observe(records) {
            if (failures > 0) {
              failures -= 1;
              throw Object.assign(new Error('ProvisionedThroughputExceededException: slow down'), {
                name: 'ProvisionedThroughputExceededException',
              });
            }
            observed.push(...records.map((o) => o.record.recordId));
            return counts(records.length);
          },
        },
      },
    );
    const some = inputs.slice(0, 40);

    const summary = await ingest(some);

    expect(summary).toMatchObject({ unwritten: [], mapped: some.length });
    expect(summary.retried).toBeGreaterThan(0);
    // Every change the first attempt stored is told once, although the retries found it stored
    // already (`stale`); none that was stale from the start (a lower version beside a higher one).
    expect(stored.size).toBeGreaterThan(5);
    expect([...observed].sort()).toEqual([...stored].sort());
  });

  it("takes dynalite's uncaught LevelDB IO error for a full disk", () => {
    const leveldb = Object.assign(
      new Error('IO error: /home/.ecslog/store/000003.log: No space left on device'),
      { code: 'LEVEL_IO_ERROR' },
    );

    expect(storageFaultOf(leveldb)).toMatchObject({
      faultCode: 'ENOSPC',
      message: expect.stringMatching(/^the disk holding the store is full \(ENOSPC\): IO error: /),
    });
    expect(storageFaultOf(new TypeError('x is undefined'))).toBeUndefined();
  });
});
