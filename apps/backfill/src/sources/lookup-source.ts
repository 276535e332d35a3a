/**
 * The LookupEvents source: ECS events of the last 90 days straight from CloudTrail's API, for
 * accounts without a trail in S3. LookupEvents is slow by design — 50 events a page and
 * 2 requests/s per account and region, not adjustable — so each region gets its own token
 * bucket at that rate, and the regions are read concurrently (the limit is per region): a run
 * over 3 regions takes a third of the time. Chunks come in a stable round-robin order (region 1
 * page 1, region 2 page 1, region 1 page 2, …; a region that is done drops out), the same after
 * a resume, with one page of look-ahead per region so the next request is paced while the sink
 * stores the current page.
 *
 * A page is one chunk; its resume state holds, per region, the NextToken of the page after it.
 * A NextToken is valid only with the parameters it was issued for, so a resumed run must use
 * the same window (`from`/`to`): the description holds it, and a checkpoint resumes only a
 * source of the same description.
 */
import type { Event, LookupEventsCommandOutput } from '@aws-sdk/client-cloudtrail';
import { CloudTrailClient, LookupEventsCommand } from '@aws-sdk/client-cloudtrail';
import { ECS_EVENT_SOURCE } from '@ecslog/ecs-event-mapper';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import type { BackfillSource, SourceChunk } from '../backfill-source';
import { BackfillSetupError } from '../backfill-source';
import type { TokenBucket } from './token-bucket';
import { createTokenBucket, sleepFor } from './token-bucket';

/** Most events LookupEvents returns in a page. */
export const LOOKUP_PAGE_SIZE = 50;
/** LookupEvents' limit per account and region (not adjustable). */
export const LOOKUP_REQUESTS_PER_SECOND = 2;

export interface LookupSourceOptions {
  /** The client for a region (called once per region), e.g. `(region) => cloudTrailClient({ region })`. */
  clientFor: (region: string) => CloudTrailClient;
  regions: readonly string[];
  /** The window: LookupEvents' StartTime and EndTime (both included). */
  from: Date;
  to: Date;
  /** Requests per second per region (default 2, LookupEvents' limit). */
  requestsPerSecond?: number;
  /**
   * Requests let through at once per region (default 1). A bucket that starts full sends its
   * burst at once; 1 keeps the first second at the limit and leaves the service's own burst as
   * slack for network jitter.
   */
  burst?: number;
  /** Backoff for throttling, 5xx and network errors: attempts in all, and full-jitter delays. */
  retry?: { maxAttempts?: number; baseDelayMs?: number; maxDelayMs?: number };
  /** Milliseconds on a monotonic clock (default `performance.now`). */
  now?: () => number;
  /** Waits `ms`, rejecting when `signal` aborts (default a timer). */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  /** In [0, 1), for the backoff's jitter (default `Math.random`). */
  random?: () => number;
}

/** Where each region stands once a page is stored. */
export interface LookupRegionState {
  /** The token for the region's next page; absent once the region is done. */
  nextToken?: string;
  done: boolean;
  /** Pages stored so far. */
  pages: number;
}

/** The source's resume state (JSON-serialisable), as carried by every chunk. */
export interface LookupResumeState {
  regions: Record<string, LookupRegionState>;
}

/** A region's read failed for good (a non-retryable error, or the attempts ran out). */
export class LookupEventsError extends Error {
  override readonly name = 'LookupEventsError';
  constructor(message: string, options: { cause: unknown }) {
    super(message, options);
  }
}

