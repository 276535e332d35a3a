import type { Context, ScheduledEvent } from 'aws-lambda';
import type { DeliveryReport } from '@ecslog/notifier';
import type { NotifierHandlerDependencies } from './notifier-dependencies';
import { addDeliveryMetrics } from './notifier-dependencies';

/**
 * The handler of the 5-minute schedule (an EventBridge rule): `notifier.tick()` — quiet-period
 * resolutions, silence, missed scheduled runs, then the deliveries that are due. An
 * infrastructure failure throws (with `cause`): the invocation fails, the Errors alarm sees it,
 * and the next tick does the same work again (tick is idempotent).
 *
 * @example
 * export const handler = createTickHandler({ notifier, logger, metrics });
 */
export function createTickHandler(
  deps: NotifierHandlerDependencies,
): (event: ScheduledEvent | Record<string, unknown>, context?: Context) => Promise<DeliveryReport> {
  const { notifier, logger, metrics } = deps;
  return async (_event, context) => {
    if (context) logger.addContext?.(context);
    try {
      let report: DeliveryReport;
      try {
        report = await notifier.tick();
      } catch (error) {
        throw new TickError(error);
      }
      addDeliveryMetrics(metrics, report);
      logger.info('tick', { ...report });
      return report;
    } finally {
      metrics.publishStoredMetrics();
    }
  };
}

/** The tick could not read or write the notifier's items (DynamoDB, a channel's store…). */
export class TickError extends Error {
  override readonly name = 'TickError';
  constructor(cause: unknown) {
    super(`notifier tick failed: ${cause instanceof Error ? cause.message : String(cause)}`, {
      cause,
    });
  }
}
