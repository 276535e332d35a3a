/**
 * The counts of a backfill run, kept as it goes and shown at the end. Pure.
 */
import type { MapResult } from '@ecslog/ecs-event-mapper';
import type { SinkResult } from './backfill-sink';

export interface BackfillTally {
  /** Chunks (files, pages) read. */
  chunks: number;
  /** Chunks that could not be read whole (corrupt `.gz`, bad JSON), by name with the reason. */
  unreadable: { name: string; problem: string }[];
  /** CloudTrail records read. */
  read: number;
  mapped: number;
  ignored: number;
  invalid: number;
  /** AuditRecords the mapped inputs gave. */
  records: number;
  written: number;
  alreadyPresent: number;
  expired: number;
  failed: number;
  bytes: number;
  /** Mapped CloudTrail records by eventName (RunTask, StopTask, …). */
  byEventName: Record<string, number>;
  /** AuditRecords by outcome: `succeeded`, `info`, `failed: placement`, … */
  byOutcome: Record<string, number>;
}

export function emptyTally(): BackfillTally {
  return {
    chunks: 0,
    unreadable: [],
    read: 0,
    mapped: 0,
    ignored: 0,
    invalid: 0,
    records: 0,
    written: 0,
    alreadyPresent: 0,
    expired: 0,
    failed: 0,
    bytes: 0,
    byEventName: {},
    byOutcome: {},
  };
}

/** Counts one input's mapping. */
export function tallyMapping(
  tally: BackfillTally,
  result: MapResult,
  eventName: string | undefined,
): void {
  tally.read += 1;
  if (result.kind === 'ignored') tally.ignored += 1;
  else if (result.kind === 'invalid') tally.invalid += 1;
  else {
    tally.mapped += 1;
    tally.records += result.records.length;
    const name = eventName ?? 'unknown';
    tally.byEventName[name] = (tally.byEventName[name] ?? 0) + 1;
    for (const record of result.records) {
      const outcome = record.outcome.category
        ? `${record.outcome.status}: ${record.outcome.category}`
        : record.outcome.status;
      tally.byOutcome[outcome] = (tally.byOutcome[outcome] ?? 0) + 1;
    }
  }
}

export function tallySink(tally: BackfillTally, result: SinkResult): void {
  tally.written += result.written;
  tally.alreadyPresent += result.alreadyPresent;
  tally.expired += result.expired;
  tally.failed += result.failed;
}
