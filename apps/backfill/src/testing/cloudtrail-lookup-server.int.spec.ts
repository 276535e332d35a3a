import type {
  CloudTrailClient,
  LookupAttribute,
  LookupEventsCommandInput,
} from '@aws-sdk/client-cloudtrail';
import { LookupEventsCommand } from '@aws-sdk/client-cloudtrail';
import { mapEvent } from '@ecslog/ecs-event-mapper';
import { loadFixture } from '@ecslog/ecs-event-mapper/testing';
import { cloudTrailClient } from '../sources/lookup-source';
import type {
  CloudTrailLookupServer,
  CloudTrailLookupServerOptions,
} from './cloudtrail-lookup-server';
import {
  sampleLookupRecords,
  startCloudTrailLookupServer,
  TEST_CREDENTIALS,
} from './cloudtrail-lookup-server';

const FROM = new Date('2026-11-17T00:00:00.000Z');
const TO = new Date('2026-11-24T00:00:00.000Z');
const ECS: LookupAttribute[] = [
  { AttributeKey: 'EventSource', AttributeValue: 'ecs.amazonaws.com' },
];

const ecsRecords = sampleLookupRecords({
  region: 'eu-west-1',
  count: 120,
  from: FROM,
  to: TO,
  seed: 11,
});
const retimed = (record: Record<string, unknown>, eventTime: string, eventID: string) => ({
  ...record,
  eventTime,
  eventID,
});
/** Outside the window, on its edges, and from another service: what the filters must sort out. */
const before = retimed(
  ecsRecords[0]!,
  '2026-11-16T23:59:59Z',
  '00000000-0000-4000-8000-000000000001',
);
const atStart = retimed(
  ecsRecords[1]!,
  '2026-11-17T00:00:00Z',
  '00000000-0000-4000-8000-000000000002',
);
const atEnd = retimed(
  ecsRecords[2]!,
  '2026-11-24T00:00:00Z',
  '00000000-0000-4000-8000-000000000003',
);
const after = retimed(
  ecsRecords[3]!,
  '2026-11-24T00:00:01Z',
  '00000000-0000-4000-8000-000000000004',
);
const s3Record: Record<string, unknown> = {
  ...loadFixture('cloudtrail/non-ecs-record.json'),
  eventTime: '2026-11-20T00:00:00Z',
};

