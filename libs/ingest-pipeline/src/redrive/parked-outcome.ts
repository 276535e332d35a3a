/** What became of one input of a parked message when it was replayed through ingest. */
export type InputOutcome =
  /** Its AuditRecords are in the table (new, or there already). */
  | 'stored'
  /** The mapper ignores it (not an event ecslog audits): nothing to keep. */
  | 'ignored'
  /** The mapper still finds it invalid. */
  | 'invalid'
  /** Some of its AuditRecords could not be stored. */
  | 'unwritten';

/**
 * What becomes of a parked message: `replayed` (delete it: everything in it is stored),
 * `still-invalid` (keep it: the mapper still rejects some input) or `failed` (keep it: something
 * was not stored, or it could not be read).
 */
export type ParkedOutcome = 'replayed' | 'still-invalid' | 'failed';

/**
 * The rule that makes redrive lose nothing: a parked message is released (deleted from its queue
 * or bucket, dropped from the quarantine file) only when every input from it is stored or
 * ignored. A failed write outranks an invalid input, since a retry may store it.
 *
 * @example
 * settleParked(['stored', 'invalid']); // 'still-invalid'
 */
export function settleParked(outcomes: readonly InputOutcome[]): ParkedOutcome {
  if (outcomes.includes('unwritten')) return 'failed';
  if (outcomes.includes('invalid')) return 'still-invalid';
  return 'replayed';
}
