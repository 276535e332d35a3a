import type { WriteResult } from '@ecslog/audit-store';
import type { AuditRecord, MapResult, Problem } from '@ecslog/ecs-event-mapper';
import { describeProblems, mapEvent } from '@ecslog/ecs-event-mapper';
import type {
  Context,
  KinesisStreamBatchResponse,
  KinesisStreamEvent,
  KinesisStreamRecord,
} from 'aws-lambda';
import type { DetailTypeCounts, IngestDependencies } from './ingest-dependencies';
import {
  asError,
  countGenericRecords,
  emptyTally,
  publishDetailTypeCounts,
  publishTally,
  tallyWrites,
} from './ingest-dependencies';
import type { RecordOutcome } from './kinesis-batch';
import { recordsToRetry } from './kinesis-batch';
import { decodeKinesisData } from './kinesis-data';
import type { QuarantineEntry } from './quarantine';

/** The Lambda function behind a Kinesis event-source mapping with `ReportBatchItemFailures`. */
export type KinesisIngestHandler = (
  event: KinesisStreamEvent,
  context?: Context,
) => Promise<KinesisStreamBatchResponse>;

/** Most ids listed in one log line; the counts are always complete. */
const LOGGED_IDS = 50;

/** One Kinesis record, read and mapped. */
interface ReadRecord {
  record: KinesisStreamRecord;
  result: MapResult;
  payloadEncoding: QuarantineEntry['payloadEncoding'];
}

/** A record to quarantine: its place in the batch, its problems and its payload as received. */
interface InvalidRecord {
  index: number;
  input: ReadRecord;
  problems: Problem[];
  payload: unknown;
}

/**
 * Ingest for the stream topology: a Kinesis event-source mapping delivers a batch of one shard's
 * records, each an ECS event as JSON.
 *
 * Every record is decoded and mapped; the mapped records of the whole batch are written in one
 * `writeRecords` call while the invalid ones (including data that is not JSON) are quarantined.
 * The response reports, by sequence number, each record whose AuditRecords were not all stored
 * or whose quarantine failed, plus every later record of the same partition key
 * ({@link recordsToRetry}). Invalid records that were quarantined are never reported.
 *
 * @example
 * export const handler = createKinesisHandler({ writer, quarantine, logger, metrics, clock });
 */
