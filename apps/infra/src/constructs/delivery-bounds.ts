/**
 * A rule target that retries within bounds and dead-letters what it cannot deliver, whatever the
 * target kind: the Kinesis, Firehose and event-bus targets of the L2 library take no retry policy
 * or DLQ, but EventBridge accepts both on every target.
 */
import type { Duration } from 'aws-cdk-lib';
import type * as events from 'aws-cdk-lib/aws-events';

export interface DeliveryBounds {
  /** The dead-letter queue's ARN; its resource policy must admit the rule (done by its owner). */
  deadLetterQueueArn: string;
  retryAttempts: number;
  maxEventAge: Duration;
}

/** `target`, with the retry policy and dead-letter queue of `bounds`. */
export function boundedDelivery(
  target: events.IRuleTarget,
  bounds: DeliveryBounds,
): events.IRuleTarget {
  return {
    bind(rule, id) {
      return {
        ...target.bind(rule, id),
        retryPolicy: {
          maximumRetryAttempts: bounds.retryAttempts,
          maximumEventAgeInSeconds: bounds.maxEventAge.toSeconds(),
        },
        deadLetterConfig: { arn: bounds.deadLetterQueueArn },
      };
    },
  };
}
