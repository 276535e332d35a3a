import type {
  CloudTrailClient,
  Event,
  LookupEventsCommand,
  LookupEventsCommandInput,
} from '@aws-sdk/client-cloudtrail';
import fc from 'fast-check';
import type { SourceChunk } from '../backfill-source';
import { BackfillSetupError } from '../backfill-source';
import type { LookupResumeState, LookupSourceOptions } from './lookup-source';
import {
  createLookupSource,
  isRetryableLookupError,
  LookupEventsError,
  readResumeState,
  setupProblemOf,
} from './lookup-source';

const FROM = new Date('2026-11-17T00:00:00.000Z');
const TO = new Date('2026-11-24T00:00:00.000Z');

/** An SDK-shaped service error (name, message, HTTP status), as the CloudTrail client throws them. */
function serviceError(name: string, status: number, message = `${name} message`): Error {
  return Object.assign(new Error(message), {
    name,
    $fault: status >= 500 ? 'server' : 'client',
    $metadata: { httpStatusCode: status },
  });
}
/** A connection fault as the SDK's node handler throws it. */
function networkError(code: string, name = 'Error'): Error {
  return Object.assign(new Error(`connect ${code} 127.0.0.1:1`), { name, code });
}

interface FakeCall {
  region: string;
  input: LookupEventsCommandInput;
  signal?: AbortSignal;
}

/**
 * A stand-in CloudTrail client per region: pages of the given events (NextToken = the offset),
 * faults thrown in turn before answering, every call recorded.
 */
function fakeCloudTrail(eventsByRegion: Record<string, Event[]>, faults: unknown[] = []) {
  const calls: FakeCall[] = [];
  const clientFor = (region: string) =>
    ({
      send: (command: LookupEventsCommand, options?: { abortSignal?: AbortSignal }) => {
        calls.push({
          region,
          input: command.input,
          ...(options?.abortSignal ? { signal: options.abortSignal } : {}),
        });
        const fault = faults.shift();
        if (fault) return Promise.reject(fault);
        const events = eventsByRegion[region] ?? [];
        const offset = Number(command.input.NextToken?.split('@')[1] ?? 0);
        const next = offset + (command.input.MaxResults ?? 50);
        return Promise.resolve({
          Events: events.slice(offset, next),
          ...(next < events.length ? { NextToken: `${region}@${next}` } : {}),
          $metadata: {},
        });
      },
    }) as unknown as CloudTrailClient;
  return { clientFor, calls };
}

const eventsOf = (region: string, count: number): Event[] =>
  Array.from({ length: count }, (_, i) => ({
    EventId: `${region}/${i}`,
    EventSource: 'ecs.amazonaws.com',
    CloudTrailEvent: JSON.stringify({ eventID: `${region}/${i}` }),
  }));

/** No timers: the bucket's and the backoff's waits are recorded and return at once. */
function fastOptions(overrides: Partial<LookupSourceOptions> = {}) {
  const sleeps: number[] = [];
  const options = {
    from: FROM,
    to: TO,
    now: () => 0,
    sleep: (ms: number) => {
      sleeps.push(ms);
      return Promise.resolve();
    },
    random: () => 0.5,
    ...overrides,
  };
  return { options, sleeps };
}

async function collect(chunks: AsyncIterable<SourceChunk>): Promise<SourceChunk[]> {
  const all: SourceChunk[] = [];
  for await (const chunk of chunks) all.push(chunk);
  return all;
}

