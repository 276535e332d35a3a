/**
 * What a backfill reads from: CloudTrail LookupEvents, log files in S3, or log files in a folder.
 * Every source yields its records in chunks — one LookupEvents page, one log file — and, with each
 * chunk, the state to resume from once that chunk is stored. The orchestrator saves that state in
 * the checkpoint file only after the chunk's records are written, so a crash or Ctrl-C loses no
 * record and `--resume` skips what is done.
 */

/** One input for the mapper: a CloudTrail record, or a LookupEvents `Event` (its `CloudTrailEvent` a JSON string). */
export interface SourceRecord {
  /** Where it came from, for messages: `s3://bucket/key.json.gz: Records[3]`, `lookup eu-west-1 page 4 [2]`. */
  position: string;
  value: unknown;
}

/** A unit of work read whole: a log file or a LookupEvents page. */
export interface SourceChunk {
  /** What the chunk is, for messages and progress: a file path, an object key, `eu-west-1 page 4`. */
  name: string;
  records: SourceRecord[];
  /** Why the chunk (or part of it) could not be read: a corrupt `.gz`, JSON that does not parse. Counted and named; the run goes on. */
  problem?: string;
  /** Bytes read for this chunk (compressed size for `.gz`), for the progress rate. */
  bytes: number;
  /**
   * The source's resume state once this chunk is stored (JSON-serialisable). A source accepts
   * the last saved state in `chunks(resume)`.
   */
  resume: unknown;
}

/** What the progress bar can say about the whole before the end. */
export interface SourceEstimate {
  /** Chunks (files) in the run, when known up front. */
  chunks?: number;
  /** Fraction of the time window done, when the source reads in time order (LookupEvents reads newest first). */
}

export interface BackfillSource {
  /** For the summary and checkpoint: `lookup eu-west-1,us-east-1 2026-11-17T…/2026-11-24T…`, `s3://bucket/prefix`, `dir ./logs`. */
  readonly description: string;
  /**
   * Checks, before any work, what can fail for the whole run (missing credentials, bucket or
   * folder, no permission); throws a {@link BackfillSetupError} with one line saying what.
   */
  check(): Promise<void>;
  /** The chunks in a stable order, starting after `resume` (the state of the last stored chunk). */
  chunks(resume: unknown): AsyncIterable<SourceChunk>;
  /** Known size of the run, once `check()` has run (files listed up front). */
  estimate?(): SourceEstimate;
}

/**
 * The run cannot start: missing credentials or permissions, a bucket, table, stream or folder that
 * does not exist. Said in one line; exit status 1, before any work.
 */
export class BackfillSetupError extends Error {
  override readonly name = 'BackfillSetupError';
  constructor(message: string, options?: { cause: unknown }) {
    super(message, options);
  }
}
