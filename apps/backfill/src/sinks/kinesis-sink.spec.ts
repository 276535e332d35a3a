import type { KinesisClient, PutRecordsCommandInput } from '@aws-sdk/client-kinesis';
import { MAPPED_CLOUDTRAIL_FIXTURES } from '../testing';
import { DescribeStreamSummaryCommand, PutRecordsCommand } from '@aws-sdk/client-kinesis';
import type { AuditRecord } from '@ecslog/ecs-event-mapper';
import { mapEvent } from '@ecslog/ecs-event-mapper';
import { loadFixture, runTaskRecordArb } from '@ecslog/ecs-event-mapper/testing';
import fc from 'fast-check';
import type { MappedInput } from '../backfill-sink';
import { BackfillSetupError } from '../backfill-source';
import type { PutOutcome } from './kinesis-sink';
import {
  CLOUDTRAIL_DETAIL_TYPE,
  KINESIS_LIMITS,
  KinesisEnvelopeError,
  KinesisPutError,
  backoffDelayMs,
  createKinesisSink,
  envelopeIdOf,
  explainStreamError,
  isRetryableKinesisError,
  nextBatchSize,
  partitionKeyOf,
  planBatches,
  recordsToResend,
  toEventBridgeEvent,
  toStreamEntry,
  uuidV5,
} from './kinesis-sink';

const MiB = 1024 * 1024;
const CLUSTER_ARN = 'arn:aws:ecs:eu-west-1:111122223333:cluster/batch';

function cloudTrailFixture(name: string): Record<string, unknown> {
  return loadFixture(`cloudtrail/${name}.json`);
}

/** A source record mapped as the backfill maps it. */
function mappedInput(record: Record<string, unknown>, position = 'test'): MappedInput {
  const result = mapEvent(record);
  if (result.kind !== 'mapped') throw new Error(`${position} does not map (${result.kind})`);
  return { input: { position, value: record }, cloudTrailRecord: record, records: result.records };
}

/**
 * A failed RunTask on cluster `cluster` (its one AuditRecord is about the cluster, so the
 * cluster ARN is the partition key): a cheap way to have many records share few keys.
 */
function apiErrorInput(eventId: string, cluster: string, padding = 0): MappedInput {
  const fixture = cloudTrailFixture('runtask-api-error');
  const request = fixture['requestParameters'] as Record<string, unknown>;
  const record = {
    ...fixture,
    eventID: eventId,
    requestParameters: {
      ...request,
      cluster: `arn:aws:ecs:eu-west-1:111122223333:cluster/${cluster}`,
      ...(padding > 0 ? { overrides: { note: 'x'.repeat(padding) } } : {}),
    },
  };
  return mappedInput(record, eventId);
}

describe('toEventBridgeEvent: the event EventBridge delivers for a CloudTrail record', () => {
  it('wraps the record exactly like the EventBridge fixture, with an id derived from the eventID', () => {
    const fixture = loadFixture('eventbridge/cloudtrail-api-call-runtask.json');
    const detail = fixture['detail'] as Record<string, unknown>;

    const result = toEventBridgeEvent(detail);

    expect(result).toEqual({
      kind: 'event',
      event: { ...fixture, id: '608ba519-a0c7-5bf0-9654-74437ccf5c73' },
    });
    if (result.kind === 'event') {
      expect(Object.keys(result.event)).toEqual(Object.keys(fixture));
      expect(result.event.detail).toBe(detail); // the record itself, untouched
    }
  });

  it('takes the account from userIdentity when the record has no recipientAccountId', () => {
    const { recipientAccountId: _, ...record } = cloudTrailFixture('stoptask');

    const result = toEventBridgeEvent(record);

    expect(result.kind === 'event' && result.event.account).toBe('111122223333');
  });

  it('says which fields are missing instead of building an event EventBridge never sends', () => {
    const { eventTime: _t, awsRegion: _r, ...record } = cloudTrailFixture('stoptask');

    expect(toEventBridgeEvent(record)).toEqual({
      kind: 'problem',
      message:
        'CloudTrail record a6f55024-2f2c-4864-b5e9-2ef58f7d1b8e has no eventTime, awsRegion: no EventBridge event can be built for it',
    });
  });

  it.each(MAPPED_CLOUDTRAIL_FIXTURES)(
    '%s: the event maps to the same AuditRecords as the record',
    (name) => {
      const record = cloudTrailFixture(name);

      const result = toEventBridgeEvent(record);

      expect(result.kind).toBe('event');
      expect(result.kind === 'event' && mapEvent(result.event)).toEqual(mapEvent(record));
    },
  );

  it('property: any generated RunTask record maps the same inside its event as bare', () => {
    fc.assert(
      fc.property(runTaskRecordArb, ({ event: record }) => {
        const result = toEventBridgeEvent(record);
        expect(result.kind === 'event' && mapEvent(result.event)).toEqual(mapEvent(record));
        expect(result.kind === 'event' && result.event['detail-type']).toBe(CLOUDTRAIL_DETAIL_TYPE);
      }),
    );
  });
});

