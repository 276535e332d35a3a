import {
  ConditionalCheckFailedException,
  ProvisionedThroughputExceededException,
} from '@aws-sdk/client-dynamodb';
import { isRetryable, withRetries } from './retry';

const throttled = () =>
  new ProvisionedThroughputExceededException({ message: 'slow down', $metadata: {} });

describe('withRetries', () => {
  it('retries throttling with exponential backoff and full jitter, then succeeds', async () => {
    const delays: number[] = [];
    let calls = 0;

    const result = await withRetries(
      {
        maxAttempts: 5,
        baseDelayMs: 10,
        maxDelayMs: 35,
        sleep: async (ms) => void delays.push(ms),
        random: () => 0.999,
      },
      async () => {
        calls += 1;
        if (calls < 5) throw throttled();
        return 'done';
      },
    );

    expect(result).toBe('done');
    expect(delays).toEqual([9, 19, 34, 34]);
  });

  it('gives up after maxAttempts and rethrows the last error', async () => {
    let calls = 0;
    const attempt = withRetries(
      { maxAttempts: 3, baseDelayMs: 1, maxDelayMs: 1, sleep: async () => undefined },
      async () => {
        calls += 1;
        throw throttled();
      },
    );

    await expect(attempt).rejects.toBeInstanceOf(ProvisionedThroughputExceededException);
    expect(calls).toBe(3);
  });

  it('does not retry errors that will not go away', async () => {
    let calls = 0;
    const attempt = withRetries(
      { maxAttempts: 5, baseDelayMs: 1, maxDelayMs: 1, sleep: async () => undefined },
      async () => {
        calls += 1;
        throw new ConditionalCheckFailedException({ message: 'stale', $metadata: {} });
      },
    );

    await expect(attempt).rejects.toBeInstanceOf(ConditionalCheckFailedException);
    expect(calls).toBe(1);
  });

  it('classifies errors', () => {
    const serverError = Object.assign(new Error('boom'), { $metadata: { httpStatusCode: 503 } });
    const reset = Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });
    const validation = Object.assign(new Error('bad'), {
      name: 'ValidationException',
      $metadata: { httpStatusCode: 400 },
    });

    expect([serverError, reset, throttled()].map(isRetryable)).toEqual([true, true, true]);
    expect([validation, 'text', undefined].map(isRetryable)).toEqual([false, false, false]);
  });
});
