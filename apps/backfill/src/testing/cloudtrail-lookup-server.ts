/**
 * A loopback stand-in for CloudTrail's LookupEvents (CloudTrail has no emulator), speaking the
 * JSON 1.1 protocol as the real SDK client sends it and enforcing the API's contract, so the
 * LookupEvents source is tested against the rules that bite in production:
 * - exactly one LookupAttribute (stricter than AWS, which also accepts none: a source that
 *   forgot its EventSource filter would read every event of the account), else 400
 *   InvalidLookupAttributesException;
 * - MaxResults 1–50 (default 50), else InvalidMaxResultsException;
 * - StartTime/EndTime (epoch seconds) bound `eventTime`, both ends included;
 * - results newest first;
 * - a NextToken is valid only with the parameters it was issued for (same region and account
 *   too), else InvalidNextTokenException;
 * - 2 requests/s per account and region (a token bucket, burst 2), else 400 ThrottlingException.
 * It does not model the 90-day retention, signatures (the Authorization header is parsed for its
 * access key id and region, not verified), insight events or other operations.
 */
import { createHash, createHmac, randomBytes, randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import fc from 'fast-check';
import { loadFixture, runTaskRecordArb, runTaskRecordOf } from '@ecslog/ecs-event-mapper/testing';

/** The CloudTrail records one region holds. */
export interface LookupRegionRecords {
  region: string;
  /** CloudTrail records (`eventID`, `eventTime`, `eventSource`, …), in any order. */
  records: readonly object[];
}

export interface CloudTrailLookupServerOptions {
  regions: readonly LookupRegionRecords[];
  /** Sustained requests per second per account and region (default 2, as AWS). */
  requestsPerSecond?: number;
  /** Requests let through at once after a pause (default 2). */
  burst?: number;
  /** The account of every request; by default each access key id is an account of its own. */
  account?: string;
  /** Milliseconds on a monotonic clock, for the throttle (default `performance.now`). */
  now?: () => number;
}

/** Failures {@link CloudTrailLookupServer.failNext} can inject, each answered as AWS would. */
export type LookupFailure =
  | 'ThrottlingException'
  | 'InternalFailure'
  | 'ServiceUnavailableException'
  | 'AccessDeniedException'
  | 'UnrecognizedClientException'
  /** The connection is dropped without an answer. */
  | 'ConnectionReset';

export interface LookupServerStats {
  /** Requests received, whatever their answer. */
  requests: number;
  /** Requests answered with events. */
  served: number;
  /** Requests refused by the rate limit (injected ThrottlingExceptions are not counted here). */
  throttled: number;
  /** Requests answered with an injected failure. */
  injected: number;
  /** Requests refused as invalid (bad attribute, page size, token, time range, body). */
  rejected: number;
}

/** One request as the server saw it. */
export interface LookupRequestRecord {
  /** `now()` when the request's body was read. */
  at: number;
  region: string;
  account: string;
  status: number;
  /** The error type answered, if any. */
  error?: string;
  /** Events answered. */
  events?: number;
}

export interface CloudTrailLookupServer {
  /** `http://127.0.0.1:<port>`, for the client's `endpoint`. */
  readonly endpoint: string;
  /** Live counters. */
  readonly stats: Readonly<LookupServerStats>;
  /** Every request, in arrival order. */
  readonly requests: readonly LookupRequestRecord[];
  /** Answers the next `count` LookupEvents requests (that pass the rate limit) with `failure`. */
  failNext(count: number, failure: LookupFailure): void;
  /** Closes the server and every open connection. */
  stop(): Promise<void>;
}

/** The X-Amz-Target the SDK sends, and the fully qualified form AWS also accepts. */
const LOOKUP_TARGETS = new Set([
  'CloudTrail_20131101.LookupEvents',
  'com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101.LookupEvents',
]);
const MAX_RESULTS = 50;
const LOOKUP_ATTRIBUTE_KEYS = new Set([
  'EventId',
  'EventName',
  'ReadOnly',
  'Username',
  'ResourceType',
  'ResourceName',
  'EventSource',
  'AccessKeyId',
]);

const FAILURE_STATUS: Record<Exclude<LookupFailure, 'ConnectionReset'>, number> = {
  ThrottlingException: 400,
  InternalFailure: 500,
  ServiceUnavailableException: 503,
  AccessDeniedException: 400,
  UnrecognizedClientException: 400,
};
const FAILURE_MESSAGE: Record<Exclude<LookupFailure, 'ConnectionReset'>, string> = {
  ThrottlingException: 'Rate exceeded',
  InternalFailure: 'An internal error occurred.',
  ServiceUnavailableException: 'Service unavailable, try again later.',
  AccessDeniedException:
    'User: arn:aws:iam::111122223333:user/test is not authorized to perform: cloudtrail:LookupEvents',
  UnrecognizedClientException: 'The security token included in the request is invalid.',
};

/** A CloudTrail record with what the server filters and sorts on, read once. */
interface IndexedRecord {
  record: Record<string, unknown>;
  eventId: string;
  timeMs: number;
}

class LookupError extends Error {
  constructor(
    readonly type: string,
    message: string,
    readonly status = 400,
  ) {
    super(message);
  }
}

/**
 * Starts the server on a free port of 127.0.0.1.
 *
 * @example
 * const server = await startCloudTrailLookupServer({ regions: [{ region: 'eu-west-1', records }] });
 * const client = cloudTrailClient({ region: 'eu-west-1', endpoint: server.endpoint, credentials: TEST_CREDENTIALS });
 * // … then `await server.stop()`
 */
export async function startCloudTrailLookupServer(
  options: CloudTrailLookupServerOptions,
): Promise<CloudTrailLookupServer> {
  const ratePerSecond = options.requestsPerSecond ?? 2;
  const burst = options.burst ?? 2;
  const now = options.now ?? (() => performance.now());
  const tokenSecret = randomBytes(16);
  const recordsByRegion = new Map(
    options.regions.map(({ region, records }) => [region, indexRecords(region, records)]),
  );
  // Its own small bucket, not the source's: a bug in one is not hidden by the same bug in the other.
  const buckets = new Map<string, { tokens: number; at: number }>();
  const pendingFailures: LookupFailure[] = [];
  const stats: LookupServerStats = {
    requests: 0,
    served: 0,
    throttled: 0,
    injected: 0,
    rejected: 0,
  };
  const requests: LookupRequestRecord[] = [];

  function admit(key: string, at: number): boolean {
    const bucket = buckets.get(key) ?? { tokens: burst, at };
    bucket.tokens = Math.min(
      burst,
      bucket.tokens + (Math.max(0, at - bucket.at) * ratePerSecond) / 1000,
    );
    bucket.at = Math.max(bucket.at, at);
    buckets.set(key, bucket);
    if (bucket.tokens < 1) return false;
    bucket.tokens -= 1;
    return true;
  }

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    stats.requests++;
    const body = await readBody(request);
    const at = now();
    const identity = identityOf(request.headers.authorization);
    const seen: LookupRequestRecord = {
      at,
      region: identity?.region ?? '',
      account: identity ? (options.account ?? identity.accessKeyId) : '',
      status: 200,
    };
    requests.push(seen);
    const answerError = (error: LookupError) => {
      seen.status = error.status;
      seen.error = error.type;
      sendJson(response, error.status, { __type: error.type, message: error.message });
    };

    if (request.method !== 'POST' || request.url !== '/') {
      stats.rejected++;
      return answerError(new LookupError('UnknownOperationException', 'Not found', 404));
    }
    const target = request.headers['x-amz-target'];
    if (typeof target !== 'string' || !LOOKUP_TARGETS.has(target)) {
      stats.rejected++;
      return answerError(
        new LookupError('UnknownOperationException', `Operation ${String(target)} is not served`),
      );
    }
    if (!identity) {
      stats.rejected++;
      return answerError(
        new LookupError('MissingAuthenticationTokenException', 'Missing Authentication Token', 403),
      );
    }
    if (!admit(`${seen.account}/${identity.region}`, at)) {
      stats.throttled++;
      return answerError(new LookupError('ThrottlingException', 'Rate exceeded'));
    }
    const failure = pendingFailures.shift();
    if (failure === 'ConnectionReset') {
      stats.injected++;
      seen.status = 0;
      seen.error = failure;
      request.socket.destroy();
      return;
    }
    if (failure) {
      stats.injected++;
      return answerError(
        new LookupError(failure, FAILURE_MESSAGE[failure], FAILURE_STATUS[failure]),
      );
    }
    try {
      const page = lookup(
        parseRequest(request.headers['content-type'], body),
        identity.region,
        seen.account,
      );
      stats.served++;
      seen.events = page.Events.length;
      sendJson(response, 200, page);
    } catch (error) {
      if (!(error instanceof LookupError)) throw error;
      stats.rejected++;
      answerError(error);
    }
  }

  function lookup(input: LookupRequest, region: string, account: string) {
    const [attribute] = input.attributes;
    const records = recordsByRegion.get(region) ?? [];
    const matching = records.filter(
      ({ record, timeMs }) =>
        attributeValuesOf(record, attribute!.key).includes(attribute!.value) &&
        (input.startTime === undefined || timeMs >= input.startTime * 1000) &&
        (input.endTime === undefined || timeMs <= input.endTime * 1000),
    );
    // The parameters a NextToken is bound to: everything in the request but the token itself.
    const query = createHash('sha256')
      .update(
        JSON.stringify([
          region,
          account,
          attribute,
          input.startTime,
          input.endTime,
          input.maxResults,
        ]),
      )
      .digest('base64url');
    const offset = input.nextToken === undefined ? 0 : readToken(input.nextToken, query);
    const next = offset + input.maxResults;
    return {
      Events: matching.slice(offset, next).map(({ record }) => toLookupEvent(record)),
      ...(next < matching.length ? { NextToken: writeToken(query, next) } : {}),
    };
  }

  function writeToken(query: string, offset: number): string {
    const payload = Buffer.from(JSON.stringify({ q: query, o: offset })).toString('base64url');
    return `${payload}.${createHmac('sha256', tokenSecret).update(payload).digest('base64url')}`;
  }

  function readToken(token: string, query: string): number {
    const [payload = '', signature] = token.split('.');
    const expected = createHmac('sha256', tokenSecret).update(payload).digest('base64url');
    const invalid = new LookupError('InvalidNextTokenException', 'Invalid NextToken.');
    if (signature !== expected) throw invalid;
    const { q, o } = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as {
      q: string;
      o: number;
    };
    // Issued for other parameters: AWS refuses it rather than page through another query.
    if (q !== query) throw invalid;
    return o;
  }

  const server = createServer((request, response) => {
    handle(request, response).catch((error: unknown) => {
      if (!response.headersSent)
        sendJson(response, 500, { __type: 'InternalFailure', message: String(error) });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    endpoint: `http://127.0.0.1:${port}`,
    stats,
    requests,
    failNext(count, failure) {
      for (let i = 0; i < count; i++) pendingFailures.push(failure);
    },
    stop: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}

interface LookupRequest {
  attributes: { key: string; value: string }[];
  startTime?: number;
  endTime?: number;
  maxResults: number;
  nextToken?: string;
}

function parseRequest(contentType: string | undefined, body: string): LookupRequest {
  if (contentType !== 'application/x-amz-json-1.1')
    throw new LookupError('SerializationException', `Unexpected content-type ${contentType}`);
  let input: Record<string, unknown>;
  try {
    input = JSON.parse(body) as Record<string, unknown>;
  } catch {
    throw new LookupError('SerializationException', 'The request body is not JSON.');
  }
  if (typeof input !== 'object' || input === null || Array.isArray(input))
    throw new LookupError('SerializationException', 'The request body is not a JSON object.');

  const attributes = input['LookupAttributes'];
  if (!Array.isArray(attributes) || attributes.length !== 1)
    throw new LookupError(
      'InvalidLookupAttributesException',
      'You must specify exactly one lookup attribute.',
    );
  const [attribute] = attributes as { AttributeKey?: unknown; AttributeValue?: unknown }[];
  const key = attribute?.AttributeKey;
  const value = attribute?.AttributeValue;
  if (typeof key !== 'string' || !LOOKUP_ATTRIBUTE_KEYS.has(key))
    throw new LookupError(
      'InvalidLookupAttributesException',
      `Invalid AttributeKey ${String(key)}.`,
    );
  if (typeof value !== 'string' || value.length === 0 || value.length > 2000)
    throw new LookupError('InvalidLookupAttributesException', 'Invalid AttributeValue.');

  const maxResults = input['MaxResults'] ?? MAX_RESULTS;
  if (
    !Number.isInteger(maxResults) ||
    (maxResults as number) < 1 ||
    (maxResults as number) > MAX_RESULTS
  )
    throw new LookupError(
      'InvalidMaxResultsException',
      `MaxResults must be between 1 and ${MAX_RESULTS}, not ${String(maxResults)}.`,
    );

  const startTime = epochSeconds(input['StartTime'], 'StartTime');
  const endTime = epochSeconds(input['EndTime'], 'EndTime');
  if (startTime !== undefined && endTime !== undefined && startTime > endTime)
    throw new LookupError('InvalidTimeRangeException', 'StartTime is after EndTime.');

  const nextToken = input['NextToken'];
  if (nextToken !== undefined && typeof nextToken !== 'string')
    throw new LookupError('InvalidNextTokenException', 'Invalid NextToken.');
  return {
    attributes: [{ key, value }],
    maxResults: maxResults as number,
    ...(startTime === undefined ? {} : { startTime }),
    ...(endTime === undefined ? {} : { endTime }),
    ...(nextToken === undefined ? {} : { nextToken }),
  };
}

/** The JSON 1.1 protocol sends timestamps as epoch seconds (fractions allowed). */
function epochSeconds(value: unknown, field: string): number | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'number' || !Number.isFinite(value))
    throw new LookupError('SerializationException', `${field} must be epoch seconds.`);
  return value;
}

/** The access key id and region of a SigV4 `Authorization` header's credential scope. */
function identityOf(
  authorization: string | undefined,
): { accessKeyId: string; region: string } | undefined {
  const match = /Credential=([^/,\s]+)\/\d{8}\/([^/]+)\/cloudtrail\/aws4_request/.exec(
    authorization ?? '',
  );
  return match ? { accessKeyId: match[1]!, region: match[2]! } : undefined;
}

function indexRecords(region: string, records: readonly object[]): IndexedRecord[] {
  return records
    .map((value, index) => {
      const record = value as Record<string, unknown>;
      const eventId = record['eventID'];
      const timeMs = Date.parse(String(record['eventTime']));
      if (typeof eventId !== 'string' || Number.isNaN(timeMs))
        throw new Error(`${region} record ${index} has no eventID or eventTime`);
      return { record, eventId, timeMs };
    })
    .sort((a, b) => b.timeMs - a.timeMs || (a.eventId < b.eventId ? 1 : -1));
}

/** What a LookupAttribute matches in a record (AWS matches the whole value, case-sensitively). */
function attributeValuesOf(record: Record<string, unknown>, key: string): string[] {
  const identity = (record['userIdentity'] ?? {}) as Record<string, unknown>;
  const resources = Array.isArray(record['resources'])
    ? (record['resources'] as Record<string, unknown>[])
    : [];
  const strings = (...values: unknown[]) =>
    values.filter((v): v is string => typeof v === 'string');
  switch (key) {
    case 'EventId':
      return strings(record['eventID']);
    case 'EventName':
      return strings(record['eventName']);
    case 'EventSource':
      return strings(record['eventSource']);
    case 'ReadOnly':
      return [String(record['readOnly'] ?? false)];
    case 'Username':
      return strings(usernameOf(identity));
    case 'AccessKeyId':
      return strings(identity['accessKeyId']);
    case 'ResourceType':
      return strings(...resources.map((r) => r['type']));
    case 'ResourceName':
      return strings(...resources.map((r) => r['ARN']));
    default:
      return [];
  }
}

function usernameOf(identity: Record<string, unknown>): string | undefined {
  if (typeof identity['userName'] === 'string') return identity['userName'];
  if (identity['type'] === 'Root') return 'root';
  // An assumed role's session name, as the console shows it.
  const arn = identity['arn'];
  return typeof arn === 'string' && arn.includes('/') ? arn.split('/').pop() : undefined;
}

/** A record as LookupEvents returns it: a few fields lifted out, the record itself a JSON string. */
function toLookupEvent(record: Record<string, unknown>) {
  const identity = (record['userIdentity'] ?? {}) as Record<string, unknown>;
  const resources = Array.isArray(record['resources'])
    ? (record['resources'] as Record<string, unknown>[])
    : [];
  return {
    EventId: record['eventID'],
    EventName: record['eventName'],
    ReadOnly: String(record['readOnly'] ?? false),
    AccessKeyId: identity['accessKeyId'],
    EventTime: Date.parse(String(record['eventTime'])) / 1000,
    EventSource: record['eventSource'],
    Username: usernameOf(identity),
    Resources: resources.map((r) => ({ ResourceType: r['type'], ResourceName: r['ARN'] })),
    CloudTrailEvent: JSON.stringify(record),
  };
}

function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    request.on('error', reject);
  });
}

