import type {
  PutRecordsCommandInput,
  PutRecordsCommandOutput,
  PutRecordsResultEntry,
  _Record,
} from '@aws-sdk/client-kinesis';
import { MAPPED_CLOUDTRAIL_FIXTURES } from '../testing';
import { DeleteStreamCommand, KinesisClient } from '@aws-sdk/client-kinesis';
import type { AuditRecord } from '@ecslog/ecs-event-mapper';
import { mapEvent } from '@ecslog/ecs-event-mapper';
import type { RunTaskFacts } from '@ecslog/ecs-event-mapper/testing';
import { loadFixture, runTaskRecordArb, runTaskRecordOf } from '@ecslog/ecs-event-mapper/testing';
import { createKinesisHandler } from '@ecslog/ingest-pipeline';
import type { LocalKinesis, StreamInfo } from '@ecslog/ingest-pipeline/testing';
import {
  LOCAL_REGION,
  TEST_NOW,
  createMemoryWriter,
  createRecordingLogger,
  createRecordingMetrics,
  createStream,
  readShards,
  startKinesalite,
  toKinesisEsmEvent,
} from '@ecslog/ingest-pipeline/testing';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import fc from 'fast-check';
import type { MappedInput } from '../backfill-sink';
import { BackfillSetupError } from '../backfill-source';
import { createKinesisSink, envelopeIdOf, partitionKeyOf } from './kinesis-sink';

const MiB = 1024 * 1024;

/** A source record mapped as the backfill maps it. */
function mappedInput(record: Record<string, unknown>, position: string): MappedInput {
  const result = mapEvent(record);
  if (result.kind !== 'mapped') throw new Error(`${position} does not map (${result.kind})`);
  return { input: { position, value: record }, cloudTrailRecord: record, records: result.records };
}

function eventIdOf(input: MappedInput): string {
  return String(input.cloudTrailRecord['eventID']);
}

/** Round-robin over the lists, so that keys interleave as in a real CloudTrail history. */
function interleave<T>(...lists: T[][]): T[] {
  const longest = Math.max(...lists.map((list) => list.length));
  return Array.from({ length: longest }, (_, i) =>
    lists.flatMap((list) => list.slice(i, i + 1)),
  ).flat();
}

const RUN_AT = Date.UTC(2026, 10, 20, 3, 0, 0);

/** A scheduled RunTask on cluster "nightly", `n` minutes after RUN_AT. */
function nightlyRunTask(n: number, outcome: Partial<RunTaskFacts>): Record<string, unknown> {
  return runTaskRecordOf({
    eventId: `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`,
    region: 'eu-west-1',
    account: '111122223333',
    clusterName: 'nightly',
    family: 'nightly-report',
    revision: 7,
    callerArn: 'arn:aws:sts::111122223333:assumed-role/ecsEventsRole/a1b2c3d4e5f60718',
    atMs: RUN_AT + n * 60_000,
    taskIds: [],
    failureReasons: [],
    ...outcome,
  });
}

/** RunTask of the success fixture with `count` environment overrides of ~170 bytes each. */
function runTaskWithEnvironment(eventId: string, count: number): Record<string, unknown> {
  const record = loadFixture('cloudtrail/runtask-success.json');
  const environment = Array.from({ length: count }, (_, i) => ({
    name: `FEATURE_FLAG_${i}`,
    value: `${'enabled;'.repeat(17)}${i}`,
  }));
  return {
    ...record,
    eventID: eventId,
    requestParameters: {
      ...(record['requestParameters'] as Record<string, unknown>),
      overrides: { containerOverrides: [{ name: 'report', environment }] },
    },
  };
}

/**
 * A realistic backfill chunk: every mapped CloudTrail fixture, a log file's and a LookupEvents
 * page's records, generated RunTask calls, and keys with many records each (a scheduled task
 * failing every minute on one cluster, placements failing on one container instance, RunTask
 * calls with large environment overrides) — interleaved.
 */
