/**
 * Both handlers given an event nested 5,000 levels deep, with the file quarantine (which writes
 * JSON, where a stack overflow would strike): that event alone is quarantined, kept whole; the
 * rest of the batch is written and nothing is retried.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { EventBridgeEvent } from 'aws-lambda';
import { createEventBridgeHandler } from './eventbridge-ingest';
import { createFileQuarantine } from './file-quarantine';
import { createKinesisHandler } from './kinesis-ingest';
import { parseQuarantineEntry } from './quarantine';
import {
  TEST_NOW,
  createMemoryWriter,
  createRecordingLogger,
  createRecordingMetrics,
  loadKinesisBatch,
} from './testing';

const DEEP_EVENT_TEXT = `{"version":"0","id":"deep-1","source":"aws.ecs","detail-type":"ECS Task State Change","detail":${'['.repeat(5_000)}${']'.repeat(5_000)}}`;

describe('an event nested 5,000 levels deep', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ecslog-deep-'));
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  function setUp() {
    const path = join(dir, 'quarantine.ndjson');
    const deps = {
      writer: createMemoryWriter(),
      quarantine: createFileQuarantine({ path }),
      logger: createRecordingLogger(),
      metrics: createRecordingMetrics(),
      clock: () => TEST_NOW,
    };
    const held = async () =>
      (await readFile(path, 'utf8'))
        .trimEnd()
        .split('\n')
        .map((line) => parseQuarantineEntry(line));
    return { deps, held };
  }

  it('Kinesis: is quarantined as its raw text; the rest of the batch is written, nothing retried', async () => {
    const { deps, held } = setUp();
    const batch = loadKinesisBatch();
    const first = batch.Records[0];
    if (!first) throw new Error('empty fixture batch');
    first.kinesis.data = Buffer.from(DEEP_EVENT_TEXT).toString('base64');

    const response = await createKinesisHandler(deps)(batch);

    expect(response).toEqual({ batchItemFailures: [] });
    expect(deps.writer.calls.flat()).toHaveLength(5); // the batch's six mapped records but the first
    const entries = await held();
    expect(entries[0]).toMatchObject({
      reason: 'is nested deeper than 64 levels',
      payload: DEEP_EVENT_TEXT,
      payloadEncoding: 'utf8',
      origin: { sequenceNumber: first.kinesis.sequenceNumber },
    });
  });

  it('EventBridge: is quarantined whole and the handler returns', async () => {
    const { deps, held } = setUp();
    const event = JSON.parse(DEEP_EVENT_TEXT) as EventBridgeEvent<string, unknown>;

    await expect(createEventBridgeHandler(deps)(event)).resolves.toBeUndefined();

    const [entry] = await held();
    expect(entry).toMatchObject({
      reason: 'is nested deeper than 64 levels',
      payloadEncoding: 'json',
    });
    // Written at full depth: the line holds the original's structure.
    expect(JSON.stringify(Object.keys(entry?.payload as object))).toBe(
      JSON.stringify(['version', 'id', 'source', 'detail-type', 'detail']),
    );
    expect(deps.writer.calls).toEqual([]);
  });
});
