/**
 * `ecslog redrive`'s imperative shell: reads each parked source page by page, replays what it
 * holds through the CLI's ingest path (the ingest Lambda's Kinesis handler: the mapper runs
 * again), and releases a message only once everything from it is stored.
 */
import type { AuditWriter } from '@ecslog/audit-store';
import { describeProblems, mapEvent } from '@ecslog/ecs-event-mapper';
import type { InputOutcome, ParkedOutcome, Quarantine, ReplayInput } from '@ecslog/ingest-pipeline';
import { settleParked } from '@ecslog/ingest-pipeline';
import type { LocalLakeWriter } from '@ecslog/local-lake';
import type { EventInput } from '../event-inputs';
import { createEventIngest } from '../pipeline/event-ingest';
import type { ParkedItem, ParkedSource } from './parked-source';
import type { StreamRangeReader } from './stream-range-reader';

/** What a redrive did with one source. */
export interface SourceSummary {
  source: string;
  /** Parked messages, objects or lines read. */
  read: number;
  /** Of those, released: every input stored (or ignored). In a dry run: would be. */
  replayed: number;
  /** Kept: the mapper still finds an input invalid. */
  stillInvalid: number;
  /** Kept: unreadable, gone from the stream, or not stored. */
  failed: number;
  /** Inputs (events) found in them. */
  events: number;
  /** AuditRecords newly stored. */
  written: number;
  /** AuditRecords the table already held (an earlier redrive, or the pipeline's own retry). */
  alreadyStored: number;
  /** Why the source itself could not be read (to the end), if it could not. */
  error?: string;
}

export interface RedriveOptions {
  sources: readonly ParkedSource[];
  writer: AuditWriter;
  /** The local lake (local store only): records also go there, as in `ecslog ingest`. */
  lake?: LocalLakeWriter;
  /** Reads pointer-only Kinesis failures back from the stream; without it they are failures. */
  readStreamRange?: StreamRangeReader;
  dryRun: boolean;
  /** One line per message kept, and errors. */
  report: (line: string) => void;
  clock?: () => Date;
  /** Pause before ingest attempt n (tests: none). */
  pause?: (attempt: number) => Promise<void>;
}

/** Replays every source in turn; never throws for a message, only for a source it cannot read. */
export async function redrive(options: RedriveOptions): Promise<SourceSummary[]> {
  const { report, dryRun } = options;
  const invalid = new Map<string, string>();
  /** Still-invalid inputs are noted, not quarantined again: their message stays where it is. */
  const keepInvalid: Quarantine = {
    hold: async (entry) => {
      invalid.set(String(entry.origin['position']), entry.reason);
    },
  };
  const ingest = createEventIngest({
    writer: options.writer,
    quarantine: keepInvalid,
    lake: options.lake,
    // event-ingest says "(quarantined)" of each invalid input; redrive reports them itself.
    report: (line) => {
      if (!line.endsWith(' (quarantined)')) report(line);
    },
    clock: options.clock,
    pause: options.pause,
  });

  const summaries: SourceSummary[] = [];
  for (const source of options.sources) {
    const summary: SourceSummary = {
      source: source.description,
      read: 0,
      replayed: 0,
      stillInvalid: 0,
      failed: 0,
      events: 0,
      written: 0,
      alreadyStored: 0,
    };
    summaries.push(summary);
    const count = (outcome: ParkedOutcome) => {
      if (outcome === 'replayed') summary.replayed += 1;
      else if (outcome === 'still-invalid') summary.stillInvalid += 1;
      else summary.failed += 1;
    };
    try {
      for await (const page of source.pages()) {
        summary.read += page.length;
        const replays: { item: ParkedItem; inputs: ReplayInput[] }[] = [];
        for (const item of page) {
          const inputs = await inputsOf(item, options.readStreamRange);
          if ('reason' in inputs) {
            report(`${item.label}: ${inputs.reason} (kept)`);
            count('failed');
          } else replays.push({ item, inputs: inputs.inputs });
        }
        const all = uniquePositions(replays.flatMap((r) => r.inputs));
        summary.events += all.length;
        if (dryRun) {
          for (const { inputs } of replays) {
            const outcomes = inputs.map((input): InputOutcome => {
              if (!('value' in input)) {
                report(`${input.position}: still invalid: ${input.problem} (would stay)`);
                return 'invalid';
              }
              const result = mapEvent(input.value);
              if (result.kind !== 'invalid') return result.kind === 'mapped' ? 'stored' : 'ignored';
              report(
                `${input.position}: still invalid: ${describeProblems(result.problems)} (would stay)`,
              );
              return 'invalid';
            });
            count(settleParked(outcomes));
          }
          continue;
        }
        invalid.clear();
        const result = await ingest(all as EventInput[]);
        summary.written += result.written;
        summary.alreadyStored += result.stale;
        const unwritten = new Set(result.unwritten.map((input) => input.position));
        for (const { item, inputs } of replays) {
          const outcomes = inputs.map((input): InputOutcome => {
            if (unwritten.has(input.position)) return 'unwritten';
            const reason = invalid.get(input.position);
            if (reason === undefined) return 'stored';
            report(`${input.position}: still invalid: ${reason} (kept)`);
            return 'invalid';
          });
          const outcome = settleParked(outcomes);
          if (outcome === 'failed') report(`${item.label}: not all of it could be stored (kept)`);
          if (outcome === 'replayed') await item.release();
          count(outcome);
        }
      }
    } catch (error) {
      // A source that cannot be read (no such queue, no access) is one failure; the others go on.
      summary.error = `${(error as Error).name}: ${(error as Error).message}`;
      summary.failed += 1;
      report(`ecslog: cannot read ${source.description}: ${summary.error}`);
    } finally {
      try {
        await source.finish();
      } catch (error) {
        summary.error ??= `${(error as Error).name}: ${(error as Error).message}`;
        summary.failed += 1;
        report(`ecslog: cannot put back what was kept in ${source.description}: ${summary.error}`);
      }
    }
  }
  return summaries;
}

async function inputsOf(
  item: ParkedItem,
  readStreamRange: StreamRangeReader | undefined,
): Promise<{ inputs: ReplayInput[] } | { reason: string }> {
  const { reading } = item;
  switch (reading.kind) {
    case 'events':
      return { inputs: reading.inputs };
    case 'stream-range':
      if (!readStreamRange)
        return { reason: 'points at Kinesis records, but no stream can be read' };
      return readStreamRange(reading.range, item.label);
    case 'quarantine-part':
      return { reason: 'is a quarantine part without the rest of its entry' };
    case 'unreadable':
      return { reason: reading.reason };
  }
}

/**
 * Inputs with distinct positions (ingest reports invalid inputs by position): a repeated one,
 * such as the same record in two failure objects of one page, gets ` #2`, ` #3`….
 */
function uniquePositions(inputs: readonly ReplayInput[]): ReplayInput[] {
  const seen = new Map<string, number>();
  return inputs.map((input) => {
    const n = (seen.get(input.position) ?? 0) + 1;
    seen.set(input.position, n);
    if (n === 1) return input;
    // Mutating keeps the item's own list pointing at the renamed input.
    (input as { position: string }).position = `${input.position} #${n}`;
    return input;
  });
}

/** The exit status, as `ingest`'s: 1 when anything failed, else 2 when anything is still invalid. */
export function redriveExitCode(summaries: readonly SourceSummary[]): number {
  if (summaries.some((s) => s.failed > 0)) return 1;
  return summaries.some((s) => s.stillInvalid > 0) ? 2 : 0;
}