function realisticInputs(): MappedInput[] {
  const fixtures = MAPPED_CLOUDTRAIL_FIXTURES.map((name) =>
    mappedInput(loadFixture(`cloudtrail/${name}.json`), `cloudtrail/${name}.json`),
  );
  const logFile = loadFixture<{ Records: Record<string, unknown>[] }>('cloudtrail/log-file.json')
    .Records.map((record, i) => ({ record, position: `log-file.json: Records[${i}]` }))
    .filter(({ record }) => mapEvent(record).kind === 'mapped')
    .map(({ record, position }) => mappedInput(record, position));
  const lookup = loadFixture<{ Events: { CloudTrailEvent: string }[] }>(
    'cloudtrail/lookup-events-response.json',
  ).Events.map((event, i) =>
    mappedInput(
      JSON.parse(event.CloudTrailEvent) as Record<string, unknown>,
      `lookup eu-west-1 page 1 [${i}]`,
    ),
  );
  const generated = fc
    .sample(runTaskRecordArb, { numRuns: 150, seed: 20261120 })
    .map(({ event }, i) => mappedInput(event, `generated[${i}]`));
  const apiErrors = Array.from({ length: 40 }, (_, n) =>
    mappedInput(
      nightlyRunTask(n, { errorCode: 'InvalidParameterException' }),
      `nightly api error ${n}`,
    ),
  );
  const placements = Array.from({ length: 25 }, (_, n) =>
    mappedInput(
      nightlyRunTask(100 + n, { failureReasons: ['RESOURCE:MEMORY'] }),
      `nightly placement ${n}`,
    ),
  );
  // 12 × ~520 KB: more than one PutRecords call's 5 MiB, all about the same task.
  const large = Array.from({ length: 12 }, (_, n) =>
    mappedInput(runTaskWithEnvironment(`large-${String(n).padStart(2, '0')}`, 3_000), `large ${n}`),
  );
  // The log file and the LookupEvents page repeat some fixtures' records: each is kept once.
  const cloudTrail = [...fixtures, ...logFile, ...lookup].filter(
    (input, i, all) => all.findIndex((other) => eventIdOf(other) === eventIdOf(input)) === i,
  );
  return interleave(cloudTrail, generated, apiErrors, placements, large);
}

type Verdict = 'ProvisionedThroughputExceededException' | 'InternalFailure' | undefined;

/** One record offered to PutRecords, as the interceptor saw it. */
interface OfferedRecord {
  call: number;
  position: number;
  partitionKey: string;
  eventId: string;
  bytes: number;
  verdict: Verdict;
}

/**
 * A Kinesis client to kinesalite that sees every PutRecords call and rejects the records
 * `verdict` picks as Kinesis does: they are not stored and come back with an ErrorCode (and
 * FailedRecordCount) in their place, while the others reach kinesalite.
 */
