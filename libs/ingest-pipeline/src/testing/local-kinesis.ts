import type { Server } from 'node:http';
import { Agent } from 'node:http';
import { createRequire } from 'node:module';
import type { _Record, Shard } from '@aws-sdk/client-kinesis';
import {
  CreateStreamCommand,
  DescribeStreamCommand,
  GetRecordsCommand,
  GetShardIteratorCommand,
  KinesisClient,
  PutRecordsCommand,
} from '@aws-sdk/client-kinesis';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import type { KinesisStreamEvent, KinesisStreamRecord } from 'aws-lambda';

/**
 * Real Kinesis records for tests: kinesalite (in-process, in memory) on loopback, the real SDK
 * client, and the shaping of records into the event a Lambda event-source mapping delivers.
 */
export interface LocalKinesis {
  endpoint: string;
  client: KinesisClient;
  stop(): Promise<void>;
}

export const LOCAL_REGION = 'us-east-1';

export async function startKinesalite(): Promise<LocalKinesis> {
  // kinesalite ships no types: this is the part of its API used here. Loaded with require (as
  // audit-store loads dynalite) so that projects using this entry point need no declaration.
  const kinesalite = createRequire(__filename)('kinesalite') as (options: {
    createStreamMs?: number;
    deleteStreamMs?: number;
    updateStreamMs?: number;
  }) => Server;
  const server = kinesalite({ createStreamMs: 0, deleteStreamMs: 0, updateStreamMs: 0 });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const endpoint = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  const client = new KinesisClient({
    endpoint,
    region: LOCAL_REGION,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    // The SDK's default HTTP/2 handler fails against kinesalite with "Protocol error". No
    // keep-alive: the server closes a connection idle for 5 s, and a request sent on it just then
    // fails with ECONNRESET — between two slow tests on a loaded machine, with no retry here.
    requestHandler: new NodeHttpHandler({ httpAgent: new Agent({ keepAlive: false }) }),
    maxAttempts: 1,
  });
  return {
    endpoint,
    client,
    stop: async () => {
      client.destroy();
      await new Promise<void>((resolve, reject) =>
        server.close((error?: Error) => (error ? reject(error) : resolve())),
      );
    },
  };
}

export interface StreamInfo {
  streamName: string;
  streamArn: string;
  shards: Shard[];
}

/** Creates a stream and waits until it is ACTIVE. */
export async function createStream(
  client: KinesisClient,
  streamName: string,
  shardCount: number,
): Promise<StreamInfo> {
  await client.send(new CreateStreamCommand({ StreamName: streamName, ShardCount: shardCount }));
  for (let attempt = 0; attempt < 100; attempt++) {
    const { StreamDescription: description } = await client.send(
      new DescribeStreamCommand({ StreamName: streamName }),
    );
    if (description?.StreamStatus === 'ACTIVE')
      return {
        streamName,
        streamArn: description.StreamARN ?? '',
        shards: description.Shards ?? [],
      };
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error(`stream ${streamName} did not become ACTIVE`);
}

/** PutRecords, failing on any rejected record. */
export async function putRecords(
  client: KinesisClient,
  streamName: string,
  entries: readonly { data: string | Uint8Array; partitionKey: string }[],
): Promise<void> {
  const output = await client.send(
    new PutRecordsCommand({
      StreamName: streamName,
      Records: entries.map((entry) => ({
        Data: typeof entry.data === 'string' ? Buffer.from(entry.data, 'utf8') : entry.data,
        PartitionKey: entry.partitionKey,
      })),
    }),
  );
  if (output.FailedRecordCount) throw new Error(`${output.FailedRecordCount} records rejected`);
}

/** Every record of each shard, from the trim horizon, in sequence-number order. */
export async function readShards(
  client: KinesisClient,
  stream: StreamInfo,
): Promise<{ shardId: string; records: _Record[] }[]> {
  return Promise.all(
    stream.shards.map(async (shard) => {
      const shardId = shard.ShardId ?? '';
      const { ShardIterator } = await client.send(
        new GetShardIteratorCommand({
          StreamName: stream.streamName,
          ShardId: shardId,
          ShardIteratorType: 'TRIM_HORIZON',
        }),
      );
      const records: _Record[] = [];
      let iterator = ShardIterator;
      while (iterator) {
        const output = await client.send(new GetRecordsCommand({ ShardIterator: iterator }));
        records.push(...(output.Records ?? []));
        if (!output.Records?.length || output.MillisBehindLatest === 0) break;
        iterator = output.NextShardIterator;
      }
      return { shardId, records };
    }),
  );
}

/**
 * The event a Kinesis event-source mapping delivers for a batch of one shard's records: base64
 * data, the sequence number, the arrival time in epoch seconds (with milliseconds), and
 * `eventID` `<shardId>:<sequenceNumber>`.
 */
export function toKinesisEsmEvent(
  shardId: string,
  streamArn: string,
  records: readonly _Record[],
  region = LOCAL_REGION,
): KinesisStreamEvent {
  return {
    Records: records.map((record): KinesisStreamRecord => ({
      kinesis: {
        kinesisSchemaVersion: '1.0',
        partitionKey: record.PartitionKey ?? '',
        sequenceNumber: record.SequenceNumber ?? '',
        data: Buffer.from(record.Data ?? new Uint8Array()).toString('base64'),
        approximateArrivalTimestamp: (record.ApproximateArrivalTimestamp?.getTime() ?? 0) / 1000,
      },
      eventSource: 'aws:kinesis',
      eventVersion: '1.0',
      eventID: `${shardId}:${record.SequenceNumber ?? ''}`,
      eventName: 'aws:kinesis:record',
      invokeIdentityArn: 'arn:aws:iam::111122223333:role/ecslog-ingest-kinesis',
      awsRegion: region,
      eventSourceARN: streamArn,
    })),
  };
}
