/**
 * A token bucket that paces requests to a per-second limit, e.g. CloudTrail LookupEvents'
 * 2 requests/s per account and region. Tokens accrue at `ratePerSecond` up to `burst`; each
 * request spends one. Callers that find the bucket empty reserve the next token (the count goes
 * below zero) and sleep until it is theirs, so callers that arrive together are served in order,
 * one every `1000 / ratePerSecond` ms, without a lock.
 *
 * Pure apart from the injected clock and sleep: {@link reserveToken} holds the arithmetic.
 *
 * @example
 * const bucket = createTokenBucket({ ratePerSecond: 2, burst: 1 });
 * await bucket.take(); // at once
 * await bucket.take(); // 500 ms later
 */

export interface TokenBucketOptions {
  /** Tokens added per second (the sustained request rate). */
  ratePerSecond: number;
  /** Most tokens held: requests let through at once after a pause. The bucket starts full. */
  burst: number;
  /** Milliseconds on a monotonic clock; defaults to `performance.now`. */
  now?: () => number;
  /** Waits `ms`; rejects when `signal` aborts. Defaults to a timer. */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
}

export interface TokenBucket {
  /** Waits until a token is free, then spends it. Calls made together are served in call order. */
  take(signal?: AbortSignal): Promise<void>;
  /** Spends a token if one is free now and returns 0; otherwise returns the ms until one is, spending nothing. */
  tryTake(): number;
}

/** The bucket's whole state: tokens held (negative: reserved ahead) at a time in ms. */
export interface TokenBucketState {
  tokens: number;
  at: number;
}

/**
 * Reserves one token at `at` (ms): the new state and how long the caller waits for its token.
 * Never lets more than `ratePerSecond × t + burst` reservations fall due within any `t` seconds.
 */
export function reserveToken(
  state: TokenBucketState,
  at: number,
  ratePerSecond: number,
  burst: number,
): { state: TokenBucketState; waitMs: number } {
  const refilled = refill(state, at, ratePerSecond, burst);
  const tokens = refilled.tokens - 1;
  return {
    state: { tokens, at: refilled.at },
    waitMs: tokens >= 0 ? 0 : (-tokens * 1000) / ratePerSecond,
  };
}

function refill(
  state: TokenBucketState,
  at: number,
  ratePerSecond: number,
  burst: number,
): TokenBucketState {
  // A clock that steps back adds nothing (and takes nothing away).
  if (at <= state.at) return state;
  return {
    tokens: Math.min(burst, state.tokens + ((at - state.at) * ratePerSecond) / 1000),
    at,
  };
}

/** A bucket that starts full (see {@link TokenBucketOptions}). */
export function createTokenBucket(options: TokenBucketOptions): TokenBucket {
  const { ratePerSecond, burst } = options;
  if (!(ratePerSecond > 0) || !Number.isFinite(ratePerSecond))
    throw new RangeError(`ratePerSecond must be a positive number, not ${ratePerSecond}`);
  if (!(burst >= 1) || !Number.isFinite(burst))
    throw new RangeError(`burst must be at least 1, not ${burst}`);
  const now = options.now ?? (() => performance.now());
  const sleep = options.sleep ?? sleepFor;
  let state: TokenBucketState = { tokens: burst, at: now() };

  return {
    async take(signal) {
      signal?.throwIfAborted();
      const reserved = reserveToken(state, now(), ratePerSecond, burst);
      state = reserved.state;
      // An aborted wait keeps its reservation: the bucket errs on the slow side.
      if (reserved.waitMs > 0) await sleep(reserved.waitMs, signal);
    },
    tryTake() {
      const refilled = refill(state, now(), ratePerSecond, burst);
      state = refilled;
      if (refilled.tokens >= 1) {
        state = { tokens: refilled.tokens - 1, at: refilled.at };
        return 0;
      }
      return ((1 - refilled.tokens) * 1000) / ratePerSecond;
    },
  };
}

/** `setTimeout` as a promise that rejects with the signal's reason when it aborts. */
export function sleepFor(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, Math.ceil(ms));
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
