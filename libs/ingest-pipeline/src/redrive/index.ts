/**
 * Redrive's functional core: what a parked message holds ({@link readParkedMessage}), the stream
 * range a pointer-only Kinesis failure names ({@link checkRangeComplete}), and when a message may
 * be released ({@link settleParked}). The CLI's `ecslog redrive` does the I/O.
 */
export { readParkedMessage } from './parked-message';
export type { ParkedFormat, ParkedReading, ReplayInput } from './parked-message';
export {
  checkRangeComplete,
  compareSequenceNumbers,
  isInRange,
  readStreamRange,
} from './stream-range';
export type { StreamRange } from './stream-range';
export { settleParked } from './parked-outcome';
export type { InputOutcome, ParkedOutcome } from './parked-outcome';
