import type { KinesisClient } from '@aws-sdk/client-kinesis';
import { GetRecordsCommand, GetShardIteratorCommand } from '@aws-sdk/client-kinesis';
import type { ReplayInput, StreamRange } from '@ecslog/ingest-pipeline';
import {
  checkRangeComplete,
  compareSequenceNumbers,
  decodeKinesisData,
  isInRange,
} from '@ecslog/ingest-pipeline';

export interface StreamRangeReaderOptions {
  client: KinesisClient;
  /** `--stream NAME`: read every range from this stream rather than the one its ARN names. */
  streamName?: string;
  /** Pause between GetRecords calls (Kinesis allows 5 per second per shard; default 200 ms). */
  pause?: () => Promise<void>;
}

/** GetRecords calls for one range before giving up on reaching its end. */
const MAX_CALLS = 1_000;

/**
 * Reads a failed batch back from its shard (GetShardIterator AT_SEQUENCE_NUMBER, then GetRecords
 * up to the end sequence number): the batch's inputs, or why the stream no longer holds it.
 */
export function createStreamRangeReader(options: StreamRangeReaderOptions) {
  const { client } = options;
  const pause = options.pause ?? (() => new Promise<void>((resolve) => setTimeout(resolve, 200)));
  return async function readRange(
    range: StreamRange,
    label: string,
  ): Promise<{ inputs: ReplayInput[] } | { reason: string }> {
    const streamName = options.streamName ?? range.streamName;
    const where = `stream ${streamName} shard ${range.shardId}`;
    const records: { sequenceNumber: string; data: Uint8Array }[] = [];
    try {
      let { ShardIterator: iterator } = await client.send(
        new GetShardIteratorCommand({
          StreamName: streamName,
          ShardId: range.shardId,
          ShardIteratorType: 'AT_SEQUENCE_NUMBER',
          StartingSequenceNumber: range.startSequenceNumber,
        }),
      );
      for (let call = 0; iterator && call < MAX_CALLS; call += 1) {
        if (call > 0) await pause();
        const output = await client.send(new GetRecordsCommand({ ShardIterator: iterator }));
        for (const record of output.Records ?? [])
          records.push({
            sequenceNumber: record.SequenceNumber ?? '0',
            data: record.Data ?? new Uint8Array(),
          });
        const last = records.at(-1)?.sequenceNumber;
        const pastEnd =
          last !== undefined && compareSequenceNumbers(last, range.endSequenceNumber) >= 0;
        const caughtUp = (output.Records ?? []).length === 0 && output.MillisBehindLatest === 0;
        if (pastEnd || caughtUp) break;
        iterator = output.NextShardIterator;
      }
    } catch (error) {
      const { name = 'Error', message = String(error) } = error as Error;
      if (name === 'ResourceNotFoundException')
        return {
          reason: `${where} does not exist, so it no longer holds the batch (deleted, or in another account or region: --stream reads another) — ${message}`,
        };
      // Kinesis refuses a sequence number the shard does not hold (any more).
      if (name === 'InvalidArgumentException')
        return {
          reason: `${where} no longer holds the batch's first record ${range.startSequenceNumber} (past the stream's retention?) — ${message}`,
        };
      return { reason: `cannot read ${where}: ${name}: ${message}` };
    }
    const check = checkRangeComplete(
      range,
      records.map((r) => r.sequenceNumber),
    );
    if (!check.complete) return { reason: check.reason };
    return {
      inputs: records
        .filter((record) => isInRange(range, record.sequenceNumber))
        .map((record): ReplayInput => {
          const position = `${label}: ${record.sequenceNumber}`;
          const decoded = decodeKinesisData(Buffer.from(record.data).toString('base64'));
          return decoded.kind === 'json'
            ? { position, value: decoded.value }
            : { position, problem: decoded.problem.message, text: decoded.payload };
        }),
    };
  };
}

export type StreamRangeReader = ReturnType<typeof createStreamRangeReader>;
