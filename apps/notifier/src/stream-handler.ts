import type { Context, DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';
import type { ObservedRecord, ObserveReport } from '@ecslog/notifier';
import type { NotifierHandlerDependencies } from './notifier-dependencies';
import { addDeliveryMetrics, addIncidentMetrics } from './notifier-dependencies';
import { keysOf, readStreamRecord } from './stream-records';

/**
 * The handler of the audit table's stream (DynamoDB Streams, NEW_IMAGE, through an event-source
 * mapping with `ReportBatchItemFailures`).
 *
 * Each record's new image is read (`readStreamRecord`): deletions, the notifier's own `I#` items,
 * items without a record and records a backfill or redrive wrote are skipped; the live records up
 * to the first unreadable one are observed in one call. A stream shard is ordered, so the answer
 * lists the first record that was not handled and every record after it — the unreadable one and
 * its successors, or the whole batch when `observe` threw (an infrastructure failure) — and
 * Lambda retries from there; with bisect on error the bad record ends up alone and, after the
 * mapping's last retry, in its on-failure destination. Nothing is ever dropped.
 *
 * After a successful observe, what it queued is sent at once (`deliverQueued`); a failure there
 * does not fail the batch (its records are stored, the messages wait in their
 * outbox and the 5-minute tick sends them), it is logged and counted.
 *
 * @example
 * export const handler = createStreamHandler({ notifier, logger, metrics });
 * // → { batchItemFailures: [{ itemIdentifier: '4000000000000000000001' }, …] }
 */
export function createStreamHandler(
  deps: NotifierHandlerDependencies,
): (event: DynamoDBStreamEvent, context?: Context) => Promise<DynamoDBBatchResponse> {
  const { notifier, logger, metrics } = deps;
  return async (event, context) => {
    if (context) logger.addContext?.(context);
    const records = event.Records ?? [];
    const observed: ObservedRecord[] = [];
    let skipped = 0;
    let firstFailed = records.length;
    let observeFailed = false;
    for (const [index, record] of records.entries()) {
      const result = readStreamRecord(record);
      if (result.kind === 'skip') skipped += 1;
      else if (result.kind === 'observe') observed.push(result.observed);
      else {
        logger.error(
          'stream record holds no readable record: retried, then kept by the on-failure destination',
          {
            ...keysOf(record),
            eventId: record.eventID,
            sequenceNumber: record.dynamodb?.SequenceNumber,
            error: { name: result.error.name, message: result.error.message },
          },
        );
        metrics.addMetric('recordsInvalid', 'Count', 1);
        firstFailed = index;
        break;
      }
    }
    try {
      let report: ObserveReport = { changed: 0, ignored: 0, messagesQueued: 0 };
      if (observed.length > 0) {
        try {
          report = await notifier.observe(observed);
        } catch (error) {
          // Nothing of this batch is known to be applied: retry it all (observe is idempotent).
          logger.error('observe failed: the batch is retried', { error: describe(error) });
          firstFailed = 0;
          observeFailed = true;
        }
      }
      addIncidentMetrics(metrics, report);
      metrics.addMetric('recordsObserved', 'Count', observeFailed ? 0 : observed.length);
      metrics.addMetric('recordsSkipped', 'Count', skipped);
      metrics.addMetric('messagesQueued', 'Count', report.messagesQueued);
      // Also after a batch that queued nothing: what an earlier batch failed to send goes now.
      if (!observeFailed) {
        try {
          addDeliveryMetrics(metrics, await notifier.deliverQueued());
        } catch (error) {
          logger.warn('delivery failed: the messages wait in their outbox for the next tick', {
            error: describe(error),
          });
        }
      }
      const failures = records.slice(firstFailed).map((record) => ({
        itemIdentifier: record.dynamodb?.SequenceNumber ?? '',
      }));
      metrics.addMetric('recordsRetried', 'Count', failures.length);
      logger.info('stream batch', {
        records: records.length,
        observed: observed.length,
        skipped,
        changed: report.changed,
        messagesQueued: report.messagesQueued,
        retried: failures.length,
      });
      return { batchItemFailures: failures };
    } finally {
      metrics.publishStoredMetrics();
    }
  };
}

function describe(error: unknown): { name: string; message: string } {
  return error instanceof Error
    ? { name: error.name, message: error.message }
    : { name: 'Error', message: String(error) };
}