describe('createLookupSource (fake client)', () => {
  it('reads each region page by page, round-robin, with positions and resume states', async () => {
    const fake = fakeCloudTrail({
      'eu-west-1': eventsOf('eu-west-1', 120),
      'us-east-1': eventsOf('us-east-1', 50),
    });
    const { options } = fastOptions();
    const source = createLookupSource({
      ...options,
      clientFor: fake.clientFor,
      regions: ['eu-west-1', 'us-east-1'],
    });

    const chunks = await collect(source.chunks(undefined));

    expect(source.description).toBe(
      'lookup eu-west-1,us-east-1 2026-11-17T00:00:00.000Z/2026-11-24T00:00:00.000Z',
    );
    expect(chunks.map((c) => [c.name, c.records.length])).toEqual([
      ['eu-west-1 page 1', 50],
      ['us-east-1 page 1', 50],
      ['eu-west-1 page 2', 50],
      ['eu-west-1 page 3', 20],
    ]);
    expect(chunks[2]!.records[3]).toEqual({
      position: 'lookup eu-west-1 page 2 [3]',
      value: eventsOf('eu-west-1', 120)[53],
    });
    expect(chunks[0]!.bytes).toBe(
      eventsOf('eu-west-1', 50).reduce((sum, e) => sum + e.CloudTrailEvent!.length, 0),
    );
    expect(chunks.map((c) => c.resume)).toEqual<LookupResumeState[]>([
      {
        regions: {
          'eu-west-1': { nextToken: 'eu-west-1@50', done: false, pages: 1 },
          'us-east-1': { done: false, pages: 0 },
        },
      },
      {
        regions: {
          'eu-west-1': { nextToken: 'eu-west-1@50', done: false, pages: 1 },
          'us-east-1': { done: true, pages: 1 },
        },
      },
      {
        regions: {
          'eu-west-1': { nextToken: 'eu-west-1@100', done: false, pages: 2 },
          'us-east-1': { done: true, pages: 1 },
        },
      },
      {
        regions: {
          'eu-west-1': { done: true, pages: 3 },
          'us-east-1': { done: true, pages: 1 },
        },
      },
    ]);
  });

  it('asks for ECS events of the window, 50 a page, and reuses each NextToken with identical parameters', async () => {
    const fake = fakeCloudTrail({ 'eu-west-1': eventsOf('eu-west-1', 101) });
    const { options } = fastOptions();

    await collect(
      createLookupSource({ ...options, clientFor: fake.clientFor, regions: ['eu-west-1'] }).chunks(
        undefined,
      ),
    );

    expect(fake.calls.map((c) => c.input)).toEqual([
      {
        LookupAttributes: [{ AttributeKey: 'EventSource', AttributeValue: 'ecs.amazonaws.com' }],
        StartTime: FROM,
        EndTime: TO,
        MaxResults: 50,
      },
      expect.objectContaining({ NextToken: 'eu-west-1@50' }),
      expect.objectContaining({ NextToken: 'eu-west-1@100' }),
    ]);
    const { NextToken: _first, ...firstParameters } = fake.calls[0]!.input;
    for (const { input } of fake.calls.slice(1)) {
      const { NextToken: _token, ...parameters } = input;
      expect(parameters).toEqual(firstParameters);
    }
  });

  it('yields one empty chunk for a region without events', async () => {
    const fake = fakeCloudTrail({});
    const { options } = fastOptions();

    const chunks = await collect(
      createLookupSource({
        ...options,
        clientFor: fake.clientFor,
        regions: ['ap-southeast-2'],
      }).chunks(undefined),
    );

    expect(chunks).toEqual([
      {
        name: 'ap-southeast-2 page 1',
        records: [],
        bytes: 0,
        resume: { regions: { 'ap-southeast-2': { done: true, pages: 1 } } },
      },
    ]);
  });

  it('retries throttling, 5xx and dropped connections with exponential full-jitter backoff', async () => {
    const fake = fakeCloudTrail({ 'eu-west-1': eventsOf('eu-west-1', 60) }, [
      serviceError('ThrottlingException', 400, 'Rate exceeded'),
      serviceError('InternalFailure', 500),
      networkError('ECONNRESET', 'TimeoutError'),
      serviceError('Unknown', 503, 'UnknownError'),
    ]);
    // A bucket too fast to wait: the only sleeps of a whole millisecond or more are backoffs.
    const { options, sleeps } = fastOptions({ requestsPerSecond: 1e9 });

    const chunks = await collect(
      createLookupSource({ ...options, clientFor: fake.clientFor, regions: ['eu-west-1'] }).chunks(
        undefined,
      ),
    );

    expect(chunks.flatMap((c) => c.records.map((r) => (r.value as Event).EventId))).toEqual(
      eventsOf('eu-west-1', 60).map((e) => e.EventId),
    );
    expect(fake.calls).toHaveLength(6);
    // random 0.5 × min(10 s, 500 ms × 2^(attempt − 1))
    expect(sleeps.filter((ms) => ms >= 1)).toEqual([250, 500, 1_000, 2_000]);
  });

  it('gives up after maxAttempts, naming region, page and attempts', async () => {
    const fake = fakeCloudTrail({ 'eu-west-1': eventsOf('eu-west-1', 10) }, [
      serviceError('ThrottlingException', 400, 'Rate exceeded'),
      serviceError('ThrottlingException', 400, 'Rate exceeded'),
      serviceError('ThrottlingException', 400, 'Rate exceeded'),
    ]);
    const { options } = fastOptions({ retry: { maxAttempts: 3 } });

    const reading = collect(
      createLookupSource({ ...options, clientFor: fake.clientFor, regions: ['eu-west-1'] }).chunks(
        undefined,
      ),
    );

    await expect(reading).rejects.toThrow(LookupEventsError);
    await expect(reading).rejects.toThrow(
      'LookupEvents in eu-west-1, page 1: ThrottlingException: Rate exceeded (after 3 attempts)',
    );
    expect(fake.calls).toHaveLength(3);
  });

  it('throws other errors at once, with the SDK error as cause', async () => {
    const denied = serviceError('AccessDeniedException', 400, 'not authorized');
    const fake = fakeCloudTrail({ 'eu-west-1': eventsOf('eu-west-1', 10) }, [denied]);
    const { options } = fastOptions();

    const error = await collect(
      createLookupSource({ ...options, clientFor: fake.clientFor, regions: ['eu-west-1'] }).chunks(
        undefined,
      ),
    ).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(LookupEventsError);
    expect((error as Error).message).toBe(
      'LookupEvents in eu-west-1, page 1: AccessDeniedException: not authorized',
    );
    expect((error as Error).cause).toBe(denied);
    expect(fake.calls).toHaveLength(1);
  });

  it('aborts its look-ahead requests when the consumer stops', async () => {
    const fake = fakeCloudTrail({ 'eu-west-1': eventsOf('eu-west-1', 500) });
    const { options } = fastOptions();
    const source = createLookupSource({
      ...options,
      clientFor: fake.clientFor,
      regions: ['eu-west-1'],
    });

    for await (const chunk of source.chunks(undefined)) {
      expect(chunk.name).toBe('eu-west-1 page 1');
      break;
    }

    expect(fake.calls.length).toBeLessThanOrEqual(2);
    expect(fake.calls.every((c) => c.signal?.aborted)).toBe(true);
  });

  it('check makes one MaxResults 1 call per region and reports failures as one-line setup errors', async () => {
    const fine = fakeCloudTrail({ 'eu-west-1': eventsOf('eu-west-1', 3) });
    const { options } = fastOptions();
    await createLookupSource({
      ...options,
      clientFor: fine.clientFor,
      regions: ['eu-west-1', 'us-east-1'],
    }).check();
    expect(fine.calls.map((c) => [c.region, c.input.MaxResults])).toEqual([
      ['eu-west-1', 1],
      ['us-east-1', 1],
    ]);

    const denied = fakeCloudTrail({}, [
      serviceError('AccessDeniedException', 400, 'User: arn:aws:iam::1:user/x is not\nauthorized'),
    ]);
    const checking = createLookupSource({
      ...options,
      clientFor: denied.clientFor,
      regions: ['eu-west-1'],
    }).check();
    await expect(checking).rejects.toThrow(BackfillSetupError);
    await expect(checking).rejects.toThrow(
      'not allowed to call cloudtrail:LookupEvents in eu-west-1: User: arn:aws:iam::1:user/x is not authorized',
    );

    await expect(
      createLookupSource({ ...options, clientFor: fine.clientFor, regions: [] }).check(),
    ).rejects.toThrow(BackfillSetupError);
  });

  it('refuses a window that ends before it starts, as a setup error', () => {
    const { options } = fastOptions();
    expect(() =>
      createLookupSource({
        ...options,
        from: TO,
        to: FROM,
        clientFor: fakeCloudTrail({}).clientFor,
        regions: ['eu-west-1'],
      }),
    ).toThrow(BackfillSetupError);
  });

  // Properties: every event exactly once, in page order; a resume from any chunk yields exactly
  // the chunks that followed it.

  it('reads every event once and, resumed after any chunk, yields exactly the chunks that followed', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.integer({ min: 0, max: 260 }), { minLength: 1, maxLength: 3 }),
        fc.nat(),
        async (counts, cut) => {
          const regions = counts.map((_, i) => `region-${i}`);
          const events = Object.fromEntries(
            regions.map((region, i) => [region, eventsOf(region, counts[i]!)]),
          );
          const { options } = fastOptions();
          const fresh = () =>
            createLookupSource({
              ...options,
              clientFor: fakeCloudTrail(events).clientFor,
              regions,
            });

          const all = await collect(fresh().chunks(undefined));
          const after = cut % (all.length + 1);
          const saved =
            after === 0 ? undefined : JSON.parse(JSON.stringify(all[after - 1]!.resume));
          const rest = await collect(fresh().chunks(saved));

          expect(
            all.flatMap((c) => c.records.map((r) => (r.value as Event).EventId)).sort(),
          ).toEqual(
            Object.values(events)
              .flat()
              .map((e) => e.EventId)
              .sort(),
          );
          expect(all.every((c) => c.records.length <= 50)).toBe(true);
          expect(all).toHaveLength(
            counts.reduce((sum, n) => sum + Math.max(1, Math.ceil(n / 50)), 0),
          );
          expect(rest.map((c) => [c.name, c.records])).toEqual(
            all.slice(after).map((c) => [c.name, c.records]),
          );
        },
      ),
      { numRuns: 100 },
    );
  });
});

