/**
 * The deployed ingest, measured as Lambda runs it: the bundled Kinesis handler
 * (dist/apps/ingest/kinesis/index.js, the infra app's asset) loaded in a fresh Node process, fed
 * `batches` Kinesis batches of `batchSize` simulated ECS events against dynalite on loopback. The
 * child reports its cold start (require), each invocation's duration and its peak resident memory
 * (`process.resourceUsage().maxRSS`, what Lambda's "Max Memory Used" reports); the pipeline
 * stack's INGEST_MEMORY_MB rests on these figures (README "What it costs").
 *
 * `npx tsx --conditions=@ecslog/source tools/bench/src/ingest-lambda-benchmark.ts [--batches N] [--batch-size N] [--seed N]`
 * (build the bundle first: `npx nx run ingest:build`).
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs, promisify } from 'node:util';
import { createAuditTable, startDynalite } from '@ecslog/audit-store/testing';
import { simulateEvents } from '@ecslog/simulator';

const run = promisify(execFile);
const BUNDLE = join(__dirname, '../../../dist/apps/ingest/kinesis/index.js');

/** Runs in the child: cold start, then one invocation per batch, one JSON line of figures. */
const CHILD = `
const { readFileSync } = require('node:fs');
const { performance } = require('node:perf_hooks');
const mb = (kb) => Math.round(kb / 1024);
const started = performance.now();
const { handler } = require(process.argv[1]);
const coldStartMs = performance.now() - started;
const rssAfterInitMb = mb(process.resourceUsage().maxRSS);
const batches = JSON.parse(readFileSync(process.argv[2], 'utf8'));
(async () => {
  const invocations = [];
  for (const batch of batches) {
    const t = performance.now();
    const result = await handler(batch);
    invocations.push({ ms: performance.now() - t, failures: result.batchItemFailures.length, peakRssMb: mb(process.resourceUsage().maxRSS) });
  }
  process.stdout.write('FIGURES ' + JSON.stringify({ coldStartMs, rssAfterInitMb, invocations }) + '\\n');
})();
`;

export interface IngestLambdaFigures {
  batchSize: number;
  coldStartMs: number;
  rssAfterInitMb: number;
  invocations: { ms: number; failures: number; peakRssMb: number }[];
}

/** Kinesis sequence numbers are 56-digit decimals; any start will do, increasing by one. */
const FIRST_SEQUENCE = 49650000000000000000000000000000000000000000000000000000n;

/** Kinesis ESM events of `batchSize` records each, from the simulator's ECS day. */
export function kinesisBatches(batches: number, batchSize: number, seed: number) {
  const events = simulateEvents({ events: batches * batchSize, seed });
  return Array.from({ length: batches }, (_, b) => ({
    Records: events.slice(b * batchSize, (b + 1) * batchSize).map((event, i) => {
      const sequenceNumber = (FIRST_SEQUENCE + BigInt(b * batchSize + i)).toString();
      return {
        kinesis: {
          kinesisSchemaVersion: '1.0',
          partitionKey: String(event['id']),
          sequenceNumber,
          data: Buffer.from(JSON.stringify(event)).toString('base64'),
          approximateArrivalTimestamp: Date.parse(String(event['time'])) / 1000,
        },
        eventSource: 'aws:kinesis',
        eventVersion: '1.0',
        eventID: `shardId-000000000000:${sequenceNumber}`,
        eventName: 'aws:kinesis:record',
        invokeIdentityArn: 'arn:aws:iam::111122223333:role/ecslog-ingest',
        awsRegion: 'eu-west-1',
        eventSourceARN: 'arn:aws:kinesis:eu-west-1:111122223333:stream/ecslog-bench',
      };
    }),
  }));
}

export async function runIngestLambdaBenchmark(options: {
  batches: number;
  batchSize: number;
  seed: number;
}): Promise<IngestLambdaFigures> {
  if (!existsSync(BUNDLE))
    throw new Error(`${BUNDLE} is missing: run npx nx run ingest:build first`);
  const db = await startDynalite();
  const dir = await mkdtemp(join(tmpdir(), 'ecslog-ingest-bench-'));
  try {
    const tableName = await createAuditTable(db.client);
    const batchesFile = join(dir, 'batches.json');
    await writeFile(
      batchesFile,
      JSON.stringify(kinesisBatches(options.batches, options.batchSize, options.seed)),
    );
    const { stdout } = await run(process.execPath, ['-e', CHILD, BUNDLE, batchesFile], {
      maxBuffer: 64 * 1024 * 1024,
      env: {
        PATH: process.env['PATH'] ?? '',
        TABLE_NAME: tableName,
        RETENTION_DAYS: '36500',
        QUARANTINE_FILE: join(dir, 'quarantine.ndjson'),
        DYNAMODB_ENDPOINT: db.endpoint,
        AWS_REGION: 'eu-west-1',
        AWS_ACCESS_KEY_ID: 'local',
        AWS_SECRET_ACCESS_KEY: 'local',
        AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
        POWERTOOLS_LOG_LEVEL: 'WARN',
      },
    });
    const line = stdout.split('\n').find((l) => l.startsWith('FIGURES ')) ?? '';
    return { batchSize: options.batchSize, ...JSON.parse(line.slice('FIGURES '.length)) };
  } finally {
    await db.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

if (require.main === module) {
  const { values } = parseArgs({
    options: {
      batches: { type: 'string', default: '6' },
      'batch-size': { type: 'string', default: '500' },
      seed: { type: 'string', default: '42' },
    },
  });
  runIngestLambdaBenchmark({
    batches: Number(values.batches),
    batchSize: Number(values['batch-size']),
    seed: Number(values.seed),
  }).then(
    (figures) => console.log(JSON.stringify(figures, null, 2)),
    (error: unknown) => {
      console.error(error instanceof Error ? error.message : error);
      process.exit(1);
    },
  );
}