function interceptedClient(
  endpoint: string,
  verdict: (record: OfferedRecord) => Verdict = () => undefined,
): { client: KinesisClient; calls: OfferedRecord[][] } {
  const client = new KinesisClient({
    endpoint,
    region: LOCAL_REGION,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    requestHandler: new NodeHttpHandler(),
    maxAttempts: 1,
  });
  const calls: OfferedRecord[][] = [];
  client.middlewareStack.add(
    (next, context) => async (args) => {
      if (context.commandName !== 'PutRecordsCommand') return next(args);
      const input = args.input as PutRecordsCommandInput;
      const entries = input.Records ?? [];
      const offered = entries.map((entry, position): OfferedRecord => {
        const data = entry.Data ?? new Uint8Array();
        const event = JSON.parse(Buffer.from(data).toString('utf8')) as {
          detail: { eventID: string };
        };
        const record: OfferedRecord = {
          call: calls.length + 1,
          position,
          partitionKey: entry.PartitionKey ?? '',
          eventId: event.detail.eventID,
          bytes: data.byteLength + Buffer.byteLength(entry.PartitionKey ?? ''),
          verdict: undefined,
        };
        record.verdict = verdict(record);
        return record;
      });
      calls.push(offered);
      const kept = entries.filter((_, i) => offered[i]?.verdict === undefined);
      const stored =
        kept.length > 0
          ? ((await next({ ...args, input: { ...input, Records: kept } })) as {
              output: PutRecordsCommandOutput;
              response: unknown;
            })
          : undefined;
      const accepted = [...(stored?.output.Records ?? [])];
      const records = offered.map(({ verdict: code }): PutRecordsResultEntry =>
        code
          ? {
              ErrorCode: code,
              ErrorMessage:
                code === 'InternalFailure'
                  ? 'Internal service failure.'
                  : 'Rate exceeded for shard shardId-000000000000 in stream under account 000000000000.',
            }
          : (accepted.shift() as PutRecordsResultEntry),
      );
      const output: PutRecordsCommandOutput = {
        $metadata: stored?.output.$metadata ?? {},
        FailedRecordCount: records.filter((r) => r.ErrorCode).length,
        Records: records,
      };
      return { output, response: stored?.response ?? {} } as Awaited<ReturnType<typeof next>>;
    },
    { step: 'initialize', name: 'interceptPutRecords' },
  );
  return { client, calls };
}

/** The stream's records, each with its event parsed, shard by shard in sequence order. */
async function readStream(kinesis: LocalKinesis, stream: StreamInfo) {
  const shards = await readShards(kinesis.client, stream);
  return shards.map(({ shardId, records }) => ({
    shardId,
    records,
    events: records.map((record) => ({
      partitionKey: record.PartitionKey ?? '',
      event: JSON.parse(Buffer.from(record.Data ?? new Uint8Array()).toString('utf8')) as Record<
        string,
        unknown
      > & { id: string; detail: { eventID: string } },
    })),
  }));
}

/** Per partition key, the CloudTrail eventIDs in stream order. */
function eventIdsByKey(events: readonly { partitionKey: string; eventId: string }[]) {
  const byKey = new Map<string, string[]>();
  for (const { partitionKey, eventId } of events)
    byKey.set(partitionKey, [...(byKey.get(partitionKey) ?? []), eventId]);
  return byKey;
}

function streamOrder(shards: Awaited<ReturnType<typeof readStream>>) {
  return eventIdsByKey(
    shards.flatMap((shard) =>
      shard.events.map(({ partitionKey, event }) => ({
        partitionKey,
        eventId: event.detail.eventID,
      })),
    ),
  );
}

function inputOrder(inputs: readonly MappedInput[]) {
  return eventIdsByKey(
    inputs.map((input) => ({ partitionKey: partitionKeyOf(input), eventId: eventIdOf(input) })),
  );
}

/** kinesalite allows 10 shards per account: streams of one test are deleted after it. */
async function deleteStream(kinesis: LocalKinesis, streamName: string): Promise<void> {
  await kinesis.client.send(new DeleteStreamCommand({ StreamName: streamName }));
}

const noSleep = async () => undefined;
const byRecordId = (a: AuditRecord, b: AuditRecord) => a.recordId.localeCompare(b.recordId);

