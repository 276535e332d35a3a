import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sampleLiveTraffic } from '@ecslog/ecs-event-mapper/testing';
import type {
  FirehoseTransformationEvent,
  FirehoseTransformationEventRecord,
  FirehoseTransformationResult,
} from 'aws-lambda';
import { measure } from './measure';

export interface TransformBenchmarkResult {
  benchmark: 'firehose-transform';
  seed: number;
  rounds: number;
  /** Firehose records in the invocation (one live-traffic event each). */
  records: number;
  /** Bytes of the invocation's JSON (Lambda's request limit is 6 MB). */
  requestBytes: number;
  /** Bytes of the transform's response JSON. */
  responseBytes: number;
  rows: number;
  ok: number;
  dropped: number;
  failed: number;
  /** base64 decode + JSON.parse + JSON.stringify + base64 encode of each record. */
  floorRecordsPerSecond: number;
  /** The bundled handler (dist/apps/firehose-transform/index.js) on the whole invocation. */
  transformRecordsPerSecond: number;
  /** The transform's throughput as a percentage of the floor's (target ≥ 70). */
  percentOfFloor: number;
  /**
   * The same floor decoding into and encoding from one reused buffer, as the transform does (a
   * stricter reference: the transform's throughput as a percentage of it is `percentOfLeanFloor`).
   */
  leanFloorRecordsPerSecond: number;
  percentOfLeanFloor: number;
  target: number;
}

type TransformHandler = (
  event: FirehoseTransformationEvent,
) => Promise<FirehoseTransformationResult>;

const APP_DIR = join(__dirname, '..', '..', '..', 'apps', 'firehose-transform');
const REQUEST_BYTES = 6_000_000;

/**
 * records/s of the Firehose transform Lambda against the floor, on one ≈6 MB invocation of
 * live-traffic events (base64, as Firehose sends them), interleaved rounds, median of `rounds`.
 *
 * The transform is the deployed artifact: the bundle `build.cjs` makes, built into a temporary
 * folder and loaded with Powertools logging silenced. Its handler does all its work before it
 * returns (it never awaits), so timing the call times the transformation.
 */
export async function runTransformBenchmark(options: {
  seed: number;
  rounds: number;
  now: () => number;
}): Promise<TransformBenchmarkResult> {
  const event = firehoseInvocationOf(
    sampleLiveTraffic({ events: 3_000, seed: options.seed }),
    REQUEST_BYTES,
  );
  const handler = loadBundledHandler();
  const response = await handler(event);
  const results = response.records.map((record) => record.result);
  if (response.records.some((record, i) => record.recordId !== event.records[i]?.recordId))
    throw new Error('the transform did not return every recordId in order');

  const floorOutput = new Array<string>(event.records.length);
  const scratch = Buffer.allocUnsafe(1 << 20); // events are at most a few KB
  const [floor, transform, leanFloor] = measure(
    {
      name: 'floor',
      run: () => {
        event.records.forEach((record, i) => {
          const value: unknown = JSON.parse(Buffer.from(record.data, 'base64').toString('utf8'));
          floorOutput[i] = Buffer.from(JSON.stringify(value)).toString('base64');
        });
        return floorOutput;
      },
    },
    [
      { name: 'transform', run: () => handler(event) },
      {
        name: 'lean floor',
        run: () => {
          event.records.forEach((record, i) => {
            const decoded = scratch.write(record.data, 'base64');
            const value: unknown = JSON.parse(scratch.toString('utf8', 0, decoded));
            const json = JSON.stringify(value);
            floorOutput[i] = scratch.toString('base64', 0, scratch.write(json, 'utf8'));
          });
          return floorOutput;
        },
      },
    ],
    {
      items: event.records.length,
      rounds: options.rounds,
      warmupRounds: 3,
      now: options.now,
    },
  );
  const floorRecordsPerSecond = floor?.itemsPerSecond ?? NaN;
  const transformRecordsPerSecond = transform?.itemsPerSecond ?? NaN;
  return {
    benchmark: 'firehose-transform',
    seed: options.seed,
    rounds: options.rounds,
    records: event.records.length,
    requestBytes: Buffer.byteLength(JSON.stringify(event)),
    responseBytes: Buffer.byteLength(JSON.stringify(response)),
    rows: response.records.reduce(
      (sum, record) =>
        sum +
        (record.result === 'Ok'
          ? Buffer.from(record.data ?? '', 'base64')
              .toString('utf8')
              .split('\n').length - 1
          : 0),
      0,
    ),
    ok: results.filter((result) => result === 'Ok').length,
    dropped: results.filter((result) => result === 'Dropped').length,
    failed: results.filter((result) => result === 'ProcessingFailed').length,
    floorRecordsPerSecond,
    transformRecordsPerSecond,
    percentOfFloor: (100 * transformRecordsPerSecond) / floorRecordsPerSecond,
    leanFloorRecordsPerSecond: leanFloor?.itemsPerSecond ?? NaN,
    percentOfLeanFloor: (100 * transformRecordsPerSecond) / (leanFloor?.itemsPerSecond ?? NaN),
    target: 70,
  };
}

/** A Direct PUT invocation of as many events as fit in `maxBytes` of request JSON. */
export function firehoseInvocationOf(
  events: readonly unknown[],
  maxBytes: number,
): FirehoseTransformationEvent {
  const event: FirehoseTransformationEvent = {
    invocationId: '5d0f3a2e-8c61-4b7e-9f14-2a6c0e9b7d35',
    deliveryStreamArn: 'arn:aws:firehose:eu-west-1:111122223333:deliverystream/ecslog-lake',
    region: 'eu-west-1',
    records: [],
  };
  let bytes = Buffer.byteLength(JSON.stringify(event));
  for (const [index, value] of events.entries()) {
    const record: FirehoseTransformationEventRecord = {
      recordId: `4965691820441935276831383946315234721039622471657${String(index).padStart(7, '0')}000000`,
      approximateArrivalTimestamp: Date.UTC(2026, 10, 20, 6) + index,
      data: Buffer.from(JSON.stringify(value)).toString('base64'),
    };
    const recordBytes = Buffer.byteLength(JSON.stringify(record)) + 1; // and a comma
    if (bytes + recordBytes > maxBytes) break;
    event.records.push(record);
    bytes += recordBytes;
  }
  return event;
}

/** Builds the transform bundle into a temporary folder and loads its handler, logging silenced. */
function loadBundledHandler(): TransformHandler {
  const outdir = mkdtempSync(join(tmpdir(), 'ecslog-bench-transform-'));
  const level = process.env['POWERTOOLS_LOG_LEVEL'];
  try {
    execFileSync(process.execPath, [join(APP_DIR, 'build.cjs'), outdir], { stdio: 'ignore' });
    process.env['POWERTOOLS_LOG_LEVEL'] = 'SILENT';
    const load = createRequire(__filename);
    return (load(join(outdir, 'index.js')) as { handler: TransformHandler }).handler;
  } finally {
    if (level === undefined) delete process.env['POWERTOOLS_LOG_LEVEL'];
    else process.env['POWERTOOLS_LOG_LEVEL'] = level;
    rmSync(outdir, { recursive: true, force: true });
  }
}