describe('envelope ids', () => {
  it('computes RFC 9562 version-5 UUIDs (the RFC test vector)', () => {
    expect(uuidV5('www.example.com', '6ba7b810-9dad-11d1-80b4-00c04fd430c8')).toBe(
      '2ed6657d-e927-568b-95e1-2665a8aea6a2',
    );
  });

  it('property: the same eventID always gives the same id, different eventIDs different ids', () => {
    fc.assert(
      fc.property(fc.uniqueArray(fc.uuid(), { minLength: 2, maxLength: 50 }), (eventIds) => {
        const ids = eventIds.map(envelopeIdOf);
        expect(eventIds.map(envelopeIdOf)).toEqual(ids);
        expect(new Set(ids).size).toBe(eventIds.length);
        for (const id of ids)
          expect(id).toMatch(
            /^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
          );
      }),
    );
  });
});

describe('partitionKeyOf', () => {
  it('is the resource the first AuditRecord is about', () => {
    expect(partitionKeyOf(mappedInput(cloudTrailFixture('runtask-success')))).toMatch(
      /^arn:aws:ecs:eu-west-1:111122223333:task\/batch\//,
    );
    expect(partitionKeyOf(mappedInput(cloudTrailFixture('runtask-api-error')))).toBe(CLUSTER_ARN);
  });

  it('cuts an ARN longer than the 256 characters Kinesis allows', () => {
    const input = mappedInput(cloudTrailFixture('runtask-api-error'));
    const arn = `${CLUSTER_ARN}${'x'.repeat(300)}`;
    const long = { ...input, records: [{ ...input.records[0], resourceArn: arn } as AuditRecord] };

    expect(partitionKeyOf(long)).toBe(arn.slice(0, 256));
  });
});

describe('toStreamEntry', () => {
  it('counts the data and the partition key against the limits', () => {
    const input = mappedInput(cloudTrailFixture('runtask-api-error'));

    const built = toStreamEntry(input, 3);

    expect(built.kind).toBe('entry');
    if (built.kind !== 'entry') return;
    expect(built.entry).toMatchObject({ index: 3, partitionKey: CLUSTER_ARN });
    expect(built.entry.bytes).toBe(built.entry.data.byteLength + CLUSTER_ARN.length);
    expect(JSON.parse(Buffer.from(built.entry.data).toString('utf8'))).toEqual(
      (toEventBridgeEvent(input.cloudTrailRecord) as { event: unknown }).event,
    );
  });

  it('refuses an event over 1 MiB with a clear error, never truncating it', () => {
    const input = apiErrorInput('too-big', 'batch', MiB);

    const built = toStreamEntry(input, 0);

    expect(built.kind).toBe('problem');
    expect(built.kind === 'problem' && built.error).toBeInstanceOf(KinesisEnvelopeError);
    expect(built.kind === 'problem' && built.error.message).toMatch(
      /^too-big: the EventBridge event of CloudTrail record too-big is \d+ bytes with its partition key, over Kinesis' 1048576-byte record limit: not sent \(never truncated\)$/,
    );
  });
});

