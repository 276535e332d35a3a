import { randomUUID } from 'node:crypto';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { AuditRecord } from '@ecslog/ecs-event-mapper';
import { lakePartition, toLakeRow } from '@ecslog/ecs-event-mapper';
import type { FirehoseTransformationResultRecord } from 'aws-lambda';

/** Firehose's default S3 buffering hints, which the local writer copies. */
export const DEFAULT_MAX_BUFFER_BYTES = 5 * 1024 * 1024;
export const DEFAULT_FLUSH_INTERVAL_MS = 60_000;

export interface LocalLakeWriterOptions {
  /** `$ECSLOG_HOME` in local mode: files go under `<root>/lake/`. */
  root: string;
  /** Flush once this many bytes are buffered (default 5 MiB). */
  maxBufferBytes?: number;
  /** Flush this long after the first buffered row (default 60 s). */
  flushIntervalMs?: number;
  /** The time now: file names and the errors' `dt` and timestamps (default the system clock). */
  clock?: () => Date;
  /** Calls `callback` once after `ms`; returns a function that cancels it (default `setTimeout`, unref'd). */
  setTimer?: (callback: () => void, ms: number) => () => void;
  /** A unique part for each file name (default a random UUID). */
  uniqueId?: () => string;
}

/** Writes lake rows under `<root>/lake/` the way Firehose writes them to S3. */
export interface LocalLakeWriter {
  /**
   * Buffers a transform response's records: Ok rows under `dt=<partitionKeys.dt>/`,
   * ProcessingFailed data under `errors/processing-failed/dt=<today>/` (as Firehose writes them,
   * the raw data in `rawData`), an Ok record without a usable `dt` under
   * `errors/partitioning-failed/…`; Dropped records are not written.
   */
  writeTransformed(records: readonly FirehoseTransformationResultRecord[]): Promise<void>;
  /** Buffers AuditRecords as rows under their `dt=` partition. */
  writeAuditRecords(records: readonly AuditRecord[]): Promise<void>;
  /** Writes everything buffered, one new file per partition. */
  flush(): Promise<void>;
  /** Flushes; later writes throw. Call it before the process exits: the timer does not keep it alive. */
  close(): Promise<void>;
}

const DAY = /^\d{4}-\d{2}-\d{2}$/;

/**
 * A lake in a local folder, for local mode: the same layout, row format and buffering as the
 * Firehose stream writes to S3, so the same Athena-style queries (e.g. DuckDB over
 * `lake/dt=*\/*.ndjson`) work on both.
 *
 * Rows are buffered per partition and written when `maxBufferBytes` are buffered, when
 * `flushIntervalMs` have passed since the first buffered row, or on `flush()` / `close()`. Each
 * flush writes one new file per partition, named `ecslog-<time>-<unique id>.ndjson` so that
 * concurrent writers never collide, first under a hidden `.…tmp` name and then renamed, so that a
 * reader never sees half a file. A failed flush keeps its rows buffered for the next one; a
 * failure of a timed flush is thrown by the next call.
 *
 * @example
 * const lake = createLocalLakeWriter({ root: process.env.ECSLOG_HOME });
 * await lake.writeTransformed(response.records);
 * await lake.close();
 */
