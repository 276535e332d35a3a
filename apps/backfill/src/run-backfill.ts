/**
 * The backfill loop: read a chunk, map its records, write them, then checkpoint — so what is
 * checkpointed is stored, and `--resume` continues with the next chunk. Invalid records are
 * quarantined (kept whole), never dropped; ignored ones are counted.
 */
import type { AuditRecord, MapResult } from '@ecslog/ecs-event-mapper';
import { describeProblems, mapEvent } from '@ecslog/ecs-event-mapper';
import type { BackfillSink, MappedInput } from './backfill-sink';
import type { BackfillSource, SourceChunk, SourceRecord } from './backfill-source';
import { BackfillSetupError } from './backfill-source';
import type { BackfillTally } from './backfill-tally';
import { emptyTally, tallyMapping, tallySink } from './backfill-tally';
import type { Checkpoint } from './checkpoint';

export interface InvalidRecord {
  position: string;
  reason: string;
  input: unknown;
}

export interface BackfillRun {
  source: BackfillSource;
  /** Undefined for `--dry-run`: map and report, write nothing (no checkpoint either). */
  sink: BackfillSink | undefined;
  /** Where progress is kept; `resume` reads it first. */
  checkpoint: {
    read(): Promise<Checkpoint | undefined>;
    write(checkpoint: Checkpoint): Promise<void>;
  };
  resume: boolean;
  /** The run's time window, kept in the checkpoint. */
  window?: { from: string; to: string };
  /** Keeps invalid records (e.g. appends them to `$ECSLOG_HOME/quarantine.ndjson`). */
  quarantine(records: readonly InvalidRecord[]): Promise<void>;
  /** Told after each chunk, for the progress bar. */
  onChunk?(tally: BackfillTally, chunk: SourceChunk): void;
  /** True once the person asked to stop (Ctrl-C): the run ends after the chunk in hand. */
  stopRequested?(): boolean;
  now?: () => Date;
}

export interface BackfillOutcome {
  tally: BackfillTally;
  /** False when stopped early; `--resume` continues. */
  complete: boolean;
  /** The tally was carried over from a checkpoint. */
  resumed: boolean;
}

/** Records a chunk could not store after the sink's retries: the chunk is not checkpointed. */
export class BackfillWriteError extends Error {
  override readonly name = 'BackfillWriteError';
  constructor(chunk: string, failed: number, options: { cause: unknown }) {
    super(
      `${failed} records of ${chunk} could not be written; run again with --resume to retry from there`,
      options,
    );
  }
}

export async function runBackfill(run: BackfillRun): Promise<BackfillOutcome> {
  const now = run.now ?? (() => new Date());
  await run.source.check();
  await run.sink?.check();

  const saved = run.resume ? await run.checkpoint.read() : undefined;
  if (run.resume && saved === undefined)
    throw new BackfillSetupError(
      '--resume: no checkpoint to resume from; run without --resume to start',
    );
  if (saved && saved.source !== run.source.description)
    throw new BackfillSetupError(
      `--resume: the checkpoint is for ${saved.source}, not ${run.source.description}; run without --resume to start over`,
    );
  if (saved?.complete) return { tally: saved.tally, complete: true, resumed: true };
  const tally = saved?.tally ?? emptyTally();
  let resume = saved?.resume;
  /** What is stored so far, for `--resume`; a dry run stores nothing, so keeps no checkpoint. */
  const saveCheckpoint = async (complete: boolean) => {
    if (!run.sink) return;
    await run.checkpoint.write({
      source: run.source.description,
      ...(run.window ? { window: run.window } : {}),
      resume,
      tally,
      complete,
      updatedAt: now().toISOString(),
    });
  };

  for await (const chunk of run.source.chunks(resume)) {
    tally.chunks += 1;
    tally.bytes += chunk.bytes;
    if (chunk.problem !== undefined)
      tally.unreadable.push({ name: chunk.name, problem: chunk.problem });
    const { mapped, invalid } = mapChunk(chunk.records, tally);
    if (invalid.length > 0) await run.quarantine(invalid);
    if (run.sink && mapped.length > 0) {
      const result = await run.sink.write(mapped);
      tallySink(tally, result);
      if (result.failed > 0)
        throw new BackfillWriteError(chunk.name, result.failed, { cause: result.error });
    }
    resume = chunk.resume;
    await saveCheckpoint(false);
    run.onChunk?.(tally, chunk);
    if (run.stopRequested?.()) return { tally, complete: false, resumed: saved !== undefined };
  }
  await saveCheckpoint(true);
  return { tally, complete: true, resumed: saved !== undefined };
}

/** Maps a chunk's records; counts them; returns what to write and what to quarantine. */
export function mapChunk(
  records: readonly SourceRecord[],
  tally: BackfillTally,
): { mapped: MappedInput[]; invalid: InvalidRecord[] } {
  const mapped: MappedInput[] = [];
  const invalid: InvalidRecord[] = [];
  for (const input of records) {
    const result: MapResult = mapEvent(input.value);
    const cloudTrailRecord = cloudTrailRecordOf(input.value);
    tallyMapping(
      tally,
      result,
      typeof cloudTrailRecord?.['eventName'] === 'string'
        ? cloudTrailRecord['eventName']
        : undefined,
    );
    if (result.kind === 'invalid')
      invalid.push({
        position: input.position,
        reason: describeProblems(result.problems),
        input: input.value,
      });
    else if (result.kind === 'mapped' && result.records.length > 0 && cloudTrailRecord)
      mapped.push({ input, cloudTrailRecord, records: result.records as AuditRecord[] });
  }
  return { mapped, invalid };
}

/** The CloudTrail record of an input: itself, or a LookupEvents Event's parsed `CloudTrailEvent`. */
function cloudTrailRecordOf(value: unknown): Record<string, unknown> | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const object = value as Record<string, unknown>;
  if (typeof object['CloudTrailEvent'] === 'string') {
    try {
      return JSON.parse(object['CloudTrailEvent']) as Record<string, unknown>;
    } catch {
      return undefined;
    }
  }
  return object;
}
