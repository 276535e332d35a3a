/**
 * Turning the two ways an ingest's store dies into one fault, at once:
 *
 * - the store's server is gone (`ecslog local` stopped or was killed): every request is refused,
 *   and the audit writer would retry each batch for tens of seconds;
 * - the disk under an in-process store is full: dynalite throws LevelDB's IO error from a
 *   callback, outside any request, so it surfaces as an uncaught exception and the request that
 *   caused it never answers.
 *
 * Either way the guard fails the requests in flight and refuses every later one with a
 * {@link StoreFaultError}, which the ingest treats as fatal: it stops and keeps what was not
 * stored.
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { StoreFaultError } from './event-ingest';

export interface StoreFaultGuard {
  /** The fault, once there is one. */
  readonly fault: StoreFaultError | undefined;
  /** Fails the requests in flight and every later one with `fault` (the first one stays). */
  fail(fault: StoreFaultError): void;
  /** Stops watching (the middleware stays, passing requests through unless failed). */
  dispose(): void;
}

export interface StoreFaultGuardOptions {
  /** For messages: where the store is served (`http://127.0.0.1:PORT`). */
  endpoint?: string;
  /**
   * True when the store is served by this process (dynalite in-process): then its storage errors
   * arrive as uncaught exceptions, which the guard takes over while it is in use.
   */
  inProcess: boolean;
}

let guards = 0;

/** Watches `client`'s requests (and, in process, dynalite's storage errors) for a store fault. */
export function guardStoreClient(
  client: DynamoDBClient,
  options: StoreFaultGuardOptions,
): StoreFaultGuard {
  let fault: StoreFaultError | undefined;
  let rejectInFlight: ((error: Error) => void) | undefined;
  const failed = new Promise<never>((_, reject) => (rejectInFlight = reject));
  failed.catch(() => undefined); // observed by each request's race, not here
  guards += 1;

  const fail = (next: StoreFaultError) => {
    if (fault) return;
    fault = next;
    rejectInFlight?.(next);
  };
  client.middlewareStack.add(
    (next) => async (args) => {
      if (fault) throw fault;
      try {
        return await Promise.race([next(args), failed]);
      } catch (error) {
        if (fault) throw fault;
        if (isConnectionRefused(error)) {
          fail(
            new StoreFaultError(
              `the store's server${options.endpoint ? ` at ${options.endpoint}` : ''} is gone (connection refused)`,
              'ECONNREFUSED',
              { cause: error },
            ),
          );
          throw fault;
        }
        throw error;
      }
    },
    { step: 'initialize', name: `ecslogStoreFaultGuard${guards}` },
  );

  const onUncaught = (error: Error) => {
    const storage = storageFaultOf(error);
    if (!storage) {
      // Not ours to handle: what Node would have done.
      process.stderr.write(`${error.stack ?? String(error)}\n`);
      process.exit(1);
    }
    fail(storage);
  };
  if (options.inProcess) process.on('uncaughtException', onUncaught);

  return {
    get fault() {
      return fault;
    },
    fail,
    dispose: () => {
      process.off('uncaughtException', onUncaught);
    },
  };
}

/**
 * ECONNREFUSED: on the error, its `cause` (the SDK wraps socket errors: "AWS SDK error wrapper
 * for Error: connect ECONNREFUSED …"), or inside an AggregateError (several addresses tried).
 */
export function isConnectionRefused(error: unknown, depth = 0): boolean {
  if (typeof error !== 'object' || error === null || depth > 5) return false;
  const { code, errors, cause, message } = error as {
    code?: unknown;
    errors?: unknown;
    cause?: unknown;
    message?: unknown;
  };
  if (code === 'ECONNREFUSED') return true;
  if (typeof message === 'string' && /\bconnect ECONNREFUSED\b/.test(message)) return true;
  if (Array.isArray(errors) && errors.some((inner) => isConnectionRefused(inner, depth + 1)))
    return true;
  return isConnectionRefused(cause, depth + 1);
}

/**
 * The fault an uncaught dynalite/LevelDB storage error stands for (`IO error: …: No space left on
 * device`), or undefined for anything else.
 */
export function storageFaultOf(error: unknown): StoreFaultError | undefined {
  if (!(error instanceof Error)) return undefined;
  const code = (error as { code?: unknown }).code;
  const message = error.message;
  const systemCode =
    /No space left on device|ENOSPC/.test(message) || code === 'ENOSPC'
      ? 'ENOSPC'
      : /Read-only file system|EROFS/.test(message) || code === 'EROFS'
        ? 'EROFS'
        : /Disk quota exceeded|EDQUOT/.test(message) || code === 'EDQUOT'
          ? 'EDQUOT'
          : code === 'LEVEL_IO_ERROR' ||
              code === 'LEVEL_DATABASE_NOT_OPEN' ||
              /^Database is (closed|not open)/.test(message)
            ? 'EIO'
            : undefined;
  if (systemCode === undefined) return undefined;
  const what =
    systemCode === 'ENOSPC'
      ? 'the disk holding the store is full (ENOSPC)'
      : `the store cannot write its files (${systemCode})`;
  return new StoreFaultError(`${what}: ${message}`, systemCode, { cause: error });
}