export function createKinesisHandler(deps: IngestDependencies): KinesisIngestHandler {
  const { writer, quarantine, logger, metrics, clock } = deps;
  const mapper = deps.mapper ?? mapEvent;

  /** Writes the batch's records; a writer that rejects (it should not) fails every record. */
  async function writeAll(records: readonly AuditRecord[]): Promise<WriteResult[]> {
    if (records.length === 0) return [];
    try {
      return await writer.writeRecords(records);
    } catch (thrown) {
      const error = asError(thrown);
      logger.error('the writer failed for the whole batch', { records: records.length, error });
      return records.map((r) => ({ recordId: r.recordId, status: 'failed', error }));
    }
  }

  /** Quarantines the invalid records one by one (they are rare); the error of each that failed. */
  async function quarantineAll(
    invalid: readonly InvalidRecord[],
    receivedAt: string,
  ): Promise<Map<number, Error>> {
    const failures = new Map<number, Error>();
    for (const { index, input, problems, payload } of invalid) {
      const { record } = input;
      const ids = recordIds(record);
      const reason = describeProblems(problems);
      try {
        await quarantine.hold({
          source: 'kinesis',
          receivedAt,
          reason,
          problems,
          payload,
          payloadEncoding: input.payloadEncoding,
          origin: {
            eventSourceArn: record.eventSourceARN,
            eventId: record.eventID,
            partitionKey: record.kinesis.partitionKey,
            sequenceNumber: record.kinesis.sequenceNumber,
            approximateArrivalTimestamp: record.kinesis.approximateArrivalTimestamp,
          },
        });
        logger.warn('record invalid: quarantined', { ...ids, problems: problems.length, reason });
      } catch (thrown) {
        const error = asError(thrown);
        failures.set(index, error);
        logger.error('invalid record not quarantined: reported for retry', {
          ...ids,
          reason,
          error,
        });
      }
    }
    return failures;
  }

  return async function handleKinesisBatch(event, context) {
    if (context) logger.addContext?.(context);
    const tally = emptyTally();
    const detailTypes: DetailTypeCounts = new Map();
    try {
      const receivedAt = clock().toISOString();
      const inputs = event.Records.map((record) => readRecord(record, mapper));

      const records: AuditRecord[] = [];
      const owners: number[] = [];
      const invalid: InvalidRecord[] = [];
      inputs.forEach((input, index) => {
        const { result } = input;
        tally[result.kind] += 1;
        if (result.kind === 'mapped') {
          countGenericRecords(detailTypes, result.records);
          for (const auditRecord of result.records) {
            records.push(auditRecord);
            owners.push(index);
          }
        } else if (result.kind === 'invalid') {
          invalid.push({ index, input, problems: result.problems, payload: result.input });
        } else {
          logger.debug('record ignored', { ...recordIds(input.record), reason: result.reason });
        }
      });

      const [results, quarantineFailures] = await Promise.all([
        writeAll(records),
        quarantineAll(invalid, receivedAt),
      ]);
      tallyWrites(tally, results);

      const outcomes: RecordOutcome[] = inputs.map(({ result }, index) =>
        result.kind === 'invalid'
          ? quarantineFailures.has(index)
            ? 'failed'
            : 'quarantined'
          : 'done',
      );
      const writeFailures = results.flatMap((result, i) => {
        if (result.status !== 'failed') return [];
        outcomes[owners[i] as number] = 'failed';
        return [result];
      });

      const retry = recordsToRetry(
        inputs.map(({ record }, index) => ({
          sequenceNumber: record.kinesis.sequenceNumber,
          partitionKey: record.kinesis.partitionKey,
          outcome: outcomes[index] as RecordOutcome,
        })),
      );
      tally.retried = retry.length;

      if (writeFailures.length > 0)
        logger.error('records not written: reported for retry', {
          failedRecords: writeFailures.length,
          failedRecordIds: writeFailures.slice(0, LOGGED_IDS).map((r) => r.recordId),
          retriedSequenceNumbers: retry.slice(0, LOGGED_IDS),
          error: writeFailures[0]?.error,
        });
      logger.info('batch processed', {
        ...batchIds(event.Records),
        records: inputs.length,
        auditRecords: records.length,
        ...tally,
      });
      return { batchItemFailures: retry.map((itemIdentifier) => ({ itemIdentifier })) };
    } finally {
      publishTally(metrics, tally);
      publishDetailTypeCounts(metrics, detailTypes);
    }
  };
}

/** Decodes, parses and maps one record; data that is not JSON is invalid. */
function readRecord(
  record: KinesisStreamRecord,
  mapper: (input: unknown) => MapResult,
): ReadRecord {
  const data = decodeKinesisData(record.kinesis.data);
  if (data.kind === 'not-json')
    return {
      record,
      result: { kind: 'invalid', problems: [data.problem], input: data.payload },
      payloadEncoding: data.payloadEncoding,
    };
  return { record, result: mapper(data.value), payloadEncoding: 'json' };
}

function recordIds(record: KinesisStreamRecord) {
  return {
    sequenceNumber: record.kinesis.sequenceNumber,
    partitionKey: record.kinesis.partitionKey,
  };
}

function batchIds(records: readonly KinesisStreamRecord[]) {
  const first = records[0];
  const last = records.at(-1);
  if (!first || !last) return {};
  return {
    eventSourceArn: first.eventSourceARN,
    shardId: first.eventID.split(':')[0],
    firstSequenceNumber: first.kinesis.sequenceNumber,
    lastSequenceNumber: last.kinesis.sequenceNumber,
  };
}