describe('isRetryableLookupError', () => {
  it.each([
    ['ThrottlingException', serviceError('ThrottlingException', 400)],
    ['InternalFailure (500)', serviceError('InternalFailure', 500)],
    ['an unnamed 503', serviceError('Unknown', 503)],
    ['a dropped connection', networkError('ECONNRESET', 'TimeoutError')],
    ['a refused connection', networkError('ECONNREFUSED')],
    // What the SDK makes of Node's socket error under jest's VM (not an Error of its realm).
    ['a wrapped timeout', new Error('AWS SDK error wrapper for TimeoutError: socket hang up')],
    [
      'a wrapped refused connection',
      new Error('AWS SDK error wrapper for Error: connect ECONNREFUSED 127.0.0.1:1'),
    ],
  ])('retries %s', (_, error) => {
    expect(isRetryableLookupError(error)).toBe(true);
  });

  it.each([
    ['AccessDeniedException', serviceError('AccessDeniedException', 400)],
    ['InvalidNextTokenException', serviceError('InvalidNextTokenException', 400)],
    [
      'missing credentials',
      Object.assign(new Error('Could not load credentials'), { name: 'CredentialsProviderError' }),
    ],
    ['an unknown host', networkError('ENOTFOUND')],
    [
      'a wrapped unknown host',
      new Error('AWS SDK error wrapper for Error: getaddrinfo ENOTFOUND x'),
    ],
    ['a string', 'boom'],
  ])('does not retry %s', (_, error) => {
    expect(isRetryableLookupError(error)).toBe(false);
  });
});