describe('planBatches: PutRecords calls of at most 500 records and 5 MiB', () => {
  const sized = (sizes: number[]) => sizes.map((bytes, index) => ({ index, bytes }));

  it('splits by count', () => {
    expect(planBatches(sized(Array(1001).fill(10))).map((b) => b.length)).toEqual([500, 500, 1]);
  });

  it('splits by bytes; 5 MiB exactly still fits', () => {
    expect(planBatches(sized(Array(6).fill(MiB))).map((b) => b.length)).toEqual([5, 1]);
    expect(planBatches(sized([MiB, MiB, MiB, MiB, MiB - 1, 2])).map((b) => b.length)).toEqual([
      5, 1,
    ]);
  });

  it('plans nothing for nothing', () => {
    expect(planBatches([])).toEqual([]);
    expect(nextBatchSize([])).toBe(0);
  });

  it('property: every batch within limits, in order, nothing lost, none split early', () => {
    const size = fc.oneof(
      { weight: 4, arbitrary: fc.integer({ min: 1, max: 4_000 }) },
      { weight: 1, arbitrary: fc.integer({ min: 100_000, max: KINESIS_LIMITS.maxBytesPerRecord }) },
    );
    fc.assert(
      fc.property(fc.array(size, { maxLength: 1_500 }), (sizes) => {
        const entries = sized(sizes);

        const batches = planBatches(entries);

        const total = (batch: { bytes: number }[]) => batch.reduce((sum, e) => sum + e.bytes, 0);
        expect(batches.flat()).toEqual(entries);
        batches.forEach((batch, i) => {
          expect(batch.length).toBeGreaterThan(0);
          expect(batch.length).toBeLessThanOrEqual(500);
          expect(total(batch)).toBeLessThanOrEqual(5 * MiB);
          const next = batches[i + 1]?.[0];
          if (next) expect(batch.length === 500 || total(batch) + next.bytes > 5 * MiB).toBe(true);
        });
      }),
    );
  });
});

describe('recordsToResend: a rejected record is never overtaken by a later one of its key', () => {
  it('resends the rejected records and every later record of their keys', () => {
    expect(
      recordsToResend([
        { partitionKey: 'a', outcome: 'accepted' },
        { partitionKey: 'a', outcome: 'rejected' },
        { partitionKey: 'b', outcome: 'accepted' },
        { partitionKey: 'a', outcome: 'accepted' },
        { partitionKey: 'b', outcome: 'rejected' },
        { partitionKey: 'c', outcome: 'abandoned' },
        { partitionKey: 'c', outcome: 'accepted' },
        { partitionKey: 'a', outcome: 'rejected' },
      ]),
    ).toEqual([1, 3, 4, 7]);
  });

  it('property: per key, the stream order after the resend is the call order', () => {
    const call = fc.array(
      fc.record({
        partitionKey: fc.constantFrom('a', 'b', 'c'),
        outcome: fc.constantFrom<PutOutcome>('accepted', 'rejected', 'abandoned'),
      }),
      { maxLength: 40 },
    );
    fc.assert(
      fc.property(call, (records) => {
        const resend = new Set(recordsToResend(records));

        records.forEach(({ partitionKey, outcome }, position) => {
          if (outcome === 'rejected') expect(resend.has(position)).toBe(true);
          if (outcome === 'abandoned') expect(resend.has(position)).toBe(false);
          // Nothing accepted before its key's first rejection is sent twice.
          const rejectedBefore = records
            .slice(0, position)
            .some((r) => r.partitionKey === partitionKey && r.outcome === 'rejected');
          if (outcome === 'accepted') expect(resend.has(position)).toBe(rejectedBefore);
        });
        // Per key: what stays in the stream, then what is resent, is the call order.
        for (const key of new Set(records.map((r) => r.partitionKey))) {
          const positions = records.flatMap((r, p) =>
            r.partitionKey === key && r.outcome !== 'abandoned' ? [p] : [],
          );
          const stays = positions.filter((p) => !resend.has(p));
          const again = positions.filter((p) => resend.has(p));
          expect(stays.every((p) => records[p]?.outcome === 'accepted')).toBe(true);
          expect([...stays, ...again]).toEqual(positions);
        }
      }),
    );
  });
});