function sendJson(response: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  response.writeHead(status, {
    'content-type': 'application/x-amz-json-1.1',
    'content-length': Buffer.byteLength(text),
    'x-amzn-requestid': randomUUID(),
  });
  response.end(text);
}

/** Dummy credentials for clients of the server (never checked, only parsed for the access key id). */
export const TEST_CREDENTIALS = {
  accessKeyId: 'AKIAIOSFODNN7EXAMPLE',
  secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
};

/** The realistic ECS records the samples are drawn from (invented ids), beside generated RunTask records. */
const ECS_RECORD_FIXTURES = [
  'cloudtrail/runtask-success.json',
  'cloudtrail/runtask-partial-placement.json',
  'cloudtrail/runtask-placement-failure-only.json',
  'cloudtrail/runtask-agent-failure.json',
  'cloudtrail/runtask-api-error.json',
  'cloudtrail/starttask-success.json',
  'cloudtrail/stoptask.json',
  'cloudtrail/create-service.json',
  'cloudtrail/update-service.json',
  'cloudtrail/describe-tasks.json',
] as const;

export interface SampleLookupRecordsOptions {
  region: string;
  count: number;
  /** The window the eventTimes are spread over, evenly, at whole seconds. */
  from: Date;
  to: Date;
  seed: number;
}

