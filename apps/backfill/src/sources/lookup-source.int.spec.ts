import type { CloudTrailClient, Event } from '@aws-sdk/client-cloudtrail';
import { mapEvent } from '@ecslog/ecs-event-mapper';
import { loadFixture } from '@ecslog/ecs-event-mapper/testing';
import type { SourceChunk } from '../backfill-source';
import { BackfillSetupError } from '../backfill-source';
import type { CloudTrailLookupServer, CloudTrailLookupServerOptions } from '../testing';
import { sampleLookupRecords, startCloudTrailLookupServer, TEST_CREDENTIALS } from '../testing';
import type { LookupSourceOptions } from './lookup-source';
import { cloudTrailClient, createLookupSource, LookupEventsError } from './lookup-source';

const FROM = new Date('2026-11-17T00:00:00.000Z');
const TO = new Date('2026-11-24T00:00:00.000Z');

/** 237 ECS records over two regions, plus what the source must never read: records outside the window and another service's. */
const EU = sampleLookupRecords({ region: 'eu-west-1', count: 137, from: FROM, to: TO, seed: 1 });
const US = sampleLookupRecords({ region: 'us-east-1', count: 100, from: FROM, to: TO, seed: 2 });
const NOISE = [
  { ...EU[0]!, eventID: '00000000-0000-4000-8000-00000000000a', eventTime: '2026-11-16T23:59:59Z' },
  { ...EU[1]!, eventID: '00000000-0000-4000-8000-00000000000b', eventTime: '2026-11-24T00:00:01Z' },
  { ...loadFixture('cloudtrail/non-ecs-record.json'), eventTime: '2026-11-20T00:00:00Z' },
];
const REGIONS: CloudTrailLookupServerOptions['regions'] = [
  { region: 'eu-west-1', records: [...EU, ...NOISE] },
  { region: 'us-east-1', records: US },
];

const idsOf = (records: readonly Record<string, unknown>[]) =>
  records.map((r) => r['eventID'] as string).sort();
const eventsOf = (chunks: readonly SourceChunk[]) =>
  chunks.flatMap((c) => c.records.map((r) => r.value as Event));

async function collect(chunks: AsyncIterable<SourceChunk>): Promise<SourceChunk[]> {
  const all: SourceChunk[] = [];
  for await (const chunk of chunks) all.push(chunk);
  return all;
}