describe('setupProblemOf', () => {
  it.each<[string, unknown, string]>([
    [
      'missing credentials',
      Object.assign(new Error('Could not load credentials from any providers'), {
        name: 'CredentialsProviderError',
      }),
      'no AWS credentials for CloudTrail in eu-west-1 (set AWS_PROFILE, or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY): Could not load credentials from any providers',
    ],
    [
      'rejected credentials',
      serviceError(
        'UnrecognizedClientException',
        400,
        'The security token included in the request is invalid.',
      ),
      'CloudTrail in eu-west-1 rejects the AWS credentials (UnrecognizedClientException): The security token included in the request is invalid.',
    ],
    [
      'a missing region',
      new Error('Region is missing'),
      'no AWS region for LookupEvents: pass a region or set AWS_REGION',
    ],
    [
      'an unknown host',
      networkError('ENOTFOUND'),
      'cannot reach CloudTrail in "eu-west-1" — is the region right? (connect ENOTFOUND 127.0.0.1:1)',
    ],
    [
      'anything else',
      new LookupEventsError(
        'LookupEvents in eu-west-1, check: InternalFailure: boom (after 8 attempts)',
        {
          cause: serviceError('InternalFailure', 500, 'boom'),
        },
      ),
      'LookupEvents in eu-west-1, check: InternalFailure: boom (after 8 attempts)',
    ],
  ])('says what stops the run in one line: %s', (_, error, expected) => {
    const problem = setupProblemOf('eu-west-1', error);
    expect(problem).toBe(expected);
    expect(problem).not.toMatch(/\n/);
  });

  it('classifies the SDK error a LookupEventsError wraps', () => {
    const wrapped = new LookupEventsError('LookupEvents in eu-west-1, check: …', {
      cause: serviceError('AccessDeniedException', 400, 'no'),
    });
    expect(setupProblemOf('eu-west-1', wrapped)).toBe(
      'not allowed to call cloudtrail:LookupEvents in eu-west-1: no',
    );
  });
});

describe('readResumeState', () => {
  it('starts fresh without a saved state and keeps the listed regions of one', () => {
    expect(readResumeState(undefined, ['eu-west-1'])).toEqual({});
    expect(readResumeState(null, ['eu-west-1'])).toEqual({});
    expect(
      readResumeState(
        {
          regions: {
            'eu-west-1': { nextToken: 't', done: false, pages: 2 },
            'us-east-1': { done: true, pages: 4 },
            'ap-south-1': { done: true, pages: 1 },
          },
        },
        ['eu-west-1', 'us-east-1', 'sa-east-1'],
      ),
    ).toEqual({
      'eu-west-1': { nextToken: 't', done: false, pages: 2 },
      'us-east-1': { done: true, pages: 4 },
    });
  });

  it.each([
    ['not an object', 'eu-west-1 page 3'],
    ['no regions', { pages: 3 }],
    ['a region without done', { regions: { 'eu-west-1': { pages: 1, nextToken: 't' } } }],
    ['negative pages', { regions: { 'eu-west-1': { pages: -1, done: false } } }],
    ['pages read, more due, no token', { regions: { 'eu-west-1': { pages: 2, done: false } } }],
  ])('refuses %s as a one-line setup error', (_, resume) => {
    expect(() => readResumeState(resume, ['eu-west-1'])).toThrow(BackfillSetupError);
  });
});
