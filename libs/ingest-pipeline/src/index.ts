/**
 * @ecslog/ingest-pipeline — ECS events into the audit table: `mapEvent`, then `writeRecords`,
 * with invalid inputs quarantined. Handler factories for the two topologies (an EventBridge rule;
 * a Kinesis event-source mapping with partial batch failures), the per-partition-key retry rule,
 * Kinesis data decoding, and two quarantines (SQS; an NDJSON file for local mode). The caller
 * builds the dependencies (writer, quarantine, logger, metrics, clock) once, in its composition
 * root.
 *
 * @example
 * import { createFileQuarantine, createKinesisHandler } from '@ecslog/ingest-pipeline';
 * const handler = createKinesisHandler({
 *   writer: createAuditWriter({ client, tableName }),
 *   quarantine: createFileQuarantine({ path: '.ecslog/quarantine.ndjson' }),
 *   logger,
 *   metrics,
 *   clock: () => new Date(),
 * });
 * const { batchItemFailures } = await handler(kinesisEvent);
 */
export { AuditWriteError, createEventBridgeHandler } from './eventbridge-ingest';
export type { EventBridgeIngestHandler } from './eventbridge-ingest';
export { createKinesisHandler } from './kinesis-ingest';
export type { KinesisIngestHandler } from './kinesis-ingest';
export { DETAIL_TYPE_DIMENSION, GENERIC_EVENTS_METRIC, METRIC_NAMES } from './ingest-dependencies';
export type {
  DimensionedMetric,
  IngestDependencies,
  IngestLogger,
  IngestMetrics,
  MetricName,
  Tally,
} from './ingest-dependencies';
export { parseQuarantineEntry, QuarantineError, stringifyQuarantineEntry } from './quarantine';
export type { IngestSource, Quarantine, QuarantineEntry } from './quarantine';
export { createFileQuarantine } from './file-quarantine';
export type { FileQuarantineOptions } from './file-quarantine';
export {
  createSqsQuarantine,
  reassembleQuarantineEntry,
  SQS_DEFAULT_QUEUE_MESSAGE_BYTES,
  SQS_MAX_MESSAGE_BYTES,
} from './sqs-quarantine';
export type { QuarantinePart, SqsQuarantineOptions } from './sqs-quarantine';
export { recordsToRetry } from './kinesis-batch';
export type { BatchRecordOutcome, RecordOutcome } from './kinesis-batch';
export { decodeKinesisData } from './kinesis-data';
export type { KinesisData } from './kinesis-data';
export {
  checkRangeComplete,
  compareSequenceNumbers,
  isInRange,
  readParkedMessage,
  readStreamRange,
  settleParked,
} from './redrive';
export type {
  InputOutcome,
  ParkedFormat,
  ParkedOutcome,
  ParkedReading,
  ReplayInput,
  StreamRange,
} from './redrive';
