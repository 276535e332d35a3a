/**
 * The records of one failed Kinesis batch, as a Kinesis event-source mapping's on-failure record
 * points at them (`KinesisBatchInfo`): one shard, first and last sequence number, how many.
 */
export interface StreamRange {
  streamArn: string;
  /** The stream's name, from the ARN (`arn:aws:kinesis:region:account:stream/NAME`). */
  streamName: string;
  shardId: string;
  startSequenceNumber: string;
  endSequenceNumber: string;
  batchSize: number;
}

const SEQUENCE_NUMBER = /^(0|[1-9]\d{0,128})$/;
const STREAM_ARN = /^arn:[^:]+:kinesis:[^:]*:\d*:stream\/([^/]+)$/;

/**
 * Reads `KinesisBatchInfo`, checking what replaying needs; the reason names the field that is
 * missing or malformed.
 */
export function readStreamRange(info: unknown): StreamRange | { reason: string } {
  if (typeof info !== 'object' || info === null) return { reason: 'is not an object' };
  const { streamArn, shardId, startSequenceNumber, endSequenceNumber, batchSize } = info as Record<
    string,
    unknown
  >;
  const name = typeof streamArn === 'string' ? STREAM_ARN.exec(streamArn)?.[1] : undefined;
  if (typeof streamArn !== 'string' || name === undefined)
    return { reason: `has no Kinesis stream ARN (streamArn ${JSON.stringify(streamArn)})` };
  if (typeof shardId !== 'string' || shardId === '') return { reason: 'has no shardId' };
  for (const [field, value] of [
    ['startSequenceNumber', startSequenceNumber],
    ['endSequenceNumber', endSequenceNumber],
  ] as const)
    if (typeof value !== 'string' || !SEQUENCE_NUMBER.test(value))
      return { reason: `has no valid ${field} (${JSON.stringify(value)})` };
  const start = startSequenceNumber as string;
  const end = endSequenceNumber as string;
  if (compareSequenceNumbers(start, end) > 0)
    return { reason: `has startSequenceNumber ${start} after endSequenceNumber ${end}` };
  if (!Number.isInteger(batchSize) || (batchSize as number) < 1)
    return { reason: `has no valid batchSize (${JSON.stringify(batchSize)})` };
  return {
    streamArn,
    streamName: name,
    shardId,
    startSequenceNumber: start,
    endSequenceNumber: end,
    batchSize: batchSize as number,
  };
}

/** Orders two Kinesis sequence numbers (decimal strings of up to 129 digits). */
export function compareSequenceNumbers(a: string, b: string): number {
  const x = BigInt(a);
  const y = BigInt(b);
  return x < y ? -1 : x > y ? 1 : 0;
}

/** Whether a record read from the shard lies inside the range. */
export function isInRange(range: StreamRange, sequenceNumber: string): boolean {
  return (
    compareSequenceNumbers(sequenceNumber, range.startSequenceNumber) >= 0 &&
    compareSequenceNumbers(sequenceNumber, range.endSequenceNumber) <= 0
  );
}

/**
 * Whether the records read back from the shard (in order, starting at the range's start) are the
 * whole batch: the first is the batch's first record and the last its last. Otherwise the stream
 * no longer holds them all (its retention passed, or the shard is gone) and the reason says so.
 */
export function checkRangeComplete(
  range: StreamRange,
  sequenceNumbers: readonly string[],
): { complete: true } | { complete: false; reason: string } {
  const inRange = sequenceNumbers.filter((sequenceNumber) => isInRange(range, sequenceNumber));
  const where = `stream ${range.streamName} shard ${range.shardId}`;
  if (inRange[0] !== range.startSequenceNumber)
    return {
      complete: false,
      reason: `${where} no longer holds the batch's first record ${range.startSequenceNumber} (past the stream's retention?); ${inRange.length} of ${range.batchSize} records found`,
    };
  if (inRange.at(-1) !== range.endSequenceNumber)
    return {
      complete: false,
      reason: `${where} holds ${inRange.length} of ${range.batchSize} records of the batch, but not its last record ${range.endSequenceNumber}`,
    };
  return { complete: true };
}