describe('LookupEvents source against the local CloudTrail server', () => {
  const servers: CloudTrailLookupServer[] = [];
  const clients: CloudTrailClient[] = [];

  afterEach(async () => {
    for (const client of clients.splice(0)) client.destroy();
    await Promise.all(servers.splice(0).map((server) => server.stop()));
  });

  async function start(options: Partial<CloudTrailLookupServerOptions> = {}) {
    const server = await startCloudTrailLookupServer({ regions: REGIONS, ...options });
    servers.push(server);
    return server;
  }

  /** The source with real SDK clients pointed at `server`. */
  function sourceFor(server: CloudTrailLookupServer, options: Partial<LookupSourceOptions> = {}) {
    return createLookupSource({
      clientFor: (region) => {
        const client = cloudTrailClient({
          region,
          endpoint: server.endpoint,
          credentials: TEST_CREDENTIALS,
        });
        clients.push(client);
        return client;
      },
      regions: ['eu-west-1', 'us-east-1'],
      from: FROM,
      to: TO,
      ...options,
    });
  }

  it('reads 237 records over 2 regions at the real 2 requests/s: each once, newest first, never throttled', async () => {
    const server = await start();
    const source = sourceFor(server);

    await source.check();
    const chunks = await collect(source.chunks(undefined));

    expect(chunks.map((c) => [c.name, c.records.length])).toEqual([
      ['eu-west-1 page 1', 50],
      ['us-east-1 page 1', 50],
      ['eu-west-1 page 2', 50],
      ['us-east-1 page 2', 50],
      ['eu-west-1 page 3', 37],
    ]);
    expect(chunks[4]!.records.map((r) => r.position).slice(0, 2)).toEqual([
      'lookup eu-west-1 page 3 [0]',
      'lookup eu-west-1 page 3 [1]',
    ]);
    for (const [region, records] of [
      ['eu-west-1', EU],
      ['us-east-1', US],
    ] as const) {
      const events = eventsOf(chunks.filter((c) => c.name.startsWith(region)));
      expect(events.map((e) => e.EventId!).sort()).toEqual(idsOf(records));
      const times = events.map((e) => e.EventTime!.getTime());
      expect(times).toEqual([...times].sort((a, b) => b - a));
      // The value is the Event as returned: the record itself rides along as a JSON string.
      const byId = new Map(records.map((r) => [r['eventID'], r]));
      for (const event of events)
        expect(JSON.parse(event.CloudTrailEvent!)).toEqual(byId.get(event.EventId));
    }
    expect(eventsOf(chunks).map((e) => mapEvent(e).kind)).not.toContain('invalid');
    expect(chunks.every((c) => c.bytes > 0)).toBe(true);
    expect(chunks.at(-1)!.resume).toEqual({
      regions: {
        'eu-west-1': { done: true, pages: 3 },
        'us-east-1': { done: true, pages: 2 },
      },
    });

    expect(server.stats).toMatchObject({ requests: 7, served: 7, throttled: 0, rejected: 0 });
    // Paced, as the server saw it: half a second between one region's requests on average,
    // where unpaced requests would come milliseconds apart. The mean, not the smallest gap: a
    // request that reaches the server late (a loaded machine, the first request's connection)
    // shortens one gap by what it lengthens the one before. With two or three requests a region,
    // one late first arrival moves the mean by its whole delay: a loaded CI run saw 363 ms, so the
    // bound leaves 250 ms for it.
    for (const region of ['eu-west-1', 'us-east-1']) {
      const times = server.requests.filter((r) => r.region === region).map((r) => r.at);
      const meanGap = (times.at(-1)! - times[0]!) / (times.length - 1);
      expect(meanGap).toBeGreaterThan(250);
    }
  });

  it('retries injected throttling, 500, 503 and dropped connections, and still reads each record once', async () => {
    const server = await start({ requestsPerSecond: 10 });
    const source = sourceFor(server, {
      regions: ['eu-west-1'],
      requestsPerSecond: 10,
      retry: { baseDelayMs: 20 },
    });
    server.failNext(1, 'ThrottlingException');

    const chunks: SourceChunk[] = [];
    for await (const chunk of source.chunks(undefined)) {
      if (chunks.length === 0) {
        server.failNext(1, 'InternalFailure');
        server.failNext(1, 'ConnectionReset');
        server.failNext(1, 'ServiceUnavailableException');
      }
      chunks.push(chunk);
    }

    expect(
      eventsOf(chunks)
        .map((e) => e.EventId!)
        .sort(),
    ).toEqual(idsOf(EU));
    expect(server.stats).toMatchObject({ injected: 4, served: 3, throttled: 0 });
  });

  it('gives up once throttled beyond its attempts', async () => {
    const server = await start({ requestsPerSecond: 10 });
    const source = sourceFor(server, {
      regions: ['eu-west-1'],
      requestsPerSecond: 10,
      retry: { maxAttempts: 3, baseDelayMs: 10 },
    });
    server.failNext(3, 'ThrottlingException');

    const reading = collect(source.chunks(undefined));

    await expect(reading).rejects.toThrow(LookupEventsError);
    await expect(reading).rejects.toThrow(
      'LookupEvents in eu-west-1, page 1: ThrottlingException: Rate exceeded (after 3 attempts)',
    );
  });

  it('resumed from the state saved after page k, yields exactly the pages after it', async () => {
    const server = await start({ requestsPerSecond: 20 });
    const options = { requestsPerSecond: 20 };
    const all = await collect(sourceFor(server, options).chunks(undefined));
    expect(all).toHaveLength(5);

    for (let k = 1; k <= all.length; k++) {
      const saved = JSON.parse(JSON.stringify(all[k - 1]!.resume)) as unknown;
      // A resumed run is a new process whose bucket starts full: give the server's bucket the
      // refill a restart takes, or a request just after the last one may be throttled (and retried).
      await new Promise((resolve) => setTimeout(resolve, 200));
      const requestsBefore = server.stats.requests;

      const rest = await collect(sourceFor(server, options).chunks(saved));

      expect(rest.map((c) => c.name)).toEqual(all.slice(k).map((c) => c.name));
      expect(eventsOf(rest).map((e) => e.EventId)).toEqual(
        eventsOf(all.slice(k)).map((e) => e.EventId),
      );
      // Regions that are done are not asked again.
      expect(server.stats.requests - requestsBefore).toBe(all.length - k);
    }
    expect(server.stats.throttled).toBe(0);
  });

  it('stops asking once the consumer stops', async () => {
    const server = await start({ requestsPerSecond: 20 });
    const source = sourceFor(server, { regions: ['eu-west-1'], requestsPerSecond: 20 });

    for await (const chunk of source.chunks(undefined)) {
      expect(chunk.name).toBe('eu-west-1 page 1');
      break;
    }
    await new Promise((resolve) => setTimeout(resolve, 300));

    // Page 1 and, at most, the page looked ahead.
    expect(server.stats.requests).toBeLessThanOrEqual(2);
  });

  describe('check', () => {
    async function problemOf(source: { check(): Promise<void> }): Promise<string> {
      const error = await source.check().then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(BackfillSetupError);
      const { message } = error as BackfillSetupError;
      expect(message).not.toMatch(/\n/);
      return message;
    }

    it('passes with one MaxResults 1 call per region', async () => {
      const server = await start();

      await sourceFor(server).check();

      expect(server.stats).toMatchObject({ requests: 2, served: 2 });
      expect(server.requests.map((r) => [r.region, r.events])).toEqual(
        expect.arrayContaining([
          ['eu-west-1', 1],
          ['us-east-1', 1],
        ]),
      );
    });

    it('says so when there are no credentials', async () => {
      const server = await start();
      const source = createLookupSource({
        clientFor: (region) => {
          const client = cloudTrailClient({ region, endpoint: server.endpoint });
          // What the default chain throws when it finds nothing (no env, profile or role).
          client.config.credentials = () =>
            Promise.reject(
              Object.assign(new Error('Could not load credentials from any providers'), {
                name: 'CredentialsProviderError',
              }),
            );
          clients.push(client);
          return client;
        },
        regions: ['eu-west-1'],
        from: FROM,
        to: TO,
      });

      expect(await problemOf(source)).toBe(
        'no AWS credentials for CloudTrail in eu-west-1 (set AWS_PROFILE, or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY): Could not load credentials from any providers',
      );
      expect(server.stats.requests).toBe(0);
    });

    it('says so when access is denied or the credentials are not recognised', async () => {
      const server = await start();
      server.failNext(1, 'AccessDeniedException');
      expect(await problemOf(sourceFor(server, { regions: ['eu-west-1'] }))).toMatch(
        /^not allowed to call cloudtrail:LookupEvents in eu-west-1: User: .* is not authorized/,
      );

      server.failNext(1, 'UnrecognizedClientException');
      expect(await problemOf(sourceFor(server, { regions: ['us-east-1'] }))).toBe(
        'CloudTrail in us-east-1 rejects the AWS credentials (UnrecognizedClientException): The security token included in the request is invalid.',
      );
    });

    it('says so when no region is given', async () => {
      const server = await start();

      expect(await problemOf(sourceFor(server, { regions: [] }))).toBe(
        'LookupEvents needs at least one region: pass a region or set AWS_REGION',
      );
    });

    it('says so, in one line, when CloudTrail cannot be reached', async () => {
      const server = await start();
      await server.stop();
      servers.splice(servers.indexOf(server), 1);

      const problem = await problemOf(
        sourceFor(server, { regions: ['eu-west-1'], retry: { maxAttempts: 2, baseDelayMs: 10 } }),
      );

      expect(problem).toMatch(/^LookupEvents in eu-west-1, check: .*\(after 2 attempts\)$/);
    });
  });
});