describe('Kinesis sink on kinesalite, through the real SDK client', () => {
  let kinesis: LocalKinesis;

  beforeAll(async () => {
    kinesis = await startKinesalite();
  });

  afterAll(async () => {
    await kinesis.stop();
  });

  describe('a realistic chunk of mapped CloudTrail records', () => {
    const inputs = realisticInputs();
    const oversized = mappedInput(runTaskWithEnvironment('oversized', 7_000), 'oversized');
    // The oversized event goes in the middle, among records of its own key.
    const chunk = [...inputs.slice(0, 100), oversized, ...inputs.slice(100)];
    let stream: StreamInfo;
    let intercepted: ReturnType<typeof interceptedClient>;
    let result: Awaited<ReturnType<ReturnType<typeof createKinesisSink>['write']>>;
    let shards: Awaited<ReturnType<typeof readStream>>;

    beforeAll(async () => {
      stream = await createStream(kinesis.client, 'ecslog-ecs-events', 4);
      intercepted = interceptedClient(kinesis.endpoint);
      const sink = createKinesisSink({
        client: intercepted.client,
        streamName: stream.streamName,
        sleep: noSleep,
      });
      await sink.check();
      result = await sink.write(chunk);
      shards = await readStream(kinesis, stream);
    });

    afterAll(() => intercepted.client.destroy());

    it('writes every event once and counts the oversized one as failed', () => {
      const ids = shards.flatMap((shard) => shard.events.map(({ event }) => event.detail.eventID));

      expect(inputs.length).toBeGreaterThan(200);
      expect(result.written).toBe(inputs.length);
      expect(result.failed).toBe(1);
      expect(result.alreadyPresent).toBe(0);
      expect(result.error?.message).toMatch(
        /^oversized: the EventBridge event of CloudTrail record oversized is \d+ bytes .* over Kinesis' 1048576-byte record limit/,
      );
      expect([...ids].sort()).toEqual(inputs.map(eventIdOf).sort());
    });

    it('sends PutRecords calls within 500 records and 5 MiB, splitting by bytes', () => {
      const sizes = intercepted.calls.map((call) => ({
        records: call.length,
        bytes: call.reduce((sum, r) => sum + r.bytes, 0),
      }));

      expect(sizes.length).toBeGreaterThan(1);
      for (const size of sizes) {
        expect(size.records).toBeLessThanOrEqual(500);
        expect(size.bytes).toBeLessThanOrEqual(5 * MiB);
      }
      expect(sizes[0]?.bytes).toBeGreaterThan(4 * MiB); // full by bytes, not by count
      expect(intercepted.calls.flat().map((r) => r.eventId)).toEqual(inputs.map(eventIdOf));
    });

    it('keys each record by its resource and keeps every key in input order', () => {
      const byEventId = new Map(inputs.map((input) => [eventIdOf(input), input]));

      for (const shard of shards)
        for (const { partitionKey, event } of shard.events)
          expect(partitionKey).toBe(
            partitionKeyOf(byEventId.get(event.detail.eventID) as MappedInput),
          );
      expect(streamOrder(shards)).toEqual(inputOrder(inputs));
      expect(
        inputOrder(inputs).get('arn:aws:ecs:eu-west-1:111122223333:cluster/nightly'),
      ).toHaveLength(40);
    });

    it('sends the EventBridge event of each record, which maps to the same AuditRecords', () => {
      const byEventId = new Map(inputs.map((input) => [eventIdOf(input), input]));

      for (const { event } of shards.flatMap((shard) => shard.events)) {
        const input = byEventId.get(event.detail.eventID) as MappedInput;
        expect(event).toMatchObject({
          version: '0',
          id: envelopeIdOf(eventIdOf(input)),
          'detail-type': 'AWS API Call via CloudTrail',
          source: 'aws.ecs',
          resources: [],
          detail: input.cloudTrailRecord,
        });
        expect(mapEvent(event)).toEqual({ kind: 'mapped', records: input.records });
      }
    });

    it('is taken by the live Kinesis ingest like live events: every AuditRecord written, nothing retried', async () => {
      const writer = createMemoryWriter();
      const held: unknown[] = [];
      const handler = createKinesisHandler({
        writer,
        quarantine: { hold: async (entry) => void held.push(entry) },
        logger: createRecordingLogger(),
        metrics: createRecordingMetrics(),
        clock: () => TEST_NOW,
      });

      const responses = [];
      for (const shard of shards)
        if (shard.records.length > 0)
          responses.push(
            await handler(toKinesisEsmEvent(shard.shardId, stream.streamArn, shard.records)),
          );

      expect(responses.every((r) => r.batchItemFailures.length === 0)).toBe(true);
      expect(held).toEqual([]);
      expect(writer.calls.flat().sort(byRecordId)).toEqual(
        inputs.flatMap((input) => input.records).sort(byRecordId),
      );
    });
  });

  describe('records the stream rejects', () => {
    const inputs = interleave(
      fc
        .sample(runTaskRecordArb, { numRuns: 60, seed: 7 })
        .map(({ event }, i) => mappedInput(event, `generated[${i}]`)),
      Array.from({ length: 30 }, (_, n) =>
        mappedInput(nightlyRunTask(n, { errorCode: 'InvalidParameterException' }), `error ${n}`),
      ),
      Array.from({ length: 20 }, (_, n) =>
        mappedInput(nightlyRunTask(200 + n, { failureReasons: ['RESOURCE:CPU'] }), `place ${n}`),
      ),
    );
    const nightly = 'arn:aws:ecs:eu-west-1:111122223333:cluster/nightly';

    async function writeThrough(
      streamName: string,
      verdict: (record: OfferedRecord) => Verdict,
      options: { maxAttempts?: number; maxRecordsPerCall?: number } = {},
    ) {
      const stream = await createStream(kinesis.client, streamName, 3);
      const intercepted = interceptedClient(kinesis.endpoint, verdict);
      const delays: number[] = [];
      try {
        const result = await createKinesisSink({
          client: intercepted.client,
          streamName,
          sleep: async (ms) => void delays.push(ms),
          ...(options.maxAttempts ? { maxAttempts: options.maxAttempts } : {}),
          ...(options.maxRecordsPerCall
            ? { batchLimits: { maxRecordsPerCall: options.maxRecordsPerCall } }
            : {}),
        }).write(inputs);
        return {
          result,
          calls: intercepted.calls,
          delays,
          shards: await readStream(kinesis, stream),
        };
      } finally {
        intercepted.client.destroy();
        await deleteStream(kinesis, streamName);
      }
    }

    it('retries throttled records with backoff: each lands once, every key in order', async () => {
      // A busy shard rejects a key's records from some point of a call on, as Kinesis does.
      let throttledCall = 0;
      let throttled = new Set<string>();
      const { result, calls, delays, shards } = await writeThrough(
        'ecslog-throttled',
        (record) => {
          if (record.call !== throttledCall) [throttledCall, throttled] = [record.call, new Set()];
          if (
            record.call <= 4 &&
            (record.position % 9 === 4 || (record.partitionKey === nightly && record.position > 20))
          )
            throttled.add(record.partitionKey);
          return throttled.has(record.partitionKey)
            ? 'ProvisionedThroughputExceededException'
            : undefined;
        },
        { maxRecordsPerCall: 40 },
      );

      const rejected = calls.flat().filter((r) => r.verdict !== undefined);
      const ids = shards.flatMap((shard) => shard.events.map(({ event }) => event.detail.eventID));

      expect(rejected.length).toBeGreaterThan(10);
      expect(new Set(rejected.map((r) => r.call)).size).toBeGreaterThan(1);
      expect(delays.length).toBeGreaterThan(0);
      expect(result).toEqual({ written: inputs.length, alreadyPresent: 0, expired: 0, failed: 0 });
      expect(ids).toHaveLength(inputs.length);
      expect([...ids].sort()).toEqual(inputs.map(eventIdOf).sort());
      expect(streamOrder(shards)).toEqual(inputOrder(inputs));
    });

    it('re-sends the later records of a key that overtook a rejected one, so the key ends in order', async () => {
      // One record of the nightly cluster fails inside the call; later ones of its key succeed.
      let nightlySeen = 0;
      const { result, calls, shards } = await writeThrough('ecslog-internal-failure', (record) =>
        record.call === 1 && record.partitionKey === nightly && ++nightlySeen === 3
          ? 'InternalFailure'
          : undefined,
      );

      const order = streamOrder(shards).get(nightly) ?? [];
      const expected = inputOrder(inputs).get(nightly) ?? [];
      const lastOccurrences = order.filter((id, i) => !order.includes(id, i + 1));

      expect(result).toMatchObject({ written: inputs.length, failed: 0 });
      expect(calls).toHaveLength(2);
      // The failed one and every later record of its key are sent again, nothing else.
      expect(calls[1]?.map((r) => r.eventId)).toEqual(expected.slice(2));
      expect(order).toEqual([...expected.slice(0, 2), ...expected.slice(3), ...expected.slice(2)]);
      expect(lastOccurrences).toEqual(expected);
      const others = [...streamOrder(shards)].filter(([key]) => key !== nightly);
      expect(new Map(others)).toEqual(
        new Map([...inputOrder(inputs)].filter(([key]) => key !== nightly)),
      );
    });

    it('gives up on a record after maxAttempts and says why; the rest of its key still lands in order', async () => {
      const expected = inputOrder(inputs).get(nightly) ?? [];
      const doomed = expected[5];
      const { result, calls, delays, shards } = await writeThrough(
        'ecslog-doomed',
        (record) =>
          record.eventId === doomed ? 'ProvisionedThroughputExceededException' : undefined,
        { maxAttempts: 3 },
      );

      expect(result).toMatchObject({ written: inputs.length - 1, failed: 1 });
      expect(result.error?.message).toMatch(
        new RegExp(
          `^stream ecslog-doomed rejected the event of CloudTrail record ${doomed} \\(partition key ${nightly}\\) 3 time\\(s\\): ProvisionedThroughputExceededException: Rate exceeded`,
        ),
      );
      expect(calls.flat().filter((r) => r.eventId === doomed)).toHaveLength(3);
      expect(delays).toHaveLength(2);
      const order = streamOrder(shards).get(nightly) ?? [];
      expect(order.filter((id, i) => !order.includes(id, i + 1))).toEqual(
        expected.filter((id) => id !== doomed),
      );
      expect(order).not.toContain(doomed);
    });
  });

  describe('a stream that does not exist', () => {
    it('fails the check with one line naming the stream and region', async () => {
      const sink = createKinesisSink({ client: kinesis.client, streamName: 'no-such-stream' });

      const failure = await sink.check().catch((error: unknown) => error);

      expect(failure).toBeInstanceOf(BackfillSetupError);
      expect((failure as Error).message).toBe(
        `stream no-such-stream not found in ${LOCAL_REGION}: check the stream name and region`,
      );
      expect((failure as Error & { cause: Error }).cause.name).toBe('ResourceNotFoundException');
    });

    it('fails a write at once, every record counted failed', async () => {
      const sink = createKinesisSink({
        client: kinesis.client,
        streamName: 'no-such-stream',
        sleep: noSleep,
      });
      const chunk = realisticInputs().slice(0, 20);

      const result = await sink.write(chunk);

      expect(result).toMatchObject({ written: 0, failed: 20 });
      expect(result.error?.message).toMatch(
        /^PutRecords to stream no-such-stream failed: ResourceNotFoundException: /,
      );
    });
  });

  it('sends byte-identical events on a re-run (the same envelope ids)', async () => {
    const chunk = realisticInputs().slice(0, 30);
    const streams = await Promise.all(
      ['ecslog-run-1', 'ecslog-run-2'].map((name) => createStream(kinesis.client, name, 1)),
    );
    for (const stream of streams)
      await createKinesisSink({ client: kinesis.client, streamName: stream.streamName }).write(
        chunk,
      );

    const [first, second] = await Promise.all(
      streams.map((stream) => readShards(kinesis.client, stream)),
    );
    const data = (shards: { records: _Record[] }[] | undefined) =>
      (shards ?? []).flatMap((shard) =>
        shard.records.map((r) => Buffer.from(r.Data ?? []).toString('utf8')),
      );

    await Promise.all(streams.map((stream) => deleteStream(kinesis, stream.streamName)));
    expect(data(first)).toHaveLength(30);
    expect(data(second)).toEqual(data(first));
  });
});