describe('CloudTrail LookupEvents server', () => {
  const servers: CloudTrailLookupServer[] = [];
  const clients: CloudTrailClient[] = [];

  afterEach(async () => {
    for (const client of clients.splice(0)) client.destroy();
    await Promise.all(servers.splice(0).map((server) => server.stop()));
  });

  /** The server; unthrottled unless the test is about throttling. */
  async function start(options: Partial<CloudTrailLookupServerOptions> = {}) {
    const server = await startCloudTrailLookupServer({
      regions: [
        { region: 'eu-west-1', records: [...ecsRecords, before, atStart, atEnd, after, s3Record] },
      ],
      requestsPerSecond: 10_000,
      burst: 10_000,
      ...options,
    });
    servers.push(server);
    return server;
  }

  function client(server: CloudTrailLookupServer, region = 'eu-west-1', accessKeyId?: string) {
    const created = cloudTrailClient({
      region,
      endpoint: server.endpoint,
      credentials: { ...TEST_CREDENTIALS, ...(accessKeyId ? { accessKeyId } : {}) },
    });
    clients.push(created);
    return created;
  }

  const lookup = (c: CloudTrailClient, input: LookupEventsCommandInput) =>
    c.send(new LookupEventsCommand(input));
  const errorOf = (promise: Promise<unknown>) =>
    promise.then(
      () => undefined,
      (error: unknown) =>
        error as Error & { code?: string; $metadata?: { httpStatusCode?: number } },
    );

  it('pages the window newest first, 50 at most, every record once', async () => {
    const server = await start();
    const c = client(server);

    const pages = [];
    let token: string | undefined;
    do {
      const page = await lookup(c, {
        LookupAttributes: ECS,
        StartTime: FROM,
        EndTime: TO,
        ...(token ? { NextToken: token } : {}),
      });
      pages.push(page.Events ?? []);
      token = page.NextToken;
    } while (token);

    expect(pages.map((p) => p.length)).toEqual([50, 50, 22]);
    const events = pages.flat();
    const ids = events.map((e) => e.EventId);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids.sort()).toEqual(
      [...ecsRecords.map((r) => r['eventID'] as string), atStart.eventID, atEnd.eventID].sort(),
    );
    const times = events.map((e) => e.EventTime!.getTime());
    expect(times).toEqual([...times].sort((a, b) => b - a));
    expect(times[0]).toBe(TO.getTime());
    expect(times.at(-1)).toBe(FROM.getTime());
  });

  it('answers Events as LookupEvents does: a few fields lifted out, the record a JSON string', async () => {
    const server = await start();
    const record = ecsRecords[5]!;

    const page = await lookup(client(server), {
      LookupAttributes: [{ AttributeKey: 'EventId', AttributeValue: record['eventID'] as string }],
    });

    expect(page.Events).toHaveLength(1);
    const [event] = page.Events!;
    expect(event).toMatchObject({
      EventId: record['eventID'],
      EventName: record['eventName'],
      ReadOnly: String(record['readOnly']),
      EventSource: 'ecs.amazonaws.com',
      EventTime: new Date(record['eventTime'] as string),
      Resources: [],
    });
    expect(JSON.parse(event!.CloudTrailEvent!)).toEqual(record);
    expect(mapEvent(event).kind).not.toBe('invalid');
  });

  it('filters on the EventSource attribute', async () => {
    const server = await start();

    const page = await lookup(client(server), {
      LookupAttributes: [{ AttributeKey: 'EventSource', AttributeValue: 's3.amazonaws.com' }],
    });

    expect(page.Events?.map((e) => e.EventId)).toEqual([s3Record['eventID']]);
  });

  it('rejects more than 50 results a page, or fewer than 1', async () => {
    const server = await start();
    const c = client(server);

    for (const MaxResults of [51, 0]) {
      const error = await errorOf(lookup(c, { LookupAttributes: ECS, MaxResults }));
      expect(error?.name).toBe('InvalidMaxResultsException');
      expect(error?.$metadata?.httpStatusCode).toBe(400);
    }
    expect((await lookup(c, { LookupAttributes: ECS, MaxResults: 50 })).Events).toHaveLength(50);
  });

  it('rejects two lookup attributes, and none', async () => {
    const server = await start();
    const c = client(server);

    const two = await errorOf(
      lookup(c, {
        LookupAttributes: [...ECS, { AttributeKey: 'EventName', AttributeValue: 'RunTask' }],
      }),
    );
    const none = await errorOf(lookup(c, {}));

    expect(two?.name).toBe('InvalidLookupAttributesException');
    expect(none?.name).toBe('InvalidLookupAttributesException');
    expect(server.stats.rejected).toBe(2);
  });

  it('rejects a time range that ends before it starts', async () => {
    const server = await start();

    const error = await errorOf(
      lookup(client(server), { LookupAttributes: ECS, StartTime: TO, EndTime: FROM }),
    );

    expect(error?.name).toBe('InvalidTimeRangeException');
  });

  it('accepts a NextToken only with the parameters it was issued for', async () => {
    const server = await start();
    const c = client(server);
    const first: LookupEventsCommandInput = {
      LookupAttributes: ECS,
      StartTime: FROM,
      EndTime: TO,
      MaxResults: 20,
    };
    const { NextToken } = await lookup(c, first);
    expect(NextToken).toBeDefined();

    const changed: LookupEventsCommandInput[] = [
      { ...first, StartTime: new Date(FROM.getTime() + 1_000) },
      { ...first, EndTime: new Date(TO.getTime() - 1_000) },
      { ...first, MaxResults: 21 },
      { ...first, LookupAttributes: [{ AttributeKey: 'EventName', AttributeValue: 'RunTask' }] },
    ];
    for (const input of changed) {
      const error = await errorOf(lookup(c, { ...input, NextToken }));
      expect(error?.name).toBe('InvalidNextTokenException');
    }
    const otherRegion = await errorOf(lookup(client(server, 'us-east-1'), { ...first, NextToken }));
    const forged = await errorOf(lookup(c, { ...first, NextToken: `${NextToken}x` }));
    expect(otherRegion?.name).toBe('InvalidNextTokenException');
    expect(forged?.name).toBe('InvalidNextTokenException');

    expect((await lookup(c, { ...first, NextToken })).Events).toHaveLength(20);
  });

  it('throttles a 3rd request within one second, per account and region', async () => {
    const server = await start({ requestsPerSecond: 2, burst: 2 });
    const c = client(server);
    const input = { LookupAttributes: ECS, MaxResults: 1 };

    const burst = await Promise.all([1, 2, 3].map(() => errorOf(lookup(c, input))));
    const otherRegion = await errorOf(lookup(client(server, 'us-east-1'), input));
    const otherAccount = await errorOf(
      lookup(client(server, 'eu-west-1', 'AKIAOTHERACCOUNT0001'), input),
    );

    expect(burst.filter((e) => e === undefined)).toHaveLength(2);
    expect(burst.filter((e) => e?.name === 'ThrottlingException')).toHaveLength(1);
    expect(otherRegion).toBeUndefined();
    expect(otherAccount).toBeUndefined();
    expect(server.stats.throttled).toBe(1);

    // Half a second later one token has accrued: one request passes, the next does not.
    await new Promise((resolve) => setTimeout(resolve, 520));
    expect(await errorOf(lookup(c, input))).toBeUndefined();
    expect((await errorOf(lookup(c, input)))?.name).toBe('ThrottlingException');
    expect(server.stats.throttled).toBe(2);
  });

  it('counts one account for every access key when given an account', async () => {
    const server = await start({ requestsPerSecond: 2, burst: 2, account: '111122223333' });
    const input = { LookupAttributes: ECS, MaxResults: 1 };

    const results = await Promise.all(
      ['AKIAKEYONE0000000001', 'AKIAKEYTWO0000000002', 'AKIAKEYTHREE00000003'].map((key) =>
        errorOf(lookup(client(server, 'eu-west-1', key), input)),
      ),
    );

    expect(results.filter((e) => e?.name === 'ThrottlingException')).toHaveLength(1);
  });

  it('injects failures on demand, apart from the throttle count', async () => {
    const server = await start();
    const c = client(server);
    const input = { LookupAttributes: ECS, MaxResults: 1 };
    server.failNext(1, 'InternalFailure');
    server.failNext(1, 'ThrottlingException');
    server.failNext(1, 'ConnectionReset');
    server.failNext(1, 'AccessDeniedException');

    const errors = [];
    for (let i = 0; i < 4; i++) errors.push(await errorOf(lookup(c, input)));
    const afterwards = await errorOf(lookup(c, input));

    expect(errors.map((e) => [e?.name, e?.$metadata?.httpStatusCode])).toEqual([
      ['InternalFailure', 500],
      ['ThrottlingException', 400],
      [expect.any(String), undefined],
      ['AccessDeniedException', 400],
    ]);
    // Node's ECONNRESET error; under jest's VM the SDK wraps it as "AWS SDK error wrapper for
    // TimeoutError: socket hang up" (it is not an Error of jest's realm).
    expect(`${errors[2]?.code} ${errors[2]?.message}`).toMatch(/ECONNRESET|socket hang up/);
    expect(afterwards).toBeUndefined();
    expect(server.stats).toEqual({
      requests: 5,
      served: 1,
      throttled: 0,
      injected: 4,
      rejected: 0,
    });
  });

  it('answers other operations, unsigned requests and other paths with the JSON 1.1 error shape', async () => {
    const server = await start();
    const post = (headers: Record<string, string>, path = '/') =>
      fetch(`${server.endpoint}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-amz-json-1.1', ...headers },
        body: JSON.stringify({ LookupAttributes: ECS, MaxResults: 1 }),
      });
    const authorization =
      'AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20261124/eu-west-1/cloudtrail/aws4_request, SignedHeaders=host, Signature=0';

    const describeTrails = await post({
      'x-amz-target': 'CloudTrail_20131101.DescribeTrails',
      authorization,
    });
    const unsigned = await post({ 'x-amz-target': 'CloudTrail_20131101.LookupEvents' });
    const qualified = await post({
      'x-amz-target': 'com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101.LookupEvents',
      authorization,
    });
    const otherPath = await post(
      { 'x-amz-target': 'CloudTrail_20131101.LookupEvents', authorization },
      '/other',
    );

    expect([describeTrails.status, await describeTrails.json()]).toEqual([
      400,
      { __type: 'UnknownOperationException', message: expect.any(String) },
    ]);
    expect([unsigned.status, ((await unsigned.json()) as { __type: string }).__type]).toEqual([
      403,
      'MissingAuthenticationTokenException',
    ]);
    expect(qualified.status).toBe(200);
    expect(((await qualified.json()) as { Events: unknown[] }).Events).toHaveLength(1);
    expect(otherPath.status).toBe(404);
  });
});
