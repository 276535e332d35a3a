/**
 * Retries with exponential backoff and full jitter (delay = random × min(cap, base × 2^attempt)),
 * for DynamoDB's throttling, unprocessed items and transient server or network faults. Anything
 * else (validation errors, missing table, access denied) fails at once.
 */

export interface RetryPolicy {
  /** Attempts in all, the first included. */
  maxAttempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
  /** Injected for tests; defaults to setTimeout and Math.random. */
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  maxAttempts: 10,
  baseDelayMs: 25,
  maxDelayMs: 2_000,
};

const RETRYABLE_NAMES = new Set([
  'ProvisionedThroughputExceededException',
  'ThrottlingException',
  'Throttling',
  'RequestLimitExceeded',
  'LimitExceededException',
  'InternalServerError',
  'InternalFailure',
  'ServiceUnavailable',
  'TransactionConflictException',
  'TimeoutError',
  'RequestTimeout',
  'UnprocessedItemsError',
]);
const RETRYABLE_CODES = new Set(['ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'ETIMEDOUT', 'EAI_AGAIN']);

/** True for errors worth retrying: throttling, unprocessed items, 5xx and connection faults. */
export function isRetryable(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const detail = error as Error & {
    code?: string;
    $metadata?: { httpStatusCode?: number };
    $retryable?: unknown;
  };
  if (
    RETRYABLE_NAMES.has(error.name) ||
    (detail.code !== undefined && RETRYABLE_CODES.has(detail.code))
  )
    return true;
  if (detail.$retryable) return true;
  const status = detail.$metadata?.httpStatusCode;
  return status !== undefined && status >= 500;
}

/** Runs `attempt` until it succeeds, fails for good, or the policy's attempts are spent. */
export async function withRetries<T>(policy: RetryPolicy, attempt: () => Promise<T>): Promise<T> {
  const sleep =
    policy.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const random = policy.random ?? Math.random;
  for (let attemptNumber = 1; ; attemptNumber++) {
    try {
      return await attempt();
    } catch (error) {
      if (attemptNumber >= policy.maxAttempts || !isRetryable(error)) throw error;
      const cap = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attemptNumber - 1));
      await sleep(Math.floor(random() * cap));
    }
  }
}
