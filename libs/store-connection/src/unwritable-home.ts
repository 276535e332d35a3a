/**
 * What to do when `store.lock` cannot be created because `ECSLOG_HOME` is read-only (EROFS) or not
 * ours to write (EACCES, EPERM). The store can still be read when no process can be writing it;
 * a running `ecslog local` is used as usual; what needs to write (`ecslog local` itself) is told
 * in one line which folder is read-only.
 */
import type { HolderState, StoreLock } from './store-lock';

export type UnwritableHomeDecision =
  /** Not a read-only folder: the error stands. */
  | { action: 'rethrow' }
  /** The role needs to write: fail with `message`. */
  | { action: 'refuse'; message: string }
  /** A live `ecslog local` serves the store: use it. */
  | { action: 'connect' }
  /** A live process holds the store: wait for it as for any holder. */
  | { action: 'wait' }
  /** Nobody holds it: read it from a private copy, writes refused. */
  | { action: 'read-copy' };

const READ_ONLY_CODES = new Set(['EROFS', 'EACCES', 'EPERM']);

export function decideUnwritableHome(input: {
  code: string | undefined;
  role: StoreLock['role'];
  holder: StoreLock | undefined;
  holderState: HolderState | undefined;
  /** The home as shown in messages. */
  where: string;
}): UnwritableHomeDecision {
  if (input.code === undefined || !READ_ONLY_CODES.has(input.code)) return { action: 'rethrow' };
  const held = input.holder !== undefined && input.holderState !== 'gone';
  if (held && input.holder?.role === 'local' && input.holder.endpoint)
    return input.role === 'local' ? { action: 'wait' } : { action: 'connect' };
  if (input.role === 'local')
    return {
      action: 'refuse',
      message: `ecslog local needs to write to ${input.where}, a read-only folder (${input.code}); set ECSLOG_HOME to a folder you can write`,
    };
  return held ? { action: 'wait' } : { action: 'read-copy' };
}
