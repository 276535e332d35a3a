/**
 * Why a channel did not deliver a message. `retryable` tells the sender whether another attempt
 * may succeed (throttling, a server error, the network, a timeout) or not (any other 4xx: the
 * receiver refuses this request as it is). Messages never hold a webhook's path or query, which
 * carry its secret token.
 */
export class ChannelError extends Error {
  override readonly name = 'ChannelError';
  /** The channel's name (`slack`, `webhook`, `sns`, …). */
  readonly channel: string;
  /** The HTTP status of the answer, when there was one. */
  readonly status: number | undefined;
  readonly retryable: boolean;

  constructor(
    message: string,
    details: { channel: string; status?: number; retryable: boolean; cause?: unknown },
  ) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.channel = details.channel;
    this.status = details.status;
    this.retryable = details.retryable;
  }
}

/** A channel's options are unusable (a plain-http URL to another host, a missing topic, …). */
export class ChannelConfigError extends Error {
  override readonly name = 'ChannelConfigError';
}

/** Whether an HTTP status is worth another attempt: throttling and server errors. */
export function isRetryableStatus(status: number): boolean {
  return status === 429 || status >= 500;
}
