import type { MapResult } from '@ecslog/ecs-event-mapper';
import type {
  Context,
  FirehoseTransformationEvent,
  FirehoseTransformationEventRecord,
  FirehoseTransformationResult,
} from 'aws-lambda';
import { InvalidFirehoseEventError, readFirehoseEvent } from './firehose-event';
import type { RecordNote } from './transform-records';
import { transformRecords } from './transform-records';

/** The part of Powertools' Logger the handler uses (structured JSON, one object per line). */
export interface TransformLogger {
  debug(message: string, attributes: Record<string, unknown>): void;
  info(message: string, attributes: Record<string, unknown>): void;
  warn(message: string, attributes: Record<string, unknown>): void;
  error(message: string, attributes: Record<string, unknown>): void;
  /** Adds the Lambda request id and function to every later line. */
  addContext?(context: Context): void;
}

export interface TransformDependencies {
  logger: TransformLogger;
  /** Defaults to `mapEvent`. */
  mapper?: (input: unknown) => MapResult;
  /** Defaults to `RESPONSE_BUDGET_BYTES` (6,000,000). */
  responseBudgetBytes?: number;
}

/** The Lambda function of a Firehose stream's data transformation. */
export type FirehoseTransformHandler = (
  event: FirehoseTransformationEvent,
  context?: Context,
) => Promise<FirehoseTransformationResult>;

/**
 * The Firehose data-transformation function, for Direct PUT and Kinesis-sourced streams alike:
 * {@link transformRecords} over the invocation's records, then one log line per record not
 * returned Ok (the reason, never the payload: `warn` for ProcessingFailed, `debug` for Dropped)
 * and one `info` line with the counts. An invocation without a `records` array (or with a record
 * lacking a string `recordId` or `data`) throws {@link InvalidFirehoseEventError}; record content
 * never makes it throw.
 *
 * @example
 * export const handler = createTransformHandler({ logger: new Logger() });
 */
export function createTransformHandler(deps: TransformDependencies): FirehoseTransformHandler {
  const { logger } = deps;
  const options = {
    ...(deps.mapper ? { mapper: deps.mapper } : {}),
    ...(deps.responseBudgetBytes ? { responseBudgetBytes: deps.responseBudgetBytes } : {}),
  };

  return async function transformFirehoseBatch(input, context) {
    if (context) logger.addContext?.(context);
    let event: FirehoseTransformationEvent;
    try {
      event = readFirehoseEvent(input);
    } catch (error) {
      if (error instanceof InvalidFirehoseEventError)
        logger.error('invocation rejected: not a Firehose transformation event', { error });
      throw error;
    }
    const { response, notes, summary } = transformRecords(event.records, options);
    for (const note of notes) logNote(logger, note, event.records[note.index]);
    logger.info('batch transformed', {
      invocationId: event.invocationId,
      deliveryStreamArn: event.deliveryStreamArn,
      ...(event.sourceKinesisStreamArn
        ? { sourceKinesisStreamArn: event.sourceKinesisStreamArn }
        : {}),
      ...summary,
    });
    return response;
  };
}

function logNote(
  logger: TransformLogger,
  note: RecordNote,
  record: FirehoseTransformationEventRecord | undefined,
): void {
  const ids = { recordId: note.recordId, ...kinesisIds(record) };
  switch (note.kind) {
    case 'dropped':
      logger.debug('record dropped: not audited', { ...ids, reason: note.reason });
      return;
    case 'spans-days':
      logger.warn('event spans UTC days: all its rows are under the first record’s day', {
        ...ids,
        dt: note.dt,
        days: note.days,
      });
      return;
    case 'failed':
      logger.warn(
        note.cause === 'over-budget'
          ? 'record over the response budget: returned ProcessingFailed'
          : 'record unreadable: returned ProcessingFailed',
        {
          ...ids,
          cause: note.cause,
          reason: note.reason,
          ...(note.problems ? { problems: note.problems.length } : {}),
        },
      );
  }
}

/** Where a Kinesis-sourced record came from; nothing for Direct PUT. */
function kinesisIds(record: FirehoseTransformationEventRecord | undefined) {
  const metadata = record?.kinesisRecordMetadata;
  if (!metadata) return {};
  return {
    shardId: metadata.shardId,
    partitionKey: metadata.partitionKey,
    sequenceNumber: metadata.sequenceNumber,
    subsequenceNumber: metadata.subsequenceNumber,
  };
}
