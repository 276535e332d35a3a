import type { WriteResult } from '@ecslog/audit-store';
import { describeProblems, mapEvent } from '@ecslog/ecs-event-mapper';
import type { Context } from 'aws-lambda';
import type { IngestDependencies } from './ingest-dependencies';
import type { DetailTypeCounts } from './ingest-dependencies';
import {
  asError,
  countGenericRecords,
  emptyTally,
  publishDetailTypeCounts,
  publishTally,
  tallyWrites,
} from './ingest-dependencies';
import { QuarantineError } from './quarantine';

/** The Lambda function behind an EventBridge rule (asynchronous invoke, one event). */
export type EventBridgeIngestHandler = (event: unknown, context?: Context) => Promise<void>;

/**
 * Ingest for the direct topology: an EventBridge rule invokes the function asynchronously with
 * one event.
 *
 * - mapped: the records are written; if any fails, the handler throws an {@link AuditWriteError}
 *   so that Lambda and EventBridge retry the event and, in the end, send it to the dead-letter
 *   queue (writes are idempotent, so retries are safe);
 * - ignored: logged and counted;
 * - invalid: quarantined and the invocation succeeds — an invalid event is never retried. If the
 *   quarantine fails, the handler throws (a {@link QuarantineError}) and the event is retried.
 *
 * @example
 * export const handler = createEventBridgeHandler({ writer, quarantine, logger, metrics, clock });
 */
export function createEventBridgeHandler(deps: IngestDependencies): EventBridgeIngestHandler {
  const { writer, quarantine, logger, metrics, clock } = deps;
  const mapper = deps.mapper ?? mapEvent;

  return async function handleEventBridgeEvent(event, context) {
    if (context) logger.addContext?.(context);
    const tally = emptyTally();
    const detailTypes: DetailTypeCounts = new Map();
    const ids = eventIds(event);
    try {
      const result = mapper(event);
      switch (result.kind) {
        case 'ignored':
          tally.ignored += 1;
          logger.info('event ignored', { ...ids, reason: result.reason });
          return;
        case 'invalid': {
          tally.invalid += 1;
          const reason = describeProblems(result.problems);
          try {
            await quarantine.hold({
              source: 'eventbridge',
              receivedAt: clock().toISOString(),
              reason,
              problems: result.problems,
              payload: event,
              payloadEncoding: 'json',
              origin: ids.eventId === undefined ? {} : { eventId: ids.eventId },
            });
          } catch (error) {
            tally.retried += 1;
            logger.error('invalid event not quarantined: it will be retried', {
              ...ids,
              reason,
              error,
            });
            throw error instanceof QuarantineError
              ? error
              : new QuarantineError('could not quarantine the invalid event', { cause: error });
          }
          logger.warn('event invalid: quarantined', {
            ...ids,
            problems: result.problems.length,
            reason,
          });
          return;
        }
        case 'mapped': {
          tally.mapped += 1;
          countGenericRecords(detailTypes, result.records);
          const results = await writer.writeRecords(result.records).catch((error: unknown) =>
            // A writer that rejects (it should not) has failed every record.
            result.records.map((r): WriteResult => ({
              recordId: r.recordId,
              status: 'failed',
              error: asError(error),
            })),
          );
          tallyWrites(tally, results);
          const failed = results.filter((r) => r.status === 'failed');
          const counts = countStatuses(results);
          if (failed.length > 0) {
            tally.retried += 1;
            const error = new AuditWriteError(failed);
            logger.error('records not written: the event will be retried', {
              ...ids,
              ...counts,
              failedRecordIds: error.failedRecordIds,
              error,
            });
            throw error;
          }
          logger.info('event written', { ...ids, records: results.length, ...counts });
          return;
        }
      }
    } finally {
      publishTally(metrics, tally);
      publishDetailTypeCounts(metrics, detailTypes);
    }
  };
}

/**
 * Some records of an event were not written after the writer's own retries. The event is
 * retried whole; `cause` is the first failure's error.
 */
export class AuditWriteError extends Error {
  override readonly name = 'AuditWriteError';
  readonly failedRecordIds: string[];
  constructor(failures: readonly WriteResult[]) {
    const first = failures[0];
    super(
      `${failures.length} audit record${failures.length === 1 ? '' : 's'} not written` +
        (first?.error ? `: ${first.error.message}` : ''),
      { cause: first?.error ?? asError('no error given') },
    );
    this.failedRecordIds = failures.map((f) => f.recordId);
  }
}

/** The envelope fields worth logging; read defensively, since the event may be anything. */
function eventIds(event: unknown): { eventId?: string; detailType?: string } {
  if (typeof event !== 'object' || event === null) return {};
  const { id, 'detail-type': detailType } = event as Record<string, unknown>;
  return {
    ...(typeof id === 'string' ? { eventId: id } : {}),
    ...(typeof detailType === 'string' ? { detailType } : {}),
  };
}

function countStatuses(results: readonly WriteResult[]) {
  const counts = { written: 0, stale: 0, expired: 0, failed: 0 };
  for (const result of results) counts[result.status] += 1;
  return counts;
}