describe('backoff', () => {
  it('doubles up to 5 s, with full jitter', () => {
    expect([1, 2, 3, 6, 7, 12].map((attempt) => backoffDelayMs(attempt, () => 0.999))).toEqual([
      99, 199, 399, 3196, 4995, 4995,
    ]);
    expect(backoffDelayMs(5, () => 0)).toBe(0);
  });

  it('retries throttling and server faults, not a missing stream or a denied call', () => {
    const named = (name: string, extra: object = {}) =>
      Object.assign(new Error(name), { name }, extra);
    expect(isRetryableKinesisError(named('ProvisionedThroughputExceededException'))).toBe(true);
    expect(isRetryableKinesisError(named('KMSThrottlingException'))).toBe(true);
    expect(isRetryableKinesisError(named('Weird', { $metadata: { httpStatusCode: 503 } }))).toBe(
      true,
    );
    expect(isRetryableKinesisError(named('Error', { code: 'ECONNRESET' }))).toBe(true);
    expect(isRetryableKinesisError(named('ResourceNotFoundException'))).toBe(false);
    expect(isRetryableKinesisError(named('AccessDeniedException'))).toBe(false);
    expect(isRetryableKinesisError('ProvisionedThroughputExceededException')).toBe(false);
  });
});

/** One record a fake stream saw: which call, where in it, and the event it carried. */
interface SentRecord {
  call: number;
  position: number;
  partitionKey: string;
  eventId: string;
  bytes: number;
  /** Set when the fake rejected it. */
  errorCode?: string;
}

/**
 * A stand-in for PutRecords and DescribeStreamSummary: `reject` picks the records to fail (an
 * ErrorCode), `failCall` the calls to fail whole. `stream` is what it accepted, in order.
 */
function fakeKinesis(
  options: {
    reject?: (record: SentRecord) => string | undefined;
    failCall?: (call: number) => Error | undefined;
    describe?: () => unknown;
  } = {},
) {
  const calls: SentRecord[][] = [];
  const stream: SentRecord[] = [];
  const client = {
    config: { region: async () => 'eu-west-1' },
    send: async (command: unknown) => {
      if (command instanceof DescribeStreamSummaryCommand) return options.describe?.();
      if (!(command instanceof PutRecordsCommand)) throw new Error('unexpected command');
      const input = command.input as PutRecordsCommandInput;
      const call = calls.length + 1;
      const sent = (input.Records ?? []).map((entry, position): SentRecord => {
        const data = entry.Data ?? new Uint8Array();
        const event = JSON.parse(Buffer.from(data).toString('utf8')) as {
          detail: { eventID: string };
        };
        return {
          call,
          position,
          partitionKey: entry.PartitionKey ?? '',
          eventId: event.detail.eventID,
          bytes: data.byteLength + Buffer.byteLength(entry.PartitionKey ?? ''),
        };
      });
      calls.push(sent);
      const callError = options.failCall?.(call);
      if (callError) throw callError;
      const results = sent.map((record) => {
        const errorCode = options.reject?.(record);
        if (errorCode) {
          record.errorCode = errorCode;
          return { ErrorCode: errorCode, ErrorMessage: `${errorCode} (fake)` };
        }
        stream.push(record);
        return { SequenceNumber: String(stream.length), ShardId: 'shardId-000000000000' };
      });
      return {
        FailedRecordCount: results.filter((r) => 'ErrorCode' in r).length,
        Records: results,
      };
    },
  };
  return { client: client as unknown as KinesisClient, calls, stream };
}

/** Per partition key, the eventIds in stream order, each kept at its last occurrence only. */
function lastOccurrences(stream: readonly SentRecord[]): Map<string, string[]> {
  const byKey = new Map<string, string[]>();
  for (const { partitionKey, eventId } of stream) {
    const ids = (byKey.get(partitionKey) ?? []).filter((id) => id !== eventId);
    byKey.set(partitionKey, [...ids, eventId]);
  }
  return byKey;
}

function eventIdsByKey(inputs: readonly MappedInput[]): Map<string, string[]> {
  const byKey = new Map<string, string[]>();
  for (const input of inputs) {
    const key = partitionKeyOf(input);
    byKey.set(key, [...(byKey.get(key) ?? []), String(input.cloudTrailRecord['eventID'])]);
  }
  return byKey;
}

const noSleep = async () => undefined;

