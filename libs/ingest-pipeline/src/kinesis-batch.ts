/**
 * Which records of a Kinesis batch to hand back to Lambda. Pure.
 *
 * Lambda restarts a shard from the lowest sequence number reported, so the report must keep each
 * partition key's order: once a record of a key fails, every later record of that key in the
 * batch is reported too, even if it was written — redelivery then replays that key in order
 * (writes are idempotent, so replaying a written record changes nothing).
 *
 * A quarantined record (invalid, and safely held) is never reported: an invalid record would
 * fail again on every retry and block the shard. Only a record whose quarantine failed counts as
 * failed (nothing may be lost).
 */

/** What became of one record of the batch. */
export type RecordOutcome = 'done' | 'quarantined' | 'failed';

export interface BatchRecordOutcome {
  sequenceNumber: string;
  partitionKey: string;
  outcome: RecordOutcome;
}

/**
 * The sequence numbers to report as batch item failures, in batch order.
 *
 * @example
 * recordsToRetry([
 *   { sequenceNumber: '1', partitionKey: 'a', outcome: 'failed' },
 *   { sequenceNumber: '2', partitionKey: 'b', outcome: 'done' },
 *   { sequenceNumber: '3', partitionKey: 'a', outcome: 'done' },
 * ]); // ['1', '3']
 */
export function recordsToRetry(records: readonly BatchRecordOutcome[]): string[] {
  const failedKeys = new Set<string>();
  const retry: string[] = [];
  for (const record of records) {
    if (record.outcome === 'failed') failedKeys.add(record.partitionKey);
    if (record.outcome === 'quarantined') continue;
    if (failedKeys.has(record.partitionKey)) retry.push(record.sequenceNumber);
  }
  return retry;
}
