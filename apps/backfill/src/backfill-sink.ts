/**
 * Where a backfill writes: the audit table (through `@ecslog/audit-store`, idempotent by
 * recordId) or the Kinesis stream of the stream topology (the raw CloudTrail records, wrapped in
 * the EventBridge "AWS API Call via CloudTrail" envelope, so the live ingest maps them).
 */
import type { AuditRecord } from '@ecslog/ecs-event-mapper';
import type { SourceRecord } from './backfill-source';

/** One mapped input: the source record and the AuditRecords it maps to. */
export interface MappedInput {
  input: SourceRecord;
  /** The CloudTrail record itself (a LookupEvents Event's `CloudTrailEvent` parsed). */
  cloudTrailRecord: Record<string, unknown>;
  records: AuditRecord[];
}

/** What became of a chunk's mapped inputs in the sink. */
export interface SinkResult {
  /** AuditRecords (store) or Kinesis records (stream) newly written. */
  written: number;
  /** Already in the table (a re-run, an overlapping window): nothing new written. */
  alreadyPresent: number;
  /** Older than the table's retention: not stored. */
  expired: number;
  /** Not stored after every retry; the chunk is not checkpointed and the run fails. */
  failed: number;
  /** The first failure's error, for the message. */
  error?: Error;
}

export interface BackfillSink {
  readonly description: string;
  /** Checks before any work that the table or stream exists and can be written. */
  check(): Promise<void>;
  write(inputs: readonly MappedInput[]): Promise<SinkResult>;
}
