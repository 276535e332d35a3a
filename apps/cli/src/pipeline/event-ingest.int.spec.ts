/**
 * The CLI's ingest path against dynalite: inputs through the ingest Lambda's Kinesis handler,
 * retries of what it reports, the quarantine, the lake, and inputs that could not be stored.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AuditWriter } from '@ecslog/audit-store';
import { createAuditReader, createAuditWriter } from '@ecslog/audit-store';
import type { LocalDynamoDb } from '@ecslog/audit-store/testing';
import { createAuditTable, scanTable, startDynalite } from '@ecslog/audit-store/testing';
import type { QuarantineEntry } from '@ecslog/ingest-pipeline';
import { createLocalLakeWriter } from '@ecslog/local-lake';
import { simulateDay } from '@ecslog/simulator';
import type { EventInput } from '../event-inputs';
import { createEventIngest } from './event-ingest';

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

  function setUp(tableName: string, wrap: (writer: AuditWriter) => AuditWriter = (w) => w) {
    const held: QuarantineEntry[] = [];
    const lines: string[] = [];
    const lake = createLocalLakeWriter({ root: dir });
    const ingest = createEventIngest({
      writer: wrap(
        createAuditWriter({ client: server.client, tableName, retentionDays: 30, now: () => NOW }),
      ),
      quarantine: { hold: async (entry) => void held.push(entry) },
      lake,
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
      limit: 1000,
    });
    const perCategory: Record<string, number> = {};
    for (const r of failures.records)
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
  });

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
});