/**
 * `count` realistic CloudTrail ECS records (eventSource ecs.amazonaws.com) for one region: the
 * fixtures and generated RunTask records in turn, each with a distinct eventID, the region, and
 * an eventTime spread over the window; returned in a shuffled order, as a region's log holds them.
 *
 * @example
 * const records = sampleLookupRecords({ region: 'eu-west-1', count: 120, from, to, seed: 7 });
 */
export function sampleLookupRecords(
  options: SampleLookupRecordsOptions,
): Record<string, unknown>[] {
  const { region, count, from, to, seed } = options;
  if (count === 0) return [];
  const [ids = [], generated = [], order = []] = [
    fc.sample(fc.uniqueArray(fc.uuid(), { minLength: count, maxLength: count }), {
      numRuns: 1,
      seed,
    })[0],
    fc.sample(runTaskRecordArb, { numRuns: count, seed: seed + 1 }),
    fc.sample(
      fc.shuffledSubarray([...Array(count).keys()], { minLength: count, maxLength: count }),
      {
        numRuns: 1,
        seed: seed + 2,
      },
    )[0],
  ];
  const templates = ECS_RECORD_FIXTURES.map((path) => loadFixture(path));
  const spanMs = to.getTime() - from.getTime();
  const records = Array.from({ length: count }, (_, i) => {
    const eventId = ids[i]!;
    const atMs = Math.floor((from.getTime() + ((i + 0.5) * spanMs) / count) / 1000) * 1000;
    const template =
      i % 2 === 0
        ? templates[(i / 2) % templates.length]!
        : runTaskRecordOf({ ...generated[i]!.facts, region, eventId, atMs });
    return {
      ...template,
      eventTime: new Date(atMs).toISOString().replace('.000Z', 'Z'),
      awsRegion: region,
      requestID: `${eventId.slice(0, 8)}-req`,
      eventID: eventId,
    };
  });
  return order.map((i) => records[i]!);
}
