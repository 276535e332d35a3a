/**
 * How close the LookupEvents source comes to the API's ceiling: 50 events a page × 2 requests/s
 * = 100 events/s per account and region. Reads `pages` full pages from the local CloudTrail server
 * (which throttles at the real 2 requests/s) in one region, with the source at its real pace.
 *
 * Burst and honesty: a bucket that starts full lets its first `burst` requests go at once, so
 * N pages take (N − burst) / 2 s, and a short run would beat the ceiling (20 pages with burst 2
 * would "read" 1000 events in 9 s: 111 events/s). The source's bucket has burst 1, and the run's
 * `seconds` add back that up-front credit (burst / rate = 0.5 s): N pages at the ceiling take
 * exactly N / 2 s, and `fractionOfCeiling` can only fall short of 1 by the source's own overhead
 * (request latency, parsing, scheduling). `wallSeconds` is the time measured without it.
 *
 * Run: `npx tsx --conditions=@ecslog/source apps/backfill/src/bench/lookup-benchmark.ts [pages] [seed]` prints the JSON result.
 */
import type { CloudTrailClient } from '@aws-sdk/client-cloudtrail';
import {
  cloudTrailClient,
  createLookupSource,
  LOOKUP_PAGE_SIZE,
  LOOKUP_REQUESTS_PER_SECOND,
} from '../sources/lookup-source';
import { sampleLookupRecords, startCloudTrailLookupServer, TEST_CREDENTIALS } from '../testing';

export interface LookupBenchmarkOptions {
  /** Full pages to read (default 20: 1000 events, about 10 s). */
  pages?: number;
  /** Seed of the generated records. */
  seed?: number;
}

export interface LookupBenchmarkResult {
  events: number;
  pages: number;
  /** Wall time plus the bucket's up-front burst credit (see the module comment). */
  seconds: number;
  wallSeconds: number;
  eventsPerSecond: number;
  /** Events/s the API allows: 50 a page × 2 pages/s. */
  ceiling: number;
  fractionOfCeiling: number;
  /** Requests the server throttled (should be 0: the source paces itself). */
  throttled: number;
}

const REGION = 'eu-west-1';
const BURST = 1;

/**
 * @example
 * const { eventsPerSecond, fractionOfCeiling } = await runLookupBenchmark({ pages: 20, seed: 1 });
 */
export async function runLookupBenchmark(
  options: LookupBenchmarkOptions = {},
): Promise<LookupBenchmarkResult> {
  const pages = options.pages ?? 20;
  const seed = options.seed ?? 1;
  const from = new Date('2026-11-17T00:00:00.000Z');
  const to = new Date('2026-11-24T00:00:00.000Z');
  const records = sampleLookupRecords({
    region: REGION,
    count: pages * LOOKUP_PAGE_SIZE,
    from,
    to,
    seed,
  });
  const server = await startCloudTrailLookupServer({ regions: [{ region: REGION, records }] });
  let client: CloudTrailClient | undefined;
  try {
    const source = createLookupSource({
      clientFor: (region) =>
        (client = cloudTrailClient({
          region,
          endpoint: server.endpoint,
          credentials: TEST_CREDENTIALS,
        })),
      regions: [REGION],
      from,
      to,
      requestsPerSecond: LOOKUP_REQUESTS_PER_SECOND,
      burst: BURST,
    });
    let events = 0;
    let chunks = 0;
    const started = performance.now();
    for await (const chunk of source.chunks(undefined)) {
      events += chunk.records.length;
      chunks++;
    }
    const wallSeconds = (performance.now() - started) / 1000;
    const seconds = wallSeconds + BURST / LOOKUP_REQUESTS_PER_SECOND;
    const ceiling = LOOKUP_PAGE_SIZE * LOOKUP_REQUESTS_PER_SECOND;
    const eventsPerSecond = events / seconds;
    return {
      events,
      pages: chunks,
      seconds: round(seconds, 3),
      wallSeconds: round(wallSeconds, 3),
      eventsPerSecond: round(eventsPerSecond, 2),
      ceiling,
      fractionOfCeiling: round(eventsPerSecond / ceiling, 4),
      throttled: server.stats.throttled,
    };
  } finally {
    client?.destroy();
    await server.stop();
  }
}

function round(value: number, digits: number): number {
  return Number(value.toFixed(digits));
}

if (require.main === module) {
  const [pages, seed] = process.argv.slice(2).map(Number);
  runLookupBenchmark({
    ...(pages ? { pages } : {}),
    ...(seed ? { seed } : {}),
  }).then(
    (result) => process.stdout.write(`${JSON.stringify(result)}\n`),
    (error: unknown) => {
      process.stderr.write(`${String(error)}\n`);
      process.exitCode = 1;
    },
  );
}