const DEFAULT_RETRY = { maxAttempts: 8, baseDelayMs: 500, maxDelayMs: 10_000 };
const RETRYABLE_NAMES = new Set([
  'ThrottlingException',
  'TimeoutError',
  'InternalFailure',
  'ServiceUnavailableException',
]);
const RETRYABLE_CODES = new Set(['ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'ETIMEDOUT', 'EAI_AGAIN']);

/**
 * A {@link BackfillSource} over LookupEvents (EventSource = ecs.amazonaws.com) in each region.
 *
 * @example
 * const source = createLookupSource({
 *   clientFor: (region) => cloudTrailClient({ region, profile }),
 *   regions: ['eu-west-1', 'us-east-1'],
 *   from: new Date('2026-11-17T00:00:00Z'),
 *   to: new Date('2026-11-24T00:00:00Z'),
 * });
 * await source.check();
 * for await (const chunk of source.chunks(undefined)) …
 */
export function createLookupSource(options: LookupSourceOptions): BackfillSource {
  const { from, to } = options;
  const regions = [...new Set(options.regions)];
  if (!(from.getTime() <= to.getTime()))
    throw new BackfillSetupError(
      `the LookupEvents window ends before it starts: ${from.toISOString()} .. ${to.toISOString()}`,
    );
  const retry = {
    maxAttempts: Math.max(1, options.retry?.maxAttempts ?? DEFAULT_RETRY.maxAttempts),
    baseDelayMs: options.retry?.baseDelayMs ?? DEFAULT_RETRY.baseDelayMs,
    maxDelayMs: options.retry?.maxDelayMs ?? DEFAULT_RETRY.maxDelayMs,
  };
  const sleep = options.sleep ?? sleepFor;
  const random = options.random ?? Math.random;
  const clients = new Map<string, CloudTrailClient>();
  const buckets = new Map<string, TokenBucket>();

  const bucketOf = (region: string): TokenBucket => {
    let bucket = buckets.get(region);
    if (!bucket) {
      bucket = createTokenBucket({
        ratePerSecond: options.requestsPerSecond ?? LOOKUP_REQUESTS_PER_SECOND,
        burst: options.burst ?? 1,
        ...(options.now ? { now: options.now } : {}),
        sleep,
      });
      buckets.set(region, bucket);
    }
    return bucket;
  };
  const clientOf = (region: string): CloudTrailClient => {
    let client = clients.get(region);
    if (!client) {
      client = options.clientFor(region);
      clients.set(region, client);
    }
    return client;
  };

  /**
   * One LookupEvents call, paced by the region's bucket, retried on throttling and transient
   * faults; a {@link LookupEventsError} naming `what` (`page 3`) when it fails for good.
   */
  async function lookup(
    region: string,
    what: string,
    request: { maxResults: number; nextToken?: string },
    signal?: AbortSignal,
  ): Promise<LookupEventsCommandOutput> {
    const command = new LookupEventsCommand({
      LookupAttributes: [{ AttributeKey: 'EventSource', AttributeValue: ECS_EVENT_SOURCE }],
      StartTime: from,
      EndTime: to,
      MaxResults: request.maxResults,
      ...(request.nextToken === undefined ? {} : { NextToken: request.nextToken }),
    });
    for (let attempt = 1; ; attempt++) {
      await bucketOf(region).take(signal);
      try {
        return await clientOf(region).send(command, signal ? { abortSignal: signal } : {});
      } catch (error) {
        if (signal?.aborted || attempt >= retry.maxAttempts || !isRetryableLookupError(error)) {
          const attempts = attempt > 1 ? ` (after ${attempt} attempts)` : '';
          throw new LookupEventsError(
            `LookupEvents in ${region}, ${what}: ${describeError(error)}${attempts}`,
            { cause: error },
          );
        }
        const cap = Math.min(retry.maxDelayMs, retry.baseDelayMs * 2 ** (attempt - 1));
        await sleep(Math.floor(random() * cap), signal);
      }
    }
  }

  /**
   * A region's pages from `start` on, one request ahead: `next()` hands over the page fetched
   * (or being fetched) and starts fetching the one after it.
   */
  function pagesOf(region: string, start: LookupRegionState, signal: AbortSignal) {
    let state = start;
    const fetchPage = async (): Promise<RegionPage | undefined> => {
      if (state.done) return undefined;
      const page = state.pages + 1;
      const output = await lookup(
        region,
        `page ${page}`,
        {
          maxResults: LOOKUP_PAGE_SIZE,
          ...(state.nextToken === undefined ? {} : { nextToken: state.nextToken }),
        },
        signal,
      );
      state = {
        ...(output.NextToken ? { nextToken: output.NextToken } : {}),
        done: !output.NextToken,
        pages: page,
      };
      return { page, events: output.Events ?? [], state };
    };
    const quiet = <T>(promise: Promise<T>) => {
      // Rejections are seen when the page is asked for; until then they must not go unhandled.
      promise.catch(() => undefined);
      return promise;
    };
    let pending = quiet(fetchPage());
    return {
      next(): Promise<RegionPage | undefined> {
        const current = pending;
        pending = quiet(current.then((page) => (page ? fetchPage() : undefined)));
        return current;
      },
    };
  }

  return {
    description: `lookup ${regions.join(',')} ${from.toISOString()}/${to.toISOString()}`,

    async check() {
      if (regions.length === 0)
        throw new BackfillSetupError(
          'LookupEvents needs at least one region: pass a region or set AWS_REGION',
        );
      await Promise.all(
        regions.map(async (region) => {
          try {
            await lookup(region, 'check', { maxResults: 1 });
          } catch (error) {
            throw new BackfillSetupError(setupProblemOf(region, error), { cause: error });
          }
        }),
      );
    },

    async *chunks(resume: unknown): AsyncGenerator<SourceChunk> {
      const saved = readResumeState(resume, regions);
      const stored: Record<string, LookupRegionState> = Object.fromEntries(
        regions.map((region) => [region, saved[region] ?? { done: false, pages: 0 }]),
      );
      const controller = new AbortController();
      const readers = regions
        .filter((region) => !stored[region]!.done)
        .map((region) => ({ region, pages: pagesOf(region, stored[region]!, controller.signal) }));
      try {
        for (;;) {
          // Lowest next page first, then region order: round-robin from a fresh start, and the
          // same order after a resume from any chunk.
          const reader = readers.reduce<(typeof readers)[number] | undefined>(
            (best, candidate) =>
              !best || stored[candidate.region]!.pages < stored[best.region]!.pages
                ? candidate
                : best,
            undefined,
          );
          if (!reader) break;
          const page = await reader.pages.next();
          stored[reader.region] = page?.state ?? { ...stored[reader.region]!, done: true };
          if (stored[reader.region]!.done) readers.splice(readers.indexOf(reader), 1);
          if (page) yield chunkOf(reader.region, page, structuredClone(stored));
        }
      } finally {
        // The consumer stopped (or a region failed): cancel the look-ahead requests and waits.
        controller.abort(new Error('LookupEvents source closed'));
      }
    },
  };
}

interface RegionPage {
  page: number;
  events: Event[];
  /** The region's state once this page is stored. */
  state: LookupRegionState;
}

function chunkOf(
  region: string,
  { page, events }: RegionPage,
  regions: Record<string, LookupRegionState>,
): SourceChunk {
  const resume: LookupResumeState = { regions };
  return {
    name: `${region} page ${page}`,
    records: events.map((event, index) => ({
      position: `lookup ${region} page ${page} [${index}]`,
      value: event,
    })),
    // The records' own size: the response's framing is not visible through the SDK.
    bytes: events.reduce((sum, event) => sum + Buffer.byteLength(event.CloudTrailEvent ?? ''), 0),
    resume,
  };
}

/**
 * The saved state per region, from the last stored chunk's `resume` (undefined or null: a fresh
 * run). Regions not in it start from their first page; regions not in `regions` are ignored.
 */
export function readResumeState(
  resume: unknown,
  regions: readonly string[],
): Record<string, LookupRegionState> {
  if (resume === undefined || resume === null) return {};
  const invalid = (why: string) =>
    new BackfillSetupError(`the checkpoint's LookupEvents state is not valid: ${why}`);
  const saved = (resume as { regions?: unknown }).regions;
  if (typeof resume !== 'object' || typeof saved !== 'object' || saved === null)
    throw invalid('no regions');
  const states: Record<string, LookupRegionState> = {};
  for (const region of regions) {
    const state = (saved as Record<string, unknown>)[region];
    if (state === undefined) continue;
    const { nextToken, done, pages } = (state ?? {}) as Partial<Record<string, unknown>>;
    if (
      typeof done !== 'boolean' ||
      !Number.isInteger(pages) ||
      (pages as number) < 0 ||
      (nextToken !== undefined && typeof nextToken !== 'string')
    )
      throw invalid(`${region}: ${JSON.stringify(state)}`);
    // Pages were read and more are due, but nothing says where they start.
    if (!done && (pages as number) > 0 && nextToken === undefined)
      throw invalid(`${region} is not done but has no nextToken`);
    states[region] = {
      ...(nextToken === undefined ? {} : { nextToken }),
      done,
      pages: pages as number,
    };
  }
  return states;
}

/** True for what is worth another attempt: throttling, 5xx, timeouts and dropped connections. */
export function isRetryableLookupError(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const detail = error as {
    name?: unknown;
    code?: unknown;
    message?: unknown;
    $metadata?: { httpStatusCode?: number };
  };
  // The SDK wraps what is not an Error of its own realm (Node's socket errors under jest's VM)
  // as "AWS SDK error wrapper for TimeoutError: socket hang up", losing name and code.
  const wrapped = /^AWS SDK error wrapper for (\w+): (.*)$/s.exec(String(detail.message ?? ''));
  const name = wrapped?.[1] ?? detail.name;
  const code = wrapped ? /\b(E[A-Z_]+)\b/.exec(wrapped[2]!)?.[1] : detail.code;
  if (typeof name === 'string' && RETRYABLE_NAMES.has(name)) return true;
  if (typeof code === 'string' && RETRYABLE_CODES.has(code)) return true;
  const status = detail.$metadata?.httpStatusCode;
  return status !== undefined && status >= 500;
}

/**
 * What stops a run before it starts, in one line, for {@link BackfillSetupError}: `error` is what
 * `check()`'s call threw (a {@link LookupEventsError}, whose cause is the SDK's error).
 */
export function setupProblemOf(region: string, error: unknown): string {
  const cause = error instanceof LookupEventsError ? error.cause : error;
  const detail = (cause ?? {}) as { name?: string; code?: string; message?: string };
  const message = oneLine(detail.message ?? String(cause));
  switch (detail.name) {
    case 'CredentialsProviderError':
      return `no AWS credentials for CloudTrail in ${region} (set AWS_PROFILE, or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY): ${message}`;
    case 'AccessDeniedException':
      return `not allowed to call cloudtrail:LookupEvents in ${region}: ${message}`;
    case 'UnrecognizedClientException':
    case 'InvalidClientTokenId':
    case 'ExpiredTokenException':
      return `CloudTrail in ${region} rejects the AWS credentials (${detail.name}): ${message}`;
  }
  if (/region is missing/i.test(message))
    return 'no AWS region for LookupEvents: pass a region or set AWS_REGION';
  if (detail.code === 'ENOTFOUND')
    return `cannot reach CloudTrail in "${region}" — is the region right? (${message})`;
  return error instanceof LookupEventsError
    ? oneLine(error.message)
    : `LookupEvents in ${region}: ${describeError(error)}`;
}

function describeError(error: unknown): string {
  const detail = (error ?? {}) as { name?: string; message?: string };
  return `${detail.name ?? 'Error'}: ${oneLine(detail.message ?? String(error))}`;
}

function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

export interface CloudTrailClientOptions {
  region: string;
  /** A profile of the shared AWS config files; the default credential chain otherwise. */
  profile?: string;
  /** For tests: the local LookupEvents server. */
  endpoint?: string;
  credentials?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
}

/**
 * The real client for a region, for the composition root. `maxAttempts: 1`: the source paces and
 * retries itself, and the SDK's own retries would spend the region's 2 requests/s unseen.
 *
 * @example
 * createLookupSource({ clientFor: (region) => cloudTrailClient({ region, profile }), … });
 */
export function cloudTrailClient(options: CloudTrailClientOptions): CloudTrailClient {
  return new CloudTrailClient({
    region: options.region,
    maxAttempts: 1,
    requestHandler: new NodeHttpHandler({ connectionTimeout: 5_000, requestTimeout: 30_000 }),
    ...(options.profile === undefined ? {} : { profile: options.profile }),
    ...(options.endpoint === undefined ? {} : { endpoint: options.endpoint }),
    ...(options.credentials === undefined ? {} : { credentials: options.credentials }),
  });
}