export function createLocalLakeWriter(options: LocalLakeWriterOptions): LocalLakeWriter {
  const lakeDir = join(options.root, 'lake');
  const maxBufferBytes = options.maxBufferBytes ?? DEFAULT_MAX_BUFFER_BYTES;
  const flushIntervalMs = options.flushIntervalMs ?? DEFAULT_FLUSH_INTERVAL_MS;
  const clock = options.clock ?? (() => new Date());
  const setTimer = options.setTimer ?? unrefTimer;
  const uniqueId = options.uniqueId ?? randomUUID;

  /** Buffered text by folder under lake/ (`dt=2026-11-20`, `errors/processing-failed/dt=…`). */
  let buffers = new Map<string, string[]>();
  let bufferedBytes = 0;
  let cancelTimer: (() => void) | undefined;
  let writing: Promise<void> = Promise.resolve();
  let timedFlushError: unknown;
  let closed = false;

  function buffer(folder: string, text: string): void {
    if (text === '') return;
    const chunks = buffers.get(folder);
    if (chunks) chunks.push(text);
    else buffers.set(folder, [text]);
    if (!cancelTimer)
      cancelTimer = setTimer(() => {
        cancelTimer = undefined;
        flush().catch((error: unknown) => {
          timedFlushError = error;
        });
      }, flushIntervalMs);
    bufferedBytes += Buffer.byteLength(text);
  }

  function checkUsable(): void {
    if (closed) throw new Error('the local lake writer is closed');
    if (timedFlushError !== undefined) {
      const error = timedFlushError;
      timedFlushError = undefined;
      throw new Error('a timed flush of the local lake failed', { cause: error });
    }
  }

  async function afterWrite(): Promise<void> {
    if (bufferedBytes >= maxBufferBytes) await flush();
  }

  function flush(): Promise<void> {
    cancelTimer?.();
    cancelTimer = undefined;
    const taken = buffers;
    buffers = new Map();
    bufferedBytes = 0;
    const done = writing
      .then(() => writeFiles(taken))
      .catch((error: unknown) => {
        // Keep the rows not written for the next flush, ahead of what was buffered since.
        for (const [folder, chunks] of taken) {
          buffers.set(folder, [...chunks, ...(buffers.get(folder) ?? [])]);
          for (const chunk of chunks) bufferedBytes += Buffer.byteLength(chunk);
        }
        throw error;
      });
    writing = done.catch(() => undefined);
    return done;
  }

  async function writeFiles(taken: Map<string, string[]>): Promise<void> {
    const at = clock();
    const stamp = at.toISOString().slice(0, 19).replace(/[:T]/g, '-'); // 2026-11-20-03-00-05
    for (const [folder, chunks] of taken) {
      const dir = join(lakeDir, folder);
      const name = `ecslog-${stamp}-${uniqueId()}.ndjson`;
      const temporary = join(dir, `.${name}.tmp`);
      await mkdir(dir, { recursive: true });
      try {
        await writeFile(temporary, chunks.join(''), { flag: 'wx' });
        await rename(temporary, join(dir, name));
      } catch (error) {
        await rm(temporary, { force: true });
        throw error;
      }
      taken.delete(folder);
    }
  }

  return {
    async writeTransformed(records) {
      checkUsable();
      const now = clock();
      const day = now.toISOString().slice(0, 10);
      for (const record of records) {
        if (record.result === 'Dropped') continue;
        const dt = record.metadata?.partitionKeys['dt'];
        if (record.result === 'Ok' && dt !== undefined && DAY.test(dt)) {
          buffer(`dt=${dt}`, Buffer.from(record.data ?? '', 'base64').toString('utf8'));
        } else {
          const type = record.result === 'Ok' ? 'partitioning-failed' : 'processing-failed';
          buffer(`errors/${type}/dt=${day}`, errorLine(record, type, now));
        }
      }
      await afterWrite();
    },

    async writeAuditRecords(records) {
      checkUsable();
      for (const record of records)
        buffer(`dt=${lakePartition(record).dt}`, JSON.stringify(toLakeRow(record)) + '\n');
      await afterWrite();
    },

    async flush() {
      await writing; // a timed flush under way: its failure is reported here
      checkUsable();
      await flush();
    },

    async close() {
      if (closed) return;
      await writing;
      checkUsable();
      await flush();
      closed = true;
    },
  };
}

/** A failed record as Firehose writes it under its error prefix: one JSON object per line. */
function errorLine(
  record: FirehoseTransformationResultRecord,
  type: 'processing-failed' | 'partitioning-failed',
  now: Date,
): string {
  return (
    JSON.stringify({
      attemptsMade: 1,
      arrivalTimestamp: now.getTime(),
      errorCode: type === 'processing-failed' ? 'ProcessingFailed' : 'PartitionKeysMissing',
      errorMessage:
        type === 'processing-failed'
          ? 'the transform returned ProcessingFailed'
          : 'the transform returned Ok without a dt partition key (YYYY-MM-DD)',
      attemptEndingTimestamp: now.getTime(),
      rawData: record.data ?? '',
      recordId: record.recordId,
    }) + '\n'
  );
}

function unrefTimer(callback: () => void, ms: number): () => void {
  const timer = setTimeout(callback, ms);
  timer.unref();
  return () => clearTimeout(timer);
}