describe('createKinesisSink write', () => {
  it('sends one event per mapped input, in order, keyed by resource, and skips inputs without records', async () => {
    const fake = fakeKinesis();
    const inputs = MAPPED_CLOUDTRAIL_FIXTURES.map((name) =>
      mappedInput(cloudTrailFixture(name), name),
    );
    const ignored: MappedInput = {
      input: { position: 'describe', value: {} },
      cloudTrailRecord: cloudTrailFixture('describe-tasks'),
      records: [],
    };
    const sink = createKinesisSink({ client: fake.client, streamName: 'events', sleep: noSleep });

    const result = await sink.write([...inputs.slice(0, 4), ignored, ...inputs.slice(4)]);

    expect(result).toEqual({ written: 9, alreadyPresent: 0, expired: 0, failed: 0 });
    expect(fake.calls).toHaveLength(1);
    expect(fake.stream.map((r) => [r.eventId, r.partitionKey])).toEqual(
      inputs.map((input) => [input.cloudTrailRecord['eventID'], partitionKeyOf(input)]),
    );
  });

  it('retries rejected records after a backoff, each landing once and in order', async () => {
    const inputs = Array.from({ length: 12 }, (_, i) => apiErrorInput(`e${i}`, `c${i % 3}`));
    // The first call's c1 records are throttled (the shard is busy): all of them, as Kinesis does.
    const fake = fakeKinesis({
      reject: (r) =>
        r.call === 1 && r.partitionKey.endsWith('/c1')
          ? 'ProvisionedThroughputExceededException'
          : undefined,
    });
    const delays: number[] = [];
    const sink = createKinesisSink({
      client: fake.client,
      streamName: 'events',
      sleep: async (ms) => void delays.push(ms),
      random: () => 0.5,
    });

    const result = await sink.write(inputs);

    expect(result).toEqual({ written: 12, alreadyPresent: 0, expired: 0, failed: 0 });
    expect(fake.calls.map((c) => c.map((r) => r.eventId))).toEqual([
      inputs.map((i) => i.cloudTrailRecord['eventID']),
      ['e1', 'e4', 'e7', 'e10'],
    ]);
    expect(delays).toEqual([50]);
    expect(fake.stream).toHaveLength(12);
    expect(lastOccurrences(fake.stream)).toEqual(eventIdsByKey(inputs));
  });

  it('resends a later record of the key that was accepted after an earlier one was rejected', async () => {
    const inputs = ['a', 'b', 'c'].map((id) => apiErrorInput(id, 'batch'));
    const fake = fakeKinesis({
      reject: (r) => (r.call === 1 && r.eventId === 'b' ? 'InternalFailure' : undefined),
    });
    const sink = createKinesisSink({ client: fake.client, streamName: 'events', sleep: noSleep });

    const result = await sink.write(inputs);

    expect(result).toMatchObject({ written: 3, failed: 0 });
    expect(fake.stream.map((r) => r.eventId)).toEqual(['a', 'c', 'b', 'c']);
    expect(lastOccurrences(fake.stream).get(CLUSTER_ARN)).toEqual(['a', 'b', 'c']);
  });

  it('counts a record rejected maxAttempts times as failed, with the stream error', async () => {
    const inputs = ['a', 'b', 'c'].map((id) => apiErrorInput(id, 'batch'));
    const fake = fakeKinesis({
      reject: (r) => (r.eventId === 'b' ? 'ProvisionedThroughputExceededException' : undefined),
    });
    const delays: number[] = [];
    const sink = createKinesisSink({
      client: fake.client,
      streamName: 'events',
      maxAttempts: 3,
      sleep: async (ms) => void delays.push(ms),
      random: () => 0.999,
    });

    const result = await sink.write(inputs);

    expect(result).toMatchObject({ written: 2, alreadyPresent: 0, expired: 0, failed: 1 });
    expect(result.error).toBeInstanceOf(KinesisPutError);
    expect(result.error?.message).toBe(
      `stream events rejected the event of CloudTrail record b (partition key ${CLUSTER_ARN}) 3 time(s): ProvisionedThroughputExceededException: ProvisionedThroughputExceededException (fake)`,
    );
    expect(fake.calls.map((c) => c.map((r) => r.eventId))).toEqual([
      ['a', 'b', 'c'],
      ['b', 'c'],
      ['b', 'c'],
    ]);
    expect(delays).toEqual([99, 199]);
    expect(lastOccurrences(fake.stream).get(CLUSTER_ARN)).toEqual(['a', 'c']);
  });

  it('retries a throttled call, and fails at once on a call the stream refuses', async () => {
    const throttled = Object.assign(new Error('Rate exceeded'), {
      name: 'ProvisionedThroughputExceededException',
    });
    const missing = Object.assign(new Error('Stream events under account 1 not found.'), {
      name: 'ResourceNotFoundException',
    });
    const inputs = ['a', 'b'].map((id) => apiErrorInput(id, 'batch'));

    const retried = fakeKinesis({ failCall: (call) => (call === 1 ? throttled : undefined) });
    const first = await createKinesisSink({
      client: retried.client,
      streamName: 'events',
      sleep: noSleep,
    }).write(inputs);
    const refused = fakeKinesis({ failCall: () => missing });
    const second = await createKinesisSink({
      client: refused.client,
      streamName: 'events',
      sleep: noSleep,
    }).write(inputs);

    expect(first).toMatchObject({ written: 2, failed: 0 });
    expect(retried.calls).toHaveLength(2);
    expect(second).toMatchObject({ written: 0, failed: 2 });
    expect(refused.calls).toHaveLength(1);
    expect(second.error?.message).toBe(
      'PutRecords to stream events failed: ResourceNotFoundException: Stream events under account 1 not found.',
    );
    expect(second.error?.cause).toBe(missing);
  });

  // Found by the property below (clusters [0, 0], rejections [InternalFailure, ok, ok], 2 per
  // call, 2 attempts): b was accepted ahead of a rejected a, then refused when re-sent behind it.
  it('counts as failed an event left ahead of an earlier one of its key', async () => {
    const inputs = ['a', 'b'].map((id) => apiErrorInput(id, 'batch'));
    const verdicts = ['InternalFailure', undefined, undefined, 'InternalFailure'];
    let seen = 0;
    const fake = fakeKinesis({ reject: () => verdicts[seen++] });
    const sink = createKinesisSink({
      client: fake.client,
      streamName: 'events',
      maxAttempts: 2,
      sleep: noSleep,
    });

    const result = await sink.write(inputs);

    expect(fake.stream.map((r) => r.eventId)).toEqual(['b', 'a']);
    expect(result).toMatchObject({ written: 1, failed: 1 });
    expect(result.error?.message).toMatch(
      /^stream events rejected the event of CloudTrail record b .* 2 time\(s\): InternalFailure: .* \(it was accepted before, ahead of an earlier event of its partition key: the order of that key is not kept\)$/,
    );
  });

  it('counts an event over 1 MiB as failed and sends the rest', async () => {
    const inputs = [
      apiErrorInput('a', 'batch'),
      apiErrorInput('huge', 'batch', MiB),
      apiErrorInput('c', 'batch'),
    ];
    const fake = fakeKinesis();
    const sink = createKinesisSink({ client: fake.client, streamName: 'events', sleep: noSleep });

    const result = await sink.write(inputs);

    expect(result).toMatchObject({ written: 2, failed: 1 });
    expect(result.error).toBeInstanceOf(KinesisEnvelopeError);
    expect(fake.stream.map((r) => r.eventId)).toEqual(['a', 'c']);
  });

  it("property: whatever the stream rejects, each event lands in its key's order or is counted failed", async () => {
    const scenario = fc.record({
      clusters: fc.array(fc.integer({ min: 0, max: 3 }), { minLength: 1, maxLength: 40 }),
      rejections: fc.array(
        fc.oneof(
          { weight: 3, arbitrary: fc.constant(undefined) },
          {
            weight: 1,
            arbitrary: fc.constantFrom('InternalFailure', 'ProvisionedThroughputExceededException'),
          },
        ),
        { minLength: 1, maxLength: 60 },
      ),
      maxRecordsPerCall: fc.integer({ min: 1, max: 8 }),
      maxAttempts: fc.integer({ min: 1, max: 8 }),
    });
    await fc.assert(
      fc.asyncProperty(
        scenario,
        async ({ clusters, rejections, maxRecordsPerCall, maxAttempts }) => {
          const inputs = clusters.map((c, i) => apiErrorInput(`e${i}`, `c${c}`));
          let seen = 0;
          const fake = fakeKinesis({ reject: () => rejections[seen++ % rejections.length] });
          const sink = createKinesisSink({
            client: fake.client,
            streamName: 'events',
            maxAttempts,
            sleep: noSleep,
            batchLimits: { maxRecordsPerCall },
          });

          const result = await sink.write(inputs);

          // An event fails when its last send was rejected: never accepted, or accepted once but
          // then not re-sent behind an earlier event of its key.
          const lastSend = new Map(fake.calls.flat().map((r) => [r.eventId, r]));
          const failed = new Set(
            [...lastSend].filter(([, r]) => r.errorCode !== undefined).map(([id]) => id),
          );
          expect(result.failed).toBe(failed.size);
          expect(result.written).toBe(inputs.length - failed.size);
          expect(result.error !== undefined).toBe(failed.size > 0);
          for (const call of fake.calls) expect(call.length).toBeLessThanOrEqual(maxRecordsPerCall);
          for (const id of failed) expect(lastSend.get(id)?.call).toBeDefined();
          const sends = new Map<string, number>();
          for (const r of fake.calls.flat()) sends.set(r.eventId, (sends.get(r.eventId) ?? 0) + 1);
          for (const [id, count] of sends) {
            expect(count).toBeLessThanOrEqual(maxAttempts);
            if (failed.has(id)) expect(count).toBe(maxAttempts);
          }
          const kept = (byKey: Map<string, string[]>) =>
            new Map(
              [...byKey]
                .map(([key, ids]) => [key, ids.filter((id) => !failed.has(id))] as const)
                .filter(([, ids]) => ids.length > 0),
            );
          expect(kept(lastOccurrences(fake.stream))).toEqual(kept(eventIdsByKey(inputs)));
        },
      ),
    );
  });
});

describe('createKinesisSink check', () => {
  const named = (name: string, message: string) => Object.assign(new Error(message), { name });

  it.each([
    [
      'missing stream',
      named('ResourceNotFoundException', 'Stream events under account 111122223333 not found.'),
      'stream events not found in eu-west-1: check the stream name and region',
    ],
    [
      'no credentials',
      named('CredentialsProviderError', 'Could not load credentials from any providers'),
      'no AWS credentials found: configure a profile (aws configure, aws sso login) or set AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY',
    ],
    [
      'access denied',
      named(
        'AccessDeniedException',
        'User: arn:aws:iam::111122223333:user/ops is not authorized to perform:\nkinesis:DescribeStreamSummary',
      ),
      'not allowed to use stream events in eu-west-1: User: arn:aws:iam::111122223333:user/ops is not authorized to perform: kinesis:DescribeStreamSummary',
    ],
    [
      'bad credentials',
      named(
        'UnrecognizedClientException',
        'The security token included in the request is invalid.',
      ),
      'AWS rejected the credentials: The security token included in the request is invalid.',
    ],
  ])('%s → one line', async (_, error, message) => {
    const fake = fakeKinesis({
      describe: () => {
        throw error;
      },
    });
    const sink = createKinesisSink({ client: fake.client, streamName: 'events' });

    const failure = await sink.check().catch((thrown: unknown) => thrown);

    expect(failure).toBeInstanceOf(BackfillSetupError);
    expect((failure as Error).message).toBe(message);
    expect((failure as Error).cause).toBe(error);
  });

  it('passes for an active stream and refuses one being deleted', async () => {
    const active = fakeKinesis({
      describe: () => ({ StreamDescriptionSummary: { StreamStatus: 'ACTIVE' } }),
    });
    const deleting = fakeKinesis({
      describe: () => ({ StreamDescriptionSummary: { StreamStatus: 'DELETING' } }),
    });

    await expect(
      createKinesisSink({ client: active.client, streamName: 'events' }).check(),
    ).resolves.toBeUndefined();
    await expect(
      createKinesisSink({ client: deleting.client, streamName: 'events' }).check(),
    ).rejects.toThrow(new BackfillSetupError('stream events in eu-west-1 is being deleted'));
  });

  it('explains a missing region', () => {
    expect(explainStreamError(new Error('Region is missing'), 'events', '?')).toBe(
      'no AWS region: pass --region or set AWS_REGION',
    );
  });
});
